"""API output of the paper catalogue."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api.fields import FIELD_MAPPING, absolute
from papers import selectors, services
from papers.models import Paper

_DATE = serializers.DateField()
_DATETIME = serializers.DateTimeField()


class MetadataStateSerializer(serializers.Serializer):
    """Where the paper's metadata stands: fetched, waiting, or failed with the reason."""

    status = serializers.CharField(source="metadata_status")
    source = serializers.CharField(source="metadata_source")
    #: In the request's language (papers.faults).
    error = serializers.CharField(source="metadata_message")
    attempts = serializers.IntegerField(source="metadata_attempts")
    fetched_at = serializers.DateTimeField(source="metadata_fetched_at", allow_null=True)
    kept = serializers.BooleanField(
        source="metadata_kept",
        help_text="An editor kept the hand entry over the source's: fetches leave it alone.",
    )


class PaperSerializer(serializers.ModelSerializer):
    """A paper as the catalogue knows it. Lists and details cost a fixed number of queries:
    the papers must come from ``papers.selectors.papers_with_details`` or have been through
    ``papers.selectors.with_names``."""

    serializer_field_mapping = FIELD_MAPPING

    authors = serializers.SerializerMethodField()
    institutions = serializers.SerializerMethodField()
    url = serializers.CharField(read_only=True, help_text="The paper's landing page.")
    pdf_url = serializers.CharField(source="pdf_link", read_only=True)
    metadata = MetadataStateSerializer(source="*", read_only=True)
    web_url = serializers.SerializerMethodField(help_text="The paper's page on this site.")

    class Meta:
        model = Paper
        fields = (
            "id",
            "arxiv_id",
            "arxiv_version",
            "aminer_id",
            "doi",
            "acl_id",
            "openreview_id",
            "s2_id",
            "title",
            "title_zh",
            "authors",
            "institutions",
            "abstract",
            "published_on",
            "revised_on",
            "year",
            "primary_category",
            "categories",
            "journal_ref",
            "comment",
            "url",
            "pdf_url",
            "code_url",
            "metadata",
            "web_url",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_authors(self, paper: Paper) -> list[str]:
        return selectors.author_names(paper)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_institutions(self, paper: Paper) -> list[str]:
        return selectors.institution_names(paper)

    def get_web_url(self, paper: Paper) -> str:
        return absolute(self.context, reverse("papers:paper-detail", args=[paper.pk]))

    def to_representation(self, paper: Paper) -> dict[str, Any]:
        """The fields declared above, written out. DRF's walk over them, field by field, was
        most of a list's worker CPU (some 0.15 ms a paper, 7 ms of a page of 50 at 100,000
        papers); ``tests/papers/api/test_serializers.py`` holds this to what that walk gives."""
        return {
            "id": paper.pk,
            "arxiv_id": paper.arxiv_id,
            "arxiv_version": paper.arxiv_version,
            "aminer_id": paper.aminer_id,
            "doi": paper.doi,
            "acl_id": paper.acl_id,
            "openreview_id": paper.openreview_id,
            "s2_id": paper.s2_id,
            "title": paper.title,
            "title_zh": paper.title_zh,
            "authors": selectors.author_names(paper),
            "institutions": selectors.institution_names(paper),
            "abstract": paper.abstract,
            "published_on": _DATE.to_representation(paper.published_on),
            "revised_on": _DATE.to_representation(paper.revised_on),
            "year": paper.year,
            "primary_category": paper.primary_category,
            "categories": paper.categories,
            "journal_ref": paper.journal_ref,
            "comment": paper.comment,
            "url": paper.url,
            "pdf_url": paper.pdf_link,
            "code_url": paper.code_url,
            "metadata": {
                "status": paper.metadata_status,
                "source": paper.metadata_source,
                "error": paper.metadata_message,
                "attempts": paper.metadata_attempts,
                "fetched_at": _DATETIME.to_representation(paper.metadata_fetched_at),
                "kept": paper.metadata_kept,
            },
            "web_url": self._web_url(paper.pk),
        }

    def _web_url(self, pk: int) -> str:
        # One reverse() per list rather than one per paper: the address with a marker number,
        # then each paper's number in its place.
        marker = "987654321"
        if getattr(self, "_web_url_parts", None) is None:
            path = reverse("papers:paper-detail", args=[int(marker)])
            self._web_url_parts = absolute(self.context, path).rsplit(marker, 1)
        before, after = self._web_url_parts
        return f"{before}{pk}{after}"


#: The columns of a paper that ``PaperSerializer`` does not show, which a list may leave unread.
UNLISTED_FIELDS = (
    "venue",
    "venue_type",
    "published_doi",
    "openalex_id",
    "affiliations_source",
    "affiliations_fetched_at",
    "affiliations_checked_at",
    "affiliations_error",
    "created_at",
    "updated_at",
)


class PaperMetadataSerializer(serializers.Serializer):
    """A paper's metadata entered by hand, when no source could provide it."""

    title = serializers.CharField(max_length=services.TITLE_MAX_LENGTH)
    title_zh = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    authors = serializers.ListField(
        child=serializers.CharField(max_length=300), max_length=500, required=False, default=list
    )
    institutions = serializers.ListField(
        child=serializers.CharField(max_length=300), max_length=500, required=False, default=list
    )
    abstract = serializers.CharField(
        max_length=services.ABSTRACT_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    year = serializers.IntegerField(min_value=1900, max_value=2100, required=False, allow_null=True)
    keep = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Keep this entry over the source's metadata: fetches leave it alone until it is "
            "entered again without keep (editors of a publication where the paper is "
            "recommended)."
        ),
    )
