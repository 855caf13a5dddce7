"""The capabilities of the candidate inbox, registered with ``publications.permissions``.

The inbox is the platform's members' working space: any signed-in active member may see it and
act on a candidate; only the claimant (or an editor) lets a claim go, and only the member who
dismissed a candidate (or an editor) brings it back. Anonymous readers see none of it.
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils.translation import gettext_noop

from publications.permissions import is_editor_of, is_member, register


@rules.predicate
def is_claimant(user: Any, candidate: Any) -> bool:
    return bool(is_member(user) and getattr(candidate, "claimed_by_id", None) == user.pk)


@rules.predicate
def dismissed_it(user: Any, candidate: Any) -> bool:
    return bool(is_member(user) and getattr(candidate, "dismissed_by_id", None) == user.pk)


CAPABILITIES: dict[str, rules.Predicate] = {
    "inbox.view_inbox": is_member,
    "inbox.claim_candidate": is_member,
    "inbox.dismiss_candidate": is_member,
    "inbox.mark_interest": is_member,
    "inbox.release_claim": is_claimant | is_editor_of,
    "inbox.restore_candidate": dismissed_it | is_editor_of,
    "inbox.manage_watches": is_editor_of,
}

REFUSALS: dict[str, str] = {
    "inbox.view_inbox": gettext_noop("Sign in to see the inbox of candidates."),
    "inbox.claim_candidate": gettext_noop("Sign in to write up a candidate."),
    "inbox.dismiss_candidate": gettext_noop("Sign in to dismiss a candidate."),
    "inbox.mark_interest": gettext_noop("Sign in to mark your interest in a candidate."),
    "inbox.release_claim": gettext_noop(
        "Only the member who claimed this candidate, or an editor, may release it."
    ),
    "inbox.restore_candidate": gettext_noop(
        "Only the member who dismissed this candidate, or an editor, may restore it."
    ),
    "inbox.manage_watches": gettext_noop(
        "Only editors of this publication may manage its watches and inbox settings."
    ),
}

register(CAPABILITIES, REFUSALS)
