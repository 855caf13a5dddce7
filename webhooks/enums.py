"""The events a webhook endpoint may listen to, and the states of one event's delivery."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    ISSUE_PUBLISHED = "issue.published", _("An issue is published")
    ISSUE_CORRECTED = "issue.corrected", _("A published issue is corrected")
    RECOMMENDATION_ACCEPTED = "recommendation.accepted", _("A recommendation is accepted")


class DeliveryStatus(models.TextChoices):
    """``pending`` (its attempts go on) → ``delivered`` (a 2xx answer) or ``failed`` (every
    attempt failed, or the address was refused)."""

    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
