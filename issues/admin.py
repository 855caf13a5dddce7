"""Admin for issues, their entries, corrections and audit trail.

Issues are created and edited through ``create_issue`` and ``update_issue``; the entries of an
unpublished issue are reordered and removed through ``reorder_issue_entries`` and
``unschedule_recommendation`` (entries are added by scheduling accepted recommendations on the
editor pages); "Publish now" and "Unschedule" are actions; a published issue is read-only.
Entries, corrections and the transition log are records written by the services: viewable,
never added, changed or deleted here.

A refusal of a service (``WorkflowError``) is reported as an error message, never a 500: actions
report each refused object, and a refused save of the issue form is rolled back and reported
(``IssueAdmin.changeform_view``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from common.admin import AuditTrailAdmin, AuditTrailInline, ReadOnlyAdminMixin, run_action
from common.exceptions import WorkflowError
from common.validators import validate_no_control_characters
from issues import services
from issues.enums import EDITABLE_ISSUE_STATES
from issues.history import ChangeLine, describe_corrections
from issues.models import (
    CoRecommendation,
    Correction,
    CreditedName,
    Issue,
    IssueEntry,
    IssueTransition,
)
from publications.models import Publication
from publications.permissions import can
from publications.selectors import publications_where

# --- issues -------------------------------------------------------------------------------------


class IssueTransitionInline(AuditTrailInline):
    model = IssueTransition


def _is_editable(issue: Issue | None) -> bool:
    return issue is None or issue.status in EDITABLE_ISSUE_STATES


class IssueEntryInline(admin.TabularInline):
    """An unpublished issue's entries may be reordered and removed; a published one's only shown.

    The formset itself writes nothing: ``IssueAdmin.save_formset`` calls the services.
    """

    model = IssueEntry
    fields = ("section", "position", "recommendation", "submitter", "shown_title")
    readonly_fields = ("section", "recommendation", "submitter", "shown_title")
    ordering = ("section", "position", "id")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[IssueEntry]:
        return (
            super()
            .get_queryset(request)
            .select_related("recommendation__paper", "recommendation__submitter")
        )

    @admin.display(description=_("contributor"))
    def submitter(self, entry: IssueEntry) -> str:
        return str(entry.recommendation.submitter) if entry.recommendation else "—"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Entries come from scheduling accepted recommendations (schedule_recommendation).
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_editable(obj) and super().has_delete_permission(request, obj)


class IssueAdminForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = ("publication", *services.ISSUE_EDITABLE_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The service refuses these too; checking here keeps the editor's input on the page.
        for name in services.ISSUE_EDITABLE_FIELDS:
            if name in self.fields:
                self.fields[name].validators.append(validate_no_control_characters)


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    """Issues are written through the services only.

    ``save_model`` calls ``create_issue`` or ``update_issue``; ``save_formset`` removes and
    reorders entries through their services. All of it runs inside the admin's transaction for
    the form, so when a service refuses, ``changeform_view`` lets that transaction roll back,
    reports the refusal and shows the form again: nothing of the save is kept.
    """

    form = IssueAdminForm
    list_display = (
        "__str__",
        "publication",
        "status",
        "number",
        "entry_count",
        "publish_at",
        "published_at",
    )
    list_filter = ("status", "publication")
    search_fields = ("title", "intro_zh", "intro_en", "credits")
    list_select_related = ("publication",)
    readonly_fields = (
        "status",
        "number",
        "publish_at",
        "published_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("publication", *services.ISSUE_EDITABLE_FIELDS)}),
        (
            _("Workflow"),
            {
                "fields": (
                    "status",
                    "number",
                    "publish_at",
                    "published_at",
                    "created_by",
                    ("created_at", "updated_at"),
                )
            },
        ),
    )
    inlines = (IssueEntryInline, IssueTransitionInline)
    actions = ("publish_now", "unschedule")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Issue]:
        # No select_related here: the changelist applies list_select_related only to a queryset
        # that has none yet.
        return super().get_queryset(request).annotate(entry_count=Count("entries"))

    @admin.display(description=_("entries"), ordering="entry_count")
    def entry_count(self, issue: Issue) -> int:
        return issue.entry_count

    def get_readonly_fields(self, request: HttpRequest, obj: Issue | None = None) -> Any:
        fields = super().get_readonly_fields(request, obj)
        # update_issue keeps an issue in its publication.
        return (*fields, "publication") if obj is not None else fields

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "publication":
            ids = publications_where(request.user, "issues.create_issue")
            kwargs["queryset"] = Publication.objects.filter(pk__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- permissions: the capabilities of issues.permissions, on top of Django's ---------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and bool(
            publications_where(request.user, "issues.create_issue")
        )

    def has_change_permission(self, request: HttpRequest, obj: Issue | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        if obj is None:
            return allowed
        # A published issue is changed only by a recorded correction, not by this form.
        return allowed and _is_editable(obj) and can(request.user, "issues.edit_issue", obj)

    def has_delete_permission(self, request: HttpRequest, obj: Issue | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        if obj is None:
            return allowed
        return allowed and not obj.is_published and can(request.user, "issues.edit_issue", obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # The log admin refuses deletion; an unpublished issue's own log rows go with it.
        perms_needed.discard(IssueTransition._meta.verbose_name)
        for issue in objs:
            if issue.is_published:
                protected.append(
                    gettext("%(issue)s: a published issue is never deleted.") % {"issue": issue}
                )
            elif issue.entries.exists():
                # Deleting the entries would leave their recommendations scheduled into nothing.
                protected.append(
                    gettext(
                        "%(issue)s: remove its entries first, so that their recommendations "
                        "return to the accepted ones."
                    )
                    % {"issue": issue}
                )
        return deleted, counts, perms_needed, protected

    # --- saving through the services ------------------------------------------------------------

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except WorkflowError as error:
            # Raised inside the admin's transaction, which has been rolled back on the way here.
            message = error.message
            if error.field in services.ISSUE_EDITABLE_FIELDS:
                label = Issue._meta.get_field(error.field).verbose_name
                message = f"{label}: {message}"
            self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Issue, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in services.ISSUE_EDITABLE_FIELDS}
        if not change:
            issue = services.create_issue(
                form.cleaned_data["publication"], by=request.user, **values
            )
        else:
            changed = {name: v for name, v in values.items() if name in form.changed_data}
            if not changed:
                return
            # The form has already copied the new values onto ``obj``: the service gets the row
            # as stored, to compare with and to compare-and-set its status on.
            issue = services.update_issue(Issue.objects.get(pk=obj.pk), by=request.user, **changed)
        # The admin goes on with ``obj`` (log entry, redirect, inline formsets): make it the row.
        for field in Issue._meta.concrete_fields:
            setattr(obj, field.attname, getattr(issue, field.attname))
        obj._state.adding = False
        obj._state.db = issue._state.db

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not IssueEntry:
            super().save_formset(request, form, formset, change)
            return
        # commit=False writes nothing; it fills in the lists the admin's change message reads.
        formset.save(commit=False)
        for entry in formset.deleted_objects:
            services.unschedule_recommendation(entry, by=request.user)
        kept = [f for f in formset.initial_forms if f not in formset.deleted_forms]
        if any("position" in f.changed_data for f in kept):
            kept.sort(
                key=lambda f: (
                    f.instance.section,
                    f.cleaned_data["position"],
                    f.initial["position"],
                    f.instance.pk,
                )
            )
            services.reorder_issue_entries(
                form.instance, by=request.user, entry_ids=[f.instance.pk for f in kept]
            )

    # --- actions ----------------------------------------------------------------------------------

    @admin.action(description=_("Publish now"))
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Issue]) -> None:
        run_action(
            self,
            request,
            # Oldest first, so that issues published together are numbered in creation order.
            queryset.order_by("created_at", "id"),
            services.publish_issue,
            ngettext_lazy(
                "%(count)d issue was published.", "%(count)d issues were published.", "count"
            ),
        )

    @admin.action(description=_("Unschedule"))
    def unschedule(self, request: HttpRequest, queryset: QuerySet[Issue]) -> None:
        run_action(
            self,
            request,
            queryset,
            services.unschedule_issue,
            ngettext_lazy(
                "%(count)d issue was unscheduled.", "%(count)d issues were unscheduled.", "count"
            ),
        )


class CoRecommendationInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The other members' recommendations of the paper, credited on the entry."""

    model = CoRecommendation
    fields = ("recommendation", "joined_at")
    readonly_fields = fields
    extra = 0


