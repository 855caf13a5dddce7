"""A paper's metadata, for those who may act on it: an editor's "fetch again", and the form to
fill it in by hand when no source could.

Thin views over ``recommendations.services.metadata``, which decides who may do what and when.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from common.exceptions import WorkflowError
from common.forms import add_workflow_error
from papers.models import Paper
from papers.selectors import possible_duplicates_of
from publications.permissions import can, refusal
from recommendations import services
from recommendations.forms.metadata import PaperMergeForm, PaperMetadataForm


class PaperRefetchView(LoginRequiredMixin, View):
    """An editor's "fetch again" button on the paper page."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        paper = get_object_or_404(Paper, pk=pk)
        try:
            services.refetch_paper_metadata(paper, by=request.user)
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The paper's metadata will be fetched again shortly."))
        return redirect("papers:paper-detail", pk=paper.pk)


class PaperMetadataEnterView(LoginRequiredMixin, FormView):
    """Fill in a paper's metadata by hand when arXiv or AMiner could not."""

    form_class = PaperMetadataForm
    template_name = "recommendations/paper_metadata_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.paper = get_object_or_404(Paper, pk=kwargs["pk"])
        if request.user.is_authenticated:
            try:
                services.check_paper_metadata_entry(self.paper, by=request.user)
            except WorkflowError as error:
                # Back to the paper, saying why: its metadata is being fetched, came from the
                # source, or is not this member's to enter.
                messages.error(request, error.message)
                return redirect("papers:paper-detail", pk=self.paper.pk)
            self.can_keep = can(request.user, "recommendations.keep_paper_metadata", self.paper)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return super().get_form_kwargs() | {"can_keep": self.can_keep}

    def get_initial(self) -> dict[str, Any]:
        paper = self.paper
        kept = {"keep": paper.metadata_kept} if self.can_keep else {}
        return kept | {
            "title": paper.title,
            "title_zh": paper.title_zh,
            "authors": "\n".join(a.author.name for a in paper.authorships.select_related("author")),
            "institutions": "\n".join(
                i.institution.name for i in paper.paper_institutions.select_related("institution")
            ),
            "year": paper.year,
            "abstract": paper.abstract,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(paper=self.paper, **kwargs)

    def form_valid(self, form: PaperMetadataForm) -> HttpResponse:
        try:
            services.enter_paper_metadata(self.paper, by=self.request.user, **form.cleaned_data)
        except WorkflowError as error:
            add_workflow_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Thank you: the paper's metadata is saved."))
        return redirect("papers:paper-detail", pk=self.paper.pk)


class PaperMergeView(LoginRequiredMixin, FormView):
    """An editor merges a duplicate row into the paper shown: the possible duplicates the
    sources named, or any row by its identifier or number."""

    form_class = PaperMergeForm
    template_name = "recommendations/paper_merge_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.paper = get_object_or_404(Paper, pk=kwargs["pk"])
        if request.user.is_authenticated and not can(
            request.user, "recommendations.merge_papers", self.paper
        ):
            messages.error(request, refusal("recommendations.merge_papers"))
            return redirect("papers:paper-detail", pk=self.paper.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            paper=self.paper, duplicates=possible_duplicates_of(self.paper), **kwargs
        )

    def form_valid(self, form: PaperMergeForm) -> HttpResponse:
        other = form.cleaned_data["other"]
        try:
            services.merge_papers(
                self.paper,
                other,
                by=self.request.user,
                keep_published_entries=form.cleaned_data["keep_published_entries"],
                note=form.cleaned_data["note"],
            )
        except WorkflowError as error:
            form.add_error(
                "keep_published_entries" if error.code == "same_published_issue" else "other",
                error.message,
            )
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(other)s was merged into this paper.") % {"other": other.identifier_display},
        )
        return redirect("papers:paper-detail", pk=self.paper.pk)
