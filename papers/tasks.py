"""Celery tasks of the catalogue: thin callers of ``papers.services``.

Tasks take ids, are acknowledged late (a worker killed mid-task leaves the message for another
worker) and are idempotent: running one twice leaves the same rows as running it once.
"""

from __future__ import annotations

from celery import shared_task

from common.retry import backoff
from papers import selectors, services

MAX_RETRIES = 6
#: A fetch is stopped after ``FETCH_SOFT_TIME_LIMIT`` seconds (the papers it did not finish go
#: back to the sweep) and its process killed after ``FETCH_TIME_LIMIT``: a batch of 100 arXiv
#: papers is one request (``OUTSIDE_API_TIMEOUT``, 15 s) after a wait for the shared rate limit.
#: The sweep takes a paper fetching for longer (``selectors.FETCHING_STUCK``) for one whose
#: worker died; docs/DEPLOY.md says how these numbers fit together.
FETCH_SOFT_TIME_LIMIT = 120
FETCH_TIME_LIMIT = 150


@shared_task(
    bind=True,
    name="papers.fetch_paper_metadata",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=FETCH_SOFT_TIME_LIMIT,
    time_limit=FETCH_TIME_LIMIT,
)
def task_fetch_paper_metadata(self, paper_ids: list[int], refresh: bool = False) -> dict:
    """Fetch metadata of ``paper_ids``; papers meeting a passing fault are retried later."""
    # In-process (eager) execution has no queue to wait in: a retry would block the caller, so
    # the papers stay pending and the periodic sweep or ``fetch_metadata`` tries again.
    final = self.request.is_eager or self.request.retries >= self.max_retries
    outcome = services.fetch_metadata(paper_ids, refresh=refresh, final_attempt=final)
    if outcome.retry and not final:
        raise self.retry(
            args=[outcome.retry],
            kwargs={"refresh": refresh},
            countdown=backoff(self.request.retries, outcome.retry_after),
        )
    return {
        "fetched": len(outcome.fetched),
        "not_found": len(outcome.not_found),
        "failed": len(outcome.failed),
    }


@shared_task(name="papers.sweep_paper_metadata", acks_late=True, soft_time_limit=120)
def task_sweep_paper_metadata(refresh_stale: bool = True) -> int:
    """Enqueue the papers left waiting (a broker down at submit time, a lost task, a worker
    killed mid-fetch) and, with ``refresh_stale``, those due for a refresh.

    Returns the number of papers enqueued.
    """
    waiting = selectors.papers_awaiting_fetch()
    stale = selectors.papers_due_for_refresh() if refresh_stale else []
    for chunk in _chunks(waiting):
        task_fetch_paper_metadata.delay(chunk)
    for chunk in _chunks(stale):
        task_fetch_paper_metadata.delay(chunk, refresh=True)
    return len(waiting) + len(stale)


#: An enrichment batch is one OpenAlex request of 100 papers (``OUTSIDE_API_TIMEOUT``) and the
#: storing of their institutions; a ROR batch is ``ROR_BATCH_SIZE`` requests, one by one, at
#: ``ROR_MIN_INTERVAL`` or more apart.
ENRICH_SOFT_TIME_LIMIT = 120
ENRICH_TIME_LIMIT = 150
ROR_BATCH_SIZE = 20


@shared_task(
    bind=True,
    name="papers.enrich_papers",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=ENRICH_SOFT_TIME_LIMIT,
    time_limit=ENRICH_TIME_LIMIT,
)
def task_enrich_papers(self, paper_ids: list[int]) -> dict:
    """Ask OpenAlex for the affiliations of ``paper_ids``; passing faults are retried later."""
    outcome = services.enrich_papers(paper_ids)
    # In-process (eager) execution has no queue to wait in: the sweep asks again later.
    if outcome.retry and not self.request.is_eager and self.request.retries < self.max_retries:
        raise self.retry(
            args=[outcome.retry], countdown=backoff(self.request.retries, outcome.retry_after)
        )
    return {
        "enriched": len(outcome.enriched),
        "unchanged": len(outcome.unchanged),
        "not_found": len(outcome.not_found),
        "failed": len(outcome.failed) + len(outcome.retry),
    }


@shared_task(
    bind=True,
    name="papers.read_ror_records",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=ENRICH_SOFT_TIME_LIMIT,
    time_limit=ENRICH_TIME_LIMIT,
)
def task_read_ror_records(self, institution_ids: list[int]) -> dict:
    """Read the ROR records of ``institution_ids`` not read yet; passing faults are retried."""
    outcome = services.read_ror_records(institution_ids)
    if outcome.retry and not self.request.is_eager and self.request.retries < self.max_retries:
        raise self.retry(
            args=[outcome.retry], countdown=backoff(self.request.retries, outcome.retry_after)
        )
    return {"read": len(outcome.read), "not_found": len(outcome.not_found)}


@shared_task(name="papers.sweep_paper_enrichment", acks_late=True, soft_time_limit=120)
def task_sweep_paper_enrichment() -> int:
    """Enqueue the papers due for enrichment (never asked, or failed long enough ago) and the
    institutions whose ROR record was never read. Returns the number of papers enqueued."""
    due = selectors.papers_due_for_enrichment()
    services.request_enrichment(due)
    services.request_ror_records(selectors.institutions_awaiting_ror())
    return len(due)


def _chunks(ids: list[int], size: int = 100) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
