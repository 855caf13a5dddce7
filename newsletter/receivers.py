"""What the newsletter does when the apps it is built on tell it something: connected in
``NewsletterConfig.ready``, since those apps do not import it."""

from __future__ import annotations

from typing import Any

from issues.models import Issue
from newsletter import selectors, services
from newsletter.enums import SuppressionReason


def mail_published_issue(sender: Any, *, issue: Issue, **kwargs: Any) -> None:
    """An issue is being published: have it mailed to its subscribers once that commits."""
    services.request_issue_newsletter(issue)


def adopt_subscription_language(
    sender: Any, *, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """A member joined with an address already subscribed to a newsletter: write to them in the
    language chosen for it (``services.subscribe`` sets it for members who joined before)."""
    if not created or raw or instance.mail_language or not instance.email:
        return
    language = selectors.language_of_address(instance.email)
    if language:
        type(instance).objects.filter(pk=instance.pk).update(mail_language=language)
        instance.mail_language = language


def suppress_bounced_address(sender: Any, *, event: Any, esp_name: str, **kwargs: Any) -> None:
    """A mail provider's webhook reported an event (django-anymail's ``tracking`` signal): a hard
    bounce, a refusal to send to an address that bounced before, or a complaint suppresses the
    address; a passing failure (``deferred``) counts as a soft bounce, enough of which suppress
    it. Every other event changes nothing."""
    if not event.recipient:
        return
    detail = " ".join(part for part in (event.description, event.mta_response) if part)
    if event.event_type == "deferred":
        # A passing failure (Mailgun's "failed" of severity "temporary"), reported at each of the
        # provider's retries: counted once per message (services.record_soft_bounce).
        message = event.message_id or event.event_id or ""
        if message:
            services.record_soft_bounce(
                event.recipient,
                message=f"{esp_name.lower()}:{message}",
                source=esp_name.lower(),
                detail=detail,
            )
        return
    if event.event_type == "complained":
        reason = SuppressionReason.COMPLAINT
    elif event.event_type == "bounced" or (
        event.event_type == "rejected" and event.reject_reason in ("bounced", "invalid")
    ):
        reason = SuppressionReason.BOUNCE
    else:
        return
    services.suppress_address(
        event.recipient, reason=reason, source=esp_name.lower(), detail=detail
    )
