"""Capabilities of drafting assistance, registered with ``publications.permissions``."""

from __future__ import annotations

from typing import Any

import rules
from django.utils.translation import gettext_noop

from drafting.examples import writes_up
from publications.permissions import is_editor_of, is_member, is_reviewer_of, register


@rules.predicate
def asked_for_it(user: Any, draft: Any) -> bool:
    """The member asked for this draft (the button of a form)."""
    return bool(is_member(user) and draft is not None and draft.requested_by_id == user.pk)


@rules.predicate
def writes_it_up(user: Any, draft: Any) -> bool:
    """The member's recommendation of the draft's paper to its publication stands."""
    if not is_member(user) or draft is None or draft.paper_id is None:
        return False
    return writes_up(user.pk, draft.publication_id, draft.paper_id)


_OWN = {
    # The glossary, the house style and the prompts: the publication's voice.
    "drafting.edit_voice": is_editor_of,
    # Any member may ask for drafts of an entry they write for the publication.
    "drafting.request_draft": is_member,
    # A draft (saved or not) of a paper's entry in a publication: that a draft exists tells
    # that somebody writes the paper up for the publication, which its queue keeps to itself.
    "drafting.view_draft": is_reviewer_of | writes_it_up | asked_for_it,
}

_REFUSALS = {
    "drafting.edit_voice": gettext_noop(
        "Only editors of this publication may change its glossary, house style and prompts."
    ),
    "drafting.request_draft": gettext_noop("Sign in to ask for drafts."),
    "drafting.view_draft": gettext_noop(
        "Only who writes this entry and the publication's team see its drafts."
    ),
}

register(_OWN, _REFUSALS)
