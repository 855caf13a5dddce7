"""Reviewing: a reviewer's verdict, an editor's acceptance, and the review rounds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from common.exceptions import Conflict, InvalidInput, InvalidTransition
from common.validators import check_field, max_length
from publications.permissions import can, require
from recommendations import signals
from recommendations.enums import RecommendationAction, RecommendationStatus, Verdict
from recommendations.models import Recommendation, Review
from recommendations.services._workflow import (
    move_recommendation,
    recommendation_allows,
    recommendation_changed,
)


def reviewed_this_round(
    recommendation: Recommendation, reviewer: Any, *, reviews: Iterable[Review] | None = None
) -> bool:
    """Whether ``reviewer`` has reviewed the version the recommendation is at: one review per
    reviewer per round. ``reviews``, the recommendation's reviews if the caller has them loaded,
    saves a query."""
    if reviews is None:
        return recommendation.reviews.filter(
            round=recommendation.review_round, reviewer=reviewer
        ).exists()
    return any(
        review.round == recommendation.review_round and review.reviewer_id == reviewer.pk
        for review in reviews
    )


def may_review(
    recommendation: Recommendation, *, by: Any, reviews: Iterable[Review] | None = None
) -> bool:
    """Whether ``by`` may review the recommendation now, as ``review_recommendation`` decides:
    it waits for review, ``by`` has not reviewed this version yet, and holds the capability.
    For the pages that offer the form; the service checks again, under a lock."""
    return (
        recommendation.status == RecommendationStatus.SUBMITTED
        and not reviewed_this_round(recommendation, by, reviews=reviews)
        and can(by, "recommendations.review_recommendation", recommendation)
    )


def may_accept(recommendation: Recommendation, *, by: Any) -> bool:
    """Whether ``by`` may accept the recommendation now, as ``accept_recommendation`` decides."""
    return recommendation_allows(recommendation, RecommendationAction.ACCEPT) and can(
        by, "recommendations.accept_recommendation", recommendation
    )


def start_review_round(recommendation: Recommendation) -> str:
    """Lock the recommendation for the round that an edit ends; say which approvals lapse.

    The lock orders the edit with a review given at the same moment (``review_recommendation``
    takes it too): that review is either among the lapsed approvals named here, or it is given
    after the edit, in the next round. Call inside the edit's transaction.
    """
    current = (
        Recommendation.objects.select_for_update()
        .values_list("review_round", flat=True)
        .get(pk=recommendation.pk)
    )
    lapsed = list(
        recommendation.reviews.filter(round=current, verdict=Verdict.APPROVE)
        .order_by("created_at", "id")
        .values_list("reviewer__username", flat=True)
    )
    note = f". Review round {current + 1} begins"
    if len(lapsed) == 1:
        note += f"; the approval of round {current} by {lapsed[0]} no longer counts"
    elif lapsed:
        note += f"; the approvals of round {current} by {', '.join(lapsed)} no longer count"
    return note + "."


def review_recommendation(
    recommendation: Recommendation,
    *,
    by: Any,
    verdict: str,
    comment: str = "",
    review_round: int | None = None,
) -> Review:
    """Record a reviewer's verdict on a submitted recommendation and act on it.

    ``review_round`` is the round of the version the reviewer read (the review page and the API
    pass it along); if the recommendation has been edited since, the review is refused with a
    ``Conflict`` and nothing is stored, so no verdict lands on a text its reviewer never saw.

    ``approve`` accepts the recommendation once the publication's required number of reviewers
    have approved it in this round (``Recommendation.review_round``: a review counts only in the
    round it was given in); ``request_changes`` sends it back to the submitter;
    ``reject`` rejects it. The last two need a comment, so the submitter learns why.

    Side effects: inserts a Review; may change the status and write an audit row.
    """
    require(by, "recommendations.review_recommendation", recommendation)
    if verdict not in Verdict.values:
        raise InvalidInput(
            gettext("The verdict must be approve, request_changes or reject."), field="verdict"
        )
    comment = check_field("comment", (comment or "").strip(), max_length(5000))
    if verdict != Verdict.APPROVE and not comment:
        raise InvalidInput(
            gettext("Say in a comment what should change, or why it is rejected."), field="comment"
        )
    with transaction.atomic():
        # Lock the recommendation and read its state afresh: two reviews at once (a double
        # click, two reviewers) are then decided one after the other, the second seeing the
        # first. Without it both pass the "already reviewed" check, and two approvals that are
        # each the other's second both count one and leave the recommendation waiting.
        current = (
            Recommendation.objects.select_for_update()
            .values("status", "submitted_at", "review_round")
            .get(pk=recommendation.pk)
        )
        if recommendation.status != RecommendationStatus.SUBMITTED:
            raise InvalidTransition(
                gettext("Only a submitted recommendation can be reviewed; this one is %(status)s.")
                % {"status": RecommendationStatus(recommendation.status).label.lower()},
                code="cannot_review",
            )
        if current["status"] != recommendation.status:
            raise recommendation_changed()
        if review_round is not None and review_round != current["review_round"]:
            raise Conflict(
                gettext(
                    "The recommendation has changed since you opened it; it is now in review "
                    "round %(round)s. Read this version, then review it."
                )
                % {"round": current["review_round"]},
                code="changed_since_read",
            )
        recommendation.submitted_at = current["submitted_at"]
        recommendation.review_round = current["review_round"]
        this_round = recommendation.reviews.filter(round=recommendation.review_round)
        if reviewed_this_round(recommendation, by):
            raise InvalidTransition(
                gettext("You have already reviewed this version of the recommendation."),
                code="already_reviewed",
            )
        review = Review.objects.create(
            recommendation=recommendation,
            reviewer=by,
            verdict=verdict,
            comment=comment,
            round=recommendation.review_round,
        )
        signals.recommendation_reviewed.send(sender=Review, review=review)
        if verdict == Verdict.REQUEST_CHANGES:
            move_recommendation(
                recommendation, action=RecommendationAction.REQUEST_CHANGES, actor=by, note=comment
            )
        elif verdict == Verdict.REJECT:
            move_recommendation(
                recommendation,
                action=RecommendationAction.REJECT,
                actor=by,
                note=comment,
                extra={"decided_at": timezone.now()},
            )
        else:
            approvals = (
                this_round.filter(verdict=Verdict.APPROVE).values("reviewer").distinct().count()
            )
            if approvals >= recommendation.publication.approvals_required:
                move_recommendation(
                    recommendation,
                    action=RecommendationAction.APPROVE,
                    actor=by,
                    note=comment,
                    extra={"decided_at": timezone.now()},
                )
    return review


def accept_recommendation(
    recommendation: Recommendation, *, by: Any, note: str = ""
) -> Recommendation:
    """An editor accepts a recommendation without waiting for further reviews.

    Side effects: status → accepted; writes an audit row.
    """
    require(by, "recommendations.accept_recommendation", recommendation)
    with transaction.atomic():
        accepted = move_recommendation(
            recommendation,
            action=RecommendationAction.ACCEPT,
            actor=by,
            note=note,
            extra={"decided_at": timezone.now()},
        )
        signals.recommendation_accepted.send(sender=Recommendation, recommendation=accepted)
    return accepted
