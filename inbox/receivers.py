"""What the inbox does when other apps' rows change."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from inbox.enums import CandidateAction, CandidateState
from inbox.models import Candidate, CandidateTransition


def release_claims_of_removed_member(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A member removed (by an administrator) lets their claims go: a claimed candidate names
    its claimant (``candidate_claimed_has_claimant``), and the removal would clear the name."""
    claimed = list(
        Candidate.objects.filter(claimed_by=instance, state=CandidateState.CLAIMED).values_list(
            "pk", flat=True
        )
    )
    if not claimed:
        return
    Candidate.objects.filter(pk__in=claimed).update(
        state=CandidateState.NEW, claimed_by=None, claimed_at=None
    )
    CandidateTransition.objects.bulk_create(
        CandidateTransition(
            candidate_id=pk,
            actor=None,
            action=CandidateAction.RELEASE,
            from_status=CandidateState.CLAIMED,
            to_status=CandidateState.NEW,
            note=gettext_noop("The claimant's account was removed."),
        )
        for pk in claimed
    )
