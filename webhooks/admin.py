"""The admin of webhooks: endpoints and their deliveries to read, never the secrets.

Endpoints are registered by editors (their pages or the API), which shows the secret once; the
admin may switch one off or on, or remove it. Events, deliveries and calls are the log:
read-only.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from common.admin import ReadOnlyAdminMixin
from webhooks.models import Attempt, Delivery, Endpoint, Event


@admin.register(Endpoint)
class EndpointAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("url", "publication", "is_active", "consecutive_failures", "created_at")
    list_filter = ("is_active", "publication")
    search_fields = ("url", "description")
    fields = (
        "publication",
        "url",
        "description",
        "events",
        "secret_hint",
        "is_active",
        "consecutive_failures",
        "disabled_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super(ReadOnlyAdminMixin, self).has_delete_permission(request, obj)


class AttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Attempt
    fields = ("number", "started_at", "status_code", "duration_ms", "error", "retry_in")
    readonly_fields = fields
    extra = 0


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("event", "endpoint", "status", "attempts", "created_at", "finished_at")
    list_filter = ("status", "event__type")
    list_select_related = ("event", "endpoint")
    inlines = [AttemptInline]


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "type", "publication", "created_at")
    list_filter = ("type", "publication")


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("delivery", "number", "status_code", "duration_ms", "started_at")
    list_select_related = ("delivery__event", "delivery__endpoint")
