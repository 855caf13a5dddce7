"""Tests of issues.services.correction: correcting a published issue."""

from __future__ import annotations

from typing import Any

import pytest

from common.exceptions import InvalidInput, NotAllowed
from issues import selectors, services
from issues.enums import IssueAction, IssueStatus
from issues.models import Correction, Issue
from recommendations.models import Transition
from tests.factories import IssueEntryFactory, IssueFactory
from tests.workflow import Team, audit

pytestmark = pytest.mark.django_db


# ================================================================ correct


def test_correct_issue_records_correction_and_changes_shown_fields(team: Team) -> None:
    issue = IssueFactory(publication=team.publication, published=True, title="Old headline")
    entry = IssueEntryFactory(issue=issue, shown_summary="Tpyo.", shown_code_url="")

    correction = services.correct_issue(
        issue,
        by=team.editor,
        note="  Fixed a typo and added the code link.  ",
        fields={"title": "New headline"},
        entries={entry.pk: {"shown_summary": "Typo.", "shown_code_url": "https://github.com/o/r"}},
    )

    correction.refresh_from_db()
    assert (correction.issue, correction.author, correction.note) == (
        issue,
        team.editor,
        "Fixed a typo and added the code link.",
    )
    assert correction.changes == [
        {"field": "title", "old": "Old headline", "new": "New headline"},
        {"entry": entry.pk, "field": "shown_summary", "old": "Tpyo.", "new": "Typo."},
        {"entry": entry.pk, "field": "shown_code_url", "old": "", "new": "https://github.com/o/r"},
    ]
    issue.refresh_from_db()
    entry.refresh_from_db()
    assert (issue.title, issue.status) == ("New headline", IssueStatus.PUBLISHED)
    assert (entry.shown_summary, entry.shown_code_url) == ("Typo.", "https://github.com/o/r")
    assert audit(issue) == [
        (
            team.editor,
            IssueAction.CORRECT,
            IssueStatus.PUBLISHED,
            IssueStatus.PUBLISHED,
            "Fixed a typo and added the code link.",
        )
    ]
    [content] = selectors.issue_contents(issue)
    assert content.summary == "Typo."


@pytest.mark.parametrize(
    ("note", "fields", "entries", "field"),
    [
        pytest.param("  ", {"title": "X"}, None, "note", id="no-note"),
        pytest.param("Fix", None, {"ENTRY": {"shown_url": "javascript:x"}}, "shown_url", id="url"),
        pytest.param("Fix", None, {"ENTRY": {"position": "9"}}, "entries", id="not-correctable"),
        pytest.param("Fix", None, {0: {"shown_title": "X"}}, "entries", id="foreign-entry"),
        pytest.param("Fix", {"number": "9"}, None, None, id="issue-field"),
    ],
)
def test_correct_issue_invalid_input_is_refused(
    team: Team, note: str, fields: Any, entries: Any, field: str | None
) -> None:
    issue = IssueFactory(publication=team.publication, published=True)
    entry = IssueEntryFactory(issue=issue, shown_title="Shown", shown_url="https://e.org/p")
    if entries is not None:
        entries = {entry.pk if key == "ENTRY" else key: value for key, value in entries.items()}
    with pytest.raises(InvalidInput) as refused:
        services.correct_issue(issue, by=team.editor, note=note, fields=fields, entries=entries)
    assert refused.value.field == field
    assert not Correction.objects.exists()
    assert not Transition.objects.exists()
    entry.refresh_from_db()
    assert (entry.shown_title, entry.shown_url) == ("Shown", "https://e.org/p")


def test_correct_issue_without_changes_is_refused(team: Team) -> None:
    issue = IssueFactory(publication=team.publication, published=True, title="Same")
    with pytest.raises(InvalidInput) as refused:
        services.correct_issue(issue, by=team.editor, note="Nothing.", fields={"title": "Same"})
    assert refused.value.code == "no_changes"
    assert not Correction.objects.exists()


def test_correct_issue_by_reviewer_is_not_allowed(team: Team) -> None:
    issue = IssueFactory(publication=team.publication, published=True, title="Same")
    with pytest.raises(NotAllowed) as refused:
        services.correct_issue(issue, by=team.reviewer, note="Mine.", fields={"title": "Other"})
    assert refused.value.capability == "issues.correct_issue"
    assert Issue.objects.get(pk=issue.pk).title == "Same"
