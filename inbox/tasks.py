"""Celery tasks of the candidate inbox: thin callers of ``inbox.polling``, ``inbox.services`` and
``inbox.digest``.

Tasks take ids and are acknowledged late; each is idempotent: a poll run twice finds the papers
of the first among the candidates and adds nothing, a digest already sent this week is not sent
again, a sweep finds nothing left to do.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone
from django.utils.translation import gettext

from common.queue import enqueue_after_commit
from common.retry import backoff
from inbox import digest, polling, services
from inbox.models import Watch

logger = logging.getLogger("weekly.inbox")

MAX_RETRIES = 6
#: A poll reads at most ``INBOX_MAX_RESULTS_PER_POLL`` results, 100 a request, each after the
#: shared arXiv rate limit (``ARXIV_MIN_INTERVAL``): 20 requests and a minute at the default.
#: A poll stopped by the soft limit stores nothing and says so on the watch; the hard limit
#: stays below the broker's visibility timeout (``CELERY_VISIBILITY_TIMEOUT``).
POLL_SOFT_TIME_LIMIT = 150
POLL_TIME_LIMIT = 180


@shared_task(name="inbox.poll_watches", acks_late=True, soft_time_limit=60)
def task_poll_watches() -> int:
    """Queue a poll of every active watch; the number queued."""
    ids = list(Watch.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    for watch_id in ids:
        task_poll_watch.delay(watch_id)
    return len(ids)


@shared_task(
    bind=True,
    name="inbox.poll_watch",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=POLL_SOFT_TIME_LIMIT,
    time_limit=POLL_TIME_LIMIT,
)
def task_poll_watch(self, watch_id: int) -> dict:
    """Poll one watch; arXiv unavailable is tried again with backoff, never sooner than its
    ``Retry-After``. A query arXiv refuses is recorded on the watch, not retried."""
    watch = Watch.objects.select_related("publication").filter(pk=watch_id).first()
    if watch is None or not watch.is_active:
        return {"found": 0, "kept": 0, "error": ""}
    # In-process (eager) execution has no queue to wait in: a retry would block the caller, so
    # the fault is recorded at once and the next poll tries again.
    final = self.request.is_eager or self.request.retries >= self.max_retries
    try:
        outcome = polling.poll_watch(watch, record_passing_fault=final)
    except SoftTimeLimitExceeded:
        message = gettext("The poll took too long and was stopped; nothing was kept.")
        Watch.objects.filter(pk=watch.pk).update(last_polled_at=timezone.now(), last_error=message)
        logger.warning("Poll of watch %s stopped by its time limit", watch.pk)
        return {"found": 0, "kept": 0, "error": message}
    if outcome.retry and not final:
        raise self.retry(countdown=backoff(self.request.retries, outcome.retry_after))
    return {"found": outcome.found, "kept": outcome.kept, "error": outcome.error}


def queue_poll(watch: Watch) -> None:
    """Have a worker poll ``watch`` now (the watches page's "Poll now"), once the current
    transaction commits.

    Side effects: enqueues ``inbox.poll_watch`` after commit (in-process without a broker)."""
    enqueue_after_commit(task_poll_watch, watch.pk)


@shared_task(name="inbox.sweep", acks_late=True, soft_time_limit=120)
def task_sweep() -> dict:
    """Expire the candidates that waited too long and release the claims that led nowhere."""
    return {
        "expired": services.expire_candidates(),
        "released": services.release_stale_claims(),
    }


@shared_task(name="inbox.send_digests", acks_late=True, soft_time_limit=150, time_limit=180)
def task_send_digests() -> int:
    """Mail this week's digest to every subscription due one; the number sent."""
    return digest.send_digests()
