"""The admin of the candidate inbox: everything to read, and two actions.

Candidates change state through the members' pages and the workers (services), watches and the
inbox settings through the editors' pages; the admin shows them, with each candidate's history,
and may release a claim or restore a dismissed candidate through the services.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from common.admin import AuditTrailAdmin, AuditTrailInline, ReadOnlyAdminMixin, run_action
from inbox import services
from inbox.models import (
    Candidate,
    CandidateTransition,
    DigestSubscription,
    InboxSettings,
    Interest,
    Watch,
)


@admin.register(InboxSettings)
class InboxSettingsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("publication", "claim_days", "expire_days", "keep_per_poll", "updated_at")
    list_select_related = ("publication",)


@admin.register(Watch)
class WatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "publication",
        "is_active",
        "last_polled_at",
        "last_found",
        "last_kept",
    )
    list_filter = ("is_active", "publication")
    list_select_related = ("publication",)
    search_fields = ("name", "categories", "query")


class CandidateTransitionInline(AuditTrailInline):
    model = CandidateTransition


class InterestInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Interest
    fields = ("member", "created_at")
    readonly_fields = fields
    extra = 0


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("paper", "publication", "state", "score", "found_at", "claimed_by")
    list_filter = ("state", "publication")
    list_select_related = ("paper", "publication", "claimed_by")
    search_fields = ("paper__title", "paper__arxiv_id")
    inlines = [InterestInline, CandidateTransitionInline]
    actions = ["release", "restore"]

    @admin.action(description=_("Release the claim"))
    def release(self, request: HttpRequest, queryset: QuerySet[Candidate]) -> None:
        run_action(
            self,
            request,
            queryset.select_related("paper"),
            services.release_claim,
            ngettext_lazy(
                "%(count)d claim was released.", "%(count)d claims were released.", "count"
            ),
        )

    @admin.action(description=_("Restore to the inbox"))
    def restore(self, request: HttpRequest, queryset: QuerySet[Candidate]) -> None:
        run_action(
            self,
            request,
            queryset.select_related("paper"),
            services.restore_candidate,
            ngettext_lazy(
                "%(count)d candidate was restored.", "%(count)d candidates were restored.", "count"
            ),
        )


@admin.register(CandidateTransition)
class CandidateTransitionAdmin(AuditTrailAdmin):
    list_display = ("created_at", "candidate", "action", "from_status", "to_status", "actor")
    list_select_related = ("candidate__paper", "actor")


@admin.register(Interest)
class InterestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("candidate", "member", "created_at")
    list_select_related = ("candidate__paper", "member")


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("member", "publication", "created_at", "last_sent_at")
    list_select_related = ("member", "publication")
