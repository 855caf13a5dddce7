"""Candidates: found by a poll, claimed, released (by hand or by time), dismissed, restored,
expired, marked with members' interest, and written up as a draft recommendation."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from common.exceptions import Conflict, InvalidInput, InvalidTransition, QuotaExceeded
from common.validators import check_field, max_length
from drafting.services import drafts as drafting_services
from inbox.enums import CandidateAction, CandidateState
from inbox.models import Candidate, CandidateTransition, InboxSettings, Interest, Watch
from inbox.selectors import recommended_papers, taken_papers
from inbox.services._workflow import candidate_refusal, move_candidate, require_open
from inbox.services.watches import settings_for
from papers.models import Paper
from publications.models import Publication
from publications.permissions import require
from recommendations.models import Recommendation
from recommendations.services.submission import create_recommendation

logger = logging.getLogger("weekly.inbox")

DISMISS_REASON_MAX_LENGTH = 300
#: Candidates expired per transaction.
EXPIRE_BATCH = 500


# --- candidates found ---------------------------------------------------------------------------


def add_candidates(
    publication: Publication,
    papers_with_dates: Iterable[tuple[Paper, dt.datetime | None]],
    *,
    watch: Watch | None,
    scores: Mapping[int, float],
) -> list[Candidate]:
    """Make candidates of ``publication`` of the papers a poll found: ``papers_with_dates`` is
    (paper, its first submission to arXiv), ``scores`` {paper id: similarity in 0..1}.

    Papers that are candidates already, were featured in a published issue of the publication or
    recommended to it (a recommendation that still stands, a draft included) are skipped; of the
    rest, only the ``keep_per_poll`` best scored are kept. Returns the new candidates, best
    first.

    Side effects: inserts Candidates."""
    keep = settings_for(publication).keep_per_poll
    given = {paper.pk: (paper, submitted_at) for paper, submitted_at in papers_with_dates}
    skipped = taken_papers(publication) | set(
        Candidate.objects.filter(publication=publication, paper_id__in=list(given)).values_list(
            "paper_id", flat=True
        )
    )
    fresh = [pk for pk in given if pk not in skipped]
    fresh.sort(key=lambda pk: (-scores.get(pk, 0.0), pk))
    now = timezone.now()
    made: list[Candidate] = []
    for pk in fresh[:keep]:
        paper, submitted_at = given[pk]
        candidate = Candidate(
            publication=publication,
            paper=paper,
            watch=watch,
            score=min(1.0, max(0.0, float(scores.get(pk, 0.0)))),
            found_at=now,
            submitted_at=submitted_at,
        )
        try:
            # Two watches of one publication polled at once may find the same paper: the unique
            # constraint decides, and the later one leaves it.
            with transaction.atomic():
                candidate.save(force_insert=True)
        except IntegrityError:
            continue
        made.append(candidate)
    return made


def claim_candidate(candidate: Candidate, *, by: Any) -> Candidate:
    """``by`` takes the candidate to write it up; one claimant at a time. Refused, naming the
    claimant and the day of the claim, when someone claimed it first (a race included), or
    saying why when it was dismissed, expired or written up.

    Side effects: state → claimed; writes an audit row."""
    require(by, "inbox.claim_candidate", candidate)
    with transaction.atomic():
        # The compare-and-set on ``new`` is what makes two racing claims one claim and one
        # refusal: the database decides which UPDATE saw the row still new.
        return move_candidate(
            candidate,
            action=CandidateAction.CLAIM,
            actor=by,
            extra={"claimed_by": by, "claimed_at": timezone.now()},
        )


def release_claim(candidate: Candidate, *, by: Any, note: str = "") -> Candidate:
    """Let a claim go: by the claimant, or an editor of the publication.

    Side effects: state → new, no claimant; writes an audit row."""
    require(by, "inbox.release_claim", candidate)
    note = check_field("note", (note or "").strip(), max_length(DISMISS_REASON_MAX_LENGTH))
    with transaction.atomic():
        return move_candidate(
            candidate,
            action=CandidateAction.RELEASE,
            actor=by,
            note=note,
            extra={"claimed_by": None, "claimed_at": None},
            expect={"claimed_by_id": candidate.claimed_by_id},
        )


def release_stale_claims(now: dt.datetime | None = None) -> int:
    """Release the claims older than their publication's ``claim_days`` that led to no
    recommendation (the claimant recommended the paper to the publication in no other way
    either); the number released. The worker's sweep: acts for nobody.

    Side effects: states → new; one audit row each (no actor)."""
    now = now or timezone.now()
    released = 0
    claimed = Candidate.objects.filter(state=CandidateState.CLAIMED)
    for publication_id in claimed.order_by().values_list("publication_id", flat=True).distinct():
        days = (
            InboxSettings.objects.filter(publication_id=publication_id)
            .values_list("claim_days", flat=True)
            .first()
        ) or InboxSettings._meta.get_field("claim_days").default
        recommended = recommended_papers(publication_id).filter(
            paper_id=OuterRef("paper_id"), submitter_id=OuterRef("claimed_by_id")
        )
        stale = (
            claimed.filter(publication_id=publication_id, claimed_at__lt=now - dt.timedelta(days))
            .exclude(Exists(recommended))
            .order_by("pk")
        )
        note = ngettext(
            "Released after %(days)d day without a recommendation.",
            "Released after %(days)d days without a recommendation.",
            days,
        ) % {"days": days}
        for candidate in stale:
            try:
                with transaction.atomic():
                    move_candidate(
                        candidate,
                        action=CandidateAction.RELEASE,
                        actor=None,
                        note=note,
                        extra={"claimed_by": None, "claimed_at": None},
                        expect={
                            "claimed_by_id": candidate.claimed_by_id,
                            "claimed_at": candidate.claimed_at,
                        },
                    )
            except (InvalidTransition, Conflict):
                continue  # written up or released meanwhile
            released += 1
    return released


def dismiss_candidate(candidate: Candidate, *, by: Any, reason: str) -> Candidate:
    """``by`` says the candidate is not for the publication, and why (at most 300 characters).
    Only a new candidate may be dismissed: a claimed one is released first.

    Side effects: state → dismissed; writes an audit row with the reason."""
    require(by, "inbox.dismiss_candidate", candidate)
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput(gettext("Say why this candidate is dismissed."), field="reason")
    check_field("reason", reason, max_length(DISMISS_REASON_MAX_LENGTH))
    with transaction.atomic():
        return move_candidate(
            candidate,
            action=CandidateAction.DISMISS,
            actor=by,
            note=reason,
            extra={"dismissed_by": by, "dismissed_at": timezone.now(), "dismiss_reason": reason},
        )


def restore_candidate(candidate: Candidate, *, by: Any) -> Candidate:
    """Bring a dismissed candidate back to the inbox: the member who dismissed it, or an
    editor.

    Side effects: state → new, the dismissal forgotten (kept in the audit row); writes an audit
    row."""
    require(by, "inbox.restore_candidate", candidate)
    with transaction.atomic():
        return move_candidate(
            candidate,
            action=CandidateAction.RESTORE,
            actor=by,
            extra={"dismissed_by": None, "dismissed_at": None, "dismiss_reason": ""},
        )


def expire_candidates(now: dt.datetime | None = None) -> int:
    """New candidates found longer ago than their publication's ``expire_days`` expire; the
    number expired. The worker's sweep: acts for nobody.

    Side effects: states → expired; one audit row each (no actor)."""
    now = now or timezone.now()
    expired = 0
    new = Candidate.objects.filter(state=CandidateState.NEW)
    for publication_id in new.order_by().values_list("publication_id", flat=True).distinct():
        days = (
            InboxSettings.objects.filter(publication_id=publication_id)
            .values_list("expire_days", flat=True)
            .first()
        ) or InboxSettings._meta.get_field("expire_days").default
        old = new.filter(publication_id=publication_id, found_at__lt=now - dt.timedelta(days))
        ids = list(old.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), EXPIRE_BATCH):
            with transaction.atomic():
                # Locked, then moved: a member claiming one of these meanwhile either claims it
                # first (it is left out here) or finds it expired.
                batch = list(
                    Candidate.objects.select_for_update()
                    .filter(pk__in=ids[start : start + EXPIRE_BATCH], state=CandidateState.NEW)
                    .values_list("pk", flat=True)
                )
                Candidate.objects.filter(pk__in=batch).update(state=CandidateState.EXPIRED)
                CandidateTransition.objects.bulk_create(
                    CandidateTransition(
                        candidate_id=pk,
                        actor=None,
                        action=CandidateAction.EXPIRE,
                        from_status=CandidateState.NEW,
                        to_status=CandidateState.EXPIRED,
                    )
                    for pk in batch
                )
            expired += len(batch)
    return expired


# --- interest -----------------------------------------------------------------------------------


def mark_interest(candidate: Candidate, *, by: Any) -> bool:
    """``by`` would like to see the candidate written up; whether this is news (marking twice is
    one interest).

    Side effects: may insert an Interest and count it on the candidate."""
    require(by, "inbox.mark_interest", candidate)
    with transaction.atomic():
        require_open(candidate, by=by)
        _interest, created = Interest.objects.get_or_create(candidate=candidate, member=by)
        if created:
            Candidate.objects.filter(pk=candidate.pk).update(interest_count=F("interest_count") + 1)
    if created:
        candidate.refresh_from_db(fields=["interest_count"])
    return created


def withdraw_interest(candidate: Candidate, *, by: Any) -> bool:
    """``by`` takes their interest back; whether there was one.

    Side effects: may delete an Interest and uncount it."""
    require(by, "inbox.mark_interest", candidate)
    with transaction.atomic():
        deleted, _rows = Interest.objects.filter(candidate=candidate, member=by).delete()
        if deleted:
            Candidate.objects.filter(pk=candidate.pk, interest_count__gt=0).update(
                interest_count=F("interest_count") - 1
            )
    if deleted:
        candidate.refresh_from_db(fields=["interest_count"])
    return bool(deleted)


# --- writing up ---------------------------------------------------------------------------------


def write_up(candidate: Candidate, *, by: Any, summary: str = "") -> Recommendation:
    """Turn the candidate into ``by``'s draft recommendation of its paper to the publication, in
    one step: claimed first when it is new (a candidate someone else claimed is refused, naming
    them), then the draft made by ``recommendations`` with the paper filled in, linked to the
    candidate. Where the publication asks a language model for drafts, the draft may leave the
    summary empty and the drafts of the entry are asked for; elsewhere ``summary`` is needed
    (``summary_needed``). Everything but the drafts' request is one transaction: a refused
    recommendation (a duplicate, the weekly quota) leaves the candidate as it was.

    Side effects: may claim the candidate; inserts a Recommendation (draft) and its audit row;
    state → recommended; audit rows; may queue the drafts of the entry."""
    require(by, "inbox.claim_candidate", candidate)
    publication = candidate.publication
    paper = candidate.paper
    with transaction.atomic():
        current = Candidate.objects.select_related("claimed_by").get(pk=candidate.pk)
        if current.state == CandidateState.NEW:
            move_candidate(
                candidate,
                action=CandidateAction.CLAIM,
                actor=by,
                extra={"claimed_by": by, "claimed_at": timezone.now()},
            )
        elif not (current.state == CandidateState.CLAIMED and current.claimed_by_id == by.pk):
            raise candidate_refusal(current, CandidateAction.RECOMMEND, by)
        else:
            candidate.state = current.state
        recommendation = create_recommendation(
            by=by,
            publication=publication,
            identifier=paper.url,
            summary=summary,
            draft=True,
        )
        move_candidate(
            candidate,
            action=CandidateAction.RECOMMEND,
            actor=by,
            extra={"claimed_by": None, "claimed_at": None, "recommendation": recommendation},
            expect={"claimed_by_id": by.pk},
        )
    if drafting_services.drafting_on(publication):
        try:
            drafting_services.request_draft(publication, paper, by=by)
        except (QuotaExceeded, InvalidInput) as error:
            # The recommendation stands; its member writes the entry without drafts.
            logger.info("No drafts for candidate %s: %s", candidate.pk, error)
    return recommendation


def summary_needed(publication: Publication) -> bool:
    """Whether ``write_up`` needs a summary for ``publication``: where no language model drafts
    one, a recommendation's draft starts with the member's own."""
    return not drafting_services.drafting_on(publication)
