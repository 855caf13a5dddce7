"""Poison metadata: a source that sends a paper too large to store must not stop the fetch.

A local arXiv stand-in serves, in one batch with innocent papers, a title of 1 MB of distinct
words, an abstract of 2 MB and a list of 40,000 authors: PostgreSQL refuses the first two in a
search document ("string is too long for tsvector") and the third in an author's position
(a smallint). Each paper is stored cut to the catalogue's limits, with a note saying what was cut,
and its batch-mates are fetched. Whatever else keeps one paper from being stored fails that paper
alone, with a readable error and its attempt counted; a fetch stopped midway (the soft time limit)
leaves no paper ``fetching``; and a paper whose fetch never finishes is given up, not fetched
for ever.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DataError, OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from papers import selectors, services, tasks
from papers.enums import MetadataStatus
from papers.faults import english_text
from papers.identifiers import parse_identifier
from papers.models import Paper
from tests.servers.arxiv import ArxivStandIn, needs_recordings, recorded_entries
from tests.servers.workers import Workers, wait_for

pytestmark = needs_recordings

TEMPLATE_ID = "1605.08386"
HUGE_TITLE_ID, HUGE_ABSTRACT_ID, MANY_AUTHORS_ID = "2601.00001", "2601.00002", "2601.00003"
INNOCENT = {
    "1707.08567": (
        "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications"
    ),
    "2005.14124": "Active Fuzzing for Testing and Securing Cyber-Physical Systems",
}


def distinct_words(size: int, prefix: str = "w") -> str:
    """``size`` characters of words that are all different: each is a lexeme of its own."""
    words, length, number = [], 0, 0
    while length < size:
        word = f"{prefix}{number:x}"
        words.append(word)
        length += len(word) + 1
        number += 1
    return " ".join(words)[:size]


def hostile_entry(arxiv_id: str, *, title: str = "", abstract: str = "", authors: int = 0) -> bytes:
    """The recorded entry of ``TEMPLATE_ID``, as ``arxiv_id``, with the hostile parts."""
    entry = recorded_entries()[TEMPLATE_ID].replace(TEMPLATE_ID.encode(), arxiv_id.encode())
    if title:
        entry = re.sub(rb"<title>[^<]*</title>", f"<title>{title}</title>".encode(), entry)
    if abstract:
        entry = re.sub(
            rb"<summary>[^<]*</summary>", f"<summary>{abstract}</summary>".encode(), entry
        )
    if authors:
        names = "".join(f"<author><name>A{n}</name></author>" for n in range(authors)).encode()
        entry = re.sub(rb"(?s)<author>.*</author>", names, entry)
    return entry


@pytest.fixture
def hostile_arxiv(settings: Any) -> Iterator[ArxivStandIn]:
    entries = recorded_entries()
    entries[HUGE_TITLE_ID] = hostile_entry(HUGE_TITLE_ID, title=distinct_words(1_000_000))
    entries[HUGE_ABSTRACT_ID] = hostile_entry(
        HUGE_ABSTRACT_ID, abstract=distinct_words(2_000_000, prefix="s")
    )
    entries[MANY_AUTHORS_ID] = hostile_entry(MANY_AUTHORS_ID, authors=40_000)
    with ArxivStandIn(entries=entries).running() as server:
        settings.ARXIV_API_URL = server.url
        yield server


def _papers(*ids: str) -> dict[str, Paper]:
    return {i: services.get_or_create_paper(parse_identifier(i))[0] for i in ids}


def _fresh(paper: Paper) -> Paper:
    paper.refresh_from_db()
    return paper


def _assert_batch_stored(papers: dict[str, Paper]) -> None:
    """The outcome the attack must end in, whoever ran the fetch."""
    assert not Paper.objects.filter(metadata_status=MetadataStatus.FETCHING).exists()
    for arxiv_id, title in INNOCENT.items():
        paper = _fresh(papers[arxiv_id])
        assert (paper.metadata_status, paper.title, paper.metadata_message) == ("ok", title, "")

    huge_title = _fresh(papers[HUGE_TITLE_ID])
    assert huge_title.metadata_status == MetadataStatus.OK
    assert huge_title.title == distinct_words(1_000_000)[:1000].strip()
    assert huge_title.metadata_message == (
        "Cut to the catalogue's limits: the title (1000000 characters, 1000 kept)."
    )
    assert huge_title.metadata_attempts == 0

    huge_abstract = _fresh(papers[HUGE_ABSTRACT_ID])
    assert huge_abstract.metadata_status == MetadataStatus.OK
    assert huge_abstract.title == "Heat-bath random walks with Markov bases"
    assert huge_abstract.abstract == distinct_words(2_000_000, prefix="s")[:20_000].rstrip()
    assert huge_abstract.metadata_message == (
        "Cut to the catalogue's limits: the abstract (2000000 characters, 20000 kept)."
    )

    many_authors = _fresh(papers[MANY_AUTHORS_ID])
    assert many_authors.metadata_status == MetadataStatus.OK
    positions = list(many_authors.authorships.values_list("position", flat=True))
    assert positions == list(range(1, 10_001))
    assert many_authors.authorships.get(position=10_000).author.name == "A9999"
    assert many_authors.metadata_message == (
        "Cut to the catalogue's limits: the authors (40000, the first 10000 kept)."
    )
    # Each has a search document (the trigger bounds what it reads) that finds it.
    for paper, word in ((huge_title, "w0"), (huge_abstract, "s1"), (many_authors, "A42")):
        assert _found(word) == [paper.pk]


def _found(word: str) -> list[int]:
    return list(selectors.search_papers(Paper.objects.all(), word).values_list("pk", flat=True))


@pytest.mark.postgres
@pytest.mark.django_db
def test_hostile_entries_are_stored_cut_and_their_batch_mates_fetched(
    hostile_arxiv: ArxivStandIn,
) -> None:
    papers = _papers(HUGE_TITLE_ID, HUGE_ABSTRACT_ID, MANY_AUTHORS_ID, *INNOCENT)
    result = tasks.task_fetch_paper_metadata.delay([p.pk for p in papers.values()])
    assert result.get() == {"fetched": 5, "not_found": 0, "failed": 0}
    assert len(hostile_arxiv.requests) == 1  # one batch
    _assert_batch_stored(papers)
    # What was cut is said where an editor looks: the paper's page and the API's metadata state.
    note = "Cut to the catalogue&#x27;s limits: the authors (40000, the first 10000 kept)."
    paper = papers[MANY_AUTHORS_ID]
    page = Client().get(reverse("papers:paper-detail", args=[paper.pk])).content.decode()
    assert f'<section class="notice metadata-note"><p><strong>Metadata:</strong> {note}</p>' in page
    state = APIClient().get(f"/api/v1/papers/{paper.pk}/").json()["metadata"]
    assert (state["status"], state["error"]) == ("ok", paper.metadata_message)


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_hostile_batch_on_a_real_worker_is_stored_cut_and_nothing_stays_fetching(
    hostile_arxiv: ArxivStandIn, queued: None, tmp_path: Path
) -> None:
    papers = _papers(HUGE_TITLE_ID, HUGE_ABSTRACT_ID, MANY_AUTHORS_ID, *INNOCENT)
    workers = Workers(tmp_path, ARXIV_API_URL=hostile_arxiv.url)
    workers.start()
    try:
        tasks.task_fetch_paper_metadata.delay([p.pk for p in papers.values()])
        settled = Paper.objects.exclude(metadata_status__in=["pending", "fetching"])
        assert wait_for(lambda: settled.count() == len(papers), timeout=120), workers.logs()
    finally:
        workers.stop_all()
    _assert_batch_stored(papers)


# --- one paper that cannot be stored, whatever the reason -----------------------------------------


@pytest.fixture
def refuse_to_store(monkeypatch: pytest.MonkeyPatch) -> dict[str, Exception]:
    """Storing the authors of the papers named here fails with the error given: what any fault of
    the database with one paper's data (a limit not foreseen) looks like to the fetch."""
    refused: dict[str, Exception] = {}
    replace_authors = services.catalogue._replace_authors

    def failing(paper: Paper, authors: Any) -> None:
        if paper.arxiv_id in refused:
            raise refused[paper.arxiv_id]
        replace_authors(paper, authors)

    monkeypatch.setattr(services.catalogue, "_replace_authors", failing)
    return refused


