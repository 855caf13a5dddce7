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
