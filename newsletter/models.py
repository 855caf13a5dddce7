"""A publication's newsletter: its subscribers, and the record of every issue sent to each.

The unique (issue, subscriber) constraint on ``Delivery`` is what makes "each confirmed
subscriber gets each issue once" hold however often the sending task runs.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from newsletter.enums import DeliveryStatus, SubscriberStatus, SuppressionReason


def new_unsubscribe_key() -> str:
    """A subscriber's unsubscribe key: 32 URL-safe characters, 192 random bits."""
    return secrets.token_urlsafe(24)


class Subscriber(models.Model):
    """An e-mail address subscribed to one publication's newsletter (double opt-in)."""

    publication = models.ForeignKey(
        "publications.Publication", on_delete=models.CASCADE, related_name="subscribers"
    )
    email = models.EmailField(_("e-mail address"), max_length=254)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SubscriberStatus.choices,
        default=SubscriberStatus.PENDING,
    )
    created_at = models.DateTimeField(_("subscribed"), auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    # The token of the unsubscribe link in every mail: random and stored, so that it depends on no
    # SECRET_KEY and a rotation breaks no link already sent. Empty only for rows written before it
    # existed and not yet filled (newsletter.services.unsubscribe_token fills them).
    unsubscribe_key = models.CharField(
        _("unsubscribe key"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        default=new_unsubscribe_key,
    )

    class Meta:
        ordering = ["publication", "email"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [
            models.UniqueConstraint("publication", Lower("email"), name="subscriber_unique_email"),
            models.CheckConstraint(
                condition=models.Q(status__in=SubscriberStatus.values),
                name="subscriber_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=SubscriberStatus.CONFIRMED)
                | models.Q(confirmed_at__isnull=False),
                name="subscriber_confirmed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["publication", "status"], name="subscriber_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.publication})"

    @property
    def is_confirmed(self) -> bool:
        return self.status == SubscriberStatus.CONFIRMED


class Delivery(models.Model):
    """One issue sent (or to be sent) to one subscriber."""

    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    # The batch that holds the delivery while it is ``sending``; only that batch may finish it.
    claim = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    # Set just before the message goes to the SMTP server: a delivery left ``sending`` with this
    # set may have been sent, so it is never sent again.
    attempted_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["issue", "id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="delivery_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DeliveryStatus.SENT) | models.Q(sent_at__isnull=False),
                name="delivery_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["issue", "status"], name="delivery_issue_status_idx"),
            models.Index(fields=["status", "claimed_at"], name="delivery_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.issue} → {self.subscriber.email}: {self.get_status_display()}"


class Suppression(models.Model):
    """An address the site never mails again, for every publication: it bounced for good, or its
    owner reported a mail as spam. The rule is in docs/DEPLOY.md (Bounces and complaints)."""

    email = models.EmailField(_("e-mail address"), max_length=254)
    reason = models.CharField(_("reason"), max_length=16, choices=SuppressionReason.choices)
    #: Who said so: "smtp" (our SMTP server's refusal) or the provider's webhook ("mailgun").
    source = models.CharField(_("source"), max_length=32)
    #: The server's or provider's own words, for the operator.
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("suppressed"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="suppression_unique_email"),
            models.CheckConstraint(
                condition=models.Q(reason__in=SuppressionReason.values),
                name="suppression_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_reason_display()})"


class SoftBounce(models.Model):
    """A passing refusal of one message to one address: a full mailbox, a server deferring it.

    Counted once per message (a message tried five times is one soft bounce); enough of them in
    a short time suppress the address (newsletter.services.suppression, docs/DEPLOY.md).
    """

    email = models.EmailField(_("e-mail address"), max_length=254)
    #: The message that was refused: ``issue:<id>`` for our SMTP server, the provider's message
    #: id for its webhook.
    message = models.CharField(_("message"), max_length=255)
    #: Who said so: "smtp" or the provider ("mailgun").
    source = models.CharField(_("source"), max_length=32)
    #: The server's or provider's own words.
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("refused"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("soft bounce")
        verbose_name_plural = _("soft bounces")
        constraints = [
            models.UniqueConstraint(Lower("email"), "message", name="softbounce_unique_message"),
        ]
        indexes = [models.Index(Lower("email"), "created_at", name="softbounce_recent_idx")]

    def __str__(self) -> str:
        return f"{self.email} ({self.message})"
