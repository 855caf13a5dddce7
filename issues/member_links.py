"""Links on a publication's page to the pages other apps give its signed-in members.

The publication's page belongs to this app; some of what a member does for a publication belongs
to apps that depend on this one (the candidate inbox), which this app does not import. Each of
those apps registers a provider when it is ready: given a publication and the reader, a
``DeskLink`` to show, or None when the reader may not use that page (an anonymous reader may use
none: the shared copy of the page shows no such link).
"""

from __future__ import annotations

from typing import Any

from issues.desk import DeskLink, Provider
from publications.models import Publication

_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add ``provider`` once (an app's ``ready`` may run again in tests)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def links_for(publication: Publication, user: Any) -> list[DeskLink]:
    """What the registered apps offer ``user`` for ``publication``, in registration order;
    nothing for an anonymous reader."""
    if user is None or not user.is_authenticated:
        return []
    return [link for provider in _providers if (link := provider(publication, user)) is not None]
