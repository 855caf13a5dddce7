"""Celery tasks of drafting assistance: thin callers of ``drafting.services``."""

from __future__ import annotations

from celery import shared_task

from common.retry import backoff
from drafting.services import drafts

MAX_RETRIES = 5
#: One answer of the model (``LLM_TIMEOUT``, 60 s by default) and the storing of the drafts.
DRAFT_SOFT_TIME_LIMIT = 150
DRAFT_TIME_LIMIT = 180


@shared_task(
    bind=True,
    name="drafting.write_draft",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=DRAFT_SOFT_TIME_LIMIT,
    time_limit=DRAFT_TIME_LIMIT,
)
def task_write_draft(self, publication_id: int, paper_id: int, request_id: int | None) -> str:
    """Ask the model for the drafts of one entry; a passing fault (429, 5xx, a timeout) is tried
    again later, not sooner than the server's ``Retry-After``."""
    # In-process (eager) execution has no queue to wait in: the first fault is the last.
    final = self.request.is_eager or self.request.retries >= self.max_retries
    outcome = drafts.write_draft(publication_id, paper_id, request_id, final_attempt=final)
    if outcome.retry and not final:
        raise self.retry(countdown=backoff(self.request.retries, outcome.retry_after))
    return outcome.status
