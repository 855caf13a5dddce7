"""The reviewers' pages: the queue, the review of one recommendation, an editor's acceptance and
the accepted recommendations waiting for an issue.

Thin views over ``recommendations.selectors`` and ``recommendations.services``, the same ones
the REST API calls (``recommendations.api.views.ReviewQueueView``,
``RecommendationReviewListView``), so the rules are the same: the services check the capability
and the state, and their refusals become a message on the page (or a readable 403 when the
action was never offered to this member).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from common.exceptions import InvalidInput, NotAllowed, WorkflowError
from common.forms import add_workflow_error
from drafting import selectors as drafting_selectors
from publications import selectors as publication_selectors
from publications.permissions import can, is_editor_anywhere, is_reviewer_anywhere, refusal
from recommendations import services
from recommendations.drafting import accepted_from, offer_drafts
from recommendations.enums import RecommendationStatus, Verdict
from recommendations.forms.recommendations import EntryRevisionForm
from recommendations.forms.review import ReviewForm, ReviewQueueFilterForm
from recommendations.models import Recommendation
from recommendations.places import with_places
from recommendations.selectors import (
    accepted_recommendations_by_publication,
    changes_since,
    earlier_recommendations_of_paper,
    featured_recommendation,
    labelled_changes,
    review_queue,
    visible_recommendations,
    with_paper_details,
)

QUEUE_PAGE_SIZE = 20


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    """A readable 403 page saying why."""
    return render(request, "recommendations/review/forbidden.html", {"reason": reason}, status=403)


class ReviewTeamRequiredMixin(AccessMixin):
    """Signed-in reviewers and editors only: anonymous visitors go to the login page, other
    members get a readable 403. Views then call ``prepare`` for their own lookups."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_reviewer_anywhere(request.user):
            return forbidden(request, refusal("recommendations.view_review_queue"))
        refused = self.prepare(request, **kwargs)
        if refused is not None:
            return refused
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def prepare(self, request: HttpRequest, **kwargs: Any) -> HttpResponse | None:
        return None


def _recommendation_for_team(request: HttpRequest, pk: int) -> Recommendation | HttpResponse:
    """The recommendation if the member may see it (404 otherwise) and is on its publication's
    team (a readable 403 otherwise)."""
    found = with_paper_details(visible_recommendations(request.user))
    recommendation = found.filter(pk=pk).first()
    if recommendation is None:
        raise Http404(_("No such recommendation."))
    if not can(request.user, "recommendations.view_review_queue", recommendation):
        return forbidden(request, refusal("recommendations.view_review_queue"))
    return recommendation


class ReviewQueueView(ReviewTeamRequiredMixin, TemplateView):
    """Submitted recommendations waiting for the member's review, oldest first, filterable by
    publication and topic. One's own submissions are not in it (``review_queue``)."""

    template_name = "recommendations/review/queue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        publication_ids = publication_selectors.reviewed_publication_ids(user)
        publications = publication_selectors.publications()
        if publication_ids is not None:
            publications = publications.filter(pk__in=publication_ids)
        form = ReviewQueueFilterForm(
            self.request.GET,
            publications=publications,
            topics=publication_selectors.topics().filter(publication__in=publications),
            language=get_language() or "en",
        )
        if form.is_valid():
            queue = review_queue(
                user,
                publication=form.cleaned_data["publication"],
                topic=form.cleaned_data["topic"],
            )
        else:
            # An unknown filter shows its error and nothing else, rather than a queue that
            # looks filtered but is not.
            queue = Recommendation.objects.none()
        paginator = Paginator(queue, QUEUE_PAGE_SIZE)
        context.update(
            form=form,
            page=paginator.get_page(self.request.GET.get("page")),
            filtered=form.is_valid() and any(form.cleaned_data.values()),
            is_editor=is_editor_anywhere(user),
        )
        return context


