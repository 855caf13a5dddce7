"""The drafting app in the admin: written by the editors' pages and the workers, so read-only."""

from django.contrib import admin

from common.admin import ReadOnlyAdminMixin
from drafting.models import (
    BackendProblem,
    Draft,
    DraftingRequest,
    GlossaryTerm,
    HouseStyleSettings,
    PromptTemplate,
)


@admin.register(HouseStyleSettings)
class HouseStyleSettingsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("publication", "spacing", "summary_min_length", "summary_max_length")
    list_select_related = ("publication",)


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("term", "translation", "publication", "created_at")
    list_filter = ("publication",)
    list_select_related = ("publication",)
    search_fields = ("term", "translation")


@admin.register(PromptTemplate)
class PromptTemplateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("publication", "version", "examples", "created_by", "created_at")
    list_select_related = ("publication", "created_by")


@admin.register(Draft)
class DraftAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("updated_at", "paper", "publication", "status", "model", "prompt_version")
    list_filter = ("status", "publication")
    list_select_related = ("paper", "publication")


@admin.register(DraftingRequest)
class DraftingRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "model",
        "outcome",
        "prompt_tokens",
        "completion_tokens",
        "requested_by",
    )
    list_filter = ("outcome",)
    list_select_related = ("requested_by",)


@admin.register(BackendProblem)
class BackendProblemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("fault", "message", "created_at")
