"""Celery tasks of the newsletter: thin callers of ``newsletter.services``.

Each takes ids, is acknowledged late, and may run twice: the deliveries' unique constraint and
the claim on each batch keep every subscriber to one copy of each issue.
"""

from __future__ import annotations

import time

from celery import shared_task
from django.conf import settings

from common.retry import backoff
from issues.models import Issue
from newsletter import selectors, services
from newsletter.models import Subscriber

MAX_RETRIES = 8


@shared_task(name="newsletter.send_subscription_confirmation", acks_late=True, max_retries=5)
def task_send_subscription_confirmation(subscriber_id: int) -> bool:
    subscriber = Subscriber.objects.select_related("publication").filter(pk=subscriber_id).first()
    if subscriber is None:
        return False
    return services.send_subscription_confirmation(subscriber)


@shared_task(name="newsletter.send_issue", acks_late=True, soft_time_limit=150, time_limit=180)
def task_send_issue_newsletter(issue_id: int) -> int:
    """Queue the published issue for its subscribers and start sending. Returns how many wait."""
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None:
        return 0
    waiting = services.queue_issue_newsletter(issue)
    if waiting:
        # Batches run side by side on as many workers as NEWSLETTER_PARALLEL allows.
        batches = -(-waiting // settings.NEWSLETTER_BATCH_SIZE)  # rounded up
        for _ in range(min(settings.NEWSLETTER_PARALLEL, batches)):
            task_send_newsletter_batch.delay(issue_id)
    return waiting


@shared_task(
    bind=True,
    name="newsletter.send_batch",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    # Below the broker's visibility timeout (weekly/settings.py); a batch sends for a minute.
    soft_time_limit=150,
    time_limit=180,
)
def task_send_newsletter_batch(self, issue_id: int) -> dict:
    """Send the issue's queued deliveries batch after batch for up to a minute, then hand the
    rest to a fresh task so that one task never holds a worker for long."""
    issue = Issue.objects.select_related("publication").filter(pk=issue_id).first()
    totals = {"sent": 0, "failed": 0, "skipped": 0, "requeued": 0}
    if issue is None:
        return totals
    deadline = time.monotonic() + 60
    while True:
        outcome = services.send_newsletter_batch(issue)
        for name in totals:
            totals[name] += getattr(outcome, name)
        if outcome.retry:
            # In-process (eager) runs have no queue to wait in: the periodic resume task retries.
            if not self.request.is_eager and self.request.retries < self.max_retries:
                raise self.retry(countdown=backoff(self.request.retries))
            return totals
        if not (outcome.sent or outcome.failed or outcome.skipped):
            return totals  # nothing left to claim
        if time.monotonic() > deadline:
            task_send_newsletter_batch.delay(issue_id)
            return totals


@shared_task(name="newsletter.resume", acks_late=True, soft_time_limit=120)
def task_resume_newsletters() -> list[int]:
    """Run by beat: hand back what dead batches held, and restart sending where it stopped or
    never started. Returns the ids of the issues it restarted."""
    services.release_stale_deliveries()
    issue_ids = selectors.issues_awaiting_newsletter()
    for issue_id in issue_ids:
        task_send_issue_newsletter.delay(issue_id)
    return issue_ids