class RecommendationReviewView(ReviewTeamRequiredMixin, FormView):
    """One recommendation in full, its history, and the review form."""

    template_name = "recommendations/review/review.html"
    form_class = ReviewForm

    def prepare(self, request: HttpRequest, **kwargs: Any) -> HttpResponse | None:
        found = _recommendation_for_team(request, kwargs["pk"])
        if isinstance(found, HttpResponse):
            return found
        self.recommendation = found
        return None

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "review_round": self.recommendation.review_round}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        recommendation = self.recommendation
        paper = recommendation.paper
        reviews = list(recommendation.reviews.select_related("reviewer"))
        history = list(recommendation.transitions.select_related("actor"))
        for step in history:
            step.change_rows = labelled_changes(step)
        mine = [review for review in reviews if review.reviewer_id == user.pk]
        reviewed_this_round = services.reviewed_this_round(recommendation, user, reviews=reviews)
        # A reviewer whose review judged an earlier version of a recommendation that waits for
        # review is shown what changed since.
        waiting = recommendation.status == RecommendationStatus.SUBMITTED
        my_earlier_review = mine[-1] if mine and waiting and not reviewed_this_round else None
        is_own = recommendation.submitter_id == user.pk
        context.update(
            recommendation=recommendation,
            paper=paper,
            is_own=is_own,
            reviews=reviews,
            history=history,
            my_earlier_review=my_earlier_review,
            changed_since_my_review=(
                changes_since(history, my_earlier_review.created_at)
                if my_earlier_review is not None
                else []
            ),
            earlier=(
                with_places(
                    earlier_recommendations_of_paper(paper, user=user, exclude=recommendation)
                )
                if paper is not None
                else []
            ),
            featured=(
                featured_recommendation(recommendation.publication, paper)
                if paper is not None
                else None
            ),
            reviewed_this_round=reviewed_this_round,
            can_review=services.may_review(recommendation, by=user, reviews=reviews),
            can_accept=services.may_accept(recommendation, by=user),
            next_item=review_queue(user).exclude(pk=recommendation.pk).first(),
            style_findings=drafting_selectors.check_entry(
                recommendation.publication,
                {
                    "summary": recommendation.summary,
                    "title_zh": recommendation.title_zh,
                    "subject_zh": recommendation.subject_zh,
                },
                paper=paper,
            ),
            revision_form=(
                EntryRevisionForm(recommendation=recommendation)
                if services.may_revise(recommendation, by=user)
                else None
            ),
        )
        return context

    def form_valid(self, form: ReviewForm) -> HttpResponse:
        recommendation = self.recommendation
        verdict = form.cleaned_data["verdict"]
        try:
            services.review_recommendation(
                recommendation,
                by=self.request.user,
                verdict=verdict,
                comment=form.cleaned_data["comment"],
                review_round=form.cleaned_data["review_round"],
            )
        except NotAllowed as error:
            return forbidden(self.request, error.message)
        except InvalidInput as error:
            add_workflow_error(form, error)
            return self.form_invalid(form)
        except WorkflowError as error:
            # Reviewed already, decided or edited meanwhile, or a second click on the same form.
            messages.error(self.request, error.message)
            return redirect("review:recommendation", pk=recommendation.pk)
        messages.success(self.request, _review_outcome(verdict, recommendation.status))
        return redirect("review:queue")


def _review_outcome(verdict: str, status: str) -> str:
    if verdict == Verdict.REQUEST_CHANGES:
        return _("Changes requested. The submitter is told what to change.")
    if verdict == Verdict.REJECT:
        return _("Rejected. The submitter is told why.")
    if status == RecommendationStatus.ACCEPTED:
        return _("Approved. The recommendation is accepted and waits for an issue.")
    return _("Your approval is recorded. The recommendation needs more approvals to be accepted.")


class RecommendationAcceptView(ReviewTeamRequiredMixin, View):
    """An editor's "accept for an issue", without waiting for further reviews."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        found = _recommendation_for_team(request, pk)
        if isinstance(found, HttpResponse):
            return found
        try:
            services.accept_recommendation(found, by=request.user)
        except NotAllowed as error:
            return forbidden(request, error.message)
        except WorkflowError as error:
            messages.error(request, error.message)
            return redirect("review:recommendation", pk=found.pk)
        messages.success(request, _("Accepted. The recommendation is ready for the issue builder."))
        return redirect(reverse("review:accepted") + f"#publication-{found.publication_id}")


class AcceptedRecommendationListView(ReviewTeamRequiredMixin, TemplateView):
    """For each publication the member edits: the accepted recommendations not yet in an issue,
    which the issue builder assembles from."""

    template_name = "recommendations/review/accepted.html"

    def prepare(self, request: HttpRequest, **kwargs: Any) -> HttpResponse | None:
        self.publications = [
            publication
            for publication in publication_selectors.publications()
            if can(request.user, "recommendations.schedule_recommendation", publication)
        ]
        if not self.publications:
            return forbidden(request, refusal("recommendations.schedule_recommendation"))
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sections"] = accepted_recommendations_by_publication(self.publications)
        return context


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go after the edit: the page the form was on, if it is one of this site's."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class RecommendationReviseView(ReviewTeamRequiredMixin, View):
    """The team edits what a recommendation's entry will show, from the review page or the issue
    builder (``services.revise_recommendation``); a refused edit is shown on its own page with
    the form and what was typed."""

    template_name = "recommendations/review/revise.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        found = _recommendation_for_team(request, pk)
        if isinstance(found, HttpResponse):
            return found
        form = EntryRevisionForm(recommendation=found)
        return self._page(request, found, form, offer_drafts(form, found))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        found = _recommendation_for_team(request, pk)
        if isinstance(found, HttpResponse):
            return found
        form = EntryRevisionForm(request.POST, recommendation=found)
        offer = offer_drafts(form, found)
        if form.is_valid():
            try:
                services.revise_recommendation(
                    found,
                    by=request.user,
                    drafted=accepted_from(offer, form.cleaned_data),
                    **form.service_values(),
                )
            except NotAllowed as error:
                return forbidden(request, error.message)
            except InvalidInput as error:
                add_workflow_error(form, error)
            except WorkflowError as error:
                messages.error(request, error.message)
                return redirect("review:recommendation", pk=found.pk)
            else:
                messages.success(request, _("Saved. The submitter is told what changed."))
                fallback = reverse("review:recommendation", args=[found.pk])
                return redirect(_safe_next(request, fallback))
        return self._page(request, found, form, offer, status=400)

    def _page(
        self,
        request: HttpRequest,
        recommendation: Recommendation,
        form: Any,
        offer: Any = None,
        status: int = 200,
    ) -> HttpResponse:
        context = {
            "recommendation": recommendation,
            "revision_form": form,
            "form": form,
            "offer": offer,
            "next": _safe_next(request, ""),
        }
        return render(request, self.template_name, context, status=status)
