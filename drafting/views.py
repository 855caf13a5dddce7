"""The publication's voice, for its editors: the house style, the glossary, the prompts with a
preview on a sample paper; and the drafts of an entry, asked for and polled by its forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from common.exceptions import WorkflowError
from common.forms import add_workflow_error
from drafting import selectors, services
from drafting.backend import drafting_enabled
from drafting.enums import FINAL_DRAFT_STATUSES, DraftStatus
from drafting.forms import GlossaryTermForm, HouseStyleForm, PromptTemplateForm
from drafting.models import Draft, GlossaryTerm
from drafting.offers import draft_note
from drafting.prompts import DEFAULT_INSTRUCTIONS, build_messages
from papers.models import Paper
from publications import selectors as publication_selectors
from publications.models import Publication
from publications.permissions import can, refusal

CAPABILITY = "drafting.edit_voice"
REQUEST_CAPABILITY = "drafting.request_draft"
VIEW_CAPABILITY = "drafting.view_draft"


class _VoiceMixin(LoginRequiredMixin):
    request: HttpRequest

    def _publication(self, slug: str) -> Publication:
        publication = get_object_or_404(publication_selectors.publications(), slug=slug)
        if not can(self.request.user, CAPABILITY, publication):
            raise PermissionDenied(refusal(CAPABILITY))
        return publication


def _house_style_initial(publication: Publication) -> dict[str, Any]:
    row = selectors.house_style_settings(publication)
    return {
        "spacing": row.spacing,
        "summary_min_length": row.summary_min_length,
        "summary_max_length": row.summary_max_length,
        "title_max_length": row.title_max_length,
        "drafts_enabled": row.drafts_enabled,
        "show_draft_note": row.show_draft_note,
    }


class VoiceView(_VoiceMixin, View):
    """The house style and the glossary, with forms to change them."""

    def _page(
        self,
        request: HttpRequest,
        publication: Publication,
        *,
        style_form: HouseStyleForm | None = None,
        term_form: GlossaryTermForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        prompt = selectors.current_prompt(publication)
        context = {
            "publication": publication,
            "style_form": style_form or HouseStyleForm(initial=_house_style_initial(publication)),
            "term_form": term_form or GlossaryTermForm(),
            "terms": selectors.glossary_of(publication),
            "prompt": prompt,
            "model_problems": selectors.backend_problems(),
        }
        return render(request, "drafting/voice.html", context, status=status)

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self._page(request, self._publication(slug))

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        publication = self._publication(slug)
        if request.POST.get("form") == "style":
            form = HouseStyleForm(request.POST)
            if form.is_valid():
                try:
                    services.set_house_style(publication, by=request.user, **form.cleaned_data)
                except WorkflowError as error:
                    add_workflow_error(form, error)
                else:
                    messages.success(request, _("The house style is saved."))
                    return redirect("drafting:voice", slug=publication.slug)
            return self._page(request, publication, style_form=form, status=400)
        term_form = GlossaryTermForm(request.POST)
        if term_form.is_valid():
            try:
                term = services.add_glossary_term(
                    publication, by=request.user, **term_form.cleaned_data
                )
            except WorkflowError as error:
                add_workflow_error(term_form, error)
            else:
                messages.success(
                    request, _("“%(term)s” is added to the glossary.") % {"term": term.term}
                )
                return redirect("drafting:voice", slug=publication.slug)
        return self._page(request, publication, term_form=term_form, status=400)


class GlossaryTermEditView(_VoiceMixin, View):
    def _term(self, slug: str, pk: int) -> GlossaryTerm:
        publication = self._publication(slug)
        return get_object_or_404(GlossaryTerm, publication=publication, pk=pk)

    def _page(
        self, request: HttpRequest, term: GlossaryTerm, form: GlossaryTermForm, status: int = 200
    ) -> HttpResponse:
        context = {"publication": term.publication, "term": term, "form": form}
        return render(request, "drafting/glossary_term.html", context, status=status)

    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        term = self._term(slug, pk)
        initial = {"term": term.term, "translation": term.translation, "avoid": term.avoid}
        return self._page(request, term, GlossaryTermForm(initial=initial))

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        term = self._term(slug, pk)
        form = GlossaryTermForm(request.POST)
        if form.is_valid():
            try:
                services.update_glossary_term(term, by=request.user, **form.cleaned_data)
            except WorkflowError as error:
                add_workflow_error(form, error)
            else:
                messages.success(request, _("“%(term)s” is saved.") % {"term": term.term})
                return redirect("drafting:voice", slug=slug)
        return self._page(request, term, form, status=400)


class GlossaryTermDeleteView(GlossaryTermEditView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        term = self._term(slug, pk)
        services.delete_glossary_term(term, by=request.user)
        messages.success(
            request, _("“%(term)s” is removed from the glossary.") % {"term": term.term}
        )
        return redirect("drafting:voice", slug=slug)


class PromptTemplateView(_VoiceMixin, View):
    """The instructions to the model, their versions, and the messages they make for a sample
    paper ("Preview" shows them for the text in the form, saving nothing)."""

    def _page(
        self,
        request: HttpRequest,
        publication: Publication,
        form: PromptTemplateForm,
        *,
        instructions: str,
        examples: int,
        status: int = 200,
    ) -> HttpResponse:
        sample = selectors.sample_paper()
        context = selectors.prompt_context(publication, examples=examples)
        page = {
            "publication": publication,
            "form": form,
            "versions": selectors.prompt_templates(publication),
            "sample": sample,
            "preview": build_messages(instructions, context, sample),
        }
        return render(request, "drafting/prompt.html", page, status=status)

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        publication = self._publication(slug)
        current = selectors.current_prompt(publication)
        instructions = current.instructions if current else DEFAULT_INSTRUCTIONS
        examples = current.examples if current else 3
        form = PromptTemplateForm(initial={"instructions": instructions, "examples": examples})
        return self._page(request, publication, form, instructions=instructions, examples=examples)

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        publication = self._publication(slug)
        form = PromptTemplateForm(request.POST)
        if not form.is_valid():
            current = selectors.current_prompt(publication)
            instructions = current.instructions if current else DEFAULT_INSTRUCTIONS
            return self._page(
                request, publication, form, instructions=instructions, examples=0, status=400
            )
        values = form.cleaned_data
        if request.POST.get("action") == "preview":
            return self._page(
                request,
                publication,
                form,
                instructions=values["instructions"],
                examples=values["examples"],
            )
        try:
            template = services.save_prompt_template(publication, by=request.user, **values)
        except WorkflowError as error:
            add_workflow_error(form, error)
            return self._page(
                request,
                publication,
                form,
                instructions=values["instructions"],
                examples=values["examples"],
                status=400,
            )
        messages.success(
            request,
            _("Version %(version)d of the prompt is saved and in use.")
            % {"version": template.version},
        )
        return redirect("drafting:prompt", slug=publication.slug)


# --- drafts of an entry -------------------------------------------------------------------------


def _draft_target(request: HttpRequest, slug: str, paper: int) -> tuple[Publication, Paper]:
    if not drafting_enabled():
        raise Http404(_("This site asks no language model for drafts."))
    publication = get_object_or_404(publication_selectors.publications(), slug=slug)
    if not can(request.user, REQUEST_CAPABILITY, publication):
        raise PermissionDenied(refusal(REQUEST_CAPABILITY))
    return publication, get_object_or_404(Paper, pk=paper)


def draft_status(draft: Draft | None) -> dict[str, Any]:
    """What the form's script is told of a draft (``drafting/static/drafting/drafts.js``)."""
    if draft is None:
        return {"status": "", "label": "", "final": True, "fields": {}}
    ready = draft.status == DraftStatus.READY
    fields = {}
    if ready:
        fields = {
            "title_zh": draft.title_zh,
            "summary": draft.summary_zh,
            "subject_zh": draft.subject_zh,
            "subject_en": draft.subject_en,
            "topic": str(draft.topic_id or ""),
        }
    return {
        "status": draft.status,
        "label": str(draft.get_status_display()),
        "final": draft.status in FINAL_DRAFT_STATUSES,
        "reason": draft.reason if draft.status in (DraftStatus.REFUSED, DraftStatus.FAILED) else "",
        "note": draft_note(draft) if ready else "",
        "fields": {name: value for name, value in fields.items() if value},
    }


class DraftStatusView(LoginRequiredMixin, View):
    """JSON: the draft of a paper's entry in a publication, polled by the form until final.

    Only for who may see it (``drafting.view_draft``): anyone else is answered 404 whether a
    draft exists or not, as for a paper that does not exist, so the answer does not tell that
    somebody writes the paper up for the publication."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, slug: str, paper: int) -> JsonResponse:
        publication, found = _draft_target(request, slug, paper)
        draft = selectors.draft_for(publication, found) or Draft(
            publication=publication, paper=found
        )
        if not can(request.user, VIEW_CAPABILITY, draft):
            raise Http404(_("No drafts here."))
        return JsonResponse(draft_status(draft if draft.pk else None))


class DraftRequestView(LoginRequiredMixin, View):
    """POST: ask for drafts of a paper's entry now ("Ask for drafts" on the form). Back to the
    form (``next``, one of this site's pages) with what became of it."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, paper: int) -> HttpResponse:
        publication, found = _draft_target(request, slug, paper)
        try:
            services.request_draft(publication, found, by=request.user)
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Drafts are asked for: they fill the empty fields when they arrive.")
            )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = "/"
        return redirect(target)
