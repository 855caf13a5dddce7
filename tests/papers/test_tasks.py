"""A worker killed in the middle of a fetch (kill -9, out of memory) leaves its paper
``fetching`` and its message unacknowledged. Two ways bring the paper back, and both must do so
within five minutes: Redis hands the message to another worker once the visibility timeout has
passed, and the sweep re-enqueues a paper fetching for longer than a fetch may run. For that the
numbers must fit together (docs/DEPLOY.md): these tests hold them, as waiting minutes for a real
worker would not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from common import retry
from papers import selectors, tasks
from papers.enums import MetadataStatus
from papers.models import Paper
from tests.factories import PaperFactory
from tests.servers.arxiv import needs_recordings as needs_arxiv_recordings
from tests.servers.enrichment import EnrichmentStandIn, needs_recordings
from weekly.celery import app

#: What the deployment promises: a paper whose worker was killed is fetched again within this.
REFETCH_WITHIN = dt.timedelta(minutes=5)


def _our_tasks() -> dict[str, Any]:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def _sweep_interval(*, stale: bool) -> float:
    (entry,) = (
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "papers.sweep_paper_metadata"
        and entry.get("kwargs", {}).get("refresh_stale", True) == stale
    )
    return entry["schedule"]


def test_killed_workers_message_comes_back_within_five_minutes() -> None:
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    redelivered_after = options["visibility_timeout"] + options["unacked_restore_interval"]
    assert redelivered_after <= REFETCH_WITHIN.total_seconds()


def test_no_task_runs_or_waits_past_the_visibility_timeout() -> None:
    """Else Redis hands a running task, or one waiting for its retry, to a second worker."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    tasks_by_name = _our_tasks()
    assert "papers.fetch_paper_metadata" in tasks_by_name
    for name, task in tasks_by_name.items():
        hard_limit = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        assert hard_limit < visibility, name
        if task.soft_time_limit:
            assert task.soft_time_limit < hard_limit, name
        if getattr(task, "autoretry_for", ()) and task.retry_backoff:
            assert task.retry_backoff_max < visibility, name
    longest_backoff = max(
        retry.backoff(retries, retry_after=retry_after)
        for retries in range(tasks.MAX_RETRIES + 1)
        for retry_after in (None, 3600.0)
        for _ in range(20)
    )
    assert longest_backoff <= retry.BACKOFF_CAP < visibility


def test_fetch_task_limits_and_sweep_fit_together() -> None:
    fetch = _our_tasks()["papers.fetch_paper_metadata"]
    assert (fetch.soft_time_limit, fetch.time_limit) == (
        tasks.FETCH_SOFT_TIME_LIMIT,
        tasks.FETCH_TIME_LIMIT,
    )
    # A paper fetching for longer than a fetch may run lost its worker...
    assert selectors.FETCHING_STUCK.total_seconds() > tasks.FETCH_TIME_LIMIT
    # ... and the next sweep after that finds it within the promise.
    sweep = _sweep_interval(stale=False)
    assert selectors.FETCHING_STUCK.total_seconds() + sweep <= REFETCH_WITHIN.total_seconds()
    assert _sweep_interval(stale=True) >= sweep


@pytest.mark.django_db
def test_sweep_every_minute_enqueues_stuck_papers_but_no_refresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enqueued: list[tuple[list[int], bool]] = []
    monkeypatch.setattr(
        tasks.task_fetch_paper_metadata,
        "delay",
        lambda ids, refresh=False: enqueued.append((ids, refresh)),
    )
    now = timezone.now()
    running = PaperFactory(pending=True, metadata_status=MetadataStatus.FETCHING)
    killed = PaperFactory(pending=True, metadata_status=MetadataStatus.FETCHING)
    stale = PaperFactory(metadata_fetched_at=now - dt.timedelta(days=30))
    Paper.objects.filter(pk=running.pk).update(updated_at=now - dt.timedelta(seconds=60))
    # Past the fetch's hard time limit: its worker was killed (it would have finished or been
    # stopped by now).
    Paper.objects.filter(pk=killed.pk).update(
        updated_at=now - dt.timedelta(seconds=tasks.FETCH_TIME_LIMIT + 40)
    )
    assert tasks.task_sweep_paper_metadata(refresh_stale=False) == 1
    assert enqueued == [([killed.pk], False)]
    enqueued.clear()
    assert tasks.task_sweep_paper_metadata() == 2
    assert enqueued == [([killed.pk], False), ([stale.pk], True)]


# ================================================================ enrichment


