"""States of a newsletter subscription and of one issue's delivery to one subscriber."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    #: The address bounced for good or its owner complained (``Suppression`` says which): it is
    #: never mailed again, confirmation mails included, until an operator lifts it.
    SUPPRESSED = "suppressed", _("Suppressed (bounced or complained)")


class DeliveryStatus(models.TextChoices):
    """``queued`` → ``sending`` (claimed by one batch) → ``sent``, ``failed`` or ``skipped``.

    A passing SMTP fault puts a delivery back to ``queued`` for a later batch; a delivery whose
    message may have reached the server before its worker died is ``failed``, never sent again.
    """

    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (unsubscribed meanwhile)")


class SuppressionReason(models.TextChoices):
    BOUNCE = "bounce", _("Hard bounce: the address does not exist")
    COMPLAINT = "complaint", _("Complaint: marked as spam")
    #: Passing refusals of SOFT_BOUNCE_LIMIT messages within SOFT_BOUNCE_WINDOW
    #: (newsletter.services.suppression): a mailbox full for weeks, a server that always defers.
    SOFT_BOUNCES = "soft_bounces", _("Soft bounces: refused again and again")
