"""Capabilities of drafting assistance, registered with ``publications.permissions``."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from publications.permissions import is_editor_of, is_member, register

_OWN = {
    # The glossary, the house style and the prompts: the publication's voice.
    "drafting.edit_voice": is_editor_of,
    # Any member may ask for drafts of an entry they write for the publication.
    "drafting.request_draft": is_member,
}

_REFUSALS = {
    "drafting.edit_voice": gettext_noop(
        "Only editors of this publication may change its glossary, house style and prompts."
    ),
    "drafting.request_draft": gettext_noop("Sign in to ask for drafts."),
}

register(_OWN, _REFUSALS)
