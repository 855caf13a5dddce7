"""What every step of the generator shares: the spec, the one random source, the writer, and what
the earlier steps made (members and teams, the catalogue's pools, the plan of the archive).

Every draw comes from ``Load.rng`` in a fixed order, so the same spec and seed give the same rows;
a step that draws in another order changes every row after it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from demo.load.writer import Writer

if TYPE_CHECKING:
    from demo.load.plan import IssuePlan, PaperPlan
    from papers.models import Author, Institution
    from publications.models import Publication, Topic

#: The generated archive's last issue appears a week before this moment.
END = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class LoadSpec:
    papers: int
    issues: int
    publications: int
    seed: int = 0
    #: The mean number of papers of an issue (each has half to one and a half times as many).
    papers_per_issue: int = 14
    #: Members of the community; by default one per 40 papers (at least 30).
    members: int | None = None
    #: Newsletter subscribers, over all publications; by default one per 10 papers.
    subscribers: int | None = None
    #: Candidates in the first publication's inbox, each on a paper of its own.
    candidates: int = 0


class LoadDataError(Exception):
    """The database is not one ``generate_load_data`` may fill."""


@dataclass
class LoadReport:
    rows: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def zipf_cum(n: int, s: float = 0.9, offset: float = 8.0) -> list[float]:
    """Cumulative weights of n items, a few popular and a long tail (prolific authors)."""
    return list(itertools.accumulate(1.0 / (i + offset) ** s for i in range(n)))


def draw(cum: list[float], x: float) -> int:
    """The item of cumulative weights ``cum`` that ``x``, uniform in [0, 1), falls on."""
    return bisect.bisect_left(cum, x * cum[-1])


class Load:
    """One run: its spec and random source, and what its steps have made so far."""

    def __init__(self, spec: LoadSpec, log: Callable[[str], None]) -> None:
        if spec.papers < 1 or spec.publications < 1 or spec.issues < 0:
            raise LoadDataError("Give at least one paper and one publication.")
        self.spec = spec
        self.log = log
        self.rng = random.Random(spec.seed)  # noqa: S311 (test data, not secrets)
        self.report = LoadReport()
        self.writer = Writer(self.report.rows)
        self.arxiv_numbers: dict[str, int] = {}
        self.aminer_base = self.rng.getrandbits(96)
        #: The first members join, and the first publication starts, around here.
        self.start = END - dt.timedelta(weeks=spec.issues // spec.publications + 6)
        # Members and teams (people.py); indexes into ``users`` stand for members in the plan.
        self.users: list[Any] = []
        self.user_cum: list[float] = []
        self.publications: list[Publication] = []
        self.editors: list[list[int]] = []
        self.reviewers: list[list[int]] = []
        self.topics: list[Topic] = []
        #: Each publication's topics, in the order of ``topics``.
        self.publication_topics: list[list[Topic]] = []
        self.topic_cum: list[float] = []
        # The catalogue's pools (catalogue.py).
        self.institutions: list[Institution] = []
        self.institution_cum: list[float] = []
        self.authors: list[Author] = []
        self.author_cum: list[float] = []
        # The plan (plan.py).
        self.papers: list[PaperPlan] = []
        self.issues: list[IssuePlan] = []
        self.drafts: list[IssuePlan] = []

    def member(self) -> int:
        """A member, the prolific ones more often."""
        return draw(self.user_cum, self.rng.random())

    def reviewer(self, pub: int, submitter: int) -> int:
        choices = [m for m in self.reviewers[pub] if m != submitter]
        return self.rng.choice(choices)

    def editor(self, pub: int, submitter: int) -> int:
        choices = [m for m in self.editors[pub] if m != submitter] or self.reviewers[pub]
        return self.rng.choice(choices)
