"""API input and output of recommendations and reviews: validation only; the services decide and
write.

Types and lengths are checked here; the rules (what a summary may hold, which transition is
allowed, who may do what) are the services', so the site and the API refuse the same input with
the same message.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api.fields import FIELD_MAPPING, absolute
from common.markup import render_markdown
from contributors.api.serializers import ContributorRefSerializer
from papers.api.serializers import PaperSerializer
from papers.models import Paper, PaperMerge
from papers.selectors import paper_for_reference
from publications.models import Publication
from recommendations.enums import RecommendationKind, Verdict
from recommendations.models import Recommendation, Review
from recommendations.places import with_places

# --- merging two rows of one paper -------------------------------------------------------------


class PaperMergeRequestSerializer(serializers.Serializer):
    """Which row to merge into the paper of the address, and the editor's word."""

    other = serializers.CharField(
        max_length=2048,
        help_text="The duplicate: its id in the catalogue, or any identifier a recommendation "
        "takes (arXiv id, DOI, ACL Anthology, OpenReview, Semantic Scholar or AMiner link). It is "
        "merged into the paper of the address and removed.",
    )
    keep_published_entries = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Needed only when one published issue shows both papers: it keeps both "
        "entries as readers saw them, the second no longer linked to the paper.",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate_other(self, value: str) -> Paper:
        paper = paper_for_reference(value)
        if paper is None:
            raise serializers.ValidationError(gettext("No paper in the catalogue answers to this."))
        return paper


class PaperMergeSerializer(serializers.ModelSerializer):
    """The record of a merge: the removed row whole, and what moved to the kept one."""

    serializer_field_mapping = FIELD_MAPPING

    into = PaperSerializer(read_only=True)
    merged_by = ContributorRefSerializer(read_only=True, allow_null=True)
    removed_identifiers = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        help_text="arxiv_id, aminer_id, doi, acl_id, openreview_id, s2_id.",
    )
    removed = serializers.DictField(help_text="The removed row's fields, authors, institutions.")
    moved = serializers.DictField(
        help_text="By app, the ids of the rows that now point at the kept paper."
    )

    class Meta:
        model = PaperMerge
        fields = (
            "id",
            "into",
            "removed_id",
            "removed_identifiers",
            "removed",
            "moved",
            "note",
            "merged_by",
            "merged_at",
        )
        read_only_fields = fields


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
    credited_with = serializers.SerializerMethodField(
        help_text="The other members credited on the same issue entry: an issue shows a paper "
        "once, crediting every member who recommended it to the publication. Empty until the "
        "recommendation is in an issue."
    )

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
            "credited_with",
            "links",
        )
        read_only_fields = fields

    @extend_schema_field(ContributorRefSerializer(many=True))
    def get_credited_with(self, recommendation: Recommendation) -> list[dict[str, Any]]:
        # Lists set ``place`` on their page in one go (``with_places``); one alone asks here.
        if not hasattr(recommendation, "place"):
            with_places([recommendation])
        place = recommendation.place
        members = place.credited_with if place is not None else ()
        return ContributorRefSerializer(members, many=True).data

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


class _TopicField(serializers.SlugField):
    """A topic's slug; the service finds it among the recommendation's publication's topics and
    refuses one it has not, naming the field."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            max_length=80,
            required=False,
            allow_null=True,
            allow_blank=True,
            help_text="A topic's slug, one of the publication's (see topics/?publication=…).",
            **kwargs,
        )


class RecommendationCreateSerializer(serializers.Serializer):
    identifier = serializers.CharField(
        max_length=2048,
        required=False,
        allow_blank=True,
        help_text="An arXiv id or URL, a DOI (bare, doi: or a doi.org link), an ACL Anthology "
        "id or link, an OpenReview forum link, a Semantic Scholar paper link, or an AMiner link "
        "(papers only).",
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
