"""Tests of the two transition tables (recommendations.enums, issues.enums) through the services:
every allowed transition through its service, with its audit row and side effects; every refused
one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from common.exceptions import InvalidTransition
from issues.enums import ISSUE_TRANSITIONS, IssueAction, IssueStatus
from issues.models import Correction, Issue, IssueEntry
from issues.services import (
    correct_issue,
    publish_issue,
    schedule_issue,
    schedule_recommendation,
    unschedule_issue,
    unschedule_recommendation,
    update_issue,
)
from recommendations.enums import RECOMMENDATION_TRANSITIONS, RecommendationStatus, Verdict
from recommendations.models import Recommendation, Review, Transition
from recommendations.services import (
    accept_recommendation,
    edit_recommendation,
    review_recommendation,
    revise_recommendation,
    submit_recommendation,
    withdraw_recommendation,
)
from tests.factories import IssueEntryFactory, IssueFactory
from tests.workflow import Act, Rec, Team, audit, issue_in

pytestmark = pytest.mark.django_db


# ================================================================ recommendations: the table


# action -> (who performs it, the service call, the note its audit row carries)
RECOMMENDATION_CALLS: dict[str, tuple[str, Callable[[Team, Recommendation], Any], Any]] = {
    Act.SUBMIT: (
        "contributor",
        lambda t, r: submit_recommendation(r, by=t.contributor, note="Ready now."),
        "Ready now.",
    ),
    Act.EDIT: (
        "contributor",
        lambda t, r: edit_recommendation(
            r, by=t.contributor, summary="A clearer summary of the paper."
        ),
        "Changed: summary",
    ),
    Act.REVISE: (
        "reviewer",
        lambda t, r: revise_recommendation(
            r, by=t.reviewer, summary="The summary as the issue will show it."
        ),
        "Changed: summary",
    ),
    Act.WITHDRAW: (
        "contributor",
        lambda t, r: withdraw_recommendation(r, by=t.contributor, note="Not ready."),
        "Not ready.",
    ),
    Act.APPROVE: (
        "reviewer",
        lambda t, r: review_recommendation(
            r, by=t.reviewer, verdict=Verdict.APPROVE, comment="Solid work."
        ),
        "Solid work.",
    ),
    Act.REQUEST_CHANGES: (
        "reviewer",
        lambda t, r: review_recommendation(
            r, by=t.reviewer, verdict=Verdict.REQUEST_CHANGES, comment="Name the datasets."
        ),
        "Name the datasets.",
    ),
    Act.REJECT: (
        "reviewer",
        lambda t, r: review_recommendation(
            r, by=t.reviewer, verdict=Verdict.REJECT, comment="Off topic."
        ),
        "Off topic.",
    ),
    Act.ACCEPT: (
        "editor",
        lambda t, r: accept_recommendation(r, by=t.editor, note="Lead item."),
        "Lead item.",
    ),
    Act.SCHEDULE: (
        "editor",
        lambda t, r: schedule_recommendation(r, issue=t.issue, by=t.editor),
        lambda t: f"Into issue {t.issue.pk}",
    ),
    Act.UNSCHEDULE: (
        "editor",
        lambda t, r: unschedule_recommendation(r.entry, by=t.editor),
        lambda t: f"Out of issue {t.issue.pk}",
    ),
    Act.PUBLISH: (
        "editor",
        lambda t, r: publish_issue(t.issue, by=t.editor),
        "In issue #1",
    ),
}


#: Notes that depend on the state: an edit of a submitted recommendation starts a new round.
_NOTES_FROM = {(Act.EDIT, Rec.SUBMITTED): "Changed: summary. Review round 2 begins."}


#: Actions performed on a recommendation that is already an entry of the team's issue.
_NEEDS_ENTRY = {Act.UNSCHEDULE, Act.PUBLISH}


#: The code of the InvalidTransition each action raises from a wrong state.
_REVIEW_ACTIONS = {Act.APPROVE, Act.REQUEST_CHANGES, Act.REJECT}


_REFUSAL_CODES = {
    action: "cannot_review" if action in _REVIEW_ACTIONS else f"cannot_{action}"
    for action in RECOMMENDATION_TRANSITIONS
}


def _allowed(table: dict[str, tuple[frozenset[str], str | None]]) -> list[Any]:
    return [
        pytest.param(action, state, id=f"{action}-from-{state}")
        for action, (allowed, _to) in table.items()
        for state in sorted(allowed)
    ]


def _refused(table: dict[str, tuple[frozenset[str], str | None]], states: list[str]) -> list[Any]:
    return [
        pytest.param(action, state, id=f"{action}-from-{state}")
        for action, (allowed, _to) in table.items()
        for state in states
        if state not in allowed
    ]


def test_recommendation_calls_cover_the_whole_table() -> None:
    assert set(RECOMMENDATION_CALLS) == set(RECOMMENDATION_TRANSITIONS)
    assert set(ISSUE_CALLS) == set(ISSUE_TRANSITIONS)


def _prepare(team: Team, action: str, state: str) -> Recommendation:
    recommendation = team.recommendation(state)
    if action in _NEEDS_ENTRY:
        IssueEntryFactory(issue=team.issue, recommendation=recommendation)
    return recommendation


@pytest.mark.parametrize(("action", "from_state"), _allowed(RECOMMENDATION_TRANSITIONS))
def test_recommendation_transition_allowed_moves_and_records(
    team: Team, action: str, from_state: str
) -> None:
    recommendation = _prepare(team, action, from_state)
    role, call, note = RECOMMENDATION_CALLS[action]
    call(team, recommendation)

    to_state = RECOMMENDATION_TRANSITIONS[action][1] or from_state
    recommendation.refresh_from_db()
    assert recommendation.status == to_state
    expected_note = note(team) if callable(note) else note
    expected_note = _NOTES_FROM.get((action, from_state), expected_note)
    assert audit(recommendation) == [
        (getattr(team, role), action, from_state, to_state, expected_note)
    ]


@pytest.mark.parametrize(
    ("action", "state"), _refused(RECOMMENDATION_TRANSITIONS, list(RecommendationStatus.values))
)
def test_recommendation_transition_refused_changes_nothing(
    team: Team, action: str, state: str
) -> None:
    recommendation = _prepare(team, action, state)
    before = Recommendation.objects.filter(pk=recommendation.pk).values().get()
    entries_before = list(IssueEntry.objects.values_list("pk", "position", "shown_title"))
    _role, call, _note = RECOMMENDATION_CALLS[action]

    with pytest.raises(InvalidTransition) as refused:
        call(team, recommendation)

    assert refused.value.code == _REFUSAL_CODES[action]
    assert Recommendation.objects.filter(pk=recommendation.pk).values().get() == before
    assert not Transition.objects.exists()
    assert not Review.objects.exists()
    assert list(IssueEntry.objects.values_list("pk", "position", "shown_title")) == entries_before
    team.issue.refresh_from_db()
    assert (team.issue.status, team.issue.number) == (IssueStatus.DRAFT, None)


# ================================================================ issues: the table


SCHEDULE_TIME = dt.datetime(2100, 1, 4, 8, 0, tzinfo=dt.UTC)


# action -> (the service call by the editor, the audit note)
ISSUE_CALLS: dict[str, tuple[Callable[[Team, Issue], Any], str]] = {
    IssueAction.EDIT: (
        lambda t, i: update_issue(i, by=t.editor, title="Scaling and retrieval"),
        "Changed: title",
    ),
    IssueAction.SCHEDULE: (
        lambda t, i: schedule_issue(i, by=t.editor, publish_at=SCHEDULE_TIME),
        f"For {SCHEDULE_TIME.isoformat()}",
    ),
    IssueAction.UNSCHEDULE: (lambda t, i: unschedule_issue(i, by=t.editor), ""),
    IssueAction.PUBLISH: (lambda t, i: publish_issue(i, by=t.editor), ""),
    IssueAction.CORRECT: (
        lambda t, i: correct_issue(
            i, by=t.editor, note="Fixed the title.", fields={"title": "Corrected title"}
        ),
        "Fixed the title.",
    ),
}


@pytest.mark.parametrize(("action", "from_state"), _allowed(ISSUE_TRANSITIONS))
def test_issue_transition_allowed_moves_and_records(
    team: Team, action: str, from_state: str
) -> None:
    issue = issue_in(team, from_state)
    call, note = ISSUE_CALLS[action]
    call(team, issue)

    to_state = ISSUE_TRANSITIONS[action][1] or from_state
    issue.refresh_from_db()
    assert issue.status == to_state
    assert audit(issue) == [(team.editor, action, from_state, to_state, note)]


@pytest.mark.parametrize(("action", "state"), _refused(ISSUE_TRANSITIONS, list(IssueStatus.values)))
def test_issue_transition_refused_changes_nothing(team: Team, action: str, state: str) -> None:
    issue = issue_in(team, state)
    before = Issue.objects.filter(pk=issue.pk).values().get()
    call, _note = ISSUE_CALLS[action]

    with pytest.raises(InvalidTransition) as refused:
        call(team, issue)

    assert refused.value.code == f"cannot_{action}"
    assert Issue.objects.filter(pk=issue.pk).values().get() == before
    assert not Transition.objects.exists()
    assert not Correction.objects.exists()
    assert list(IssueEntry.objects.values_list("shown_title", flat=True)) == ["Shown title"]


def test_publish_issue_already_published_news_only_is_invalid_transition(team: Team) -> None:
    issue = IssueFactory(publication=team.publication, published=True)
    IssueEntryFactory(issue=issue, recommendation__news=True)
    with pytest.raises(InvalidTransition) as refused:
        publish_issue(issue, by=team.editor)
    assert refused.value.code == "cannot_publish"
