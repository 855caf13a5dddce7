"""The editor pages: a publication's issues, the draft builder, publishing and corrections.

Thin views over the services the REST API calls (``issues/api/views.py``), so the rules are the
same: each view finds the issue the user may see (404 otherwise), refuses those who may not edit
it (403), calls one service, and turns its refusal into a message or a form error.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from common.exceptions import NotAllowed, WorkflowError
from common.forms import add_workflow_error
from drafting import selectors as drafting_selectors
from issues import desk, progress, scheduler, services
from issues.enums import IssueStatus, Section
from issues.forms.editor import (
    CorrectionForm,
    EntryCorrectionForm,
    EntryOrderForm,
    IssueTextsForm,
    LeadItemsForm,
    RecommendationChoiceForm,
    ScheduleForm,
)
from issues.history import issue_corrections
from issues.models import Issue, IssueEntry
from issues.selectors import issue_contents, issues_for_editor, visible_issue
from issues.services import ENTRY_CORRECTABLE_FIELDS, ISSUE_EDITABLE_FIELDS
from publications import selectors as publication_selectors
from publications.permissions import can, is_editor_anywhere, refusal
from recommendations import services as recommendation_services
from recommendations.forms.recommendations import EntryRevisionForm
from recommendations.selectors import accepted_recommendations, visible_recommendations

PUBLISHED_PAGE_SIZE = 10
#: Seconds between two polls of the after-publishing panel's script.
PROGRESS_INTERVAL = 5


def _reorder_texts() -> dict[str, str]:
    """What the builder's reordering script (``issues/static/issues/reorder.js``) says, in the
    page's language, as ``data-<name>`` attributes; it fills in the %(…)s itself."""
    return {
        "handle": _("Move “%(title)s”"),
        "handle-text": "↕",
        "picked": _(
            "“%(title)s” picked up, at position %(position)s of %(count)s. Move it with the "
            "arrow keys, Home and End; Space or Enter puts it down, Escape puts it back."
        ),
        "moved": _("“%(title)s”: position %(position)s of %(count)s."),
        "cancelled": _("“%(title)s” is back at position %(position)s of %(count)s."),
        "unchanged": _("“%(title)s” stays at position %(position)s of %(count)s."),
        "saving": _("Saving: “%(title)s” at position %(position)s of %(count)s…"),
        "saved": _("“%(title)s” is at position %(position)s of %(count)s; the order is saved."),
        "failed": _("The new order was not saved: %(reason)s The entries are back in place."),
        "unreachable": _("The site could not be reached."),
        "status": _("The site answered with an error (%(status)s)."),
    }


