"""API input and output of recommendations and reviews: validation only; the services decide and
write.

Types and lengths are checked here; the rules (what a summary may hold, which transition is
allowed, who may do what) are the services', so the site and the API refuse the same input with
the same message.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api.fields import FIELD_MAPPING, absolute
from common.markup import render_markdown
from contributors.api.serializers import ContributorRefSerializer
from papers.api.serializers import PaperSerializer
from papers.models import Topic
from publications.models import Publication
from recommendations.enums import RecommendationKind, Verdict
from recommendations.models import Recommendation, Review

# --- recommendations ----------------------------------------------------------------------------


class RecommendationSerializer(serializers.ModelSerializer):
    serializer_field_mapping = FIELD_MAPPING

    publication = serializers.SlugField(source="publication.slug", read_only=True)
    topic = serializers.SlugField(source="topic.slug", read_only=True, allow_null=True)
    submitter = ContributorRefSerializer(read_only=True)
    summary_html = serializers.SerializerMethodField()
    paper = PaperSerializer(read_only=True, allow_null=True)
    paper_metadata_status = serializers.CharField(
        source="paper.metadata_status",
        read_only=True,
        allow_null=True,
        help_text="pending until a worker has fetched the paper; null for news items.",
    )
    links = serializers.SerializerMethodField()

    class Meta:
        model = Recommendation
        fields = (
            "id",
            "publication",
            "kind",
            "status",
            "summary",
            "summary_html",
            "title_zh",
            "code_url",
            "topic",
            "subject_zh",
            "subject_en",
            "shown_authors",
            "shown_institutions",
            "paper_url",
            "news_title",
            "news_url",
            "submitter",
            "paper",
            "paper_metadata_status",
            "created_at",
            "submitted_at",
            "decided_at",
            "review_round",
            "links",
        )
        read_only_fields = fields

    def get_summary_html(self, recommendation: Recommendation) -> str:
        return render_markdown(recommendation.summary)

    @extend_schema_field(
        serializers.DictField(child=serializers.URLField(), help_text="api, reviews")
    )
    def get_links(self, recommendation: Recommendation) -> dict[str, str]:
        return {
            "api": absolute(
                self.context, reverse("api:recommendation-detail", args=[recommendation.pk])
            ),
            "reviews": absolute(
                self.context, reverse("api:recommendation-reviews", args=[recommendation.pk])
            ),
        }


class _SlugField(serializers.SlugRelatedField):
    """An object named by its slug. A NUL character is refused before the lookup: no slug holds
    one, and PostgreSQL refuses it in a query (a server error otherwise)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError(
                "Null characters are not allowed.", code="null_characters_not_allowed"
            )
        return super().to_internal_value(data)


class _TopicField(_SlugField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            slug_field="slug",
            queryset=Topic.objects.all(),
            required=False,
            allow_null=True,
            help_text="A topic's slug (see topics/).",
            error_messages={"does_not_exist": "There is no topic “{value}”."},
            **kwargs,
        )


class RecommendationCreateSerializer(serializers.Serializer):
    identifier = serializers.CharField(
        max_length=2048,
        required=False,
        allow_blank=True,
        help_text="An arXiv id or URL, an arXiv DOI, or an AMiner link (papers only).",
    )
    summary = serializers.CharField(max_length=20_000, help_text="Markdown.")
    publication = _SlugField(
        slug_field="slug",
        queryset=Publication.objects.all(),
        help_text="A publication's slug.",
        error_messages={"does_not_exist": "There is no publication “{value}”."},
    )
    kind = serializers.ChoiceField(
        choices=RecommendationKind.choices, default=RecommendationKind.PAPER
    )
    topic = _TopicField()
    title_zh = serializers.CharField(max_length=500, required=False, allow_blank=True)
    code_url = serializers.CharField(max_length=500, required=False, allow_blank=True)
    news_title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    news_url = serializers.CharField(max_length=500, required=False, allow_blank=True)
    draft = serializers.BooleanField(
        default=False, help_text="Keep it as a draft instead of submitting it for review."
    )


class RecommendationEditSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=20_000, required=False)
    topic = _TopicField()
    title_zh = serializers.CharField(max_length=500, required=False, allow_blank=True)
    code_url = serializers.CharField(max_length=500, required=False, allow_blank=True)
    news_title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    news_url = serializers.CharField(max_length=500, required=False, allow_blank=True)


class EntryRevisionSerializer(RecommendationEditSerializer):
    """What the publication's team may change of the entry, before it is published."""

    subject_zh = serializers.CharField(max_length=60, required=False, allow_blank=True)
    subject_en = serializers.CharField(max_length=60, required=False, allow_blank=True)
    shown_authors = serializers.CharField(
        max_length=20_000,
        required=False,
        allow_blank=True,
        help_text="One per line; empty: the paper's authors.",
    )
    shown_institutions = serializers.CharField(
        max_length=20_000,
        required=False,
        allow_blank=True,
        help_text="One per line; empty: the paper's institutions.",
    )
    paper_url = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text="Empty: the paper's own link."
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReviewSerializer(serializers.ModelSerializer):
    reviewer = ContributorRefSerializer(read_only=True)

    class Meta:
        model = Review
        fields = ("id", "verdict", "comment", "reviewer", "round", "created_at")
        read_only_fields = fields


class ReviewCreateSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    review_round = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=(
            "The recommendation's review_round when you read it. If it has been edited since, "
            "the review is refused (409 changed_since_read) and nothing is stored."
        ),
    )
