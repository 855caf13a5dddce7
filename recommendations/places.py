"""Where recommendations appeared: told by the app that assembles issues, which this app does not
import.

A recommendation is in an issue exactly while it is scheduled or published
(``enums.IN_AN_ISSUE``); which issue, with which number and address, is the issues app's to say.
It registers a provider when it is ready (``issues.apps``): given recommendation ids, the place of
each that is in an issue, all read in one query. Without a provider, nothing has a place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from recommendations.enums import IN_AN_ISSUE


@dataclass(frozen=True)
class Place:
    """The issue a recommendation is in."""

    #: The issue's number, once it is published.
    number: int | None
    #: The issue's page: its public address once published, else its preview.
    url: str
    published: bool
    #: The other members credited on the same entry: an issue shows a paper once, crediting
    #: every member who recommended it to the publication.
    credited_with: tuple[Any, ...] = ()


Provider = Callable[[Sequence[int]], dict[int, Place]]

_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Let ``provider`` tell where recommendations appeared (once per process)."""
    if provider not in _providers:
        _providers.append(provider)


def places_of(recommendations: Iterable[Any]) -> dict[int, Place]:
    """{recommendation id: its place} for those of ``recommendations`` that are in an issue."""
    ids = [r.pk for r in recommendations if r.status in IN_AN_ISSUE]
    places: dict[int, Place] = {}
    if ids:
        for provider in _providers:
            places.update(provider(ids))
    return places


def with_places(recommendations: Iterable[Any]) -> list[Any]:
    """``recommendations`` as a list, each with ``place`` set (None when in no issue)."""
    rows = list(recommendations)
    places = places_of(rows)
    for row in rows:
        row.place = places.get(row.pk)
    return rows
