"""Where the inbox is linked from: the editor's home (``issues.desk``: the inbox and the
watches of each publication an editor edits) and a publication's page for its signed-in members
(``issues.member_links``). Registered by ``InboxConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext

from issues.desk import DeskLink
from publications.models import Publication
from publications.permissions import can


def inbox_link(publication: Publication, user: Any) -> DeskLink | None:
    """The publication's inbox, for whoever may see it (signed-in members)."""
    if not can(user, "inbox.view_inbox", publication):
        return None
    return DeskLink(
        label=gettext("Inbox of candidates"),
        url=reverse("inbox:inbox", args=[publication.slug]),
    )


def watches_link(publication: Publication, user: Any) -> DeskLink | None:
    """The publication's watches and inbox settings, for its editors."""
    if not can(user, "inbox.manage_watches", publication):
        return None
    return DeskLink(
        label=gettext("Watches of the inbox"),
        url=reverse("inbox:watches", args=[publication.slug]),
    )
