"""The contributor's pages: recommend a paper, share a news item, follow one's recommendations.

Thin views over ``recommendations.selectors`` and ``recommendations.services``, the very
functions the REST API calls, so the site and the API refuse the same things with the same
messages. A member sees only their own recommendations (anybody else's is a 404); which actions a
page offers is decided by the capabilities (``publications.permissions.can``) and the transition
table (``recommendations.enums``), and the services check both again when a form is posted.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from common.api.limits import SubmissionThrottle
from common.exceptions import QuotaExceeded, WorkflowError
from common.forms import add_workflow_error
from common.markup import render_markdown
from drafting import selectors as drafting_selectors
from drafting.backend import drafting_enabled
from papers import selectors as paper_selectors
from papers.enums import MetadataStatus
from papers.identifiers import MAX_INPUT_LENGTH, InvalidIdentifier, parse_identifier
from papers.models import Paper
from publications import selectors as publication_selectors
from publications.models import Publication
from publications.permissions import can
from recommendations import services
from recommendations.drafting import accepted_from, drafts_for_new_entry, offer_drafts
from recommendations.enums import RecommendationAction, RecommendationKind, RecommendationStatus
from recommendations.forms.recommendations import (
    ACTION_DRAFT,
    ACTION_PREVIEW,
    SUMMARY_INPUT_LENGTH,
    NewsRecommendationForm,
    NoteForm,
    PaperRecommendationForm,
    RecommendationEditForm,
    StatusFilterForm,
)
from recommendations.models import Recommendation
from recommendations.places import places_of, with_places
from recommendations.selectors import (
    earlier_recommendations_of_paper,
    featured_recommendation,
    labelled_changes,
    recommendations_of,
    with_paper_details,
)

RECOMMENDATIONS_PAGE_SIZE = 20

#: Metadata statuses after which nothing changes without somebody acting: polling stops.
FINAL_METADATA_STATUSES = frozenset(
    {MetadataStatus.OK, MetadataStatus.NOT_FOUND, MetadataStatus.FAILED}
)


# --- the duplicate warning ----------------------------------------------------------------------


@dataclass
class PaperHistory:
    """What the form tells a member about the paper they are recommending."""

    error: str = ""
    paper: Paper | None = None
    #: Earlier recommendations of the paper (any publication), each with its ``place``.
    earlier: list[Recommendation] = field(default_factory=list)
    #: The published recommendation of the paper in the chosen publication, with its ``place``,
    #: if it was featured there.
    featured: Recommendation | None = None
    publication: Publication | None = None

    @property
    def known(self) -> bool:
        return bool(self.earlier or self.featured)


def paper_history(
    identifier: str, publication: Publication | None, *, user: Any
) -> PaperHistory | None:
    """Who recommended the paper named by ``identifier`` before, and where it appeared, as far
    as ``user`` may see: published appearances, their own, their publications' queues.

    None when nothing was entered; a history with ``error`` when the identifier is malformed.
    A fixed number of queries: the paper, the user's publications, its earlier recommendations
    and their places, and its published recommendation in ``publication``.
    """
    identifier = (identifier or "")[:MAX_INPUT_LENGTH]
    if not identifier.strip():
        return None
    try:
        parsed = parse_identifier(identifier)
    except InvalidIdentifier as error:
        return PaperHistory(error=str(error))
    paper = paper_selectors.paper_for_identifier(parsed)
    history = PaperHistory(paper=paper, publication=publication)
    if paper is not None:
        history.earlier = with_places(earlier_recommendations_of_paper(paper, user=user))
        if publication is not None:
            history.featured = featured_recommendation(publication, paper)
    return history


def _chosen_publication(slug: str | None) -> Publication | None:
    """The publication a form names, or the only one when the site hosts a single one."""
    if slug and "\x00" in slug:  # PostgreSQL refuses a NUL in a query; no slug holds one
        return None
    if slug:
        return publication_selectors.publications().filter(slug=slug[:80]).first()
    only = list(publication_selectors.publications()[:2])
    return only[0] if len(only) == 1 else None


# --- creating -----------------------------------------------------------------------------------


class _RecommendationCreateView(LoginRequiredMixin, TemplateView):
    """A create form with "Preview", "Save as draft" and "Submit for review" buttons."""

    form_class: type = PaperRecommendationForm
    kind: str = RecommendationKind.PAPER

    def get_form(self) -> Any:
        if self.request.method == "POST":
            return self.form_class(self.request.POST)
        initial = {}
        slug = self.request.GET.get("publication", "")
        if slug and "\x00" not in slug:
            initial["publication"] = slug[:80]
        identifier = self.request.GET.get("identifier", "")
        if identifier and "\x00" not in identifier and "identifier" in self.form_class.base_fields:
            initial["identifier"] = identifier[:MAX_INPUT_LENGTH]
        return self.form_class(initial=initial)

    def drafted(self, form: Any) -> dict[str, str]:
        """{field: "as_is" or "edited"} of the fields of the valid ``form`` taken from a draft."""
        return {}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()
        action = request.POST.get("action", "")
        if action == ACTION_PREVIEW:
            # Re-shown as typed, with the rendered summary; nothing is checked or saved yet.
            unbound = self.form_class(initial=request.POST.dict())
            summary = request.POST.get("summary", "")[:SUMMARY_INPUT_LENGTH]
            return self.render_to_response(
                self.get_context_data(form=unbound, preview_html=render_markdown(summary))
            )
        # The API's per-member rate of submissions, on the same count: a member cannot double it
        # by using both. A preview saves nothing and is not counted.
        throttle = SubmissionThrottle()
        if not throttle.allow_request(request, self):
            return self._throttled(throttle)
        if form.is_valid():
            try:
                recommendation = services.create_recommendation(
                    by=request.user,
                    kind=self.kind,
                    draft=action == ACTION_DRAFT,
                    drafted=self.drafted(form),
                    **form.service_values(),
                )
            except QuotaExceeded as error:
                add_workflow_error(form, error)
                response = self.render_to_response(self.get_context_data(form=form), status=429)
                response["Retry-After"] = str(error.retry_after)
                return response
            except WorkflowError as error:
                add_workflow_error(form, error)
            else:
                if recommendation.status == RecommendationStatus.DRAFT:
                    messages.success(request, _("Saved as a draft. Submit it when it is ready."))
                else:
                    messages.success(request, _("Thank you: your recommendation is under review."))
                return redirect("recommendations:detail", pk=recommendation.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def _throttled(self, throttle: SubmissionThrottle) -> HttpResponse:
        """The form again as typed, unchecked and unsaved, with why: 429 and ``Retry-After``."""
        retry_after = max(1, math.ceil(throttle.wait() or 1))
        minutes = math.ceil(retry_after / 60)
        throttled = ngettext(
            "You have sent too many submissions in a short time. Please try again in "
            "%(minutes)d minute.",
            "You have sent too many submissions in a short time. Please try again in "
            "%(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
        unbound = self.form_class(initial=self.request.POST.dict())
        context = self.get_context_data(form=unbound, throttled=throttled)
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(retry_after)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["single_publication"] = context["form"].single_publication
        context["has_publications"] = context["form"].has_publications
        context["drafts_offered"] = drafting_enabled() and self.kind == RecommendationKind.PAPER
        return context


class PaperRecommendView(_RecommendationCreateView):
    """Recommend a paper. Opened with ``?publication=<slug>&identifier=<text>`` (or posted with
    them) for a paper the catalogue has with its metadata, it offers the drafts of its entry
    where the publication asks a language model for them (``drafts_for_new_entry``)."""

    template_name = "recommendations/paper_form.html"

    def _new_entry_drafts(self, form: Any) -> Any:
        if not drafting_enabled():
            return None
        values = self.request.POST if self.request.method == "POST" else self.request.GET
        return drafts_for_new_entry(
            form,
            _chosen_publication(values.get("publication")),
            values.get("identifier", ""),
            user=self.request.user,
        )

    def drafted(self, form: Any) -> dict[str, str]:
        found = self._new_entry_drafts(form)
        return accepted_from(found.offer if found else None, form.cleaned_data)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        drafts = self._new_entry_drafts(form)
        offer = drafts.offer if drafts else None
        if offer is not None and not form.is_bound and self.request.method == "POST":
            # A preview re-shows the form unbound: the fields it was filled with still were.
            named = self.request.POST.get(offer.input_name, "").split(",")
            offer.fields += [n for n in named if n in offer.fillable and n not in offer.fields]
        context.update(new_entry_drafts=drafts, offer=offer)
        if self.request.method == "GET" and self.request.GET.get("identifier"):
            context["history"] = paper_history(
                self.request.GET.get("identifier", ""),
                _chosen_publication(self.request.GET.get("publication")),
                user=self.request.user,
            )
        if self.request.method == "POST":
            # Without JavaScript the warning comes with the re-shown form. When the identifier
            # itself is refused (malformed, already recommended or featured), its error says
            # so, once: the box then only lists who recommended it before, and where.
            context["identifier_refused"] = context["form"].has_error("identifier")
            context["history"] = paper_history(
                self.request.POST.get("identifier", ""),
                _chosen_publication(self.request.POST.get("publication")),
                user=self.request.user,
            )
        return context


class NewsRecommendView(_RecommendationCreateView):
    template_name = "recommendations/news_form.html"
    form_class = NewsRecommendationForm
    kind = RecommendationKind.NEWS


#: The summary fields a preview may be asked for: the forms' own, and an entry's in the builder.
PREVIEW_FIELD = re.compile(r"(entry-\d{1,12}-)?summary")


class SummaryPreviewView(LoginRequiredMixin, View):
    """htmx: the summary as readers will see it (sanitised), into the form's preview box, with
    the house-style check of the summary, the Chinese title and the subject as typed."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        # A form with a prefix (one per entry in the issue builder) names its summary field.
        field = request.POST.get("preview_field", "summary")
        if not PREVIEW_FIELD.fullmatch(field):
            field = "summary"
        summary = request.POST.get(field, "")[:SUMMARY_INPUT_LENGTH]
        prefix = field.removesuffix("summary")
        # The edit forms name their recommendation's publication by id, the create forms by
        # the slug of their publication field.
        chosen = request.POST.get("style_publication", "")
        if chosen.isdigit() and len(chosen) <= 12:
            publication = publication_selectors.publications().filter(pk=int(chosen)).first()
        else:
            publication = _chosen_publication(request.POST.get("publication"))
        findings = {}
        if publication is not None:
            findings = drafting_selectors.check_entry(
                publication,
                {
                    "summary": summary,
                    "title_zh": request.POST.get(f"{prefix}title_zh", "")[:500],
                    "subject_zh": request.POST.get(f"{prefix}subject_zh", "")[:60],
                },
            )
        return render(
            request,
            "recommendations/_preview.html",
            {"preview_html": render_markdown(summary), "style_findings": findings},
        )


