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


# ================================================================ normalised text


def _published_with_texts(team: Team) -> tuple[Issue, Any]:
    issue = IssueFactory(
        publication=team.publication, published=True, intro_en="Two papers.\nRead them."
    )
    entry = IssueEntryFactory(
        issue=issue,
        shown_summary="First line.\n\nSecond paragraph.",
        shown_authors="Ada Lovelace\nAlan Turing",
    )
    return issue, entry


def test_correct_issue_texts_sent_back_with_crlf_and_blanks_change_nothing(team: Team) -> None:
    """What a browser sends back untouched (CRLF line breaks, a pasted line's trailing blanks, a
    final line break) is no change, so the correction is refused and nothing is recorded."""
    issue, entry = _published_with_texts(team)
    with pytest.raises(InvalidInput) as refused:
        services.correct_issue(
            issue,
            by=team.editor,
            note="Only an erratum.",
            fields={"intro_en": "Two papers.\r\nRead them.\r\n"},
            entries={
                entry.pk: {
                    "shown_summary": "First line.  \r\n\r\nSecond paragraph.\t\r\n\r\n",
                    "shown_authors": "Ada Lovelace \r\nAlan Turing",
                }
            },
        )
    assert refused.value.code == "no_changes"
    assert not Correction.objects.exists()
    assert audit(issue) == []


def test_correct_issue_records_only_the_fields_that_changed(team: Team) -> None:
    issue, entry = _published_with_texts(team)
    correction = services.correct_issue(
        issue,
        by=team.editor,
        note="Fixed the second paragraph.",
        fields={"intro_en": "Two papers.\r\nRead them."},
        entries={
            entry.pk: {
                "shown_summary": "First line.\r\n\r\nSecond paragraph, fixed.  \r\n",
                "shown_authors": "Ada Lovelace\r\nAlan Turing\r\n",
            }
        },
    )
    assert correction.changes == [
        {
            "entry": entry.pk,
            "field": "shown_summary",
            "old": "First line.\n\nSecond paragraph.",
            "new": "First line.\n\nSecond paragraph, fixed.",
        }
    ]
    entry.refresh_from_db()
    assert entry.shown_summary == "First line.\n\nSecond paragraph, fixed."
    assert entry.shown_authors == "Ada Lovelace\nAlan Turing"


def test_correct_issue_a_stored_crlf_text_sent_back_is_no_change(team: Team) -> None:
    """A text stored with CRLF (imported, or saved before texts were normalised) compares
    normalised too, and stays as it is when not changed."""
    issue = IssueFactory(publication=team.publication, published=True, intro_zh="第一行\r\n第二行")
    entry = IssueEntryFactory(issue=issue, shown_title="Old")
    services.correct_issue(
        issue,
        by=team.editor,
        note="Title.",
        fields={"intro_zh": "第一行\n第二行"},
        entries={entry.pk: {"shown_title": "New"}},
    )
    issue.refresh_from_db()
    assert issue.intro_zh == "第一行\r\n第二行"
    assert [c["field"] for c in Correction.objects.get().changes] == ["shown_title"]
