"""The way in for the app that keeps a publication's published entries: it registers where the
prompt finds a few of the publication's own best past entries, as examples of its style.

The drafting app sits below the recommendations, so it cannot read them itself; the
recommendations app registers its provider when it is ready.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Example:
    """A past entry: the paper's English title, and what the publication wrote of it."""

    title: str
    title_zh: str
    summary: str


_providers: list[Callable[[Any, int], list[Example]]] = []


def register(provider: Callable[[Any, int], list[Example]]) -> None:
    """``provider(publication, count)`` returns at most ``count`` examples, best first."""
    if provider not in _providers:
        _providers.append(provider)


def examples_for(publication: Any, count: int) -> list[Example]:
    found: list[Example] = []
    for provider in _providers:
        if len(found) >= count:
            break
        found += provider(publication, count - len(found))
    return found[:count]
