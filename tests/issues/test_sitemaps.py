"""Tests for issues.sitemaps (wired in weekly/urls.py) and for robots.txt, which points at them:
the index lists every section, and each section lists exactly what readers may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from defusedxml.ElementTree import fromstring
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from issues.models import Issue
from papers.models import Paper
from publications.models import Publication
from recommendations.enums import RecommendationStatus
from tests.factories import IssueEntryFactory, IssueFactory, PaperFactory, RecommendationFactory

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _xml(url: str) -> Any:
    response = Client().get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/xml"
    return fromstring(response.content)


XHTML = "{http://www.w3.org/1999/xhtml}"
SITE = "http://testserver"


def _urls(section: str) -> dict[str, str | None]:
    """The section's pages, each listed once per language with the same lastmod (None when it
    has none) and the alternates of both languages and the address without one: by that
    address (``http://testserver/p/…``), with its lastmod."""
    root = _xml(f"/sitemap-{section}.xml")
    pages: dict[str, dict[str, str | None]] = {}
    for url in root.iter(f"{NS}url"):
        loc = url.findtext(f"{NS}loc")
        assert loc is not None
        prefix, _sep, rest = loc.removeprefix(SITE + "/").partition("/")
        assert prefix in ("en", "zh"), loc
        bare = f"{SITE}/{rest}"
        alternates = {link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")}
        assert alternates == {
            "en": f"{SITE}/en/{rest}",
            "zh-Hans": f"{SITE}/zh/{rest}",
            "x-default": bare,
        }, alternates
        assert prefix not in pages.setdefault(bare, {}), loc
        pages[bare][prefix] = url.findtext(f"{NS}lastmod")
    for bare, lastmods in pages.items():
        assert lastmods.keys() == {"en", "zh"}, bare
        assert lastmods["en"] == lastmods["zh"], bare
    return {bare: lastmods["en"] for bare, lastmods in pages.items()}


def _day(moment: dt.datetime) -> str:
    return timezone.localtime(moment).date().isoformat()


@pytest.fixture
def site(publication: Publication, other_publication: Publication) -> dict[str, Any]:
    """Two published issues of Pretraining Weekly, a scheduled and a draft one; RL Weekly has
    none. Papers: one per published issue, one in both published issues and in the draft, one
    only scheduled, one only in a draft, one never in an issue; a news item has no paper."""
    now = timezone.now()
    first = IssueFactory(publication=publication, published=True, number=1)
    Issue.objects.filter(pk=first.pk).update(published_at=now - dt.timedelta(days=14))
    second = IssueFactory(publication=publication, published=True, number=2)
    Issue.objects.filter(pk=second.pk).update(published_at=now - dt.timedelta(days=7))
    scheduled = IssueFactory(publication=publication, scheduled=True)
    draft = IssueFactory(publication=publication)

    in_first = IssueEntryFactory(issue=first).paper
    in_second = IssueEntryFactory(issue=second).paper
    twice = IssueEntryFactory(issue=first).paper
    IssueEntryFactory(
        issue=second, recommendation=RecommendationFactory(publication=publication, paper=twice)
    )
    IssueEntryFactory(
        issue=draft,
        recommendation=RecommendationFactory(
            publication=publication, paper=twice, status=RecommendationStatus.SCHEDULED
        ),
    )
    IssueEntryFactory(
        issue=second,
        recommendation=RecommendationFactory(
            news=True, publication=publication, status=RecommendationStatus.PUBLISHED
        ),
    )
    only_scheduled = IssueEntryFactory(issue=scheduled).paper
    only_draft = IssueEntryFactory(issue=draft).paper
    never = PaperFactory()
    # A paper whose metadata was refreshed after it was featured: its page changed then.
    Paper.objects.filter(pk=in_first.pk).update(updated_at=now - dt.timedelta(days=1))
    Paper.objects.filter(pk__in=[in_second.pk, twice.pk]).update(
        updated_at=now - dt.timedelta(days=30)
    )
    return {
        "published": [Issue.objects.get(pk=first.pk), Issue.objects.get(pk=second.pk)],
        "unpublished": [scheduled, draft],
        "featured": [Paper.objects.get(pk=p.pk) for p in (in_first, in_second, twice)],
        "unfeatured": [only_scheduled, only_draft, never],
        "now": now,
    }


def test_sitemap_index_lists_every_section(site: dict[str, Any]) -> None:
    root = _xml("/sitemap.xml")

    assert root.tag == f"{NS}sitemapindex"
    assert [s.findtext(f"{NS}loc") for s in root.iter(f"{NS}sitemap")] == [
        "http://testserver/sitemap-static.xml",
        "http://testserver/sitemap-publications.xml",
        "http://testserver/sitemap-statistics.xml",
        "http://testserver/sitemap-issues.xml",
        "http://testserver/sitemap-papers.xml",
    ]


def test_sitemap_static_section_is_the_home_page_statistics_and_contributors(
    site: dict[str, Any],
) -> None:
    assert _urls("static") == {
        "http://testserver/": None,
        "http://testserver/statistics/": None,
        "http://testserver/contributors/": None,
    }


def test_sitemap_statistics_section_dates_each_publication_by_its_latest_issue(
    site: dict[str, Any],
) -> None:
    second = site["published"][1]

    assert _urls("statistics") == {
        "http://testserver/p/pretraining-weekly/statistics/": _day(second.published_at),
        "http://testserver/p/rl-weekly/statistics/": None,
    }


def test_sitemap_publications_section_dates_each_by_its_latest_issue(
    site: dict[str, Any],
) -> None:
    second = site["published"][1]

    assert _urls("publications") == {
        "http://testserver/p/pretraining-weekly/": _day(second.published_at),
        "http://testserver/p/rl-weekly/": None,
    }


def test_sitemap_issues_section_lists_exactly_the_published_issues(site: dict[str, Any]) -> None:
    first, second = site["published"]
    Issue.objects.filter(pk=first.pk).update(updated_at=site["now"] - dt.timedelta(days=3))

    assert _urls("issues") == {
        "http://testserver/p/pretraining-weekly/2/": _day(second.updated_at),
        "http://testserver/p/pretraining-weekly/1/": _day(site["now"] - dt.timedelta(days=3)),
    }


def test_sitemap_papers_section_lists_exactly_the_papers_of_published_issues(
    site: dict[str, Any],
) -> None:
    in_first, in_second, twice = site["featured"]
    _first, second = site["published"]

    assert _urls("papers") == {
        # Refreshed after it was featured: its own update is the later change.
        f"http://testserver/papers/{in_first.pk}/": _day(in_first.updated_at),
        # Featured after their last update: the issue that featured them is.
        f"http://testserver/papers/{in_second.pk}/": _day(second.published_at),
        f"http://testserver/papers/{twice.pk}/": _day(second.published_at),
    }


def test_sitemap_lists_nothing_unpublished(site: dict[str, Any]) -> None:
    everything = "".join(
        Client().get(f"/sitemap-{section}.xml").content.decode()
        for section in ("static", "publications", "statistics", "issues", "papers")
    )

    for issue in site["unpublished"]:
        assert f"/en/issues/{issue.pk}/preview/" not in everything
    for paper in site["unfeatured"]:
        assert f"/en/papers/{paper.pk}/" not in everything


def test_sitemap_unknown_section_is_404(db: None) -> None:
    assert Client().get("/sitemap-drafts.xml").status_code == 404


@pytest.mark.parametrize("section", ["publications", "issues", "papers"])
def test_sitemap_section_queries_do_not_grow_with_its_urls(
    publication: Publication, section: str
) -> None:
    def queries_with(issues: int) -> int:
        while Issue.objects.count() < issues:
            IssueEntryFactory(issue=IssueFactory(publication=publication, published=True))
            IssueFactory(published=True)
        with CaptureQueriesContext(connection) as captured:
            response = Client().get(f"/sitemap-{section}.xml")
        assert response.status_code == 200
        return len(captured)

    # One query for the rows, listed once per language.
    assert queries_with(2) == queries_with(8) == 1


def test_robots_txt_allows_all_but_admin_api_and_inboxes_and_points_at_the_sitemap(
    db: None, settings: Any
) -> None:
    settings.SITE_URL = "https://weekly.example.org"

    response = Client().get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "User-agent: *\n"
        "Allow: /\n"
        "Disallow: /admin/\n"
        "Disallow: /api/\n"
        "Disallow: /en/p/*/inbox/\n"
        "Disallow: /zh/p/*/inbox/\n"
        "Sitemap: https://weekly.example.org/sitemap.xml\n"
    )
