"""Admin for the paper catalogue.

A paper's metadata status is the state of its fetching workflow, so it, the attempt counter, the
last error and the fetch time are read-only here; the catalogue's content may be corrected by hand.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from papers import selectors, services
from papers.models import (
    Author,
    Authorship,
    Institution,
    InstitutionGlossaryChange,
    InstitutionGlossaryEntry,
    MetadataEntry,
    Paper,
    PaperInstitution,
    PaperMerge,
    PossibleDuplicate,
)


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "name_zh", "ror_id", "country_code", "kind")
    search_fields = ("name", "name_zh", "ror_id")
    # Read once from ROR by a worker (papers.services.enrichment.read_ror_records).
    readonly_fields = ("ror_fetched_at",)


@admin.register(InstitutionGlossaryEntry)
class InstitutionGlossaryEntryAdmin(admin.ModelAdmin):
    """The community's short forms of institutions; editors keep them on their own pages
    (the editor's glossary), which record who changed what."""

    list_display = ("name", "short_zh", "short_en", "ror_id", "updated_by", "updated_at")
    list_select_related = ("updated_by",)
    search_fields = ("name", "short_zh", "short_en", "ror_id", "aliases")
    readonly_fields = ("updated_by", "updated_at")


@admin.register(InstitutionGlossaryChange)
class InstitutionGlossaryChangeAdmin(admin.ModelAdmin):
    """Who changed the glossary, from what to what: an audit, read-only."""

    list_display = ("changed_at", "entry", "changed_by", "note")
    list_select_related = ("entry", "changed_by")
    search_fields = ("entry__name", "note")
    date_hierarchy = "changed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: InstitutionGlossaryChange | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: InstitutionGlossaryChange | None = None
    ) -> bool:
        return False


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    fields = ("position", "author", "affiliation")
    autocomplete_fields = ("author",)
    ordering = ("position",)
    extra = 0


class PaperInstitutionInline(admin.TabularInline):
    model = PaperInstitution
    fields = ("position", "institution")
    autocomplete_fields = ("institution",)
    ordering = ("position",)
    extra = 0


class MetadataEntryInline(admin.TabularInline):
    """The hand entries of a paper's metadata: an audit, read-only."""

    model = MetadataEntry
    fields = ("entered_at", "entered_by", "kept", "values", "replaced_at", "replaced_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Paper | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Paper | None = None) -> bool:
        return False


@admin.register(PossibleDuplicate)
class PossibleDuplicateAdmin(admin.ModelAdmin):
    """Rows a source's metadata linked: an editor confirms by merging them (the papers' "Merge"
    action), which removes the record."""

    list_display = ("paper", "duplicate", "identifier", "source", "found_at")
    list_filter = ("source",)
    list_select_related = ("paper", "duplicate")
    search_fields = ("identifier", "paper__title", "duplicate__title")
    raw_id_fields = ("paper", "duplicate")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: PossibleDuplicate | None = None
    ) -> bool:
        return False


@admin.register(PaperMerge)
class PaperMergeAdmin(admin.ModelAdmin):
    """Which rows were merged, by whom, and the removed row whole: an audit, read-only."""

    list_display = ("merged_at", "into", "removed_id", "removed_identifiers", "merged_by")
    list_select_related = ("into", "merged_by")
    search_fields = (
        "into__title",
        "into__arxiv_id",
        "into__aminer_id",
        "into__doi",
        "into__acl_id",
        "into__openreview_id",
        "into__s2_id",
        "note",
    )
    date_hierarchy = "merged_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PaperMerge | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PaperMerge | None = None) -> bool:
        return False


@admin.register(MetadataEntry)
class MetadataEntryAdmin(admin.ModelAdmin):
    """Who entered which metadata by hand, and when: an audit, read-only."""

    list_display = ("paper", "entered_by", "entered_at", "kept", "replaced_at", "replaced_by")
    list_filter = ("kept", "replaced_by")
    list_select_related = ("paper", "entered_by")
    search_fields = (
        "paper__arxiv_id",
        "paper__aminer_id",
        "paper__doi",
        "paper__acl_id",
        "paper__openreview_id",
        "paper__s2_id",
        "paper__title",
    )
    date_hierarchy = "entered_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: MetadataEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: MetadataEntry | None = None) -> bool:
        return False