class IdentifierCheckView(LoginRequiredMixin, View):
    """htmx: the duplicate warning for the identifier being typed."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        identifier = request.GET.get("identifier", "")
        publication = _chosen_publication(request.GET.get("publication"))
        history = paper_history(identifier, publication, user=request.user)
        context: dict[str, Any] = {"history": history}
        if drafting_enabled():
            # The recommend form's drafts panel, swapped in beside the form: the fields are
            # filled by its script (drafts.js) from the status it polls, never by this answer.
            context["new_entry_drafts"] = drafts_for_new_entry(
                PaperRecommendationForm(), publication, identifier, user=request.user
            )
            context["drafts_slot"] = True
        return render(request, "recommendations/_identifier_check.html", context)


# --- one's own recommendations ------------------------------------------------------------------


class OwnRecommendationListView(LoginRequiredMixin, TemplateView):
    """The member's recommendations, newest first, with their status and number of reviews."""

    template_name = "recommendations/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        recommendations = recommendations_of(self.request.user).annotate(
            review_count=Count("reviews")
        )
        filter_form = StatusFilterForm(self.request.GET)
        status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
        if status:
            recommendations = recommendations.filter(status=status)
        paginator = Paginator(recommendations, RECOMMENDATIONS_PAGE_SIZE)
        context.update(
            page=paginator.get_page(self.request.GET.get("page")),
            status=status,
            statuses=RecommendationStatus.choices,
            filter_form=filter_form,
        )
        return context


