"""The guarded transition helper of candidates, and the refusals members read.

A candidate moves by a compare-and-set UPDATE on the state it starts from: when two members act
at once (two claims, a claim and a dismissal), the database lets one through, and the other is
refused with what happened first, naming the claimant and the day of the claim.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from common.exceptions import Conflict, InvalidTransition
from inbox.enums import (
    CANDIDATE_TRANSITIONS,
    OPEN_CANDIDATE_STATES,
    CandidateAction,
    CandidateState,
)
from inbox.models import Candidate, CandidateTransition
from inbox.selectors import claim_day


def candidate_refusal(candidate: Candidate, action: str, by: Any = None) -> InvalidTransition:
    """Why ``action`` cannot be done by ``by`` to the candidate as it now is, naming who holds
    it."""
    state = candidate.state
    mine = by is not None and by.pk is not None and candidate.claimed_by_id == by.pk
    if state == CandidateState.CLAIMED and mine:
        # A second click on "Claim", or dismissing one's own claim.
        message = gettext(
            "You are writing this up yourself, since %(day)s: release your claim first to do "
            "anything else with it."
        ) % {"day": claim_day(candidate.claimed_at)}
    elif state == CandidateState.CLAIMED and candidate.claimed_by is not None:
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
    elif state == CandidateState.NEW and action == CandidateAction.RESTORE:
        message = gettext("This candidate is in the inbox already: nobody dismissed it.")
    elif state == CandidateState.NEW:
        message = gettext("Nobody has claimed this candidate.")
    else:
        message = gettext("This candidate cannot be changed now.")
    return InvalidTransition(message, code=f"cannot_{action}")


def move_candidate(
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
    if from_state not in allowed_from:  # perhaps an old copy: the database tells
        stored = Candidate.objects.filter(pk=candidate.pk).values_list("state", flat=True)
        from_state = stored.first() or ""
    fields = {"state": to_state, **(extra or {})}
    rows = Candidate.objects.filter(pk=candidate.pk, state=from_state)
    if expect:
        rows = rows.filter(**expect)
    if from_state not in allowed_from or not rows.update(**fields):
        current = Candidate.objects.select_related("claimed_by").filter(pk=candidate.pk).first()
        if current is None:
            raise Conflict(gettext("This candidate is no longer in the inbox."))
        raise candidate_refusal(current, action, actor)
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


def require_open(candidate: Candidate, *, by: Any) -> None:
    """Refuse acting on a candidate that is no longer new or claimed."""
    current = Candidate.objects.select_related("claimed_by").get(pk=candidate.pk)
    if current.state not in OPEN_CANDIDATE_STATES:
        raise candidate_refusal(current, "interest", by)
