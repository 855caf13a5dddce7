"""The team the tests of the editorial services work with, and the helpers they share.

The ``team`` fixture is registered for the whole suite by ``tests/conftest.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from issues.enums import IssueStatus
from issues.models import Issue
from publications.models import Publication
from recommendations.enums import RecommendationAction, RecommendationStatus
from recommendations.models import Recommendation
from tests.factories import IssueEntryFactory, IssueFactory, RecommendationFactory

Rec = RecommendationStatus
Act = RecommendationAction


def audit(subject: Recommendation | Issue) -> list[tuple[Any, str, str, str, str]]:
    """The subject's audit rows as (actor, action, from, to, note), oldest first."""
    return [
        (t.actor, t.action, t.from_status, t.to_status, t.note)
        for t in subject.transitions.select_related("actor").order_by("created_at", "id")
    ]


@dataclass
class Team:
    publication: Publication
    contributor: Any
    reviewer: Any
    editor: Any
    issue: Issue

    def recommendation(self, status: str, **fields: Any) -> Recommendation:
        """A recommendation by ``contributor`` in ``status``, built directly."""
        return RecommendationFactory(
            publication=self.publication, submitter=self.contributor, status=status, **fields
        )


@pytest.fixture
def team(publication: Publication, contributor: Any, reviewer: Any, editor: Any) -> Team:
    return Team(publication, contributor, reviewer, editor, IssueFactory(publication=publication))


def issue_in(team: Team, state: str) -> Issue:
    issue = IssueFactory(
        publication=team.publication,
        scheduled=state == IssueStatus.SCHEDULED,
        published=state == IssueStatus.PUBLISHED,
    )
    IssueEntryFactory(issue=issue, shown_title="Shown title")
    return issue