def test_beat_keeps_new_papers_enriched() -> None:
    (entry,) = (
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "papers.sweep_paper_enrichment"
    )
    assert entry["schedule"] <= 3600
    assert "papers.sweep_paper_enrichment" in _our_tasks()
    assert {"papers.enrich_papers", "papers.read_ror_records"} <= set(_our_tasks())


@pytest.mark.django_db
def test_sweep_enqueues_papers_due_for_enrichment(monkeypatch: pytest.MonkeyPatch) -> None:
    from papers.services import enrichment
    from tests.factories import InstitutionFactory

    queued: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(
        enrichment, "enqueue_after_commit", lambda task, ids: queued.append((task.name, ids))
    )
    now = timezone.now()
    long_ago = now - dt.timedelta(seconds=settings.ENRICHMENT_RETRY_AFTER + 60)
    never = PaperFactory()
    doi_only = PaperFactory(arxiv_id=None, doi="10.1000/x", metadata_status=MetadataStatus.FAILED)
    failed_long_ago = PaperFactory(affiliations_checked_at=long_ago, affiliations_error="HTTP 500")
    PaperFactory(affiliations_checked_at=now, affiliations_error="HTTP 500")  # too recent
    PaperFactory(affiliations_checked_at=long_ago, affiliations_fetched_at=long_ago)  # done
    PaperFactory(affiliations_checked_at=long_ago, affiliations_error="x", metadata_kept=True)
    PaperFactory(pending=True)  # its metadata first
    PaperFactory(metadata_fetched_at=now)  # its enrichment is queued already
    old = PaperFactory(affiliations_checked_at=long_ago, affiliations_error="HTTP 500")
    Paper.objects.filter(pk=old.pk).update(
        created_at=now - dt.timedelta(days=settings.ENRICHMENT_WINDOW_DAYS + 1)
    )
    unread = InstitutionFactory(ror_id="03cve4549")
    InstitutionFactory(ror_id="013meh722", ror_fetched_at=now)

    assert tasks.task_sweep_paper_enrichment() == 3

    assert queued == [
        ("papers.enrich_papers", [never.pk, doi_only.pk, failed_long_ago.pk]),
        ("papers.read_ror_records", [unread.pk]),
    ]


@pytest.mark.django_db
@needs_recordings
def test_enrich_task_runs_the_service(settings: Any) -> None:
    paper = PaperFactory(arxiv_id="2401.00001", authors=["Wei Zhang", "Na Li", "Jie Tang"])
    with EnrichmentStandIn().running() as stand_in:
        settings.OPENALEX_API_URL = stand_in.openalex_url
        result = tasks.task_enrich_papers.delay([paper.pk]).get()

    assert result == {"enriched": 1, "unchanged": 0, "not_found": 0, "failed": 0}
    paper.refresh_from_db()
    assert paper.affiliations_source == "openalex"


@pytest.mark.django_db
@needs_arxiv_recordings
def test_fetch_metadata_queues_the_enrichment_of_the_papers_fetched(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papers.services import fetching
    from tests.servers.arxiv import ArxivStandIn

    requested: list[list[int]] = []
    monkeypatch.setattr(fetching, "request_enrichment", lambda ids: requested.append(list(ids)))
    paper = PaperFactory(pending=True, arxiv_id="2401.04242")
    with ArxivStandIn(synthesize=True).running() as stand_in:
        settings.ARXIV_API_URL = stand_in.url
        outcome = fetching.fetch_metadata([paper.pk])

    assert outcome.fetched == [paper.pk]
    assert requested == [[paper.pk]]


@pytest.mark.parametrize(
    ("task", "service"),
    [
        (tasks.task_enrich_papers, "enrich_papers"),
        (tasks.task_read_ror_records, "read_ror_records"),
    ],
)
def test_enrichment_tasks_retry_passing_faults_after_retry_after(
    task: Any, service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from celery.exceptions import Retry

    from papers.services import EnrichmentOutcome, RorOutcome

    outcome = (EnrichmentOutcome if service == "enrich_papers" else RorOutcome)(
        retry=[2], retry_after=30.0
    )
    monkeypatch.setattr(tasks.services, service, lambda ids: outcome)
    asked: dict[str, Any] = {}

    def fake_retry(**kwargs: Any) -> None:
        asked.update(kwargs)
        raise Retry()

    monkeypatch.setattr(task, "retry", fake_retry)
    task.push_request(is_eager=False, retries=0)
    try:
        with pytest.raises(Retry):
            task.run([1, 2])
    finally:
        task.pop_request()

    assert asked["args"] == [[2]]
    assert 30.0 <= asked["countdown"] <= retry.BACKOFF_CAP
