"""Celery tasks of the webhooks: thin callers of ``webhooks.services``."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from issues.models import Correction, Issue
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation
from webhooks import payloads, services
from webhooks.enums import EventType
from webhooks.models import Delivery


@shared_task(name="webhooks.emit_event", acks_late=True)
def task_emit_event(event_type: str, object_id: int) -> str | None:
    """Record the event about the object (an issue, a correction, a recommendation) and queue
    its deliveries; quietly nothing when the object is gone or no longer in that state."""
    found: dict[str, Any] | None = None
    if event_type == EventType.ISSUE_PUBLISHED:
        issue = Issue.objects.select_related("publication").filter(pk=object_id).first()
        if issue is not None and issue.is_published:
            found = {
                "key": f"{event_type}:{issue.pk}",
                "publication_id": issue.publication_id,
                "obj": {"object": payloads.issue_object(issue)},
                "issue": issue,
            }
    elif event_type == EventType.ISSUE_CORRECTED:
        correction = (
            Correction.objects.select_related("issue__publication").filter(pk=object_id).first()
        )
        if correction is not None:
            issue = correction.issue
            found = {
                "key": f"{event_type}:{correction.pk}",
                "publication_id": issue.publication_id,
                "obj": {
                    "object": payloads.issue_object(issue),
                    "correction": payloads.correction_object(correction),
                },
                "issue": issue,
            }
    elif event_type == EventType.RECOMMENDATION_ACCEPTED:
        recommendation = Recommendation.objects.filter(pk=object_id).first()
        if recommendation is not None and recommendation.status == RecommendationStatus.ACCEPTED:
            decided = recommendation.decided_at.isoformat() if recommendation.decided_at else ""
            found = {
                "key": f"{event_type}:{recommendation.pk}:{decided}",
                "publication_id": recommendation.publication_id,
                "obj": {"object": payloads.recommendation_object(recommendation)},
                "recommendation": recommendation,
            }
    if found is None:
        return None
    event = services.emit_event(event_type, **found)
    return str(event.id) if event else None


@shared_task(bind=True, name="webhooks.deliver_webhook", acks_late=True, max_retries=None)
def task_deliver_webhook(self: Any, delivery_id: int) -> str | None:
    """One call of the delivery's endpoint; a failure that may pass is tried again later, as
    many times as ``WEBHOOK_MAX_ATTEMPTS`` allows (``services.attempt_delivery`` decides)."""
    delivery = (
        Delivery.objects.select_related("event", "endpoint__publication")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        return None
    outcome = services.attempt_delivery(delivery)
    # In-process (eager: `make run`, the tests) there is no worker to come back later: the next
    # attempts follow at once. A worker waits the backoff between them.
    while outcome.retry_in is not None and self.request.is_eager:
        outcome = services.attempt_delivery(delivery)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status
