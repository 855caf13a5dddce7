"""The reads of the candidate inbox that matter: what a member's tab shows, at a fixed cost.

A candidate whose paper was featured in a published issue of its publication, or recommended to
it (in a state where the recommendation still stands, a draft included), after the candidate was
found is left out when read (an ``Exists`` subquery), whatever state the row is in: the inbox
shows what is still to be written up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext

from inbox.enums import OPEN_CANDIDATE_STATES, CandidateState, InboxSort, InboxView
from inbox.models import Candidate
from issues.enums import IssueStatus
from issues.models import IssueEntry
from publications.models import Publication
from publications.permissions import can
from recommendations.enums import STANDING_STATES
from recommendations.models import Recommendation

#: The order of each sort, the id breaking ties (the indexes of ``Candidate``).
ORDERINGS = {InboxSort.RANK: ("-score", "id"), InboxSort.DATE: ("-found_at", "id")}


def featured_papers(publication: Publication | int) -> QuerySet[IssueEntry]:
    """Entries of the publication's published issues (their ``paper_id``)."""
    return IssueEntry.objects.filter(
        issue__publication=publication, issue__status=IssueStatus.PUBLISHED, paper__isnull=False
    )


def recommended_papers(publication: Publication | int) -> QuerySet[Recommendation]:
    """Recommendations to the publication that still stand, drafts included (their
    ``paper_id``)."""
    return Recommendation.objects.filter(
        publication=publication, status__in=STANDING_STATES, paper__isnull=False
    )


def taken_papers(publication: Publication | int) -> set[int]:
    """Ids of the papers featured in or recommended to the publication: no longer candidates."""
    return set(featured_papers(publication).values_list("paper_id", flat=True)) | set(
        recommended_papers(publication).values_list("paper_id", flat=True)
    )


def _still_open(queryset: QuerySet[Candidate]) -> QuerySet[Candidate]:
    """Leave out the candidates whose paper was featured or recommended since they were found.

    A recommendation made from a candidate (``recommended``) stands too; that state has no tab,
    and the filter keeps the rows of the other tabs honest."""
    featured = featured_papers(OuterRef("publication_id")).filter(paper_id=OuterRef("paper_id"))
    recommended = recommended_papers(OuterRef("publication_id")).filter(
        paper_id=OuterRef("paper_id")
    )
    return queryset.exclude(Exists(featured)).exclude(Exists(recommended))


def _view_filter(view: str, member: Any) -> Q:
    if view == InboxView.NEW:
        return Q(state=CandidateState.NEW)
    if view == InboxView.CLAIMED:
        return Q(state=CandidateState.CLAIMED)
    if view == InboxView.MINE:
        return Q(state=CandidateState.CLAIMED, claimed_by=member)
    if view == InboxView.DISMISSED:
        return Q(state=CandidateState.DISMISSED)
    raise ValueError(f"Unknown view of the inbox: {view!r}")


def inbox_candidates(
    publication: Publication,
    *,
    member: Any,
    view: str = InboxView.NEW,
    sort: str = InboxSort.RANK,
) -> QuerySet[Candidate]:
    """The candidates of one tab of ``publication``'s inbox as ``member`` sees it, with their
    paper, watch and claimant, ordered by rank (``-score``) or date found (``-found_at``)."""
    if sort not in ORDERINGS:
        raise ValueError(f"Unknown order of the inbox: {sort!r}")
    queryset = Candidate.objects.filter(publication=publication).filter(_view_filter(view, member))
    return (
        _still_open(queryset)
        .select_related("paper", "watch", "claimed_by")
        .order_by(*ORDERINGS[InboxSort(sort)])
    )


def view_counts(publication: Publication, *, member: Any) -> dict[str, int]:
    """{tab: number of candidates} for the inbox's tabs, in one query."""
    counts = _still_open(Candidate.objects.filter(publication=publication)).aggregate(
        **{str(view): Count("pk", filter=_view_filter(view, member)) for view in InboxView}
    )
    return {view: counts[view] or 0 for view in InboxView.values}


def top_unclaimed(
    publication: Publication, limit: int = 10, *, since: dt.datetime | None = None
) -> list[Candidate]:
    """The best ranked new candidates of ``publication`` (found after ``since`` when given), for
    the digest mail."""
    queryset = Candidate.objects.filter(publication=publication, state=CandidateState.NEW)
    if since is not None:
        queryset = queryset.filter(found_at__gt=since)
    return list(
        _still_open(queryset).select_related("paper").order_by(*ORDERINGS[InboxSort.RANK])[:limit]
    )


#: What a member may do to a candidate, each named as the API's endpoint under the candidate.
ACTIONS = ("claim", "write_up", "release", "dismiss", "restore", "interest", "withdraw_interest")


def candidate_actions(user: Any, candidate: Candidate, *, interested: bool) -> list[str]:
    """The actions ``user`` may take on ``candidate`` as it now is: its capabilities and its
    state together (``inbox.enums.CANDIDATE_TRANSITIONS``), for the page's buttons and the
    API's ``actions`` alike. ``interested``: whether the member marked interest already."""
    state = candidate.state
    actions = []
    if state == CandidateState.NEW and can(user, "inbox.claim_candidate", candidate):
        actions += ["claim", "write_up"]
    if state == CandidateState.CLAIMED and candidate.claimed_by_id == user.pk:
        actions.append("write_up")
    if state == CandidateState.CLAIMED and can(user, "inbox.release_claim", candidate):
        actions.append("release")
    if state == CandidateState.NEW and can(user, "inbox.dismiss_candidate", candidate):
        actions.append("dismiss")
    if state == CandidateState.DISMISSED and can(user, "inbox.restore_candidate", candidate):
        actions.append("restore")
    if state in OPEN_CANDIDATE_STATES and can(user, "inbox.mark_interest", candidate):
        actions.append("withdraw_interest" if interested else "interest")
    return actions


def claim_day(moment: dt.datetime) -> str:
    """The day of a claim as people say it, in the active language: "Tuesday 1 December"."""
    # Translators: a date in Django's date format (l: weekday, j: day, F: month, n: month number).
    return format_date(timezone.localtime(moment), gettext("l j F"))


def claim_label(candidate: Candidate) -> str:
    """Who is writing a claimed candidate up and since when; empty when it is not claimed."""
    if candidate.state != CandidateState.CLAIMED or candidate.claimed_by is None:
        return ""
    return gettext("%(member)s is writing this up, since %(day)s.") % {
        "member": candidate.claimed_by.public_name,
        "day": claim_day(candidate.claimed_at),
    }
