"""What became of an issue after publishing: told by the apps that act on it, which this app does
not import.

The newsletter mails a published issue and the webhooks call their endpoints; the editor's page of
a published issue shows how far each has come, and so does a JSON address its small script polls
(``IssueProgressView``). Each of those apps registers a provider when it is ready: given an issue,
a ``Progress`` (or None when it has nothing to say about it). Without a provider, the panel is
empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from issues.models import Issue


@dataclass(frozen=True)
class Count:
    """One figure of a progress: ``key`` for scripts and tests, ``label`` for people."""

    key: str
    label: str
    value: int


@dataclass(frozen=True)
class Line:
    """One line of detail under the figures (a webhook endpoint and how its delivery went)."""

    label: str
    state: str
    detail: str = ""


@dataclass(frozen=True)
class Progress:
    #: Which app speaks ("newsletter", "webhooks"): the panel's section ids and the JSON's keys.
    key: str
    title: str
    counts: list[Count]
    lines: list[Line] = field(default_factory=list)
    #: Whether nothing is left to happen: the script stops polling once every progress is done.
    done: bool = True
    #: The page where its app shows more (the webhooks' log), if any.
    url: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


Provider = Callable[[Issue], "Progress | None"]

_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Let ``provider`` tell what became of published issues (once per process)."""
    if provider not in _providers:
        _providers.append(provider)


def progress_of(issue: Issue) -> list[Progress]:
    """Each provider's progress for ``issue``, in the order they registered; nothing before the
    issue is published."""
    if not issue.is_published:
        return []
    found = (provider(issue) for provider in _providers)
    return [progress for progress in found if progress is not None]
