"""Admin of the newsletter.

Subscriptions are started and confirmed only by their owners (double opt-in), so no one adds a
subscriber or changes a status here: the admin unsubscribes (``unsubscribe_subscriber``), deletes
an address on request, and queues failed deliveries again (``requeue_failed_deliveries``).
Deliveries are the record of what was sent: read-only. The suppression list says which
addresses are never mailed again and why (a hard bounce or a complaint, from the SMTP server or
the provider's webhook); an operator may lift one (``lift_suppression``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from issues.admin import ReadOnlyAdminMixin
from newsletter import services
from newsletter.models import Delivery, SoftBounce, Subscriber, Suppression


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "publication", "status", "language", "created_at", "confirmed_at")
    list_filter = ("publication", "status", "language")
    search_fields = ("email",)
    list_select_related = ("publication",)
    readonly_fields = (
        "publication",
        "email",
        "status",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
    )
    actions = ["unsubscribe"]
    # Deleting an address (on its owner's request) is allowed; it takes its deliveries along.

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Unsubscribe the selected addresses"), permissions=["view"])
    def unsubscribe(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        for subscriber in queryset:
            services.unsubscribe_subscriber(subscriber)
        count = len(queryset)
        self.message_user(
            request,
            ngettext("%(count)d address unsubscribed.", "%(count)d addresses unsubscribed.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("issue", "subscriber", "status", "attempts", "sent_at", "error")
    list_filter = ("status", "issue__publication")
    search_fields = ("subscriber__email", "error")
    list_select_related = ("issue__publication", "subscriber")
    actions = ["requeue"]

    @admin.action(description=_("Queue the selected failed deliveries again"), permissions=["view"])
    def requeue(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = services.requeue_failed_deliveries(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("email", "reason", "source", "created_at", "detail")
    list_filter = ("reason", "source")
    search_fields = ("email", "detail")
    date_hierarchy = "created_at"
    actions = ["lift"]

    @admin.action(
        description=_("Lift the suppression (the address may subscribe again)"),
        permissions=["view"],
    )
    def lift(self, request: HttpRequest, queryset: QuerySet[Suppression]) -> None:
        count = 0
        for suppression in queryset:
            services.lift_suppression(suppression)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d address may be mailed again once it subscribes again.",
                "%(count)d addresses may be mailed again once they subscribe again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(SoftBounce)
class SoftBounceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Passing refusals counted against an address: why a "Soft bounces" suppression happened,
    or how close an address is to one."""

    list_display = ("email", "message", "source", "created_at", "detail")
    list_filter = ("source",)
    search_fields = ("email", "detail")
    date_hierarchy = "created_at"
