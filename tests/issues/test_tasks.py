"""Tests of the editorial Celery tasks (run in-process here; the worker tests run real ones)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from issues.enums import IssueStatus
from issues.models import Issue
from issues.tasks import task_publish_due_issues
from publications.models import Publication
from recommendations.enums import RecommendationStatus
from tests.factories import IssueEntryFactory, IssueFactory

pytestmark = pytest.mark.django_db


def _scheduled(publication: Publication, minutes: int) -> Issue:
    issue = IssueFactory(
        publication=publication,
        scheduled=True,
        publish_at=timezone.now() + dt.timedelta(minutes=minutes),
    )
    IssueEntryFactory(issue=issue)
    return issue


def test_task_publish_due_issues_publishes_each_due_issue_once(publication: Publication) -> None:
    due = _scheduled(publication, -5)
    later = _scheduled(publication, 60)

    assert task_publish_due_issues.apply().get() == [due.pk]
    assert task_publish_due_issues.apply().get() == []

    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.number, later.status) == (
        IssueStatus.PUBLISHED,
        1,
        IssueStatus.SCHEDULED,
    )
    statuses = {e.recommendation.status for e in due.entries.select_related("recommendation")}
    assert statuses == {RecommendationStatus.PUBLISHED}
    assert due.transitions.filter(to_status=IssueStatus.PUBLISHED, actor=None).count() == 1


def test_beat_runs_the_publishing_task_every_minute() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["publish-due-issues"]
    assert (entry["task"], entry["schedule"]) == (task_publish_due_issues.name, 60.0)
