"""Admin for the record of what members were told: viewable, never written here."""

from __future__ import annotations

from django.contrib import admin

from common.admin import ReadOnlyAdminMixin
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the record of each e-mail that told a member about their recommendations."""

    list_display = ("created_at", "user", "kind", "recommendation", "review", "issue")
    list_filter = ("kind",)
    search_fields = ("user__username", "user__email", "user__display_name")
    list_select_related = (
        "user",
        "recommendation__paper",
        "review__recommendation__paper",
        "issue__publication",
    )
