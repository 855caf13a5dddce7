"""Admin for publications and their teams: roles are granted by administrators only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from common.admin import AuditTrailAdmin, ReadOnlyAdminMixin
from publications.models import (
    Membership,
    Publication,
    PublicationChange,
    PublicationStyle,
    PublicationUpload,
    Topic,
)
from publications.permissions import can

# --- publications and teams ---------------------------------------------------------------------


def _manages_team(request: HttpRequest) -> bool:
    """Team roles are granted by administrators only, whatever Django permissions say."""
    return can(request.user, "publications.manage_team")


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages_team(request) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages_team(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages_team(request) and super().has_delete_permission(request, obj)


def _protected(obj: Any) -> bool:
    """Whether rows of any app point at ``obj`` through a foreign key that protects it."""
    return any(
        relation.on_delete is models.PROTECT
        and relation.related_model._base_manager.filter(**{relation.field.name: obj}).exists()
        for relation in obj._meta.related_objects
    )


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "name_zh",
        "slug",
        "approvals_required",
        "weekly_submission_quota",
        "created_at",
    )
    search_fields = ("name", "name_zh", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (MembershipInline,)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # What the apps built on this one hold of a publication (its recommendations, its issues)
        # protects it anyway; hide the button too.
        if obj is not None and _protected(obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "publication", "role", "created_at")
    list_filter = ("role", "publication")
    search_fields = ("user__username", "user__display_name", "publication__name")
    autocomplete_fields = ("user", "publication")
    list_select_related = ("user", "publication")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _manages_team(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages_team(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages_team(request) and super().has_delete_permission(request, obj)


# --- style, uploads and their audit -------------------------------------------------------------
# Editors change these on the publication's settings page, through the services that check them;
# here they are read only.


@admin.register(PublicationStyle)
class PublicationStyleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("publication", "author_style", "authors_shown", "link_order", "updated_at")
    list_select_related = ("publication",)


@admin.register(PublicationUpload)
class PublicationUploadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "publication", "name", "content_type", "size", "uploaded_by")
    list_select_related = ("publication", "uploaded_by")


@admin.register(PublicationChange)
class PublicationChangeAdmin(AuditTrailAdmin):
    list_display = ("created_at", "publication", "action", "actor", "note")
    list_select_related = ("publication", "actor")


# --- topics -------------------------------------------------------------------------------------


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name_en", "name_zh", "slug", "publication", "position")
    list_editable = ("position",)
    list_filter = ("publication",)
    list_select_related = ("publication",)
    search_fields = ("name_en", "name_zh", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
