"""Tests of recommendations.services.review: reviews, review rounds and their quorum, the rounds
an edit starts, and acceptance."""

from __future__ import annotations

from typing import Any

import pytest

from common.exceptions import Conflict, InvalidInput, InvalidTransition, NotAllowed
from publications.enums import TeamRole
from publications.models import Publication
from recommendations import services
from recommendations.enums import RECOMMENDATION_TRANSITIONS, Verdict
from recommendations.models import Recommendation, Review, Transition
from tests.factories import MembershipFactory, RecommendationFactory, TopicFactory, UserFactory
from tests.workflow import Act, Rec, Team, audit

pytestmark = pytest.mark.django_db


# ================================================================ reviews


@pytest.mark.parametrize(
    ("verdict", "status"),
    [
        (Verdict.APPROVE, Rec.ACCEPTED),
        (Verdict.REQUEST_CHANGES, Rec.CHANGES_REQUESTED),
        (Verdict.REJECT, Rec.REJECTED),
    ],
)
def test_review_recommendation_records_review_and_moves(
    team: Team, verdict: str, status: str
) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    review = services.review_recommendation(
        recommendation, by=team.reviewer, verdict=verdict, comment="  Reasoned comment.  "
    )
    assert list(Review.objects.values_list("pk", "reviewer", "verdict", "comment")) == [
        (review.pk, team.reviewer.pk, verdict, "Reasoned comment.")
    ]
    recommendation.refresh_from_db()
    assert recommendation.status == status
    assert (recommendation.decided_at is not None) == (status != Rec.CHANGES_REQUESTED)


@pytest.mark.parametrize("verdict", [Verdict.REQUEST_CHANGES, Verdict.REJECT])
def test_review_recommendation_without_comment_is_refused(team: Team, verdict: str) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    with pytest.raises(InvalidInput) as refused:
        services.review_recommendation(recommendation, by=team.reviewer, verdict=verdict)
    assert refused.value.field == "comment"
    assert not Review.objects.exists()
    assert Recommendation.objects.get().status == Rec.SUBMITTED


@pytest.mark.parametrize(
    ("verdict", "comment", "field"),
    [
        ("accept", "", "verdict"),
        (Verdict.APPROVE, "x" * 5001, "comment"),
        ("approve", "\x00", "comment"),
    ],
)
def test_review_recommendation_invalid_input_is_refused(
    team: Team, verdict: str, comment: str, field: str
) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    with pytest.raises(InvalidInput) as refused:
        services.review_recommendation(
            recommendation, by=team.reviewer, verdict=verdict, comment=comment
        )
    assert refused.value.field == field
    assert not Review.objects.exists()


@pytest.mark.parametrize("who", ["contributor", "other_contributor", "other_publication_reviewer"])
def test_review_recommendation_without_capability_is_not_allowed(
    team: Team, other_contributor: Any, other_publication: Publication, who: str
) -> None:
    outsider = UserFactory()
    MembershipFactory(publication=other_publication, user=outsider, role=TeamRole.REVIEWER)
    users = {
        "contributor": team.contributor,
        "other_contributor": other_contributor,
        "other_publication_reviewer": outsider,
    }
    recommendation = team.recommendation(Rec.SUBMITTED)
    with pytest.raises(NotAllowed) as refused:
        services.review_recommendation(recommendation, by=users[who], verdict=Verdict.APPROVE)
    assert refused.value.capability == "recommendations.review_recommendation"
    assert not Review.objects.exists()


def test_review_recommendation_own_submission_by_a_reviewer_is_not_allowed(team: Team) -> None:
    recommendation = RecommendationFactory(publication=team.publication, submitter=team.reviewer)
    with pytest.raises(NotAllowed):
        services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)
    assert Recommendation.objects.get().status == Rec.SUBMITTED


