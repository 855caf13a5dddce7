"""The candidate inbox at scale: a watch of the first publication and the candidates it found, on
papers of their own (new to the catalogue: a candidate whose paper was featured or recommended is
left out when the inbox is read), for the inbox page's benchmark (``bench/inbox_page.py``).

Most candidates are new, some claimed by members, some dismissed, found over the 30 days before
the archive's end. ``write_candidates`` is the generator's last step (``--candidates N``);
``add_candidates`` adds them to a database that has its content already.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Sequence

from django.db import transaction

from demo.load import texts, words
from demo.load.context import DAY, END, Load
from demo.load.writer import Writer, given_times
from inbox.enums import CandidateState
from inbox.models import Candidate, Watch
from papers.enums import MetadataSource, MetadataStatus
from papers.models import Paper
from publications.models import Publication

#: The shares of the candidates' states.
STATES = ((CandidateState.NEW, CandidateState.CLAIMED, CandidateState.DISMISSED), (90, 6, 4))
#: Rows built and inserted together: bounds the memory, whatever the number of candidates.
CHUNK = 5000


def write_candidates(load: Load) -> None:
    """``--candidates N``: N candidates of the first publication."""
    count = load.spec.candidates
    if not count:
        return
    _write(
        load.writer,
        load.rng,
        publication=load.publications[0],
        members=[user.id for user in load.users],
        count=count,
        end=END,
    )
    load.log(f"  candidates {count}")


def add_candidates(
    publication: Publication, count: int, *, members: Sequence[int], seed: int = 0
) -> Counter:
    """Add ``count`` candidates (and their papers) to ``publication`` in a database with content;
    the rows written, by table. ``members`` are the ids of those who claim and dismiss some.

    Side effects: inserts a Watch, Papers and Candidates in one transaction."""
    counts: Counter = Counter()
    writer = Writer(counts)
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    with transaction.atomic(), given_times():
        _write(writer, rng, publication=publication, members=members, count=count, end=END)
        writer.reset_sequences()
    return counts


def _write(
    writer: Writer,
    rng: random.Random,
    *,
    publication: Publication,
    members: Sequence[int],
    count: int,
    end: dt.datetime,
) -> None:
    [watch_id] = writer.ids(Watch, 1)
    writer.insert(
        Watch,
        [
            writer.row(
                Watch,
                id=watch_id,
                publication_id=publication.id,
                name="Language models",
                categories="cs.CL cs.LG",
                query="abs:pretrain*",
                last_polled_at=end,
                newest_submitted_at=end - DAY / 2,
                last_found=count * 4,
                last_kept=count,
                created_at=end - 40 * DAY,
                updated_at=end - 40 * DAY,
            )
        ],
    )
    arxiv_ids = _fresh_arxiv_ids(count)
    for start in range(0, count, CHUNK):
        size = min(CHUNK, count - start)
        paper_ids = writer.ids(Paper, size)
        papers, candidates = [], []
        for paper_id, arxiv_id in zip(paper_ids, arxiv_ids[start : start + size], strict=True):
            found = end - rng.uniform(0, 30) * DAY
            submitted = found - rng.uniform(0.2, 2) * DAY
            papers.append(_paper(rng, paper_id, arxiv_id, submitted))
            candidates.append(
                _candidate(
                    writer, rng, publication.id, watch_id, paper_id, found, submitted, members
                )
            )
        writer.insert_objects(Paper, papers)
        writer.insert(Candidate, candidates)


def _paper(rng: random.Random, paper_id: int, arxiv_id: str, submitted: dt.datetime) -> Paper:
    vocabulary = texts.vocab(rng)
    title, title_zh = texts.title(vocabulary)
    primary = rng.choice([c for c, _weight in words.CATEGORIES])
    return Paper(
        id=paper_id,
        arxiv_id=arxiv_id,
        arxiv_version=1,
        title=title,
        title_zh=title_zh if rng.random() < 0.3 else "",
        abstract=texts.abstract(rng, vocabulary),
        published_on=submitted.date(),
        year=submitted.year,
        primary_category=primary,
        categories=[primary],
        metadata_status=MetadataStatus.OK,
        metadata_source=MetadataSource.ARXIV,
        metadata_attempts=1,
        metadata_fetched_at=submitted + DAY,
        created_at=submitted + DAY,
        updated_at=submitted + DAY,
    )


def _candidate(
    writer: Writer,
    rng: random.Random,
    publication_id: int,
    watch_id: int,
    paper_id: int,
    found: dt.datetime,
    submitted: dt.datetime,
    members: Sequence[int],
) -> tuple:
    state = rng.choices(*STATES)[0]
    fields: dict = {}
    if state == CandidateState.CLAIMED:
        fields = {
            "claimed_by_id": rng.choice(members),
            "claimed_at": found + rng.uniform(0, 3) * DAY,
        }
    elif state == CandidateState.DISMISSED:
        fields = {
            "dismissed_by_id": rng.choice(members),
            "dismissed_at": found + rng.uniform(0, 3) * DAY,
            "dismiss_reason": "Off topic for this publication.",
        }
    return writer.row(
        Candidate,
        publication_id=publication_id,
        paper_id=paper_id,
        watch_id=watch_id,
        score=round(rng.betavariate(2, 5), 4),
        state=state,
        found_at=found,
        submitted_at=submitted,
        interest_count=0,
        **fields,
    )


def _fresh_arxiv_ids(count: int) -> list[str]:
    """``count`` new-style arXiv ids no paper of the catalogue holds, from the months after the
    generated archive's (July 2026 on)."""
    ids: list[str] = []
    year, month = 26, 7
    while len(ids) < count:
        prefix = f"{year:02d}{month:02d}."
        taken = set(
            Paper.objects.filter(arxiv_id__startswith=prefix).values_list("arxiv_id", flat=True)
        )
        for number in range(1, 100_000):
            arxiv_id = f"{prefix}{number:05d}"
            if arxiv_id not in taken:
                ids.append(arxiv_id)
                if len(ids) == count:
                    break
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ids
