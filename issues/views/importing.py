"""The editor's page that imports a past issue: the pasted text, its dry run side by side with
it, and the import on confirmation (``issues.services.importing``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from common.exceptions import NotAllowed, WorkflowError
from common.forms import add_workflow_error
from issues import selectors, services
from issues.forms.importing import ImportIssueForm
from issues.views.editor import EditorMixin
from publications import selectors as publication_selectors
from publications.models import Publication
from publications.permissions import can, refusal


class IssueImportView(EditorMixin, View):
    """GET: the form. POST: the dry run of the text, shown beside it, with a button that posts
    it again with ``confirm``; POST with ``confirm``: the import, then the issue's page."""

    capability = "issues.import_issue"

    def publication(self) -> Publication:
        publication = get_object_or_404(
            publication_selectors.publications(), slug=self.kwargs["slug"]
        )
        if not can(self.request.user, self.capability, publication):
            raise PermissionDenied(refusal(self.capability))
        return publication

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self.page(self.publication(), ImportIssueForm())

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        publication = self.publication()
        form = ImportIssueForm(request.POST)
        if not form.is_valid():
            return self.page(publication, form)
        text, number, date = (form.cleaned_data[k] for k in ("text", "number", "date"))
        plan = services.plan_import(publication, text, number=number, date=date)
        if "confirm" in request.POST and not plan.errors:
            try:
                outcome = services.import_issue(
                    publication, text, by=request.user, number=number, date=date
                )
            except WorkflowError as error:
                add_workflow_error(form, error)
            else:
                if outcome.created:
                    messages.success(
                        request,
                        _("Issue %(number)s was imported with %(count)s entries.")
                        % {"number": outcome.issue.number, "count": len(plan.parsed.entries)},
                    )
                else:
                    messages.info(request, _("This text was imported before; nothing changed."))
                return redirect(outcome.issue.get_absolute_url())
        return self.page(publication, form, plan=plan, text=text)

    def page(self, publication: Publication, form: ImportIssueForm, **context: Any) -> HttpResponse:
        text = context.get("text", "")
        plan = context.get("plan")
        doubtful = {d.line for d in plan.parsed.doubts} if plan else set()
        dropped = {n for n, _line in plan.parsed.dropped} if plan else set()
        lines = [
            {"number": n, "text": line, "doubt": n in doubtful, "dropped": n in dropped}
            for n, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1)
            if text
        ]
        context = {"publication": publication, "form": form, "plan": plan, "lines": lines}
        return render(self.request, "issues/editor/import.html", context)


class CreditedNamesView(LoginRequiredMixin, View):
    """The names a publication's imported issues credit: a member claims one as theirs, an
    editor of the publication confirms or refuses the claim (POST ``action`` and ``name``)."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        publication = get_object_or_404(publication_selectors.publications(), slug=slug)
        return render(
            request,
            "issues/credited_names.html",
            {
                "publication": publication,
                "names": selectors.credited_names_to_show(publication, request.user),
                "can_confirm": can(request.user, "issues.confirm_credited_name", publication),
            },
        )

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        publication = get_object_or_404(publication_selectors.publications(), slug=slug)
        credited = get_object_or_404(
            publication.credited_names.select_related("publication"),
            pk=request.POST.get("name") if str(request.POST.get("name", "")).isdigit() else 0,
        )
        action = request.POST.get("action")
        try:
            if action == "claim":
                services.claim_credited_name(credited, by=request.user)
                messages.success(request, _("Your claim is recorded; an editor will confirm it."))
            elif action in ("confirm", "refuse"):
                services.confirm_credited_name(
                    credited, by=request.user, accept=action == "confirm"
                )
                messages.success(request, _("The claim is decided."))
        except NotAllowed as error:
            raise PermissionDenied(error.message) from None
        except WorkflowError as error:
            messages.error(request, error.message)
        return redirect("issues:credited-names", slug=publication.slug)