def test_review_recommendation_quorum_of_two_needs_two_reviewers(team: Team) -> None:
    team.publication.approvals_required = 2
    team.publication.save()
    second = UserFactory()
    MembershipFactory(publication=team.publication, user=second, role=TeamRole.REVIEWER)
    recommendation = team.recommendation(Rec.SUBMITTED)

    services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)
    recommendation.refresh_from_db()
    assert recommendation.status == Rec.SUBMITTED
    assert not Transition.objects.exists()

    with pytest.raises(InvalidTransition) as twice:
        services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)
    assert twice.value.code == "already_reviewed"
    assert Review.objects.count() == 1
    recommendation.refresh_from_db()
    assert recommendation.status == Rec.SUBMITTED

    services.review_recommendation(
        recommendation, by=second, verdict=Verdict.APPROVE, comment="Agreed."
    )
    recommendation.refresh_from_db()
    assert recommendation.status == Rec.ACCEPTED
    assert audit(recommendation) == [(second, Act.APPROVE, Rec.SUBMITTED, Rec.ACCEPTED, "Agreed.")]
    assert list(Review.objects.values_list("reviewer", "verdict")) == [
        (team.reviewer.pk, Verdict.APPROVE),
        (second.pk, Verdict.APPROVE),
    ]


def test_may_review_is_false_once_the_reviewer_reviewed_this_round(team: Team) -> None:
    team.publication.approvals_required = 2
    team.publication.save()
    recommendation = team.recommendation(Rec.SUBMITTED)
    assert services.may_review(recommendation, by=team.reviewer) is True

    services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)
    reviews = list(recommendation.reviews.all())

    assert services.reviewed_this_round(recommendation, team.reviewer) is True
    assert services.reviewed_this_round(recommendation, team.reviewer, reviews=reviews) is True
    assert services.may_review(recommendation, by=team.reviewer) is False
    assert services.may_review(recommendation, by=team.reviewer, reviews=reviews) is False
    assert services.may_review(recommendation, by=team.editor) is True
    assert services.may_review(recommendation, by=team.contributor) is False


@pytest.mark.parametrize("status", list(Rec.values))
def test_submitter_actions_follow_the_transition_table(team: Team, status: str) -> None:
    recommendation = team.recommendation(status)
    expected = {
        action: status in RECOMMENDATION_TRANSITIONS[action][0]
        for action in (Act.EDIT, Act.SUBMIT, Act.WITHDRAW)
    }

    assert services.submitter_actions(recommendation, by=team.contributor) == expected
    assert services.submitter_actions(recommendation, by=team.reviewer) == dict.fromkeys(
        expected, False
    )


@pytest.mark.parametrize("status", list(Rec.values))
def test_may_accept_follows_the_transition_table(team: Team, status: str) -> None:
    recommendation = team.recommendation(status)
    acceptable = status in RECOMMENDATION_TRANSITIONS[Act.ACCEPT][0]

    assert services.may_accept(recommendation, by=team.editor) is acceptable
    assert services.may_accept(recommendation, by=team.reviewer) is False


def test_review_recommendation_resubmission_starts_a_new_round(team: Team) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    services.review_recommendation(
        recommendation, by=team.reviewer, verdict=Verdict.REQUEST_CHANGES, comment="Shorter."
    )
    services.edit_recommendation(recommendation, by=team.contributor, summary="Short.")
    services.submit_recommendation(recommendation, by=team.contributor)
    services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)

    recommendation.refresh_from_db()
    assert recommendation.status == Rec.ACCEPTED
    assert [row[1:4] for row in audit(recommendation)] == [
        (Act.REQUEST_CHANGES, Rec.SUBMITTED, Rec.CHANGES_REQUESTED),
        (Act.EDIT, Rec.CHANGES_REQUESTED, Rec.CHANGES_REQUESTED),
        (Act.SUBMIT, Rec.CHANGES_REQUESTED, Rec.SUBMITTED),
        (Act.APPROVE, Rec.SUBMITTED, Rec.ACCEPTED),
    ]
    assert Review.objects.count() == 2


