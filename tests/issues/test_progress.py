"""The after-publishing hook (``issues/progress.py``): providers registered from above."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from issues import progress
from issues.models import Issue
from tests.factories import IssueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def providers() -> Iterator[list[progress.Provider]]:
    saved = list(progress._providers)
    progress._providers.clear()
    yield progress._providers
    progress._providers[:] = saved


def _provider(issue: Issue) -> progress.Progress:
    return progress.Progress(
        key="test", title="Test", counts=[progress.Count("n", "N", issue.number or 0)]
    )


def test_progress_of_asks_each_provider_once_registered(providers: list) -> None:
    issue = IssueFactory(published=True, number=7)
    progress.register(_provider)
    progress.register(_provider)
    progress.register(lambda issue: None)
    found = progress.progress_of(issue)
    assert [p.as_dict() for p in found] == [
        {
            "key": "test",
            "title": "Test",
            "counts": [{"key": "n", "label": "N", "value": 7}],
            "lines": [],
            "done": True,
            "url": "",
        }
    ]


def test_progress_of_a_draft_asks_nobody(providers: list) -> None:
    progress.register(_provider)
    assert progress.progress_of(IssueFactory()) == []
