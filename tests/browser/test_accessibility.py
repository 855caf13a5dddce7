"""An accessibility scan of the site's own main pages, in both languages: axe-core (the rules
shipped inside the dev dependency ``axe-playwright-python``, injected into the page by the
test, so nothing is fetched from another host) finds no violation of WCAG 2.x A and AA or of
its best practices on the home page, an issue, a paper, the search, the statistics, the
contributors' index, the sign-in page, the recommendation form, and the candidate inbox and its
watches."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.helpers import Seeded, language_of, login
from tests.factories import PaperFactory
from tests.factories.inbox import CandidateFactory, WatchFactory
from tests.languages import reverse_in

pytestmark = pytest.mark.browser

#: The rules run: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def _pages(seeded: Seeded, language: str) -> list[tuple[str, str]]:
    paper = seeded.issue.entries.exclude(paper=None).first().paper
    return [
        ("home", reverse_in(language, "issues:home")),
        (
            "issue",
            reverse_in(
                language, "issues:issue-detail", args=[seeded.publication.slug, seeded.issue.number]
            ),
        ),
        ("paper", reverse_in(language, "papers:paper-detail", args=[paper.pk])),
        ("search", reverse_in(language, "papers:search") + "?q=models"),
        ("statistics", reverse_in(language, "issues:statistics")),
        ("contributors", reverse_in(language, "issues:contributor-index")),
        ("sign-in", reverse_in(language, "contributors:login")),
    ]


def _violations(page: Any) -> str:
    results = Axe().run(page, options=AXE_OPTIONS)
    return "" if results.violations_count == 0 else results.generate_report()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_main_pages_have_no_accessibility_violation(
    page: Any, seeded: Seeded, language: str
) -> None:
    for name, url in _pages(seeded, language):
        page.goto(url)
        assert language_of(page) == language, name
        assert _violations(page) == "", (name, url)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_recommendation_form_has_no_accessibility_violation(
    page: Any, seeded: Seeded, language: str
) -> None:
    login(page, seeded.contributor)
    page.goto(reverse_in(language, "recommendations:paper-create"))
    assert language_of(page) == language
    assert _violations(page) == ""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_inbox_and_watches_have_no_accessibility_violation(
    page: Any, seeded: Seeded, language: str
) -> None:
    publication = seeded.publication
    watch = WatchFactory(publication=publication, name="Pretraining")
    CandidateFactory(
        publication=publication,
        watch=watch,
        paper=PaperFactory(authors=["Ada Lovelace"]),
        score=0.8,
        interest_count=1,
    )
    CandidateFactory(
        publication=publication, watch=watch, claimed=True, claimed_by=seeded.contributor
    )
    CandidateFactory(publication=publication, dismissed=True, dismissed_by=seeded.editor)
    login(page, seeded.editor)
    inbox = reverse_in(language, "inbox:inbox", args=[publication.slug])
    pages = [
        ("inbox", inbox),
        ("claimed", f"{inbox}?view=claimed"),
        ("dismissed", f"{inbox}?view=dismissed"),
        ("watches", reverse_in(language, "inbox:watches", args=[publication.slug])),
    ]
    for name, url in pages:
        page.goto(url)
        assert language_of(page) == language, name
        assert _violations(page) == "", (name, url)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_issue_page_on_a_phone_has_no_accessibility_violation(
    open_page: Any, seeded: Seeded, language: str
) -> None:
    phone = open_page(width=375, height=740)
    phone.goto(
        reverse_in(
            language, "issues:issue-detail", args=[seeded.publication.slug, seeded.issue.number]
        )
    )
    assert _violations(phone) == ""


def test_the_scan_finds_a_violation_where_there_is_one(page: Any, seeded: Seeded) -> None:
    """The scan itself works: a button without a name on the home page is reported."""
    page.goto(reverse_in("en", "issues:home"))
    page.evaluate("() => document.querySelector('main').append(document.createElement('button'))")
    assert "button-name" in _violations(page)
