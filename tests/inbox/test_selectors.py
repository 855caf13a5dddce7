"""The inbox's reads (``inbox/selectors.py``): the tabs, their order and counts, what they leave
out, and a page's cost whatever its length."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inbox import selectors
from inbox.enums import CandidateState
from publications.models import Publication
from recommendations.enums import RecommendationStatus
from tests.factories import IssueEntryFactory, IssueFactory, RecommendationFactory
from tests.factories.inbox import CandidateFactory, WatchFactory

pytestmark = pytest.mark.django_db


def _tab(publication: Publication, member: Any, view: str, sort: str = "rank") -> list[Any]:
    return list(selectors.inbox_candidates(publication, member=member, view=view, sort=sort))


def test_inbox_candidates_tabs_and_orders(
    publication: Publication, other_publication: Publication, contributor: Any, editor: Any
) -> None:
    now = timezone.now()
    low_new = CandidateFactory(publication=publication, score=0.2, found_at=now)
    high_old = CandidateFactory(
        publication=publication, score=0.9, found_at=now - dt.timedelta(days=2)
    )
    mine = CandidateFactory(publication=publication, claimed=True, claimed_by=contributor)
    theirs = CandidateFactory(publication=publication, claimed=True, claimed_by=editor)
    dismissed = CandidateFactory(publication=publication, dismissed=True)
    CandidateFactory(publication=publication, state=CandidateState.EXPIRED)
    CandidateFactory(publication=other_publication, score=1.0)

    assert _tab(publication, contributor, "new") == [high_old, low_new]
    assert _tab(publication, contributor, "new", "date") == [low_new, high_old]
    assert set(_tab(publication, contributor, "claimed")) == {mine, theirs}
    assert _tab(publication, contributor, "mine") == [mine]
    assert _tab(publication, contributor, "dismissed") == [dismissed]
    assert selectors.view_counts(publication, member=contributor) == {
        "new": 2,
        "claimed": 2,
        "mine": 1,
        "dismissed": 1,
    }


def test_inbox_candidates_unknown_view_or_sort_raises(
    publication: Publication, contributor: Any
) -> None:
    with pytest.raises(ValueError, match="view"):
        selectors.inbox_candidates(publication, member=contributor, view="all")
    with pytest.raises(ValueError, match="order"):
        selectors.inbox_candidates(publication, member=contributor, sort="random")


def test_inbox_candidates_leave_out_papers_featured_or_recommended_since_found(
    publication: Publication, other_publication: Publication, contributor: Any
) -> None:
    featured, drafted, rejected, elsewhere, open_ = CandidateFactory.create_batch(
        5, publication=publication
    )
    IssueEntryFactory(
        issue=IssueFactory(publication=publication, published=True),
        recommendation__paper=featured.paper,
    )
    RecommendationFactory(
        publication=publication, paper=drafted.paper, status=RecommendationStatus.DRAFT
    )
    RecommendationFactory(
        publication=publication, paper=rejected.paper, status=RecommendationStatus.REJECTED
    )
    RecommendationFactory(publication=other_publication, paper=elsewhere.paper)

    shown = set(_tab(publication, contributor, "new"))

    assert shown == {rejected, elsewhere, open_}
    assert selectors.view_counts(publication, member=contributor)["new"] == 3
    assert set(selectors.top_unclaimed(publication)) == {rejected, elsewhere, open_}


def test_inbox_candidates_queries_do_not_grow_with_candidates(
    publication: Publication, contributor: Any
) -> None:
    watch = WatchFactory(publication=publication)

    shown: list[tuple[str, ...]] = []

    def page() -> int:
        with CaptureQueriesContext(connection) as queries:
            rows = _tab(publication, contributor, "claimed")
            for candidate in rows:
                # What a row of the page shows.
                shown.append(
                    (
                        str(candidate.paper),
                        candidate.paper.arxiv_id,
                        candidate.watch.name,
                        selectors.claim_label(candidate),
                    )
                )
            selectors.view_counts(publication, member=contributor)
        return len(queries)

    CandidateFactory(publication=publication, watch=watch, claimed=True)
    few = page()
    CandidateFactory.create_batch(12, publication=publication, watch=watch, claimed=True)
    assert page() == few == 2
    assert len(shown) == 1 + 13


def test_top_unclaimed_best_first_since_a_day(publication: Publication) -> None:
    now = timezone.now()
    old = CandidateFactory(publication=publication, score=0.99, found_at=now - dt.timedelta(8))
    best = CandidateFactory(publication=publication, score=0.8)
    second = CandidateFactory(publication=publication, score=0.5)
    CandidateFactory(publication=publication, score=0.95, claimed=True)

    assert selectors.top_unclaimed(publication) == [old, best, second]
    assert selectors.top_unclaimed(publication, 1, since=now - dt.timedelta(days=7)) == [best]


def test_claim_label_names_the_claimant_and_day(publication: Publication, contributor: Any) -> None:
    contributor.display_name = "王小明"
    contributor.save(update_fields=["display_name"])
    candidate = CandidateFactory(
        publication=publication,
        claimed=True,
        claimed_by=contributor,
        claimed_at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC),
    )
    assert (
        selectors.claim_label(candidate) == "王小明 is writing this up, since Tuesday 1 December."
    )
    assert selectors.claim_label(CandidateFactory(publication=publication)) == ""