@pytest.mark.django_db
def test_entry_that_cannot_be_stored_fails_alone_with_a_readable_error(
    hostile_arxiv: ArxivStandIn, refuse_to_store: dict[str, Exception]
) -> None:
    bad, *innocent = _papers(TEMPLATE_ID, *INNOCENT).values()
    refuse_to_store[TEMPLATE_ID] = DataError('value "32768" is out of range for type smallint')
    outcome = services.fetch_metadata([bad.pk, *(p.pk for p in innocent)], final_attempt=False)
    assert outcome.failed == [bad.pk]
    assert sorted(outcome.fetched) == sorted(p.pk for p in innocent)
    bad = _fresh(bad)
    assert bad.metadata_status == MetadataStatus.FAILED
    assert bad.metadata_attempts == 1
    assert bad.metadata_message == (
        "What arXiv sent for this paper could not be stored. Fill in its fields by hand, "
        "or fetch it again once the source is corrected."
    )
    assert 'value "32768" is out of range for type smallint' in english_text(bad.metadata_error)
    assert (bad.title, bad.authorships.count()) == ("", 0)  # nothing half stored
    assert [_fresh(p).metadata_status for p in innocent] == ["ok", "ok"]
    # A permanent failure: the task does not retry it, nor does the sweep pick it up.
    assert outcome.retry == []
    Paper.objects.filter(pk=bad.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    assert bad.pk not in selectors.papers_awaiting_fetch()


@pytest.mark.django_db
def test_entry_meeting_a_passing_database_fault_is_retried(
    hostile_arxiv: ArxivStandIn, refuse_to_store: dict[str, Exception]
) -> None:
    paper = _papers(TEMPLATE_ID)[TEMPLATE_ID]
    deadlock = OperationalError("deadlock detected")
    deadlock.__cause__ = type("DeadlockDetected", (Exception,), {"sqlstate": "40P01"})()
    refuse_to_store[TEMPLATE_ID] = deadlock
    outcome = services.fetch_metadata([paper.pk], final_attempt=False)
    assert outcome.retry == [paper.pk]
    paper = _fresh(paper)
    assert (paper.metadata_status, paper.metadata_attempts) == ("pending", 1)
    assert paper.metadata_message.startswith("What arXiv sent for this paper could not be stored")
    assert paper.metadata_message.endswith("Will try again.")


# --- fetches that never finish --------------------------------------------------------------------


class _StoppedClient:
    """An arXiv client whose request is cut short by the task's soft time limit."""

    def fetch(self, ids: list[str]) -> Any:
        raise SoftTimeLimitExceeded()


@pytest.mark.django_db
def test_fetch_stopped_by_its_time_limit_leaves_no_paper_fetching() -> None:
    papers = list(_papers(TEMPLATE_ID, *INNOCENT).values())
    with pytest.raises(SoftTimeLimitExceeded):
        services.fetch_metadata([p.pk for p in papers], arxiv_api=_StoppedClient())
    for paper in map(_fresh, papers):
        assert paper.metadata_status == MetadataStatus.PENDING
        assert paper.metadata_attempts == 1
        assert paper.metadata_message == (
            "The fetch stopped before this paper was stored. Will try again."
        )
        assert "it took too long" in english_text(paper.metadata_error)


@pytest.mark.django_db
def test_paper_whose_fetch_never_finishes_is_given_up(hostile_arxiv: ArxivStandIn) -> None:
    # Each earlier fetch of this paper was killed (its worker ran out of memory, say) and left it
    # "fetching": the sweep and the broker hand it out again, each time counted as an attempt.
    paper = _papers(TEMPLATE_ID)[TEMPLATE_ID]
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Paper.objects.filter(pk=paper.pk).update(
        metadata_status=MetadataStatus.FETCHING,
        metadata_attempts=services.MAX_ATTEMPTS - 2,
        updated_at=long_ago,
    )
    services.fetch_metadata([paper.pk])
    paper = _fresh(paper)
    assert (paper.metadata_status, paper.metadata_attempts) == ("ok", services.MAX_ATTEMPTS - 1)

    Paper.objects.filter(pk=paper.pk).update(
        metadata_status=MetadataStatus.FETCHING, updated_at=long_ago
    )
    requests = len(hostile_arxiv.requests)
    outcome = services.fetch_metadata([paper.pk])
    assert outcome.failed == [paper.pk]
    assert len(hostile_arxiv.requests) == requests  # not asked for again
    paper = _fresh(paper)
    assert paper.metadata_status == MetadataStatus.FAILED
    assert paper.metadata_attempts == services.MAX_ATTEMPTS
    assert paper.metadata_message == (
        f"Fetching this paper never finished in {services.MAX_ATTEMPTS} attempts. Fill in its "
        "fields by hand, or fetch it again once the source is corrected."
    )
    assert paper.pk not in selectors.papers_awaiting_fetch()


@pytest.mark.django_db
def test_paper_being_fetched_is_not_taken_for_stuck_by_the_sweep(settings: Any) -> None:
    """A fetch marks its papers as fetching *now*: the sweep leaves a paper created long ago
    alone while its fetch runs, and picks it up once it has been fetching for longer than the
    task's hard time limit."""
    paper = _papers(TEMPLATE_ID)[TEMPLATE_ID]
    Paper.objects.filter(pk=paper.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    seen_during_fetch: list[list[int]] = []

    class Client:
        def fetch(self, ids: list[str]) -> Any:
            seen_during_fetch.append(selectors.papers_awaiting_fetch())
            raise services.arxiv.ArxivUnavailable("arXiv is down.")

    services.fetch_metadata([paper.pk], final_attempt=False, arxiv_api=Client())
    assert seen_during_fetch == [[]]

    just_over = timezone.now() - dt.timedelta(seconds=tasks.FETCH_TIME_LIMIT + 31)
    Paper.objects.filter(pk=paper.pk).update(metadata_status="fetching", updated_at=just_over)
    assert selectors.papers_awaiting_fetch() == [paper.pk]


@pytest.mark.postgres
@pytest.mark.django_db
def test_search_document_reads_a_bounded_part_of_each_text() -> None:
    """Whoever writes the texts (the admin, an import, a bulk load), the trigger builds the
    document from a bounded part of each, so that it never passes PostgreSQL's 1 MB."""
    paper = _papers(TEMPLATE_ID)[TEMPLATE_ID]
    huge = distinct_words(2_000_000)
    Paper.objects.filter(pk=paper.pk).update(title=huge, abstract=huge)  # the service is bypassed
    assert len(_fresh(paper).title) == 2_000_000
    assert _found("w0") == [paper.pk]
    assert _found("w20000") == []  # past the bound: not in the document