class PaperAdminForm(forms.ModelForm):
    """The admin builds the form's Meta from ``PaperAdmin.fieldsets``."""

    def clean_doi(self) -> str | None:
        # Stored lower-case (DOIs are case-insensitive; a check constraint insists), absent as NULL.
        return (self.cleaned_data.get("doi") or "").strip().lower() or None


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    form = PaperAdminForm
    # Links are typed without a scheme now and then; https is the safe guess (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("identifier", "title", "metadata_status", "metadata_source", "published_on")
    list_filter = ("metadata_status", "metadata_source", "primary_category")
    search_fields = (
        "arxiv_id",
        "aminer_id",
        "doi",
        "acl_id",
        "openreview_id",
        "s2_id",
        "title",
        "title_zh",
    )
    inlines = (AuthorshipInline, PaperInstitutionInline, MetadataEntryInline)
    actions = ("fetch_again", "enrich_again")
    readonly_fields = (
        "affiliations_source",
        "affiliations_fetched_at",
        "affiliations_checked_at",
        "affiliations_error",
        "metadata_status",
        "metadata_attempts",
        "metadata_error",
        "metadata_fetched_at",
        "metadata_kept",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (
            _("Identifiers"),
            {
                "fields": (
                    "arxiv_id",
                    "arxiv_version",
                    "aminer_id",
                    "doi",
                    "acl_id",
                    "openreview_id",
                    "s2_id",
                )
            },
        ),
        (
            _("Content"),
            {
                "fields": (
                    "title",
                    "title_zh",
                    "abstract",
                    ("published_on", "revised_on", "year"),
                    ("primary_category", "categories"),
                    "journal_ref",
                    "comment",
                    "code_url",
                    "pdf_url",
                )
            },
        ),
        (
            _("Metadata"),
            {
                "fields": (
                    "metadata_source",
                    "metadata_status",
                    "metadata_attempts",
                    "metadata_error",
                    "metadata_fetched_at",
                    "metadata_kept",
                    ("created_at", "updated_at"),
                )
            },
        ),
        (
            _("Affiliations and venue"),
            {
                "fields": (
                    ("venue", "venue_type"),
                    "published_doi",
                    "openalex_id",
                    "affiliations_source",
                    ("affiliations_fetched_at", "affiliations_checked_at"),
                    "affiliations_error",
                )
            },
        ),
    )

    @admin.action(description=_("Ask OpenAlex for the affiliations again"), permissions=["change"])
    def enrich_again(self, request: HttpRequest, queryset: QuerySet[Paper]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        services.request_enrichment(ids)
        self.message_user(
            request,
            ngettext(
                "OpenAlex will be asked for the affiliations of %(count)d paper shortly.",
                "OpenAlex will be asked for the affiliations of %(count)d papers shortly.",
                len(ids),
            )
            % {"count": len(ids)},
            messages.SUCCESS,
        )

    @admin.display(description=_("identifier"), ordering="arxiv_id")
    def identifier(self, paper: Paper) -> str:
        return paper.identifier_display

    @admin.action(description=_("Fetch the metadata again"), permissions=["change"])
    def fetch_again(self, request: HttpRequest, queryset: QuerySet[Paper]) -> None:
        """Fetch the chosen papers anew, but say which ones it would change nothing for: a hand
        entry that an editor kept over the source's, or a paper no source can be asked about."""
        fetched, kept, unasked = 0, 0, 0
        for paper in queryset:
            if paper.metadata_kept:
                kept += 1
            elif selectors.source_unavailable(paper):
                unasked += 1
            else:
                services.refetch_metadata(paper)
                fetched += 1
        if fetched:
            self.message_user(
                request,
                ngettext(
                    "%(count)d paper will be fetched again shortly.",
                    "%(count)d papers will be fetched again shortly.",
                    fetched,
                )
                % {"count": fetched},
                messages.SUCCESS,
            )
        if kept:
            self.message_user(
                request,
                ngettext(
                    "%(count)d paper was left alone: an editor kept its hand-entered metadata "
                    "over the source's. Save the hand entry again without keeping it to have it "
                    "fetched.",
                    "%(count)d papers were left alone: an editor kept their hand-entered metadata "
                    "over the source's. Save the hand entry again without keeping it to have them "
                    "fetched.",
                    kept,
                )
                % {"count": kept},
                messages.WARNING,
            )
        if unasked:
            self.message_user(
                request,
                ngettext(
                    "%(count)d paper was left alone: no source can be asked for its metadata "
                    "(its only source is switched off on this site, as AMiner is without a token).",
                    "%(count)d papers were left alone: no source can be asked for their metadata "
                    "(its only source is switched off on this site, as AMiner is without a token).",
                    unasked,
                )
                % {"count": unasked},
                messages.WARNING,
            )