def test_review_recommendation_earlier_round_approval_does_not_count(team: Team) -> None:
    team.publication.approvals_required = 2
    team.publication.save()
    recommendation = team.recommendation(Rec.SUBMITTED)
    second = UserFactory()
    MembershipFactory(publication=team.publication, user=second, role=TeamRole.REVIEWER)
    services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)
    services.review_recommendation(
        recommendation, by=second, verdict=Verdict.REQUEST_CHANGES, comment="One fix."
    )
    services.submit_recommendation(recommendation, by=team.contributor)
    services.review_recommendation(recommendation, by=second, verdict=Verdict.APPROVE)
    recommendation.refresh_from_db()
    assert recommendation.status == Rec.SUBMITTED


# ================================================================ an edit after reviews


def _two_approvals_needed(team: Team) -> Any:
    """The publication needs two approvals; returns a second reviewer of it."""
    team.publication.approvals_required = 2
    team.publication.save()
    second = UserFactory(username="second-reviewer")
    MembershipFactory(publication=team.publication, user=second, role=TeamRole.REVIEWER)
    return second


def test_edit_recommendation_after_an_approval_starts_a_new_round(team: Team) -> None:
    second = _two_approvals_needed(team)
    recommendation = team.recommendation(
        Rec.SUBMITTED, summary="A careful benchmark.", code_url="https://github.com/org/repo"
    )
    services.review_recommendation(
        recommendation, by=team.reviewer, verdict=Verdict.APPROVE, comment="Sound."
    )

    # The attack: the submitter changes what the first reviewer approved, then a second
    # approval arrives for a text the first reviewer never saw.
    services.edit_recommendation(
        recommendation,
        by=team.contributor,
        summary="Buy our product.",
        code_url="https://example.com/payload",
    )
    services.review_recommendation(recommendation, by=second, verdict=Verdict.APPROVE)

    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.review_round) == (Rec.SUBMITTED, 2)
    assert recommendation.decided_at is None
    assert list(
        Review.objects.order_by("created_at", "id").values_list("reviewer", "verdict", "round")
    ) == [(team.reviewer.pk, Verdict.APPROVE, 1), (second.pk, Verdict.APPROVE, 2)]
    assert audit(recommendation) == [
        (
            team.contributor,
            Act.EDIT,
            Rec.SUBMITTED,
            Rec.SUBMITTED,
            "Changed: code_url, summary. Review round 2 begins; the approval of round 1 by "
            "reviewer no longer counts.",
        )
    ]
    assert Transition.objects.get().changes == [
        {
            "field": "code_url",
            "old": "https://github.com/org/repo",
            "new": "https://example.com/payload",
        },
        {"field": "summary", "old": "A careful benchmark.", "new": "Buy our product."},
    ]

    # The first reviewer may judge the new version; two approvals of it accept it.
    services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)
    recommendation.refresh_from_db()
    assert recommendation.status == Rec.ACCEPTED
    assert [row[1:4] for row in audit(recommendation)][-1] == (
        Act.APPROVE,
        Rec.SUBMITTED,
        Rec.ACCEPTED,
    )


def test_edit_recommendation_of_any_judged_field_names_every_lapsed_approval(
    team: Team, editor: Any
) -> None:
    team.publication.approvals_required = 3
    team.publication.save()
    recommendation = team.recommendation(Rec.SUBMITTED)
    for member in (team.reviewer, editor):
        services.review_recommendation(recommendation, by=member, verdict=Verdict.APPROVE)

    services.edit_recommendation(
        recommendation, by=team.contributor, topic=TopicFactory(publication=team.publication)
    )

    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.review_round) == (Rec.SUBMITTED, 2)
    assert Transition.objects.get().note == (
        "Changed: topic. Review round 2 begins; the approvals of round 1 by reviewer, editor no "
        "longer count."
    )


