"""Admin for recommendations, reviews and their audit trail.

Workflow status is read-only here. It changes only through admin actions that call
``recommendations.services`` with ``by=request.user``, so the admin obeys the same capabilities,
transition table and audit log as the site and the API: recommendations are read-only (members
write them on the site or through the API); the "Accept" and "Withdraw" actions call
``accept_recommendation`` and ``withdraw_recommendation``; reviews and the transition log are
records written by the services: viewable, never added, changed or deleted here. A refusal of a
service (``WorkflowError``) is reported as an error message for each refused object, never a
500.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from common.admin import AuditTrailAdmin, AuditTrailInline, ReadOnlyAdminMixin, run_action
from common.exceptions import WorkflowError
from papers.admin import PaperAdmin
from papers.models import Paper
from recommendations import services
from recommendations.models import Recommendation, Review, Transition


class TransitionInline(AuditTrailInline):
    model = Transition


# --- recommendations and reviews ----------------------------------------------------------------


class ReviewInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Review
    fields = ("created_at", "round", "reviewer", "verdict", "comment")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Review]:
        return super().get_queryset(request).select_related("reviewer")


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: members write recommendations; editors act on them with the actions."""

    list_display = (
        "title_display",
        "kind",
        "publication",
        "submitter",
        "topic",
        "status",
        "submitted_at",
    )
    list_filter = ("status", "kind", "publication", "topic")
    search_fields = (
        "paper__arxiv_id",
        "paper__aminer_id",
        "paper__doi",
        "paper__acl_id",
        "paper__openreview_id",
        "paper__s2_id",
        "paper__title",
        "news_title",
        "submitter__username",
        "submitter__display_name",
    )
    list_select_related = ("publication", "paper", "submitter", "topic")
    fields = (
        "publication",
        "kind",
        "paper",
        "news_title",
        "news_url",
        "title_zh",
        "summary",
        "code_url",
        "topic",
        "submitter",
        "status",
        "review_round",
        "created_at",
        "updated_at",
        "submitted_at",
        "decided_at",
    )
    inlines = (ReviewInline, TransitionInline)
    actions = ("accept", "withdraw")

    @admin.display(description=_("title"))
    def title_display(self, recommendation: Recommendation) -> str:
        return recommendation.display_title

    @admin.action(description=_("Accept"))
    def accept(self, request: HttpRequest, queryset: QuerySet[Recommendation]) -> None:
        run_action(
            self,
            request,
            queryset,
            services.accept_recommendation,
            ngettext_lazy(
                "%(count)d recommendation was accepted.",
                "%(count)d recommendations were accepted.",
                "count",
            ),
        )

    @admin.action(description=_("Withdraw"))
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Recommendation]) -> None:
        # Only the submitter may withdraw; the service refuses everyone else, and says so.
        run_action(
            self,
            request,
            queryset,
            services.withdraw_recommendation,
            ngettext_lazy(
                "%(count)d recommendation was withdrawn.",
                "%(count)d recommendations were withdrawn.",
                "count",
            ),
        )


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("recommendation", "round", "reviewer", "verdict", "created_at")
    list_filter = ("verdict",)
    search_fields = ("comment", "reviewer__username", "reviewer__display_name")
    list_select_related = ("recommendation__paper", "reviewer")


@admin.register(Transition)
class TransitionAdmin(AuditTrailAdmin):
    list_display = ("created_at", "subject", "action", "from_status", "to_status", "actor", "note")
    list_select_related = ("recommendation__paper", "actor")

    @admin.display(description=_("recommendation"))
    def subject(self, transition: Transition) -> str:
        return str(transition.recommendation)


# --- the catalogue's editorial actions ----------------------------------------------------------


# The catalogue's admin, with the actions that move other apps' rows: merging two rows.
admin.site.unregister(Paper)


@admin.register(Paper)
class EditorialPaperAdmin(PaperAdmin):
    actions = (*PaperAdmin.actions, "merge")

    @admin.action(description=_("Merge the two selected papers (one paper, two rows)"))
    def merge(self, request: HttpRequest, queryset: QuerySet[Paper]) -> None:
        """The older row is kept; the newer one is merged into it (``merge_papers``). Two
        papers that one published issue shows both need the editor's word on the merge page."""
        papers = list(queryset.order_by("created_at", "pk"))
        if len(papers) != 2:
            self.message_user(request, _("Select exactly two papers to merge."), messages.ERROR)
            return
        into, other = papers
        label = str(other)
        try:
            services.merge_papers(into, other, by=request.user)
        except WorkflowError as error:
            self.message_user(request, f"{label}: {error.message}", messages.ERROR)
            return
        self.message_user(
            request,
            _("%(other)s was merged into %(into)s.") % {"other": label, "into": into},
            messages.SUCCESS,
        )