class _OwnRecommendationMixin(LoginRequiredMixin):
    """Finds the member's own recommendation of the URL; anybody else's is not found."""

    request: HttpRequest
    kwargs: dict[str, Any]

    def get_recommendation(self) -> Recommendation:
        own = with_paper_details(recommendations_of(self.request.user))
        found = own.filter(pk=self.kwargs["pk"])
        recommendation = found.first()
        if recommendation is None:
            raise Http404(_("You have no submission with this number."))
        return recommendation


def _paper_status_context(user: Any, recommendation: Recommendation) -> dict[str, Any]:
    paper = recommendation.paper  # fetched with its authors and institutions
    final = paper is None or paper.metadata_status in FINAL_METADATA_STATUSES
    return {
        "recommendation": recommendation,
        "paper": paper,
        "polling": not final,
        "can_enter_metadata": (
            paper is not None
            and paper.metadata_status in (MetadataStatus.NOT_FOUND, MetadataStatus.FAILED)
            and can(user, "recommendations.enter_paper_metadata", paper)
        ),
    }


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _labelled(transitions: Any) -> list[Any]:
    """The audit rows with the words for their action and states (the columns hold codes), and
    each changed field by its label with its value before and after."""
    rows = list(transitions)
    for row in rows:
        row.action_label = _label(RecommendationAction, row.action)
        row.from_label = _label(RecommendationStatus, row.from_status) if row.from_status else ""
        row.to_label = _label(RecommendationStatus, row.to_status)
        row.change_rows = labelled_changes(row)
    return rows


