"""The search's news items on PostgreSQL (``issues/search.py``, migration 0006): matched by the
papers' query rules off an index of the news entries' published texts, the newest first and at
most ``SEARCH_MAX_MATCHES`` of them. (What the page shows: ``tests/issues/views/test_search.py``.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from issues import search
from issues.models import Issue
from issues.services import create_issue, publish_issue, schedule_recommendation
from papers import selectors as catalogue
from publications.models import Publication
from recommendations.enums import RecommendationStatus
from tests.factories import RecommendationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _issue(publication: Publication, editor: Any, titles: list[str], *, publish: bool) -> Issue:
    issue = create_issue(publication, by=editor, title="An issue")
    for title in titles:
        recommendation = RecommendationFactory(
            publication=publication,
            news=True,
            news_title=title,
            summary="新的检索基准。",
            status=RecommendationStatus.ACCEPTED,
            decided_at=timezone.now(),
        )
        schedule_recommendation(recommendation, issue=issue, by=editor)
    return publish_issue(issue, by=editor) if publish else issue


@pytest.fixture
def news(publication: Publication, editor: Any) -> dict[str, int]:
    older = _issue(publication, editor, ["Benchmarks released"], publish=True)
    Issue.objects.filter(pk=older.pk).update(published_at=timezone.now() - dt.timedelta(days=7))
    newer = _issue(publication, editor, ["A new benchmark is releasing"], publish=True)
    _issue(publication, editor, ["Draft benchmark release"], publish=False)
    return {
        "older": older.entries.get().pk,
        "newer": newer.entries.get().pk,
    }


def test_news_matches_stem_english_and_find_chinese_newest_first(news: dict[str, int]) -> None:
    newest_first = [news["newer"], news["older"]]

    assert search.news_matches("release benchmark") == newest_first
    assert search.news_matches("检索") == newest_first
    assert search.news_matches("基准 released") == newest_first
    assert search.news_matches("benchmark -new") == [news["older"]]
    assert search.news_matches("nowhere") == []
    assert search.news_matches("!!!") == []


def test_news_matches_keep_the_newest_at_most(
    news: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalogue, "SEARCH_MAX_MATCHES", 1)

    assert search.news_matches("benchmark") == [news["newer"]]


def test_news_matches_are_planned_off_the_news_index(db: None) -> None:
    """The function that picks the news items turns sequential scans off for itself; a news
    entry's document is read off the partial index of the news entries, never computed for
    every entry."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = 'issues_news_matches'")
        [(config,)] = cursor.fetchall()
        cursor.execute("SET LOCAL enable_seqscan = off")
        plans = []
        for statement in (
            # The function's statement, and its match alone.
            "SELECT e.id FROM issues_issueentry e JOIN issues_issue i ON i.id = e.issue_id"
            " WHERE e.section = 'news' AND i.status = 'published' AND {match}"
            " ORDER BY i.published_at DESC, e.id DESC LIMIT 1000",
            "SELECT e.id FROM issues_issueentry e WHERE e.section = 'news' AND {match}",
        ):
            match = (
                "issues_news_document(e.shown_title, e.shown_summary)"
                " @@ websearch_to_tsquery('english', 'benchmark')"
            )
            cursor.execute("EXPLAIN " + statement.format(match=match))
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
        cursor.execute("RESET enable_seqscan")

    assert "enable_seqscan=off" in config
    assert all("Seq Scan" not in plan for plan in plans), plans
    assert "Bitmap Index Scan on issueentry_news_search_idx" in plans[1]
