"""Tests of issues.scheduler: the development server publishes scheduled issues without a beat.

The clock is given to the scheduler, so no test waits for an issue's time to come.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from issues import scheduler, services
from issues.enums import IssueStatus
from issues.models import Issue
from publications.models import Publication
from recommendations.enums import RecommendationStatus
from tests.factories import IssueEntryFactory, IssueFactory


def _scheduled_for(publication: Publication, editor: Any, at: dt.datetime) -> Issue:
    issue = IssueFactory(publication=publication)
    IssueEntryFactory(issue=issue)
    return services.schedule_issue(issue, by=editor, publish_at=at)


@pytest.fixture
def no_scheduler() -> Iterator[None]:
    """No scheduler of this process before or after the test."""
    assert scheduler._scheduler is None or not scheduler._scheduler.running
    yield
    if scheduler._scheduler is not None:
        scheduler._scheduler.stop()
    scheduler._scheduler = None


# --- a tick ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_tick_publishes_an_issue_once_its_time_has_come(
    publication: Publication, editor: Any
) -> None:
    at = timezone.now() + dt.timedelta(hours=2)
    issue = _scheduled_for(publication, editor, at)
    now = [at - dt.timedelta(seconds=1)]
    ticking = scheduler.DueIssueScheduler(clock=lambda: now[0])

    assert ticking.tick() == []
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SCHEDULED

    now[0] = at + dt.timedelta(seconds=scheduler.INTERVAL)
    assert ticking.tick() == [issue.pk]
    assert ticking.tick() == []  # once
    issue.refresh_from_db()
    assert (issue.status, issue.number) == (IssueStatus.PUBLISHED, 1)
    entry = issue.entries.select_related("recommendation").get()
    assert entry.recommendation.status == RecommendationStatus.PUBLISHED
    assert issue.transitions.filter(to_status=IssueStatus.PUBLISHED, actor=None).count() == 1


@pytest.mark.django_db
def test_tick_logs_a_failure_and_lives_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def locked(**kwargs: Any) -> list[Issue]:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(scheduler.services, "publish_due_issues", locked)
    with caplog.at_level(logging.ERROR, logger="weekly.scheduler"):
        assert scheduler.DueIssueScheduler().tick() == []
    assert "could not publish the due issues" in caplog.text


def test_interval_keeps_the_promise_of_a_minute() -> None:
    # An issue comes out at most one interval after its time, plus the publishing itself.
    assert scheduler.INTERVAL <= 30


# --- the thread -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_thread_publishes_in_the_background(
    publication: Publication, editor: Any, no_scheduler: None
) -> None:
    at = timezone.now() + dt.timedelta(days=1)
    issue = _scheduled_for(publication, editor, at)
    background = scheduler.DueIssueScheduler(interval=0.05, clock=lambda: at)
    published: list[int] = []
    tick = background.tick

    def reported_tick() -> list[int]:
        done = tick()
        published.extend(done)
        return done

    background.tick = reported_tick  # type: ignore[method-assign]
    background.start()
    try:
        # Watch what the thread reports, not the database: SQLite's shared in-memory test
        # database refuses a read while the thread writes ("table is locked").
        deadline = time.monotonic() + 10
        while not published:
            assert time.monotonic() < deadline, "the scheduler's thread published nothing"
            time.sleep(0.05)
        assert background.running
    finally:
        background.stop()
    assert not background.running
    assert published == [issue.pk]
    issue.refresh_from_db()
    assert (issue.status, issue.number) == (IssueStatus.PUBLISHED, 1)


def test_the_thread_publishes_nothing_before_every_app_is_ready(
    monkeypatch: pytest.MonkeyPatch, no_scheduler: None
) -> None:
    """It starts in IssuesConfig.ready(), before the newsletter connects to issue_published in
    its own: an issue published then would go out unmailed."""
    ticks: list[float] = []
    monkeypatch.setattr(scheduler.apps, "ready", False)
    background = scheduler.DueIssueScheduler(interval=0.05)
    monkeypatch.setattr(background, "tick", lambda: ticks.append(time.monotonic()) or [])
    background.start()
    try:
        time.sleep(0.3)
        assert ticks == []
        monkeypatch.setattr(scheduler.apps, "ready", True)
        deadline = time.monotonic() + 10
        while not ticks:
            assert time.monotonic() < deadline, "the scheduler never ticked"
            time.sleep(0.05)
    finally:
        background.stop()


# --- who starts it --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "environ", "serves"),
    [
        (["manage.py", "runserver", "127.0.0.1:8000"], {"RUN_MAIN": "true"}, True),
        (["manage.py", "runserver", "--noreload"], {}, True),
        # The autoreloader's parent only watches the files; its child serves.
        (["manage.py", "runserver", "127.0.0.1:8000"], {}, False),
        (["manage.py", "migrate"], {"RUN_MAIN": "true"}, False),
        (["gunicorn", "weekly.wsgi"], {}, False),
        (["pytest"], {}, False),
        ([], {}, False),
    ],
)
def test_serves_with_runserver(argv: list[str], environ: dict[str, str], serves: bool) -> None:
    assert scheduler.serves_with_runserver(argv, environ) is serves


def test_start_for_runserver_starts_one_scheduler_when_the_setting_asks(
    settings: Any, monkeypatch: pytest.MonkeyPatch, no_scheduler: None
) -> None:
    started = []
    monkeypatch.setattr(scheduler.DueIssueScheduler, "start", lambda self: started.append(self))
    monkeypatch.setattr(scheduler.DueIssueScheduler, "running", property(lambda self: True))
    argv, environ = ["manage.py", "runserver"], {"RUN_MAIN": "true"}

    settings.IN_PROCESS_SCHEDULER = False
    assert not scheduler.start_for_runserver(argv, environ)
    assert started == []

    settings.IN_PROCESS_SCHEDULER = True
    assert not scheduler.start_for_runserver(["manage.py", "shell"], environ)
    assert scheduler.start_for_runserver(argv, environ)
    assert scheduler.start_for_runserver(argv, environ)  # a second call starts no second one
    assert len(started) == 1
    assert scheduler.running()


def test_the_setting_follows_the_broker_by_default() -> None:
    from django.conf import settings

    # On when there is no broker (`make run`, the SQLite tests), off with one (CI, deployments).
    assert settings.IN_PROCESS_SCHEDULER is (not settings.CELERY_BROKER_URL)


# --- what the builder says ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("running", "eager", "mode", "words"),
    [
        (True, True, "in_process", "this development server's own scheduler"),
        (False, False, "beat", "the site's Celery beat"),
        (False, True, "nothing", "Nothing on this server publishes scheduled issues"),
    ],
)
def test_the_builder_says_how_the_issue_will_be_published(
    client: Client,
    editor: Any,
    publication: Publication,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    running: bool,
    eager: bool,
    mode: str,
    words: str,
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = eager
    monkeypatch.setattr(scheduler, "running", lambda: running)
    issue = IssueFactory(publication=publication)
    client.force_login(editor)
    page = client.get(reverse("editor:issue-builder", args=[issue.pk])).content.decode()
    assert f'id="publishing-mode" data-mode="{mode}"' in page
    assert words in page
