"""The ways in for the app that keeps a publication's entries, registered when it is ready:

- where the prompt finds a few of a publication's own best past entries, as examples of its
  style (``register``, ``examples_for``);
- which publications a paper is being written up for, so drafts are asked when its metadata
  arrives (``register_writers``, ``publications_writing``);
- whether a member writes a paper up for a publication, so they may see its drafts
  (``register_writer_check``, ``writes_up``).

The drafting app sits below the recommendations, so it cannot read them itself; the
recommendations app registers its providers when it is ready (``recommendations/drafting.py``).
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
_writers: list[Callable[[int], list[int]]] = []
_writer_checks: list[Callable[[int, int, int], bool]] = []


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


def register_writers(provider: Callable[[int], list[int]]) -> None:
    """``provider(paper_id)`` returns the ids of the publications an entry of the paper is
    being written for (a recommendation of it that still stands and is not yet published)."""
    if provider not in _writers:
        _writers.append(provider)


def publications_writing(paper_id: int) -> list[int]:
    found: list[int] = []
    for provider in _writers:
        found += [pk for pk in provider(paper_id) if pk not in found]
    return found


def register_writer_check(provider: Callable[[int, int, int], bool]) -> None:
    """``provider(user_id, publication_id, paper_id)`` says whether the member's recommendation
    of the paper to the publication stands (neither withdrawn nor rejected)."""
    if provider not in _writer_checks:
        _writer_checks.append(provider)


def writes_up(user_id: int, publication_id: int, paper_id: int) -> bool:
    return any(provider(user_id, publication_id, paper_id) for provider in _writer_checks)