class EditorMixin(LoginRequiredMixin):
    """Signed-in editors only; the others get 403 with the reason."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().dispatch(request, *args, **kwargs)
        except NotAllowed as error:  # a service's own capability check
            raise PermissionDenied(error.message) from None


class IssueEditorMixin(EditorMixin):
    """Views of one issue, for the editors of its publication."""

    capability = "issues.edit_issue"

    def get_issue(self) -> Issue:
        issue = visible_issue(self.request.user, self.kwargs["pk"])
        if issue is None:
            raise Http404(_("No such issue."))
        if not can(self.request.user, self.capability, issue):
            raise PermissionDenied(refusal(self.capability))
        return issue

    def builder(self, issue: Issue) -> HttpResponse:
        return redirect("editor:issue-builder", pk=issue.pk)


def _with_moves(contents: list[Any]) -> list[dict[str, Any]]:
    """Each entry with the issue's whole order after moving it up or down within its section
    (None where it cannot move), which its Move up / Move down buttons post."""
    ids = [content.entry.pk for content in contents]
    rows = []
    for index, content in enumerate(contents):
        row = {"content": content, "up": None, "down": None}
        for key, other in (("up", index - 1), ("down", index + 1)):
            if 0 <= other < len(contents) and contents[other].section == content.section:
                moved = list(ids)
                moved[index], moved[other] = moved[other], moved[index]
                row[key] = ",".join(map(str, moved))
        rows.append(row)
    return rows


def _builder_page(
    request: HttpRequest,
    issue: Issue,
    *,
    texts_form: IssueTextsForm | None = None,
    schedule_form: ScheduleForm | None = None,
) -> HttpResponse:
    if texts_form is None:
        texts_form = IssueTextsForm(
            initial={name: getattr(issue, name) for name in ISSUE_EDITABLE_FIELDS}
        )
    if schedule_form is None:
        schedule_form = ScheduleForm(initial={"publish_at": issue.publish_at})
    rows = _with_moves(issue_contents(issue))
    topics = list(publication_selectors.topics(issue.publication_id))
    for row in rows:
        recommendation = row["content"].entry.recommendation
        row["revision_form"] = (
            EntryRevisionForm(recommendation=recommendation, topics=topics)
            if recommendation_services.may_revise(recommendation, by=request.user)
            else None
        )
    entries = [
        (row["content"].entry, row["content"].title_zh or row["content"].title) for row in rows
    ]
    context = {
        "leads_form": LeadItemsForm(
            entries=entries,
            initial={"leads": [entry.pk for entry, _title in entries if entry.is_lead]},
        )
        if entries
        else None,
        "issue": issue,
        "publication": issue.publication,
        "texts_form": texts_form,
        "schedule_form": schedule_form,
        "papers": [row for row in rows if row["content"].section == Section.PAPERS],
        "news": [row for row in rows if row["content"].section == Section.NEWS],
        "waiting": list(accepted_recommendations(issue.publication)),
        "publishing_mode": scheduler.publishing_mode(),
        "reorder_texts": _reorder_texts(),
        "scheduler_interval": int(scheduler.INTERVAL),
    }
    return render(request, "issues/editor/builder.html", context)


# --- the publications' issues -------------------------------------------------------------------


class EditorHomeView(EditorMixin, View):
    """The publications the user edits, each with its unpublished and published issues."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_editor_anywhere(request.user):
            raise PermissionDenied(_("Only editors of a publication may open the editor pages."))
        publications = []
        for publication in publication_selectors.publications():
            if not can(request.user, "issues.edit_issue", publication):
                continue
            issues = issues_for_editor(request.user, publication).annotate(
                entry_count=Count("entries")
            )
            unpublished = issues.exclude(status=IssueStatus.PUBLISHED).order_by(
                "status", "publish_at", "-created_at", "-id"
            )
            published = issues.filter(status=IssueStatus.PUBLISHED).order_by("-published_at", "-id")
            page_param = f"{publication.slug}-page"
            page = Paginator(published, PUBLISHED_PAGE_SIZE).get_page(request.GET.get(page_param))
            publications.append(
                {
                    "publication": publication,
                    "unpublished": list(unpublished),
                    "page": page,
                    "page_param": page_param,
                    "links": desk.links_for(publication, request.user),
                }
            )
        context = {
            "publications": publications,
            # A refused key or a missing model, told once here rather than per paper.
            "model_problems": drafting_selectors.backend_problems(),
        }
        return render(request, "issues/editor/home.html", context)


class IssueCreateView(EditorMixin, View):
    """ "New issue": a draft of the publication, opened in the builder."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        publication = get_object_or_404(publication_selectors.publications(), slug=slug)
        # The service checks the capability; EditorMixin turns its refusal into a 403.
        issue = services.create_issue(publication, by=request.user)
        messages.success(request, _("A new draft issue was started."))
        return redirect("editor:issue-builder", pk=issue.pk)


# --- the draft builder --------------------------------------------------------------------------


class IssueBuilderView(IssueEditorMixin, View):
    """An unpublished issue: its texts, its entries in order, what may still go in, and the
    ways to publish it. POST saves the texts."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        issue = self.get_issue()
        if issue.is_published:
            return redirect("editor:issue-correct", pk=issue.pk)
        return _builder_page(request, issue)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        issue = self.get_issue()
        form = IssueTextsForm(request.POST)
        if form.is_valid():
            try:
                services.update_issue(issue, by=request.user, **form.cleaned_data)
            except NotAllowed:
                raise
            except WorkflowError as error:
                add_workflow_error(form, error)
            else:
                messages.success(request, _("The issue's texts are saved."))
                return self.builder(issue)
        return _builder_page(request, issue, texts_form=form)