def test_edit_recommendation_that_changes_nothing_keeps_the_round(team: Team) -> None:
    second = _two_approvals_needed(team)
    recommendation = team.recommendation(Rec.SUBMITTED, code_url="https://github.com/org/repo")
    services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)

    services.edit_recommendation(
        recommendation,
        by=team.contributor,
        summary=f"  {recommendation.summary}  ",
        code_url="https://github.com/org/repo",
        topic=None,
    )
    services.review_recommendation(recommendation, by=second, verdict=Verdict.APPROVE)

    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.review_round) == (Rec.ACCEPTED, 1)
    assert [row[1:] for row in audit(recommendation)] == [
        (Act.EDIT, Rec.SUBMITTED, Rec.SUBMITTED, "Changed: nothing"),
        (Act.APPROVE, Rec.SUBMITTED, Rec.ACCEPTED, ""),
    ]


def test_edit_recommendation_stale_copy_cannot_bring_back_a_lapsed_round(team: Team) -> None:
    second = _two_approvals_needed(team)
    recommendation = team.recommendation(Rec.SUBMITTED)
    stale = Recommendation.objects.get(pk=recommendation.pk)
    services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)
    services.edit_recommendation(recommendation, by=team.contributor, summary="Second text.")

    services.edit_recommendation(stale, by=team.contributor, summary="Third text.")
    services.review_recommendation(recommendation, by=second, verdict=Verdict.APPROVE)

    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.review_round) == (Rec.SUBMITTED, 3)
    assert recommendation.summary == "Third text."


def test_review_recommendation_of_the_round_before_an_edit_is_refused(team: Team) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED, summary="What the reviewer reads.")
    read = recommendation.review_round  # the reviewer opens the page
    services.edit_recommendation(recommendation, by=team.contributor, summary="Another text.")

    with pytest.raises(Conflict) as refused:
        services.review_recommendation(
            recommendation, by=team.reviewer, verdict=Verdict.APPROVE, review_round=read
        )

    assert refused.value.code == "changed_since_read"
    assert str(refused.value) == (
        "The recommendation has changed since you opened it; it is now in review round 2. "
        "Read this version, then review it."
    )
    assert not Review.objects.exists()
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.review_round) == (Rec.SUBMITTED, 2)

    services.review_recommendation(
        recommendation, by=team.reviewer, verdict=Verdict.APPROVE, review_round=2
    )
    recommendation.refresh_from_db()
    assert recommendation.status == Rec.ACCEPTED


# ================================================================ accept


@pytest.mark.parametrize("who", ["reviewer", "other_contributor"])
def test_accept_recommendation_by_non_editor_is_not_allowed(
    team: Team, who: str, request: pytest.FixtureRequest
) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    with pytest.raises(NotAllowed) as refused:
        services.accept_recommendation(recommendation, by=request.getfixturevalue(who))
    assert refused.value.capability == "recommendations.accept_recommendation"
    assert Recommendation.objects.get().status == Rec.SUBMITTED


def test_accept_recommendation_own_by_editor_is_not_allowed(team: Team) -> None:
    recommendation = RecommendationFactory(publication=team.publication, submitter=team.editor)
    with pytest.raises(NotAllowed):
        services.accept_recommendation(recommendation, by=team.editor)
    assert Recommendation.objects.get().status == Rec.SUBMITTED


def test_accept_recommendation_sets_decided_at(team: Team) -> None:
    recommendation = team.recommendation(Rec.CHANGES_REQUESTED)
    services.accept_recommendation(recommendation, by=team.editor)
    recommendation.refresh_from_db()
    assert recommendation.decided_at is not None


# ================================================================ races: stale objects


def test_review_recommendation_stale_copy_conflicts_and_keeps_no_review(
    team: Team, editor: Any
) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    stale = Recommendation.objects.get(pk=recommendation.pk)
    services.review_recommendation(
        recommendation, by=team.reviewer, verdict=Verdict.REJECT, comment="Off topic."
    )

    with pytest.raises(Conflict):
        services.review_recommendation(stale, by=editor, verdict=Verdict.APPROVE)

    assert list(Review.objects.values_list("reviewer", flat=True)) == [team.reviewer.pk]
    assert Transition.objects.count() == 1
    assert Recommendation.objects.get().status == Rec.REJECTED