@admin.register(IssueEntry)
class IssueEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: entries are changed on their issue's page."""

    inlines = (CoRecommendationInline,)

    list_display = ("issue", "section", "position", "recommendation", "shown_title")
    list_filter = ("section", "issue__publication")
    search_fields = ("shown_title", "recommendation__paper__title", "recommendation__news_title")
    list_select_related = ("issue__publication", "recommendation__paper")


@admin.register(CreditedName)
class CreditedNameAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: imports write the names, members claim them on the publication's page of
    names; "Confirm the claim" is the editors' action (``confirm_credited_name``)."""

    list_display = ("name", "publication", "member", "claimed_by", "claimed_at", "confirmed_by")
    list_filter = ("publication",)
    search_fields = ("name",)
    list_select_related = ("publication", "member", "claimed_by", "confirmed_by")
    fields = (
        "publication",
        "name",
        "member",
        "claimed_by",
        "claimed_at",
        "confirmed_by",
        "confirmed_at",
        "created_at",
    )
    actions = ("confirm_claim",)

    @admin.action(description=_("Confirm the claim"))
    def confirm_claim(self, request: HttpRequest, queryset: QuerySet[CreditedName]) -> None:
        run_action(
            self,
            request,
            queryset.select_related("publication"),
            services.confirm_credited_name,
            ngettext_lazy(
                "%(count)d claim was confirmed.", "%(count)d claims were confirmed.", "count"
            ),
        )


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: corrections are written by ``correct_issue`` together with the change.

    The changes are told as on the correction page ("summary of entry 3"), not as stored (field
    names and entry ids, which the API returns).
    """

    list_display = ("issue", "created_at", "author", "note", "changed_fields")
    search_fields = ("note",)
    list_select_related = ("issue__publication", "author")
    fields = ("issue", "author", "created_at", "note", "what_changed")
    readonly_fields = ("created_at", "what_changed")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Correction]:
        entries = IssueEntry.objects.only("pk", "issue_id", "section", "position")
        return super().get_queryset(request).prefetch_related(Prefetch("issue__entries", entries))

    def _changes(self, correction: Correction) -> list[ChangeLine]:
        [described] = describe_corrections([correction], correction.issue.entries.all())
        return described.changes

    @admin.display(description=_("changed"))
    def changed_fields(self, correction: Correction) -> str:
        return ", ".join(change.label for change in self._changes(correction))

    @admin.display(description=_("what changed"))
    def what_changed(self, correction: Correction) -> str:
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}: <del>{}</del> → <ins>{}</ins></li>",
                (
                    (capfirst(c.label), Truncator(c.old).chars(300), Truncator(c.new).chars(300))
                    for c in self._changes(correction)
                ),
            ),
        )


@admin.register(IssueTransition)
class IssueTransitionAdmin(AuditTrailAdmin):
    list_display = ("created_at", "issue", "action", "from_status", "to_status", "actor", "note")
    list_select_related = ("issue__publication", "actor")
