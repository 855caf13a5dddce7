"""The candidate inbox's writes: candidates found, claimed, released, dismissed, restored,
expired and written up; members' interest and digest subscriptions; the editors' watches and
settings.

Every change of a candidate's state is one compare-and-set UPDATE on the state it starts from
(``_move``), so two members acting at once get one success and one clear refusal, and writes one
``CandidateTransition``. The services check the capability themselves (the workers' sweeps,
acting for nobody, have none to check).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from common.exceptions import Conflict, InvalidInput, InvalidTransition, QuotaExceeded
from common.validators import check_field, max_length
from drafting.services import drafts as drafting_services
from inbox.enums import (
    CANDIDATE_TRANSITIONS,
    OPEN_CANDIDATE_STATES,
    CandidateAction,
    CandidateState,
)
from inbox.models import (
    Candidate,
    CandidateTransition,
    DigestSubscription,
    InboxSettings,
    Interest,
    Watch,
)
from inbox.selectors import claim_day, recommended_papers, taken_papers
from papers.models import Paper
from publications.models import Publication
from publications.permissions import require
from recommendations.models import Recommendation
from recommendations.services.submission import create_recommendation

logger = logging.getLogger("weekly.inbox")

DISMISS_REASON_MAX_LENGTH = 300
#: An arXiv category: an archive (``cs``, ``hep-th``, ``math``), and a subject class after a dot
#: (``cs.CL``, ``math.ST``, ``q-bio.NC``, ``astro-ph.GA``).
CATEGORY = re.compile(r"^[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]{2,})?$")
MAX_CATEGORIES = 20
#: Candidates expired per transaction.
EXPIRE_BATCH = 500


# --- settings -----------------------------------------------------------------------------------


def settings_for(publication: Publication) -> InboxSettings:
    """The publication's inbox settings, made with the defaults the first time they are asked
    for.

    Side effects: may insert an InboxSettings."""
    found, _created = InboxSettings.objects.get_or_create(publication=publication)
    return found


def update_inbox_settings(
    publication: Publication,
    *,
    by: Any,
    claim_days: int | None = None,
    expire_days: int | None = None,
    keep_per_poll: int | None = None,
) -> InboxSettings:
    """Change how long a claim lasts, how long a candidate waits and how many a poll keeps.

    Side effects: updates (or inserts) the publication's InboxSettings."""
    require(by, "inbox.manage_watches", publication)
    limits = {"claim_days": (1, 365), "expire_days": (1, 365), "keep_per_poll": (1, 1000)}
    given = {"claim_days": claim_days, "expire_days": expire_days, "keep_per_poll": keep_per_poll}
    changed: dict[str, int] = {}
    for name, value in given.items():
        if value is None:
            continue
        low, high = limits[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidInput(
                gettext("Give a whole number from %(low)s to %(high)s.")
                % {"low": low, "high": high},
                field=name,
            )
        changed[name] = value
    with transaction.atomic():
        found = settings_for(publication)
        for name, value in changed.items():
            setattr(found, name, value)
        if changed:
            found.save(update_fields=[*changed, "updated_at"])
    return found


# --- watches ------------------------------------------------------------------------------------


def clean_categories(value: str) -> str:
    """arXiv categories separated by spaces (or commas), each checked, each once, in the order
    given."""
    check_field("categories", value, max_length(200))
    names = list(dict.fromkeys(value.replace(",", " ").split()))
    wrong = [name for name in names if not CATEGORY.match(name)]
    if wrong:
        raise InvalidInput(
            gettext(
                "Not an arXiv category: %(names)s. Write categories as arXiv does, e.g. cs.CL, "
                "math.ST or hep-th, separated by spaces."
            )
            % {"names": ", ".join(wrong)},
            field="categories",
        )
    if len(names) > MAX_CATEGORIES:
        raise InvalidInput(
            gettext("At most %(count)s categories, please.") % {"count": MAX_CATEGORIES},
            field="categories",
        )
    return " ".join(names)


def clean_query(value: str) -> str:
    """A query in arXiv's search syntax on one line, its parentheses and quotes balanced."""
    check_field("query", value, max_length(500))
    if "\n" in value or "\r" in value or "\t" in value:
        raise InvalidInput(gettext("Write the query on one line."), field="query")
    depth = 0
    for character in value:
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth < 0:
            break
    if depth != 0 or value.count('"') % 2:
        raise InvalidInput(
            gettext("The query's parentheses or quotation marks are not balanced."), field="query"
        )
    return " ".join(value.split())


def save_watch(
    publication: Publication,
    *,
    by: Any,
    name: str,
    categories: str = "",
    query: str = "",
    is_active: bool = True,
    watch: Watch | None = None,
) -> Watch:
    """Add a watch to ``publication``, or change ``watch``: arXiv categories, a query, or both.

    Side effects: inserts or updates a Watch."""
    require(by, "inbox.manage_watches", publication)
    if watch is not None and watch.publication_id != publication.pk:
        raise InvalidInput(gettext("This watch belongs to another publication."))
    name = check_field("name", (name or "").strip(), max_length(100))
    if not name:
        raise InvalidInput(gettext("Give the watch a name."), field="name")
    categories = clean_categories((categories or "").strip())
    query = clean_query((query or "").strip())
    if not (categories or query):
        raise InvalidInput(gettext("Give arXiv categories, a query, or both."), field="categories")
    if watch is None:
        return Watch.objects.create(
            publication=publication,
            name=name,
            categories=categories,
            query=query,
            is_active=is_active,
            created_by=by,
        )
    watch.name, watch.categories, watch.query, watch.is_active = name, categories, query, is_active
    watch.save(update_fields=["name", "categories", "query", "is_active", "updated_at"])
    return watch


def delete_watch(watch: Watch, *, by: Any) -> None:
    """Remove a watch; the candidates it found stay, without it.

    Side effects: deletes the Watch."""
    require(by, "inbox.manage_watches", watch)
    watch.delete()


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


# --- the transitions ----------------------------------------------------------------------------


def _refusal(candidate: Candidate, action: str) -> InvalidTransition:
    """Why ``action`` cannot be done to the candidate as it now is, naming who holds it."""
    state = candidate.state
    if state == CandidateState.CLAIMED and candidate.claimed_by is not None:
        message = gettext("%(member)s is already writing this up, since %(day)s.") % {
            "member": candidate.claimed_by.public_name,
            "day": claim_day(candidate.claimed_at),
        }
    elif state == CandidateState.DISMISSED:
        message = gettext("This candidate was dismissed: %(reason)s") % {
            "reason": candidate.dismiss_reason
        }
    elif state == CandidateState.EXPIRED:
        message = gettext("This candidate expired: nobody claimed it in time.")
    elif state == CandidateState.RECOMMENDED:
        message = gettext("This candidate has been written up already.")
    elif state == CandidateState.NEW:
        message = gettext("Nobody has claimed this candidate.")
    else:
        message = gettext("This candidate cannot be changed now.")
    return InvalidTransition(message, code=f"cannot_{action}")


def _move(
    candidate: Candidate,
    *,
    action: str,
    actor: Any,
    note: str = "",
    extra: dict[str, Any] | None = None,
    expect: dict[str, Any] | None = None,
) -> Candidate:
    """Move the candidate by ``action`` if it is still in a state the action starts from; write
    the audit row. ``expect`` holds what else must still be as the caller saw it (the claimant).
    Refused with the candidate's state as it is in the database (another member may have moved
    it meanwhile). Runs inside the caller's transaction."""
    allowed_from, to_state = CANDIDATE_TRANSITIONS[action]
    from_state = candidate.state
    if from_state not in allowed_from:  # perhaps an old copy: the database says
        from_state = Candidate.objects.filter(pk=candidate.pk).values_list("state", flat=True)
        from_state = from_state.first() or ""
    fields = {"state": to_state, **(extra or {})}
    rows = Candidate.objects.filter(pk=candidate.pk, state=from_state)
    if expect:
        rows = rows.filter(**expect)
    if from_state not in allowed_from or not rows.update(**fields):
        current = Candidate.objects.select_related("claimed_by").filter(pk=candidate.pk).first()
        if current is None:
            raise Conflict(gettext("This candidate is no longer in the inbox."))
        raise _refusal(current, action)
    for name, value in fields.items():
        setattr(candidate, name, value)
    CandidateTransition.objects.create(
        candidate=candidate,
        actor=actor,
        action=action,
        from_status=from_state,
        to_status=to_state,
        note=note,
    )
    return candidate


def _open_for_members(candidate: Candidate) -> None:
    """Refuse acting on a candidate that is no longer new or claimed."""
    current = Candidate.objects.select_related("claimed_by").get(pk=candidate.pk)
    if current.state not in OPEN_CANDIDATE_STATES:
        raise _refusal(current, "interest")


def claim_candidate(candidate: Candidate, *, by: Any) -> Candidate:
    """``by`` takes the candidate to write it up; one claimant at a time. Refused, naming the
    claimant and the day of the claim, when someone claimed it first (a race included), or
    saying why when it was dismissed, expired or written up.

    Side effects: state → claimed; writes an audit row."""
    require(by, "inbox.claim_candidate", candidate)
    with transaction.atomic():
        # The compare-and-set on ``new`` is what makes two racing claims one claim and one
        # refusal: the database decides which UPDATE saw the row still new.
        return _move(
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
        return _move(
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
    for publication_id in claimed.values_list("publication_id", flat=True).distinct():
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
                    _move(
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
        return _move(
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
        return _move(
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
    for publication_id in new.values_list("publication_id", flat=True).distinct():
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
        _open_for_members(candidate)
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
            _move(
                candidate,
                action=CandidateAction.CLAIM,
                actor=by,
                extra={"claimed_by": by, "claimed_at": timezone.now()},
            )
        elif not (current.state == CandidateState.CLAIMED and current.claimed_by_id == by.pk):
            raise _refusal(current, CandidateAction.RECOMMEND)
        else:
            candidate.state = current.state
        recommendation = create_recommendation(
            by=by,
            publication=publication,
            identifier=paper.url,
            summary=summary,
            draft=True,
        )
        _move(
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


# --- the digest ---------------------------------------------------------------------------------


def subscribe_digest(member: Any, publication: Publication) -> DigestSubscription:
    """``member`` asks for the weekly mail of the publication's best unclaimed candidates;
    subscribing twice is one subscription.

    Side effects: may insert a DigestSubscription."""
    require(member, "inbox.view_inbox", publication)
    subscription, _created = DigestSubscription.objects.get_or_create(
        member=member, publication=publication
    )
    return subscription


def unsubscribe_digest(member: Any, publication: Publication) -> bool:
    """``member`` stops the digest of the publication (also from the mail's signed link, without
    signing in); whether there was a subscription.

    Side effects: may delete a DigestSubscription."""
    deleted, _rows = DigestSubscription.objects.filter(
        member=member, publication=publication
    ).delete()
    return bool(deleted)
