"""Webhook endpoints of a publication, the events they hear of, and the log of every call.

One ``Event`` per thing that happened (its payload as sent, the same bytes for every endpoint);
one ``Delivery`` per (event, endpoint), unique, so that a task run twice never calls an endpoint
twice for one event; one ``Attempt`` per HTTP call, the delivery log.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from webhooks.enums import DeliveryStatus, EventType


def new_secret() -> str:
    """An endpoint's signing secret: ``whsec_`` and 43 URL-safe characters, 256 random bits."""
    return "whsec_" + secrets.token_urlsafe(32)


class Endpoint(models.Model):
    """An HTTPS address a publication's editors asked to be called when its events happen."""

    publication = models.ForeignKey(
        "publications.Publication", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("address"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    #: The event types (``EventType`` values) the endpoint is called for.
    events = models.JSONField(_("events"), default=list)
    # Needed in clear to sign each payload (HMAC), so it cannot be stored hashed; it is shown to
    # the editor once, at creation, and never in a page, the API or the admin after that.
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    #: Events in a row whose delivery failed for good; a delivered one sets it back to 0.
    consecutive_failures = models.PositiveIntegerField(_("failed events in a row"), default=0)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["publication", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        indexes = [
            models.Index(fields=["publication", "is_active"], name="webhook_endpoint_active_idx")
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def secret_hint(self) -> str:
        """Enough of the secret to tell two apart, never enough to sign."""
        return f"{self.secret[:10]}…"


class Event(models.Model):
    """Something that happened to a publication's issue or recommendation, as its payload."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    publication = models.ForeignKey(
        "publications.Publication", on_delete=models.CASCADE, related_name="webhook_events"
    )
    type = models.CharField(_("type"), max_length=40, choices=EventType.choices)
    #: What makes the event itself (the issue published, the correction, the acceptance): a task
    #: retried or run twice records it once.
    key = models.CharField(max_length=120, unique=True)
    issue = models.ForeignKey(
        "issues.Issue", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    recommendation = models.ForeignKey(
        "recommendations.Recommendation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    #: The body sent to every endpoint, byte for byte.
    payload = models.TextField(_("payload"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=EventType.values), name="webhook_event_type_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class Delivery(models.Model):
    """One event sent (or to be sent) to one endpoint."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="webhook_delivery_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event.type} → {self.endpoint.url}: {self.get_status_display()}"


class Attempt(models.Model):
    """One call of an endpoint: the delivery log."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    #: The HTTP status of the answer; None when there was none (refused address, timeout).
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    error = models.TextField(_("error"), blank=True)
    #: The first ``WEBHOOK_RESPONSE_LIMIT`` characters of the answer's body.
    response_body = models.TextField(_("response body"), blank=True)
    #: Seconds until the next attempt; None when this one was the last.
    retry_in = models.PositiveIntegerField(_("next attempt in (s)"), null=True, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.number}: {self.status_code or self.error[:60]}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
