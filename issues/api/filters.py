"""Filters of the paper list: validation of the query string only."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django_filters import rest_framework as filters

from common.api.filters import StrictBooleanFilter
from issues import selectors
from papers import selectors as catalogue
from papers.api import filters as catalogue_filters
from papers.models import Paper
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation


class PaperFilter(catalogue_filters.PaperFilter):
    """The catalogue's filters of the paper list, with where its papers were published: the
    search finds the published summaries too."""

    q = filters.CharFilter(
        method="search",
        max_length=catalogue.SEARCH_MAX_LENGTH,
        help_text=(
            "Words in the title (English or Chinese), the abstract, an author's name or a "
            "published summary; a paper matches when it holds every word, best matches first "
            "unless ordering is given. On PostgreSQL an English word matches in any form "
            '(encoders, encoder), and "quoted phrases", or, -word work.'
        ),
    )
    topic = filters.CharFilter(
        method="in_topic",
        max_length=80,
        help_text="A topic's slug: papers published under a topic of that slug, in any "
        "publication, or in the one ``publication`` names.",
    )
    publication = filters.CharFilter(
        method="in_publication",
        max_length=80,
        help_text="A publication's slug: papers featured in its published issues.",
    )
    featured = StrictBooleanFilter(
        method="is_featured", help_text="Whether the paper appeared in a published issue."
    )

    class Meta(catalogue_filters.PaperFilter.Meta):
        fields = ("q", "topic", "publication", "year", "has_code", "category", "featured")

    def search(self, papers: QuerySet[Paper], name: str, value: str) -> QuerySet[Paper]:
        return selectors.search_papers(papers, value, ranked=True)

    def in_topic(self, papers: QuerySet[Paper], name: str, value: str) -> QuerySet[Paper]:
        # Publications may each have a topic of this slug: all of them, unless one is named.
        published = Recommendation.objects.filter(
            paper=OuterRef("pk"), topic__slug=value, status=RecommendationStatus.PUBLISHED
        )
        publication = self.form.cleaned_data.get("publication")
        if publication:
            published = published.filter(publication__slug=publication)
        return papers.filter(Exists(published))

    def in_publication(self, papers: QuerySet[Paper], name: str, value: str) -> QuerySet[Paper]:
        return papers.filter(
            Exists(selectors.appearances_of_outer_paper().filter(issue__publication__slug=value))
        )

    def is_featured(
        self, papers: QuerySet[Paper], name: str, value: bool | None
    ) -> QuerySet[Paper]:
        if value is None:
            return papers
        featured = Exists(selectors.appearances_of_outer_paper())
        return papers.filter(featured if value else ~featured)
