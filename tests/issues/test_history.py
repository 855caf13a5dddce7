"""Tests of issues.history: a correction's changes told in the words people know."""

from __future__ import annotations

import pytest
from django.utils import translation

from issues import services
from issues.enums import Section
from issues.history import (
    ChangeLine,
    changed_fields_note,
    describe_change,
    entry_numbers,
    issue_corrections,
)
from tests.factories import IssueEntryFactory, IssueFactory
from tests.workflow import Team

pytestmark = pytest.mark.django_db


def test_entry_numbers_count_papers_then_news_as_readers_see_them(team: Team) -> None:
    issue = IssueFactory(publication=team.publication)
    news = IssueEntryFactory(issue=issue, section=Section.NEWS, position=1)
    second = IssueEntryFactory(issue=issue, position=2)
    first = IssueEntryFactory(issue=issue, position=1)
    assert entry_numbers(issue.entries.all()) == {first.pk: 1, second.pk: 2, news.pk: 3}


@pytest.mark.parametrize(
    ("change", "label", "entry_id"),
    [
        ({"entry": 11, "field": "shown_summary"}, "summary of entry 3", 11),
        ({"entry": 11, "field": "shown_authors"}, "authors of entry 3", 11),
        ({"entry": 7, "field": "shown_url"}, "paper link of entry 1", 7),
        ({"field": "intro_en"}, "introduction (English)", None),
        ({"field": "credits"}, "contributor credit line", None),
        (
            {"entry": 99, "field": "shown_title_zh"},
            "Chinese title of an entry no longer in the issue",
            None,
        ),
        ({"field": "subtitle"}, "subtitle", None),  # a field of a later version: its stored name
    ],
)
def test_describe_change_names_fields_and_entries_as_people_know_them(
    change: dict[str, object], label: str, entry_id: int | None
) -> None:
    line = describe_change({**change, "old": "a", "new": "b"}, {7: 1, 11: 3})
    assert line == ChangeLine(label, "a", "b", entry_id)


def test_describe_change_speaks_the_readers_language() -> None:
    with translation.override("zh-hans"):
        line = describe_change({"entry": 5, "field": "shown_summary", "old": "", "new": ""}, {5: 2})
    assert line.label == "第 2 条的推荐语"


def test_changed_fields_note_is_english_in_the_order_of_the_form() -> None:
    with translation.override("zh-hans"):
        note = changed_fields_note(["credits", "title", "intro_zh"])
    assert note == "Changed: title, introduction (Chinese), contributor credit line"


def test_issue_corrections_describe_each_correction(team: Team) -> None:
    issue = IssueFactory(publication=team.publication, published=True, title="Old")
    IssueEntryFactory(issue=issue, position=1)
    second = IssueEntryFactory(issue=issue, position=2, shown_summary="Tpyo.")
    services.correct_issue(
        issue,
        by=team.editor,
        note="Typos.",
        fields={"title": "New"},
        entries={second.pk: {"shown_summary": "Typo."}},
    )
    [described] = issue_corrections(issue)
    assert described.correction.note == "Typos."
    assert described.changes == [
        ChangeLine("title", "Old", "New"),
        ChangeLine("summary of entry 2", "Tpyo.", "Typo.", second.pk),
    ]
