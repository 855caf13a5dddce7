"""API input and output of publications and issues: validation only; the services decide and
write.

Types and lengths are checked here; the rules (which transition is allowed, who may do what) are
the services', so the site and the API refuse the same input with the same message.
"""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api.fields import absolute
from common.markup import render_markdown
from contributors.api.serializers import ContributorRefSerializer
from issues.models import Correction, Issue
from papers.api.serializers import PaperSerializer
from publications.models import Publication

# --- publications -------------------------------------------------------------------------------


class FeedLinksSerializer(serializers.Serializer):
    rss = serializers.URLField()
    atom = serializers.URLField()


class PublicationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The publication's page on this site.")
    issues = serializers.SerializerMethodField(help_text="The API list of its issues.")
    feeds = serializers.SerializerMethodField()

    class Meta:
        model = Publication
        fields = (
            "slug",
            "name",
            "name_zh",
            "description",
            "description_zh",
            "approvals_required",
            "weekly_submission_quota",
            "url",
            "issues",
            "feeds",
        )
        read_only_fields = fields
        extra_kwargs = {
            "weekly_submission_quota": {
                "help_text": (
                    "The most recommendations one member may make to this publication in any "
                    "7 days, drafts included (null: no limit; editors are not limited)."
                )
            }
        }

    def get_url(self, publication: Publication) -> str:
        return absolute(self.context, reverse("issues:publication-detail", args=[publication.slug]))

    def get_issues(self, publication: Publication) -> str:
        return absolute(self.context, reverse("api:issue-list", args=[publication.slug]))

    @extend_schema_field(FeedLinksSerializer)
    def get_feeds(self, publication: Publication) -> dict[str, str]:
        return {
            kind: absolute(self.context, reverse(f"issues:feed-{kind}", args=[publication.slug]))
            for kind in ("rss", "atom")
        }


# --- issues -------------------------------------------------------------------------------------


class TopicRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name_en = serializers.CharField()
    name_zh = serializers.CharField()


class EntrySerializer(serializers.Serializer):
    """One entry of an issue, as readers see it (fixed at publication)."""

    id = serializers.IntegerField(source="entry.pk")
    position = serializers.IntegerField(source="entry.position")
    section = serializers.CharField()
    title = serializers.CharField()
    title_zh = serializers.CharField()
    authors = serializers.ListField(child=serializers.CharField())
    institutions = serializers.ListField(
        child=serializers.CharField(),
        help_text="In Chinese, as the digest writes them: short forms (斯坦福), else names.",
    )
    institutions_en = serializers.SerializerMethodField(
        help_text="The same institutions in English: short forms (Stanford), else names."
    )
    institutions_more = serializers.BooleanField(
        help_text="The institutions are only some of them (a past issue's text ended its list "
        "with 等): readers see 等 / “et al.” after them, however few."
    )
    summary = serializers.CharField(help_text="Markdown.")
    summary_html = serializers.SerializerMethodField(help_text="The summary as safe HTML.")
    url = serializers.CharField(help_text="The paper's or the news item's link.")
    code_url = serializers.CharField()
    topic = TopicRefSerializer(allow_null=True)
    contributor = ContributorRefSerializer(
        allow_null=True,
        help_text="The member who recommended it; null for an entry of an imported issue.",
    )
    co_contributors = ContributorRefSerializer(
        many=True,
        help_text="The other members whose recommendations of the paper are credited on this "
        "entry, in the order they joined.",
    )
    recommendation = serializers.IntegerField(
        source="entry.recommendation_id",
        allow_null=True,
        help_text="Null for an entry of an imported issue, which has no recommendation.",
    )
    is_lead = serializers.BooleanField(
        source="entry.is_lead", help_text="One of the lead items the issue's headline names."
    )
    paper = PaperSerializer(
        source="entry.recommendation.paper",
        allow_null=True,
        help_text="The paper as the catalogue knows it today (null for news items).",
    )

    def get_summary_html(self, content: Any) -> str:
        return render_markdown(content.summary)

    def get_institutions_en(self, content: Any) -> list[str]:
        return [en for _zh, en in content.institution_pairs]


class CorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Correction
        fields = ("id", "note", "changes", "created_at")
        read_only_fields = fields


class IssueLinksSerializer(serializers.Serializer):
    html = serializers.URLField(help_text="The issue's page (a preview until it is published).")
    api = serializers.URLField()
    markdown = serializers.URLField(required=False, help_text="Published issues: Markdown.")
    paste_html = serializers.URLField(
        required=False, help_text="Published issues: HTML with inline styles, to paste."
    )
    bibtex = serializers.URLField(required=False, help_text="Published issues: its papers.")


