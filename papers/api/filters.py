"""Filters of the paper list: validation of the query string only.

These are the catalogue's own filters. The paper list the API serves adds the editorial ones
(where a paper was published) in a subclass that the editorial app defines."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters

from common.api.filters import IntegerFilter, OrderingFilter, StrictBooleanFilter
from papers import selectors
from papers.models import Paper

_CATEGORY = RegexValidator(
    r"^[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?$", "Give an arXiv category such as cs.CL or hep-th."
)


class PaperFilter(filters.FilterSet):
    q = filters.CharFilter(
        method="search",
        max_length=selectors.SEARCH_MAX_LENGTH,
        help_text=(
            "Words in the title (English or Chinese), the abstract or an author's name; a paper "
            "matches when it holds every word, best matches first unless ordering is given. On "
            'PostgreSQL an English word matches in any form (encoders, encoder), and "quoted '
            'phrases", or, -word work.'
        ),
    )
    year = IntegerFilter(field_name="year", min_value=1900, max_value=2100)
    has_code = StrictBooleanFilter(method="with_code", help_text="Whether a code link is known.")
    category = filters.CharFilter(
        method="in_category",
        max_length=40,
        validators=[_CATEGORY],
        help_text="An arXiv category (primary or cross-listed), e.g. cs.CL.",
    )
    metadata_status = filters.CharFilter(field_name="metadata_status", max_length=20)
    ordering = OrderingFilter(
        fields=(
            ("published_on", "published_on"),
            ("year", "year"),
            ("created_at", "created"),
            ("title", "title"),
        ),
        help_text="Sort by published_on, year, created or title; prefix - for descending.",
    )

    class Meta:
        model = Paper
        fields = ("q", "year", "has_code", "category")

    def filter_queryset(self, queryset: QuerySet[Paper]) -> QuerySet[Paper]:
        # The search after the other filters, since it picks its matches among the papers they
        # leave (see selectors.search_papers); ``ordering``, when given, after the search's own.
        last = ("q", "ordering")
        values = self.form.cleaned_data
        for name in [n for n in values if n not in last] + [n for n in last if n in values]:
            queryset = self.filters[name].filter(queryset, values[name])
        return queryset

    def search(self, papers: QuerySet[Paper], name: str, value: str) -> QuerySet[Paper]:
        return selectors.search_papers(papers, value, ranked=True)

    def with_code(self, papers: QuerySet[Paper], name: str, value: bool | None) -> QuerySet[Paper]:
        if value is None:
            return papers
        return papers.exclude(code_url="") if value else papers.filter(code_url="")

    def in_category(self, papers: QuerySet[Paper], name: str, value: str) -> QuerySet[Paper]:
        # Categories are a JSON list; the quoted name matches one element exactly.
        return papers.filter(Q(primary_category=value) | Q(categories__icontains=f'"{value}"'))
