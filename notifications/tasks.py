"""Celery tasks that mail members: thin callers of ``notifications.services``."""

from __future__ import annotations

from celery import shared_task

from issues.models import Issue
from notifications import services
from recommendations.models import Recommendation, Review, Transition

# Notifications: a mail server that fails is retried a few times; the Notification record keeps a
# retried or duplicated task from mailing twice. The countdown stays below the broker's visibility
# timeout (weekly/settings.py), or Redis would hand the waiting task to another worker.
_NOTIFY = {
    "acks_late": True,
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 120,
    "max_retries": 5,
}


@shared_task(name="notifications.notify_reviewed", **_NOTIFY)
def task_notify_reviewed(review_id: int) -> bool:
    review = (
        Review.objects.select_related(
            "recommendation__submitter", "recommendation__publication", "recommendation__paper"
        )
        .filter(pk=review_id)
        .first()
    )
    return services.notify_reviewed(review) if review else False


@shared_task(name="notifications.notify_accepted", **_NOTIFY)
def task_notify_accepted(recommendation_id: int) -> bool:
    recommendation = (
        Recommendation.objects.select_related("submitter", "publication", "paper")
        .filter(pk=recommendation_id)
        .first()
    )
    return services.notify_accepted(recommendation) if recommendation else False


@shared_task(name="notifications.notify_published", **_NOTIFY)
def task_notify_published(issue_id: int) -> int:
    issue = Issue.objects.select_related("publication").filter(pk=issue_id).first()
    return services.notify_published(issue) if issue else 0


@shared_task(name="notifications.notify_revised", **_NOTIFY)
def task_notify_revised(transition_id: int) -> bool:
    transition = (
        Transition.objects.select_related(
            "actor",
            "recommendation__submitter",
            "recommendation__publication",
            "recommendation__paper",
        )
        .filter(pk=transition_id)
        .first()
    )
    return services.notify_revised(transition) if transition else False


@shared_task(name="notifications.notify_co_credited", **_NOTIFY)
def task_notify_co_credited(transition_id: int) -> bool:
    transition = (
        Transition.objects.select_related(
            "recommendation__submitter", "recommendation__publication", "recommendation__paper"
        )
        .filter(pk=transition_id)
        .first()
    )
    return services.notify_co_credited(transition) if transition else False