class IssueActionView(IssueEditorMixin, View):
    """A button of the builder: POST, one service call, back to the builder with a message."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        issue = self.get_issue()
        try:
            done = self.act(issue, **kwargs)
        except NotAllowed:
            raise
        except WorkflowError as error:
            messages.error(request, error.message)
            return self.builder(issue)
        if isinstance(done, HttpResponse):
            return done
        if done:
            messages.success(request, done)
        return self.builder(issue)

    def act(self, issue: Issue, **kwargs: Any) -> str | HttpResponse:
        raise NotImplementedError


class IssueAssembleView(IssueActionView):
    def act(self, issue: Issue, **kwargs: Any) -> str:
        added = services.assemble_issue(issue, by=self.request.user)
        if not added:
            return _("No accepted recommendation is waiting for an issue.")
        return ngettext(
            "%(count)d accepted recommendation was added.",
            "%(count)d accepted recommendations were added.",
            len(added),
        ) % {"count": len(added)}


class IssueLeadsView(IssueActionView):
    def act(self, issue: Issue, **kwargs: Any) -> str:
        entries = [(entry, str(entry.pk)) for entry in issue.entries.all()]
        form = LeadItemsForm(self.request.POST, entries=entries)
        if not form.is_valid():
            raise BadRequest(_("Choose lead items among this issue's entries."))
        services.choose_lead_items(
            issue, by=self.request.user, entry_ids=form.cleaned_data["leads"]
        )
        return _("The lead items are chosen.")


class EntryAddView(IssueActionView):
    capability = "recommendations.schedule_recommendation"

    def act(self, issue: Issue, **kwargs: Any) -> str:
        form = RecommendationChoiceForm(self.request.POST)
        if not form.is_valid():
            raise BadRequest(_("Choose a recommendation to add."))
        wanted = form.cleaned_data["recommendation"]
        recommendation = visible_recommendations(self.request.user).filter(pk=wanted)
        found = recommendation.first()
        if found is None:
            raise Http404(_("No recommendation you may see has this number."))
        services.schedule_recommendation(found, issue=issue, by=self.request.user)
        return _("“%(title)s” was added to the issue.") % {"title": found.display_title}


class EntryRemoveView(IssueActionView):
    capability = "recommendations.schedule_recommendation"

    def act(self, issue: Issue, entry_id: int = 0, **kwargs: Any) -> str:
        entry = (
            IssueEntry.objects.filter(issue=issue, pk=entry_id)
            .select_related("issue", "recommendation__paper")
            .first()
        )
        if entry is None:  # taken out meanwhile, by a double click or another editor
            messages.warning(self.request, _("This entry is no longer in the issue."))
            return ""
        recommendation = services.unschedule_recommendation(entry, by=self.request.user)
        return _("“%(title)s” was taken out; it waits for a later issue.") % {
            "title": recommendation.display_title
        }


class EntryReorderView(IssueActionView):
    """The entries' new order: from a Move up / Move down button (back to the builder, at the
    moved entry), or from the builder's script (``issues/static/issues/reorder.js``), which asks
    for JSON and stays on the page: ``{"order": [ids], "message"}``, or ``{"error": {"code",
    "message"}}`` with the status of the refusal."""

    def post(self, request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        if request.get_preferred_type(["text/html", "application/json"]) != "application/json":
            return super().post(request, pk, **kwargs)
        issue = self.get_issue()
        try:
            message = self.act(issue)
        except NotAllowed:
            raise
        except BadRequest as error:
            return JsonResponse({"error": {"code": "invalid", "message": str(error)}}, status=400)
        except WorkflowError as error:
            return JsonResponse(
                {"error": {"code": error.code, "message": error.message}},
                status=error.http_status,
            )
        order = issue.entries.order_by("section", "position", "pk").values_list("pk", flat=True)
        return JsonResponse({"order": list(order), "message": message})

    def act(self, issue: Issue, **kwargs: Any) -> str:
        form = EntryOrderForm(self.request.POST)
        if not form.is_valid():
            raise BadRequest(_("The new order of the entries could not be read."))
        services.reorder_issue_entries(
            issue, by=self.request.user, entry_ids=form.cleaned_data["order"]
        )
        return _("The entries were reordered.")

    def builder(self, issue: Issue) -> HttpResponse:
        # Back where the editor was: at the entry moved, not at the top of the page.
        moved = self.request.POST.get("entry", "")
        if moved.isascii() and moved.isdigit():
            return redirect(reverse("editor:issue-builder", args=[issue.pk]) + f"#entry-{moved}")
        return super().builder(issue)


class IssueScheduleView(IssueActionView):
    capability = "issues.schedule_issue"

    def act(self, issue: Issue, **kwargs: Any) -> str | HttpResponse:
        form = ScheduleForm(self.request.POST)
        if form.is_valid():
            try:
                services.schedule_issue(
                    issue, by=self.request.user, publish_at=form.cleaned_data["publish_at"]
                )
            except WorkflowError as error:
                if error.field != "publish_at":
                    raise
                add_workflow_error(form, error)
            else:
                return _("The issue will be published at %(time)s.") % {
                    "time": form.cleaned_data["publish_at"].strftime("%Y-%m-%d %H:%M %Z")
                }
        return _builder_page(self.request, issue, schedule_form=form)


class IssueUnscheduleView(IssueActionView):
    capability = "issues.schedule_issue"

    def act(self, issue: Issue, **kwargs: Any) -> str:
        services.unschedule_issue(issue, by=self.request.user)
        return _("The issue is a draft again; it will not be published automatically.")


class IssuePublishView(IssueEditorMixin, View):
    """ "Publish now": GET asks for confirmation, POST publishes and opens the published issue."""

    capability = "issues.publish_issue"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        issue = self.get_issue()
        if issue.is_published:
            messages.info(request, _("This issue is already published."))
            return redirect(issue.get_absolute_url())
        contents = issue_contents(issue)
        return render(
            request,
            "issues/editor/publish_confirm.html",
            {
                "issue": issue,
                "publication": issue.publication,
                "paper_count": sum(1 for c in contents if not c.is_news),
                "news_count": sum(1 for c in contents if c.is_news),
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        issue = self.get_issue()
        try:
            services.publish_issue(issue, by=request.user)
        except NotAllowed:
            raise
        except WorkflowError as error:
            messages.error(request, error.message)
            if issue.is_published:
                return redirect(issue.get_absolute_url())
            return self.builder(issue)
        messages.success(request, _("Issue %(number)d is published.") % {"number": issue.number})
        return redirect(issue.get_absolute_url())


# --- corrections --------------------------------------------------------------------------------


def _changed(form: Any, data: Any) -> dict[str, Any]:
    """The fields the member changed; a field the request did not send at all is left as it
    is, so a partial or forged POST never blanks what readers see."""
    return {
        name: form.cleaned_data[name] for name in form.changed_data if form.add_prefix(name) in data
    }


class IssueCorrectView(IssueEditorMixin, View):
    """A published issue's corrections: the form to make one, and those made so far."""

    capability = "issues.correct_issue"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        issue = self.get_issue()
        if not issue.is_published:
            return self.builder(issue)
        contents = issue_contents(issue)
        return self.page(issue, contents, *self.forms(issue, contents))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        issue = self.get_issue()
        if not issue.is_published:
            messages.error(request, _("Only a published issue is corrected; edit this one."))
            return self.builder(issue)
        contents = issue_contents(issue)
        form, entry_forms = self.forms(issue, contents, data=request.POST)
        if form.is_valid() and all(f.is_valid() for _c, f in entry_forms):
            fields = _changed(form, request.POST)
            fields.pop("note", None)
            entries = {
                content.entry.pk: changed
                for content, entry_form in entry_forms
                if (changed := _changed(entry_form, request.POST))
            }
            try:
                services.correct_issue(
                    issue,
                    by=request.user,
                    note=form.cleaned_data["note"],
                    fields=fields,
                    entries=entries,
                )
            except NotAllowed:
                raise
            except WorkflowError as error:
                add_workflow_error(form, error)
            else:
                messages.success(request, _("The correction is published with the issue."))
                return redirect(reverse("editor:issue-correct", kwargs={"pk": issue.pk}))
        return self.page(issue, contents, form, entry_forms)

    def forms(
        self, issue: Issue, contents: list[Any], data: Any = None
    ) -> tuple[CorrectionForm, list[tuple[Any, EntryCorrectionForm]]]:
        form = CorrectionForm(
            data, initial={name: getattr(issue, name) for name in ISSUE_EDITABLE_FIELDS}
        )
        entry_forms = [
            (
                content,
                EntryCorrectionForm(
                    data,
                    prefix=f"entry-{content.entry.pk}",
                    initial={
                        name: getattr(content.entry, name) for name in ENTRY_CORRECTABLE_FIELDS
                    },
                ),
            )
            for content in contents
        ]
        return form, entry_forms

    def page(
        self,
        issue: Issue,
        contents: list[Any],
        form: CorrectionForm,
        entry_forms: list[tuple[Any, EntryCorrectionForm]],
    ) -> HttpResponse:
        progresses = progress.progress_of(issue)
        return render(
            self.request,
            "issues/editor/correct.html",
            {
                "issue": issue,
                "publication": issue.publication,
                "form": form,
                "entry_forms": entry_forms,
                "corrections": issue_corrections(issue, [c.entry for c in contents]),
                "progress": progresses,
                "progress_done": all(p.done for p in progresses),
                "progress_interval": PROGRESS_INTERVAL,
            },
        )


class IssueProgressView(IssueEditorMixin, View):
    """What became of a published issue (the newsletter's mailing, the webhooks' calls), as
    JSON: the after-publishing panel's script (``issues/static/issues/progress.js``) polls it."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        issue = self.get_issue()
        progresses = progress.progress_of(issue)
        return JsonResponse(
            {
                "issue": issue.pk,
                "published": issue.is_published,
                "done": all(p.done for p in progresses),
                "progress": [p.as_dict() for p in progresses],
            }
        )
