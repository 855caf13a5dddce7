"""The search page in a real browser: one word finds a news item and a paper, each shown with
its kind and the word marked, at 1280 and 375 px in both languages, with no console error, no
sideways scrolling and no request to another host (the ``page`` checks of ``conftest.py``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from issues.models import Issue
from issues.services import create_issue, publish_issue, schedule_recommendation
from recommendations.enums import RecommendationStatus
from tests.browser.helpers import Seeded, horizontal_overflow, language_of, use_language
from tests.factories import RecommendationFactory

pytestmark = pytest.mark.browser


def publish_news(seeded: Seeded, title: str, summary: str) -> Issue:
    """A second issue of the seeded publication, holding one news item, published."""
    issue = create_issue(seeded.publication, by=seeded.editor, title="News of the week")
    recommendation = RecommendationFactory(
        publication=seeded.publication,
        submitter=seeded.contributor,
        news=True,
        news_title=title,
        news_url="https://news.example.org/benchmark",
        summary=summary,
        status=RecommendationStatus.ACCEPTED,
        decided_at=timezone.now(),
    )
    schedule_recommendation(recommendation, issue=issue, by=seeded.editor)
    return publish_issue(issue, by=seeded.editor)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width", [1280, 375])
def test_the_search_shows_news_and_papers_with_their_kind_and_marks(
    open_page: Any, seeded: Seeded, browser_log: Any, width: int, language: str
) -> None:
    publish_news(seeded, "A long-context retrieval benchmark", "Retrieval over whole books.")
    page = open_page(width=width, height=900)
    use_language(page, language)

    page.goto(reverse("papers:search") + "?" + urlencode({"q": "retrieval"}))

    assert language_of(page) == language
    # The news item, published last, first; then the paper "Retrieval Heads in …".
    assert page.locator("article.search-result").count() == 2
    news, paper = page.locator("article.search-news"), page.locator("article.search-paper")
    assert news.count() == 1
    assert paper.count() == 1
    assert news.locator("h3 mark").inner_text() == "retrieval"
    assert news.locator(".summary-teaser mark").inner_text() == "Retrieval"
    assert paper.locator("h3 mark").first.inner_text() == "Retrieval"
    assert news.locator(".result-kind").is_visible()
    assert paper.locator(".result-kind").is_visible()
    assert horizontal_overflow(page) == 0, f"the search scrolls sideways at {width} px"
    browser_log.assert_clean()
