"""Candidates (``inbox/services/candidates.py``): each outcome and each refusal, with the
state, the audit rows and the messages members read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation

from common.exceptions import InvalidInput, InvalidTransition, NotAllowed
from drafting.enums import DraftStatus
from drafting.models import Draft, DraftingRequest
from inbox import selectors, services
from inbox.enums import CandidateState
from inbox.models import Candidate, InboxSettings, Interest
from issues.enums import Section
from publications.models import Publication
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    PaperFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.factories.inbox import CandidateFactory, WatchFactory
from tests.workflow import audit

pytestmark = pytest.mark.django_db

#: Tuesday 1 December 2026, noon UTC: the day a claim in these tests was made.
TUESDAY = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _fresh(candidate: Candidate) -> Candidate:
    return Candidate.objects.get(pk=candidate.pk)


# --- add_candidates -----------------------------------------------------------------------------


def test_add_candidates_skips_known_featured_and_recommended_papers(
    publication: Publication, other_publication: Publication
) -> None:
    watch = WatchFactory(publication=publication)
    known, featured, drafted, withdrawn, elsewhere, fresh = PaperFactory.create_batch(6)
    CandidateFactory(publication=publication, paper=known)
    # Featured in a published issue of an imported past (an entry without a recommendation).
    IssueEntryFactory(
        issue=IssueFactory(publication=publication, published=True),
        recommendation=None,
        paper=featured,
        section=Section.PAPERS,
    )
    RecommendationFactory(publication=publication, paper=drafted, status=RecommendationStatus.DRAFT)
    RecommendationFactory(
        publication=publication, paper=withdrawn, status=RecommendationStatus.WITHDRAWN
    )
    RecommendationFactory(publication=other_publication, paper=elsewhere)
    submitted = dt.datetime(2026, 12, 6, 18, 0, tzinfo=dt.UTC)
    papers = [known, featured, drafted, withdrawn, elsewhere, fresh]

    made = services.add_candidates(
        publication,
        [(paper, submitted) for paper in papers],
        watch=watch,
        scores={paper.pk: 0.1 * n for n, paper in enumerate(papers)},
    )

    assert [c.paper for c in made] == [fresh, elsewhere, withdrawn]
    assert made[0].score == pytest.approx(0.5)
    assert made[0].watch == watch
    assert made[0].submitted_at == submitted
    assert made[0].state == CandidateState.NEW
    assert Candidate.objects.filter(publication=publication).count() == 4


def test_add_candidates_keeps_the_best_scored_up_to_keep_per_poll(
    publication: Publication,
) -> None:
    InboxSettings.objects.create(publication=publication, keep_per_poll=2)
    papers = PaperFactory.create_batch(4)
    scores = {papers[0].pk: 0.2, papers[1].pk: 0.9, papers[2].pk: 1.7, papers[3].pk: 0.4}

    made = services.add_candidates(
        publication, [(p, None) for p in papers], watch=None, scores=scores
    )

    assert [c.paper for c in made] == [papers[2], papers[1]]
    # A score is a similarity: never above 1.
    assert made[0].score == 1.0


# --- claim --------------------------------------------------------------------------------------


def test_claim_candidate_records_the_claimant_and_the_audit_row(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication)

    services.claim_candidate(candidate, by=contributor)

    stored = _fresh(candidate)
    assert stored.state == CandidateState.CLAIMED
    assert stored.claimed_by == contributor
    assert stored.claimed_at is not None
    assert audit(stored) == [(contributor, "claim", "new", "claimed", "")]


def test_claim_candidate_twice_refuses_the_second_naming_the_claimant_and_day(
    publication: Publication, contributor: Any, other_contributor: Any
) -> None:
    contributor.display_name = "王小明"
    contributor.save(update_fields=["display_name"])
    candidate = CandidateFactory(publication=publication)
    # The second member loaded the page before the first claimed: the same old copy.
    seen_by_other = _fresh(candidate)
    services.claim_candidate(candidate, by=contributor)
    Candidate.objects.filter(pk=candidate.pk).update(claimed_at=TUESDAY)

    with pytest.raises(InvalidTransition) as refused:
        services.claim_candidate(seen_by_other, by=other_contributor)

    assert refused.value.message == ("王小明 is already writing this up, since Tuesday 1 December.")
    assert refused.value.code == "cannot_claim"
    assert _fresh(candidate).claimed_by == contributor
    assert len(audit(candidate)) == 1


def test_claim_candidate_refusal_in_chinese(
    publication: Publication, contributor: Any, other_contributor: Any
) -> None:
    contributor.display_name = "王小明"
    contributor.save(update_fields=["display_name"])
    candidate = CandidateFactory(publication=publication)
    services.claim_candidate(candidate, by=contributor)
    Candidate.objects.filter(pk=candidate.pk).update(claimed_at=TUESDAY)

    with translation.override("zh-hans"), pytest.raises(InvalidTransition) as refused:
        services.claim_candidate(candidate, by=other_contributor)

    # The day is said in the member's language (the weekday's name from Django's own catalogue).
    assert "王小明" in refused.value.message
    assert "星期二" in refused.value.message


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (CandidateState.DISMISSED, "This candidate was dismissed: Off topic."),
        (CandidateState.EXPIRED, "This candidate expired: nobody claimed it in time."),
        (CandidateState.RECOMMENDED, "This candidate has been written up already."),
    ],
)
def test_claim_candidate_closed_says_why(
    publication: Publication, contributor: Any, state: str, message: str
) -> None:
    candidate = CandidateFactory(publication=publication, state=state, dismiss_reason="Off topic.")
    with pytest.raises(InvalidTransition, match=message):
        services.claim_candidate(candidate, by=contributor)
    assert _fresh(candidate).state == state
    assert audit(candidate) == []


def test_claim_candidate_anonymous_is_not_allowed(publication: Publication) -> None:
    candidate = CandidateFactory(publication=publication)
    with pytest.raises(NotAllowed, match=r"Sign in to write up a candidate\."):
        services.claim_candidate(candidate, by=AnonymousUser())
    assert _fresh(candidate).state == CandidateState.NEW


# --- release ------------------------------------------------------------------------------------


def test_release_claim_by_the_claimant(publication: Publication, contributor: Any) -> None:
    candidate = CandidateFactory(publication=publication)
    services.claim_candidate(candidate, by=contributor)

    services.release_claim(candidate, by=contributor, note="No time this week.")

    stored = _fresh(candidate)
    assert (stored.state, stored.claimed_by, stored.claimed_at) == (CandidateState.NEW, None, None)
    assert audit(stored)[-1] == (contributor, "release", "claimed", "new", "No time this week.")


def test_release_claim_by_an_editor(
    publication: Publication, contributor: Any, editor: Any
) -> None:
    candidate = CandidateFactory(publication=publication, claimed=True, claimed_by=contributor)
    services.release_claim(candidate, by=editor)
    assert _fresh(candidate).state == CandidateState.NEW
    assert audit(candidate) == [(editor, "release", "claimed", "new", "")]


def test_release_claim_by_another_member_is_not_allowed(
    publication: Publication, contributor: Any, other_contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication, claimed=True, claimed_by=contributor)
    with pytest.raises(NotAllowed, match="Only the member who claimed this candidate"):
        services.release_claim(candidate, by=other_contributor)
    assert _fresh(candidate).claimed_by == contributor


def test_release_claim_of_a_new_candidate_is_refused(publication: Publication, editor: Any) -> None:
    candidate = CandidateFactory(publication=publication)
    with pytest.raises(InvalidTransition, match=r"Nobody has claimed this candidate\."):
        services.release_claim(candidate, by=editor)


def test_release_stale_claims_releases_old_claims_without_a_recommendation(
    publication: Publication, contributor: Any, other_contributor: Any
) -> None:
    now = timezone.now()
    InboxSettings.objects.create(publication=publication, claim_days=3)
    stale = CandidateFactory(
        publication=publication,
        claimed=True,
        claimed_by=contributor,
        claimed_at=now - dt.timedelta(days=4),
    )
    recent = CandidateFactory(
        publication=publication,
        claimed=True,
        claimed_by=contributor,
        claimed_at=now - dt.timedelta(days=2),
    )
    # Recommended through the ordinary form rather than "Write it up": the claim bore fruit.
    written = CandidateFactory(
        publication=publication,
        claimed=True,
        claimed_by=other_contributor,
        claimed_at=now - dt.timedelta(days=10),
    )
    RecommendationFactory(publication=publication, paper=written.paper, submitter=other_contributor)

    assert services.release_stale_claims(now) == 1

    assert _fresh(stale).state == CandidateState.NEW
    assert audit(stale) == [
        (None, "release", "claimed", "new", "Released after 3 days without a recommendation.")
    ]
    assert _fresh(recent).state == CandidateState.CLAIMED
    assert _fresh(written).state == CandidateState.CLAIMED


# --- dismiss and restore ------------------------------------------------------------------------


def test_dismiss_candidate_keeps_the_reason(publication: Publication, contributor: Any) -> None:
    candidate = CandidateFactory(publication=publication)

    services.dismiss_candidate(candidate, by=contributor, reason="  Not about\n pretraining. ")

    stored = _fresh(candidate)
    assert stored.state == CandidateState.DISMISSED
    assert (stored.dismissed_by, stored.dismiss_reason) == (contributor, "Not about pretraining.")
    assert audit(stored) == [(contributor, "dismiss", "new", "dismissed", "Not about pretraining.")]


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("   ", "Say why this candidate is dismissed."),
        ("x" * 301, "At most 300 characters, please."),
        ("bad\x00byte", "This text contains control characters."),
    ],
)
def test_dismiss_candidate_refuses_a_missing_or_bad_reason(
    publication: Publication, contributor: Any, reason: str, message: str
) -> None:
    candidate = CandidateFactory(publication=publication)
    with pytest.raises(InvalidInput, match=message) as refused:
        services.dismiss_candidate(candidate, by=contributor, reason=reason)
    assert refused.value.field == "reason"
    assert _fresh(candidate).state == CandidateState.NEW


def test_dismiss_candidate_claimed_by_another_is_refused(
    publication: Publication, contributor: Any, other_contributor: Any
) -> None:
    other_contributor.display_name = "李雷"
    other_contributor.save(update_fields=["display_name"])
    candidate = CandidateFactory(
        publication=publication, claimed=True, claimed_by=other_contributor
    )
    with pytest.raises(InvalidTransition, match="李雷 is already writing this up"):
        services.dismiss_candidate(candidate, by=contributor, reason="Off topic.")


def test_restore_candidate_by_the_member_who_dismissed_it(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication)
    services.dismiss_candidate(candidate, by=contributor, reason="Off topic.")

    services.restore_candidate(candidate, by=contributor)

    stored = _fresh(candidate)
    assert (stored.state, stored.dismissed_by, stored.dismiss_reason) == ("new", None, "")
    assert [row[1:4] for row in audit(stored)] == [
        ("dismiss", "new", "dismissed"),
        ("restore", "dismissed", "new"),
    ]


def test_restore_candidate_by_another_member_is_not_allowed_by_an_editor_is(
    publication: Publication, contributor: Any, other_contributor: Any, editor: Any
) -> None:
    candidate = CandidateFactory(publication=publication, dismissed=True, dismissed_by=contributor)
    with pytest.raises(NotAllowed, match="Only the member who dismissed this candidate"):
        services.restore_candidate(candidate, by=other_contributor)
    services.restore_candidate(candidate, by=editor)
    assert _fresh(candidate).state == CandidateState.NEW


# --- interest -----------------------------------------------------------------------------------


def test_mark_interest_is_idempotent_and_counted(
    publication: Publication, contributor: Any, other_contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication)

    assert services.mark_interest(candidate, by=contributor) is True
    assert services.mark_interest(candidate, by=contributor) is False
    assert services.mark_interest(candidate, by=other_contributor) is True

    assert _fresh(candidate).interest_count == 2
    assert candidate.interest_count == 2
    assert Interest.objects.filter(candidate=candidate).count() == 2

    assert services.withdraw_interest(candidate, by=contributor) is True
    assert services.withdraw_interest(candidate, by=contributor) is False
    assert _fresh(candidate).interest_count == 1
    assert list(Interest.objects.values_list("member", flat=True)) == [other_contributor.pk]


def test_mark_interest_in_a_dismissed_candidate_is_refused(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication, dismissed=True)
    with pytest.raises(InvalidTransition, match="This candidate was dismissed"):
        services.mark_interest(candidate, by=contributor)
    assert Interest.objects.count() == 0


# --- write_up -----------------------------------------------------------------------------------


def test_write_up_makes_the_draft_recommendation_and_links_it(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication)

    recommendation = services.write_up(
        candidate, by=contributor, summary="Why this paper matters for pretraining."
    )

    assert recommendation.status == RecommendationStatus.DRAFT
    assert recommendation.paper == candidate.paper
    assert recommendation.submitter == contributor
    assert recommendation.publication == publication
    stored = _fresh(candidate)
    assert stored.state == CandidateState.RECOMMENDED
    assert stored.recommendation == recommendation
    assert (stored.claimed_by, stored.claimed_at) == (None, None)
    assert [row[:4] for row in audit(stored)] == [
        (contributor, "claim", "new", "claimed"),
        (contributor, "recommend", "claimed", "recommended"),
    ]
    # The candidate leaves the inbox: its paper is recommended now.
    assert selectors.view_counts(publication, member=contributor) == dict.fromkeys(
        ("new", "claimed", "mine", "dismissed"), 0
    )
    # Without a language model the member gave the summary themselves.
    assert services.summary_needed(publication) is True
    assert recommendation.summary == "Why this paper matters for pretraining."


def test_write_up_of_own_claim(publication: Publication, contributor: Any) -> None:
    candidate = CandidateFactory(publication=publication)
    services.claim_candidate(candidate, by=contributor)

    recommendation = services.write_up(candidate, by=contributor, summary="Worth a read, truly.")

    assert _fresh(candidate).recommendation == recommendation
    assert [row[1] for row in audit(candidate)] == ["claim", "recommend"]


def test_write_up_of_anothers_claim_is_refused(
    publication: Publication, contributor: Any, other_contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication, claimed=True, claimed_by=contributor)
    with pytest.raises(InvalidTransition, match="is already writing this up"):
        services.write_up(candidate, by=other_contributor, summary="Mine now.")
    assert Recommendation.objects.count() == 0


def test_write_up_refused_by_recommendations_leaves_the_candidate_new(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication)
    # Without a language model, a draft starts with the member's own summary.
    with pytest.raises(InvalidInput) as refused:
        services.write_up(candidate, by=contributor)
    assert refused.value.field == "summary"
    stored = _fresh(candidate)
    assert (stored.state, stored.claimed_by) == (CandidateState.NEW, None)
    assert audit(stored) == []
    assert Recommendation.objects.count() == 0


def test_write_up_with_drafting_on_asks_for_the_drafts(
    publication: Publication, contributor: Any, settings: Any
) -> None:
    settings.LLM_API_URL = "http://127.0.0.1:9/v1"
    settings.LLM_MODEL = "stand-in"
    candidate = CandidateFactory(publication=publication)
    assert services.summary_needed(publication) is False

    recommendation = services.write_up(candidate, by=contributor)

    assert recommendation.summary == ""
    assert recommendation.paper == candidate.paper
    draft = Draft.objects.get(publication=publication, paper=candidate.paper)
    assert draft.status == DraftStatus.QUEUED
    assert draft.requested_by == contributor
    assert DraftingRequest.objects.filter(requested_by=contributor).count() == 1


# --- expiry -------------------------------------------------------------------------------------


def test_expire_candidates_expires_old_new_candidates_only(
    publication: Publication, other_publication: Publication, contributor: Any
) -> None:
    now = timezone.now()
    InboxSettings.objects.create(publication=publication, expire_days=10)
    old = CandidateFactory(publication=publication, found_at=now - dt.timedelta(days=11))
    young = CandidateFactory(publication=publication, found_at=now - dt.timedelta(days=9))
    claimed = CandidateFactory(
        publication=publication,
        claimed=True,
        claimed_by=contributor,
        found_at=now - dt.timedelta(days=40),
    )
    # Another publication keeps the default of 30 days.
    elsewhere = CandidateFactory(
        publication=other_publication, found_at=now - dt.timedelta(days=20)
    )

    assert services.expire_candidates(now) == 1

    assert _fresh(old).state == CandidateState.EXPIRED
    assert audit(old) == [(None, "expire", "new", "expired", "")]
    assert [_fresh(c).state for c in (young, claimed, elsewhere)] == ["new", "claimed", "new"]


def test_removing_a_claimant_releases_the_claim(publication: Publication) -> None:
    member = UserFactory()
    candidate = CandidateFactory(publication=publication, claimed=True, claimed_by=member)
    member.delete()
    stored = _fresh(candidate)
    assert (stored.state, stored.claimed_by) == (CandidateState.NEW, None)
    assert audit(stored) == [
        (None, "release", "claimed", "new", "The claimant's account was removed.")
    ]


def test_claim_candidate_again_by_the_claimant_says_it_is_theirs(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication)
    services.claim_candidate(candidate, by=contributor)
    Candidate.objects.filter(pk=candidate.pk).update(claimed_at=TUESDAY)
    expected = (
        "You are writing this up yourself, since Tuesday 1 December: release your claim first "
        "to do anything else with it."
    )

    with pytest.raises(InvalidTransition) as twice:
        services.claim_candidate(_fresh(candidate), by=contributor)
    with pytest.raises(InvalidTransition) as dismissed:
        services.dismiss_candidate(_fresh(candidate), by=contributor, reason="Changed my mind.")

    assert twice.value.message == dismissed.value.message == expected
    assert [row[1] for row in audit(candidate)] == ["claim"]
