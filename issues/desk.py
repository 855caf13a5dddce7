"""Links on the editor's home to the pages other apps give a publication's editors.

The editor's home lists each publication an editor edits; some of what they manage there belongs to
apps that depend on this one (the webhooks), which this app does not import. Each of those apps
registers a provider when it is ready: given a publication and the member, a ``DeskLink`` to show,
or None when the member may not use that page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from publications.models import Publication


@dataclass(frozen=True)
class DeskLink:
    label: str
    url: str


Provider = Callable[[Publication, Any], DeskLink | None]

_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add ``provider`` once (an app's ``ready`` may run again in tests)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def links_for(publication: Publication, user: Any) -> list[DeskLink]:
    """What the registered apps offer ``user`` for ``publication``, in registration order."""
    return [link for provider in _providers if (link := provider(publication, user)) is not None]
