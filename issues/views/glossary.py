"""The institution glossary's editor pages: the institutions without a Chinese short form, each
named in one click, and the glossary itself, searched and edited.

The glossary is the whole site's: any publication's editor may keep it (``issues.edit_glossary``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from common.exceptions import WorkflowError
from common.forms import add_workflow_error
from drafting import selectors as drafting_selectors
from issues import selectors
from issues.forms.glossary import GlossaryEntryForm, InstitutionNameForm
from issues.services import glossary as services
from issues.views.editor import EditorMixin
from papers.models import Institution, InstitutionGlossaryEntry
from publications.permissions import can, refusal

GLOSSARY_PAGE_SIZE = 50
CAPABILITY = "issues.edit_glossary"


class GlossaryMixin(EditorMixin):
    """Signed-in editors of any publication; the others get 403 with the reason."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not can(request.user, CAPABILITY):
            raise PermissionDenied(refusal(CAPABILITY))
        return super().dispatch(request, *args, **kwargs)


def _proposal_note(institution: Institution, short_zh: str) -> str:
    """What the audit row adds when a model's draft proposed a short form for ``institution``:
    the model, and whether the editor took the proposal as it was or edited it."""
    proposals = drafting_selectors.short_form_proposals([institution]).get(institution.pk)
    if not proposals:
        return ""
    for proposal in proposals:
        if " ".join(short_zh.split()) == proposal.short_zh:
            return f"(as proposed by the language model {proposal.model})"
    newest = proposals[0]
    return f"(edited from {newest.short_zh}, proposed by the language model {newest.model})"


class InstitutionsUnnamedView(GlossaryMixin, View):
    """The institutions of recommended papers with no Chinese short form, most frequent first,
    each with a one-field form that names it (its glossary entry made or changed). The newest
    short form a model's draft proposed fills the form, marked as the model's; every distinct
    one is listed with how many drafts proposed it and for which papers, each taken in one
    click. The glossary takes one only when the editor submits it, as proposed or edited."""

    def _page(
        self, request: HttpRequest, *, failed: InstitutionNameForm | None = None, status: int = 200
    ) -> HttpResponse:
        unnamed, total = selectors.institutions_to_name()
        failed_id = failed.data.get("institution") if failed is not None else None
        proposals = drafting_selectors.short_form_proposals(i for i, _count in unnamed)
        rows = []
        for institution, count in unnamed:
            found = proposals.get(institution.pk, [])
            proposal = found[0] if found else None
            initial = {"institution": institution.pk}
            if proposal is not None:
                initial["short_zh"] = proposal.short_zh
            form = (
                failed
                if failed is not None and str(institution.pk) == str(failed_id)
                else InstitutionNameForm(initial=initial, auto_id=f"id_{institution.pk}_%s")
            )
            rows.append(
                {
                    "institution": institution,
                    "count": count,
                    "form": form,
                    "proposal": proposal,
                    # Every distinct proposal, newest first: the others named in one click too.
                    "proposals": found,
                }
            )
        context = {"rows": rows, "total": total, "failed": failed}
        return render(request, "issues/editor/institutions_unnamed.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = InstitutionNameForm(request.POST)
        institution = None
        if form.is_valid():
            institution = Institution.objects.filter(pk=form.cleaned_data["institution"]).first()
            if institution is None:
                form.add_error(None, _("There is no such institution."))
        if form.is_valid() and institution is not None:
            try:
                entry = services.name_institution(
                    institution,
                    by=request.user,
                    short_zh=form.cleaned_data["short_zh"],
                    short_en=form.cleaned_data["short_en"],
                    note=_proposal_note(institution, form.cleaned_data["short_zh"]),
                )
            except WorkflowError as error:
                add_workflow_error(form, error)
            else:
                messages.success(
                    request,
                    _("“%(name)s” is now written %(short)s (glossary: %(entry)s).")
                    % {"name": institution.name, "short": entry.short_zh, "entry": entry.name},
                )
                return redirect("editor:institutions-unnamed")
        messages.error(
            request,
            _("The institution was not named: %(reasons)s")
            % {"reasons": " ".join(str(e) for errors in form.errors.values() for e in errors)},
        )
        return self._page(request, failed=form, status=400)


class GlossaryListView(GlossaryMixin, View):
    """The glossary, searched by any of its names, a page at a time."""

    def get(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("q", "")[:200]
        page = Paginator(selectors.glossary_entries(query), GLOSSARY_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(request, "issues/editor/glossary.html", {"page": page, "query": query})


class GlossaryEntryView(GlossaryMixin, View):
    """One entry of the glossary, new (no ``pk``) or changed."""

    def _entry(self, pk: int | None) -> InstitutionGlossaryEntry | None:
        return get_object_or_404(InstitutionGlossaryEntry, pk=pk) if pk else None

    def _page(
        self,
        request: HttpRequest,
        entry: InstitutionGlossaryEntry | None,
        form: GlossaryEntryForm,
        status: int = 200,
    ) -> HttpResponse:
        context = {"entry": entry, "form": form}
        return render(request, "issues/editor/glossary_entry.html", context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        entry = self._entry(pk)
        initial: dict[str, Any] = {}
        if entry is not None:
            initial = {
                "name": entry.name,
                "short_zh": entry.short_zh,
                "short_en": entry.short_en,
                "ror_id": entry.ror_id or "",
                "aliases": "\n".join(entry.aliases or []),
            }
        return self._page(request, entry, GlossaryEntryForm(initial=initial))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        entry = self._entry(pk)
        form = GlossaryEntryForm(request.POST)
        if form.is_valid():
            try:
                saved = services.save_glossary_entry(
                    entry, by=request.user, **form.service_fields()
                )
            except WorkflowError as error:
                add_workflow_error(form, error)
            else:
                messages.success(
                    request, _("The glossary entry “%(name)s” is saved.") % {"name": saved.name}
                )
                return redirect(reverse("editor:glossary") + "?" + urlencode({"q": saved.name}))
        if entry is not None:
            entry.refresh_from_db()
        return self._page(request, entry, form, status=400)
