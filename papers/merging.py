"""What other apps do when two catalogue rows are merged into one: a registry of steps.

The catalogue does not import the apps built on it, yet their rows point at papers
(recommendations, issue entries). Each registers a step when it is ready; the merge runs every
step, inside its transaction, after locking both rows and before the removed row goes. A step
moves its app's rows from ``other`` to ``into``, keeps its own unique constraints (or refuses
with a domain error, which rolls the whole merge back) and returns what it moved, for the
merge record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from papers.models import Paper


class Step(Protocol):
    def __call__(self, into: Paper, other: Paper, *, decisions: dict[str, Any]) -> dict[str, Any]:
        """Move this app's rows from ``other`` to ``into``; what moved, for the record."""


_steps: dict[str, Step] = {}


def register(name: str, step: Step | Callable[..., dict[str, Any]]) -> None:
    """Let ``step`` take part in every merge, under ``name`` (once per process)."""
    _steps[name] = step  # type: ignore[assignment]


def run_steps(into: Paper, other: Paper, *, decisions: dict[str, Any]) -> dict[str, Any]:
    """Run every registered step, in the order registered; {name: what it moved}."""
    return {name: step(into, other, decisions=decisions) for name, step in _steps.items()}