class IssueSummarySerializer(serializers.ModelSerializer):
    publication = serializers.SlugField(source="publication.slug", read_only=True)
    url = serializers.SerializerMethodField(help_text="The issue's page on this site.")
    links = serializers.SerializerMethodField()

    class Meta:
        model = Issue
        fields = (
            "id",
            "publication",
            "number",
            "status",
            "title",
            "publish_at",
            "published_at",
            "url",
            "links",
        )
        read_only_fields = fields

    def get_url(self, issue: Issue) -> str:
        return absolute(self.context, issue.get_absolute_url())

    @extend_schema_field(IssueLinksSerializer)
    def get_links(self, issue: Issue) -> dict[str, str]:
        links = {
            "html": self.get_url(issue),
            "api": absolute(self.context, reverse("api:issue-detail", args=[issue.pk])),
        }
        if issue.is_published:
            for name, fmt in (("markdown", "md"), ("paste_html", "html"), ("bibtex", "bib")):
                path = reverse(
                    "issues:issue-export", args=[issue.publication.slug, issue.number, fmt]
                )
                links[name] = absolute(self.context, path)
        return links


class IssueSerializer(IssueSummarySerializer):
    """An issue with its entries; the view passes ``contents`` (``selectors.issue_contents``)."""

    intro_zh_html = serializers.SerializerMethodField()
    intro_en_html = serializers.SerializerMethodField()
    contributors = serializers.SerializerMethodField()
    entries = serializers.SerializerMethodField()
    corrections = CorrectionSerializer(many=True, read_only=True)

    class Meta(IssueSummarySerializer.Meta):
        fields = (
            *IssueSummarySerializer.Meta.fields,
            "intro_zh",
            "intro_en",
            "intro_zh_html",
            "intro_en_html",
            "credits",
            "contributors",
            "entries",
            "corrections",
        )
        read_only_fields = fields

    def get_intro_zh_html(self, issue: Issue) -> str:
        return render_markdown(issue.intro_zh)

    def get_intro_en_html(self, issue: Issue) -> str:
        return render_markdown(issue.intro_en)

    @extend_schema_field(ContributorRefSerializer(many=True))
    def get_contributors(self, issue: Issue) -> list[dict[str, Any]]:
        return ContributorRefSerializer(self.context["contributors"], many=True).data

    @extend_schema_field(EntrySerializer(many=True))
    def get_entries(self, issue: Issue) -> list[dict[str, Any]]:
        return EntrySerializer(self.context["contents"], many=True, context=self.context).data


class IssueWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    intro_zh = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    intro_en = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    credits = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class AwareDateTimeField(serializers.DateTimeField):
    """A date and time that must say its time zone: "08:00" alone is a guess, not a time."""

    def enforce_timezone(self, value: Any) -> Any:
        if timezone.is_naive(value):
            raise serializers.ValidationError(
                "Give the time with its time zone, e.g. 2026-12-01T08:00:00+08:00."
            )
        return super().enforce_timezone(value)


class PublishSerializer(serializers.Serializer):
    publish_at = AwareDateTimeField(
        required=False,
        allow_null=True,
        help_text="When to publish, with its time zone; leave out to publish now.",
    )


class EntryAddSerializer(serializers.Serializer):
    recommendation = serializers.IntegerField(
        min_value=1, help_text="An accepted recommendation of this publication."
    )


class EntryOrderSerializer(serializers.Serializer):
    order = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=1000,
        help_text="Every entry id of the issue exactly once, in the new order.",
    )


class LeadItemsSerializer(serializers.Serializer):
    entries = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=1000,
        help_text="The entry ids of the lead items; empty: the first entry of each section.",
    )


class EntryCorrectionSerializer(serializers.Serializer):
    title = serializers.CharField(source="shown_title", required=False, allow_blank=True)
    title_zh = serializers.CharField(
        source="shown_title_zh", max_length=500, required=False, allow_blank=True
    )
    authors = serializers.CharField(
        source="shown_authors", required=False, allow_blank=True, help_text="One per line."
    )
    institutions = serializers.CharField(
        source="shown_institutions",
        required=False,
        allow_blank=True,
        help_text="One per line: the Chinese short form, “ | ” and the English one (斯坦福 | "
        "Stanford), or one name for both.",
    )
    summary = serializers.CharField(source="shown_summary", required=False, allow_blank=True)
    code_url = serializers.CharField(
        source="shown_code_url", max_length=500, required=False, allow_blank=True
    )
    url = serializers.CharField(
        source="shown_url", max_length=500, required=False, allow_blank=True
    )


_ENTRY_ID = re.compile(r"[0-9]{1,18}")


class CorrectionWriteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="The erratum readers see.")
    issue = IssueWriteSerializer(required=False, help_text="Changes to the issue's own texts.")
    entries = serializers.DictField(
        child=EntryCorrectionSerializer(),
        required=False,
        help_text="Entry id → the shown fields to change.",
    )

    def validate_entries(self, value: dict[str, Any]) -> dict[int, dict[str, str]]:
        if len(value) > 1000:
            raise serializers.ValidationError("At most 1000 entries, please.")
        entries = {}
        for key, changes in value.items():
            # ASCII digits only: "²" and "١" are digits to str.isdigit, but no int() of theirs.
            if not _ENTRY_ID.fullmatch(str(key)):
                raise serializers.ValidationError(f"{key!r} is not an entry id.")
            entries[int(key)] = changes
        return entries
