"""Sitemap sections of what readers may see: the home page, publications, published issues,
the papers those issues featured, the statistics and the contributors' index, each in every
language with its alternates. Drafts and
scheduled issues, and papers only in them, never appear: each section reads a selector that
already leaves them out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from common.i18n import hreflang
from issues import selectors
from issues.models import Issue
from papers.models import Paper
from publications.models import Publication


class ReaderSitemap(Sitemap):
    """Every page once per language (``/zh/…``, ``/en/…``), each naming the others as
    ``xhtml:link`` alternates with their ``hreflang`` (``zh-Hans``, ``en``) and the address
    without a language, which redirects by the reader's choice, as ``x-default``."""

    i18n = True
    alternates = True
    x_default = True

    def get_urls(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        urls = super().get_urls(*args, **kwargs)
        for url in urls:
            for alternate in url["alternates"]:
                if alternate["lang_code"] != "x-default":
                    alternate["lang_code"] = hreflang(alternate["lang_code"])
        return urls


class StaticSitemap(ReaderSitemap):
    """Pages that exist whatever the data: the home page, the site's statistics and the index
    of contributors (both counting published issues only)."""

    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["issues:home", "issues:statistics", "issues:contributor-index"]

    def location(self, name: str) -> str:
        return reverse(name)


class PublicationSitemap(ReaderSitemap):
    """Each publication's page, its archive; it changes when one of its issues comes out."""

    changefreq = "weekly"

    def items(self) -> QuerySet[Publication]:
        return selectors.publications_with_last_published()

    def location(self, publication: Publication) -> str:
        return reverse("issues:publication-detail", args=[publication.slug])

    def lastmod(self, publication: Any) -> dt.datetime | None:
        return publication.last_published_at


class PublicationStatisticsSitemap(PublicationSitemap):
    """Each publication's statistics page, which changes with its published issues."""

    def location(self, publication: Publication) -> str:
        return reverse("issues:publication-statistics", args=[publication.slug])


class IssueSitemap(ReaderSitemap):
    """Published issues; ``updated_at`` moves when a correction changes one."""

    def items(self) -> QuerySet[Issue]:
        return selectors.published_issues()

    def location(self, issue: Issue) -> str:
        return issue.get_absolute_url()

    def lastmod(self, issue: Issue) -> dt.datetime:
        return issue.updated_at


class PaperSitemap(ReaderSitemap):
    """Pages of the papers that appeared in a published issue.

    A paper's page shows its live metadata and where it was featured, so it last changed at
    the later of its own update and its latest published issue.
    """

    def items(self) -> QuerySet[Paper]:
        return selectors.featured_papers()

    def location(self, paper: Paper) -> str:
        return reverse("papers:paper-detail", args=[paper.pk])

    def lastmod(self, paper: Any) -> dt.datetime:
        return max(paper.updated_at, paper.last_featured_at)


#: Section name → sitemap, as ``django.contrib.sitemaps.views`` take them.
SITEMAPS: dict[str, type[Sitemap]] = {
    "static": StaticSitemap,
    "publications": PublicationSitemap,
    "statistics": PublicationStatisticsSitemap,
    "issues": IssueSitemap,
    "papers": PaperSitemap,
}
