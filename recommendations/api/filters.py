"""Filters of the recommendation list: validation of the query string only."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from common.api.filters import StrictBooleanFilter
from recommendations.enums import RecommendationKind, RecommendationStatus
from recommendations.models import Recommendation


class RecommendationFilter(filters.FilterSet):
    publication = filters.CharFilter(field_name="publication__slug", max_length=80)
    status = filters.ChoiceFilter(choices=RecommendationStatus.choices)
    kind = filters.ChoiceFilter(choices=RecommendationKind.choices)
    topic = filters.CharFilter(field_name="topic__slug", max_length=80)
    submitter = filters.CharFilter(field_name="submitter__username", max_length=150)
    mine = StrictBooleanFilter(method="of_caller", help_text="Only your own recommendations.")

    class Meta:
        model = Recommendation
        fields = ("publication", "status", "kind", "topic", "submitter", "mine")

    def of_caller(
        self, recommendations: QuerySet[Recommendation], name: str, value: bool | None
    ) -> QuerySet[Recommendation]:
        if value is None:
            return recommendations
        user = self.request.user if self.request is not None else None
        if user is None or not user.is_authenticated:
            return recommendations.none() if value else recommendations
        if value:
            return recommendations.filter(submitter=user)
        return recommendations.exclude(submitter=user)
