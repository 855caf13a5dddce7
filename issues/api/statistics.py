"""The statistics in the API: a publication's figures and the whole site's, read-only, for
anyone (``issues.statistics``: published issues only).

The JSON is the same for every caller, so it is served like the API's copy of a published issue
(``issues.caching.cached_document``): from the cache, retired when an issue is published or
corrected.
"""

from __future__ import annotations

from typing import Any

from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.fields import absolute
from issues import caching, statistics
from publications import selectors as publication_selectors

# --- serializers ----------------------------------------------------------------------------------


class MonthField(serializers.CharField):
    """A month as ``YYYY-MM``."""

    def to_representation(self, value: Any) -> str:
        return value.strftime("%Y-%m")


class TotalsSerializer(serializers.Serializer):
    issues = serializers.IntegerField(source="total_issues")
    papers = serializers.IntegerField(source="total_papers")
    news = serializers.IntegerField(source="total_news")
    contributors = serializers.IntegerField(
        source="total_contributors", help_text="Members with a published recommendation."
    )


class MonthSerializer(serializers.Serializer):
    month = MonthField(help_text="YYYY-MM, in the site's time zone.")
    issues = serializers.IntegerField(help_text="Issues published that month.")
    papers = serializers.IntegerField(help_text="Papers those issues carried.")
    news = serializers.IntegerField(help_text="News items those issues carried.")


class TopicSeriesSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    publication = serializers.SerializerMethodField(
        help_text="The topic's publication; null on the site's figures, where the topics of "
        "one slug in every publication count together."
    )
    name_en = serializers.CharField()
    name_zh = serializers.CharField()
    counts = serializers.ListField(
        child=serializers.IntegerField(), help_text="Papers published per period, as `periods`."
    )

    @extend_schema_field(serializers.SlugField(allow_null=True))
    def get_publication(self, topic: statistics.TopicSeries) -> str | None:
        return topic.publication_slug or None


class TopicsSerializer(serializers.Serializer):
    period = serializers.ChoiceField(
        choices=["month", "quarter"], help_text="Quarters on histories of more than a year."
    )
    periods = serializers.ListField(
        child=serializers.CharField(), help_text="YYYY-MM, or YYYY Qn by quarter."
    )
    series = TopicSeriesSerializer(many=True, help_text="The most published topics.")


class ContributorCountSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="public_name")
    published = serializers.IntegerField(
        source="count", help_text="Their recommendations published, or credited on an entry."
    )
    url = serializers.SerializerMethodField(help_text="Their public profile in the API.")

    def get_url(self, member: statistics.ContributorCount) -> str:
        return absolute(self.context, reverse("api:contributor-detail", args=[member.username]))


class WaitingBinSerializer(serializers.Serializer):
    from_days = serializers.IntegerField(source="low")
    to_days = serializers.IntegerField(
        source="high", allow_null=True, help_text="Exclusive; null: no upper bound."
    )
    count = serializers.IntegerField()


class MonthMedianSerializer(serializers.Serializer):
    month = MonthField()
    median_days = serializers.FloatField()


class WaitingSerializer(serializers.Serializer):
    measured = serializers.IntegerField(
        help_text="Published recommendations measured (the latest, at most 5000)."
    )
    median_days = serializers.FloatField(allow_null=True)
    bins = WaitingBinSerializer(many=True)
    median_by_month = serializers.SerializerMethodField()

    @extend_schema_field(MonthMedianSerializer(many=True))
    def get_median_by_month(self, waiting: statistics.Waiting) -> list[dict[str, Any]]:
        return [
            {"month": month.strftime("%Y-%m"), "median_days": days}
            for month, days in waiting.median_by_month
        ]


class StatisticsSerializer(serializers.Serializer):
    publication = serializers.SerializerMethodField(
        help_text="The publication's slug; null for the whole site."
    )
    totals = serializers.SerializerMethodField()
    months = MonthSerializer(many=True, help_text="From the first issue's month to this one.")
    topics = serializers.SerializerMethodField()
    contributors = ContributorCountSerializer(
        many=True, help_text="The most published members, the most published first."
    )
    waiting = WaitingSerializer(help_text="Days from submission to publication.")

    @extend_schema_field(serializers.SlugField(allow_null=True))
    def get_publication(self, figures: statistics.Statistics) -> str | None:
        return figures.publication_slug or None

    @extend_schema_field(TotalsSerializer)
    def get_totals(self, figures: statistics.Statistics) -> dict[str, Any]:
        return TotalsSerializer(figures).data

    @extend_schema_field(TopicsSerializer)
    def get_topics(self, figures: statistics.Statistics) -> dict[str, Any]:
        return TopicsSerializer(
            {
                "period": "quarter" if figures.by_quarter else "month",
                "periods": figures.topic_period_labels,
                "series": figures.topics,
            }
        ).data


# --- views ----------------------------------------------------------------------------------------


def _cached_figures(view: APIView, request: Request, figures: Any) -> HttpResponseBase:
    """The figures' JSON, the same for every caller: from the cache like a published issue's."""

    def render() -> HttpResponseBase:
        data = StatisticsSerializer(figures(), context={"request": request}).data
        return Response(data)

    if request.accepted_renderer.format != "json":
        # The browsable API's page names the member and holds a CSRF token: never cached.
        return render()

    def rendered() -> HttpResponseBase:
        return view.finalize_response(request, render()).render()

    return caching.cached_document(request, rendered)


class SiteStatisticsView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=StatisticsSerializer,
        summary="The site's statistics",
        description=(
            "Every publication's published issues added up: issues and papers per month, the "
            "most published topics over time, the contributors ranked, and the days from "
            "submission to publication. Published data only."
        ),
    )
    def get(self, request: Request) -> HttpResponseBase:
        return _cached_figures(self, request, statistics.site_statistics)


class PublicationStatisticsView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=StatisticsSerializer,
        summary="A publication's statistics",
        description="As the site's statistics, for one publication's published issues.",
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        def figures() -> statistics.Statistics:
            publication = get_object_or_404(publication_selectors.publications(), slug=slug)
            return statistics.publication_statistics(publication)

        return _cached_figures(self, request, figures)
