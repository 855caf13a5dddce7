"""The capabilities of webhooks, registered with ``publications.permissions``."""

from __future__ import annotations

import rules
from django.utils.translation import gettext_noop

from publications.permissions import is_editor_of, register

CAPABILITIES: dict[str, rules.Predicate] = {
    "webhooks.manage_webhooks": is_editor_of,
}

REFUSALS: dict[str, str] = {
    "webhooks.manage_webhooks": gettext_noop(
        "Only editors of this publication may manage its webhooks."
    ),
}

register(CAPABILITIES, REFUSALS)