class RecommendationDetailView(_OwnRecommendationMixin, TemplateView):
    """One recommendation: details, reviews, history, the issue it appeared in, and its actions."""

    template_name = "recommendations/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        recommendation = kwargs.get("recommendation") or self.get_recommendation()
        user = self.request.user
        place = places_of([recommendation]).get(recommendation.pk)
        reviews = []
        if can(user, "recommendations.view_reviews", recommendation):
            reviews = list(recommendation.reviews.select_related("reviewer"))
        context.update(
            _paper_status_context(user, recommendation),
            place=place,
            reviews=reviews,
            transitions=_labelled(recommendation.transitions.select_related("actor")),
            actions=services.submitter_actions(recommendation, by=user),
            note_form=NoteForm(),
            offer=offer_drafts(
                RecommendationEditForm(recommendation=recommendation), recommendation
            ),
        )
        return context


class PaperStatusView(_OwnRecommendationMixin, View):
    """htmx: the paper's metadata status, polled every 2 s until it is final."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        recommendation = self.get_recommendation()
        return render(
            request,
            "recommendations/_paper_status.html",
            _paper_status_context(request.user, recommendation),
        )


class RecommendationEditView(_OwnRecommendationMixin, TemplateView):
    template_name = "recommendations/edit_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        recommendation = self.get_recommendation()
        if not services.submitter_actions(recommendation, by=request.user)["edit"]:
            messages.error(request, _("This submission can no longer be edited."))
            return redirect("recommendations:detail", pk=pk)
        form = RecommendationEditForm(recommendation=recommendation)
        return self._render(recommendation, form, offer_drafts(form, recommendation))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        recommendation = self.get_recommendation()
        form = RecommendationEditForm(request.POST, recommendation=recommendation)
        offer = offer_drafts(form, recommendation)
        status = 200
        if form.is_valid():
            round_before = recommendation.review_round
            try:
                services.edit_recommendation(
                    recommendation,
                    by=request.user,
                    drafted=accepted_from(offer, form.cleaned_data),
                    **form.service_values(),
                )
            except WorkflowError as error:
                add_workflow_error(form, error)
                status = error.http_status
            else:
                if recommendation.review_round != round_before:
                    messages.success(
                        request,
                        _(
                            "Your changes are saved. They start review round %(round)s: the "
                            "reviewers judge the new text, and earlier approvals no longer count."
                        )
                        % {"round": recommendation.review_round},
                    )
                else:
                    messages.success(request, _("Your changes are saved."))
                return redirect("recommendations:detail", pk=pk)
        return self._render(recommendation, form, offer, status=status)

    def _render(
        self, recommendation: Recommendation, form: Any, offer: Any, status: int = 200
    ) -> HttpResponse:
        context = self.get_context_data(recommendation=recommendation, form=form, offer=offer)
        return self.render_to_response(context, status=status)


class _RecommendationActionView(_OwnRecommendationMixin, View):
    """POST: one transition by the submitter. A refusal (a forged or stale form) re-shows the
    recommendation with the service's reason and its HTTP status; nothing changes."""

    http_method_names = ["post"]
    success_message = ""

    def perform(self, recommendation: Recommendation, note: str) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        recommendation = self.get_recommendation()
        note_form = NoteForm(request.POST)
        note = note_form.cleaned_data["note"] if note_form.is_valid() else ""
        try:
            self.perform(recommendation, note)
        except WorkflowError as error:
            messages.error(request, error.message)
            refreshed = self.get_recommendation()
            view = RecommendationDetailView(request=request, kwargs={"pk": pk})
            context = view.get_context_data(recommendation=refreshed, pk=pk)
            return render(request, view.template_name, context, status=error.http_status)
        messages.success(request, self.success_message)
        return redirect("recommendations:detail", pk=pk)


class RecommendationSubmitView(_RecommendationActionView):
    def perform(self, recommendation: Recommendation, note: str) -> None:
        services.submit_recommendation(recommendation, by=self.request.user, note=note)
        self.success_message = _("Submitted: the reviewers will look at it.")


class RecommendationWithdrawView(_RecommendationActionView):
    """GET asks for confirmation; POST withdraws."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        recommendation = self.get_recommendation()
        if not services.submitter_actions(recommendation, by=request.user)["withdraw"]:
            messages.error(request, _("This submission can no longer be withdrawn."))
            return redirect("recommendations:detail", pk=pk)
        return render(
            request,
            "recommendations/withdraw_confirm.html",
            {"recommendation": recommendation, "note_form": NoteForm()},
        )

    def perform(self, recommendation: Recommendation, note: str) -> None:
        services.withdraw_recommendation(recommendation, by=self.request.user, note=note)
        self.success_message = _("Withdrawn. It will not be reviewed or published.")
