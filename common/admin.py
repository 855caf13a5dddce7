"""What the apps' admins share: actions that call services, and read-only records."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from common.exceptions import WorkflowError


def run_action(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[Any],
    service: Callable[..., Any],
    done: Any,
) -> None:
    """Call ``service(obj, by=request.user)`` for each object; report each refusal and the count.

    ``done`` is an ``ngettext_lazy`` message taking ``%(count)d``.

    Each call is its own transaction (the service's), so one refusal leaves the others done.
    """
    succeeded = 0
    for obj in objects:
        label = str(obj)
        try:
            service(obj, by=request.user)
        except WorkflowError as error:
            model_admin.message_user(request, f"{label}: {error.message}", messages.ERROR)
        else:
            succeeded += 1
    model_admin.message_user(
        request, done % {"count": succeeded}, messages.SUCCESS if succeeded else messages.WARNING
    )


class ReadOnlyAdminMixin:
    """A record written only by the services: it may be viewed, never added, changed or deleted."""

    # The admin still builds a form to display; this keeps its URL fields off Django 6's warning.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditTrailInline(ReadOnlyAdminMixin, admin.TabularInline):
    """An object's audit trail (a ``common.models.TransitionRecord``) under it, oldest first."""

    fields = ("created_at", "action", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("actor")


class AuditTrailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """An audit trail on its own: never added to, changed or deleted from here. A subclass puts
    the subject's column after ``created_at`` in ``list_display``."""

    list_filter = ("action", "to_status")
    search_fields = ("note", "actor__username", "actor__display_name")
