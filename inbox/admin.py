"""The admin of the candidate inbox: everything to read.

Candidates change state through the members' pages and the workers (services), watches and the
inbox settings through the editors' pages; the admin shows them, with each candidate's history.
"""

from django.contrib import admin

from common.admin import AuditTrailAdmin, AuditTrailInline, ReadOnlyAdminMixin
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
    raw_id_fields = ("paper", "recommendation")
    inlines = [InterestInline, CandidateTransitionInline]


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
