"""papers.services.store_arxiv_entries: an arXiv search's entries stored as fetched metadata.

The entries are parsed from a recorded search (read in place from /work/shared/fixtures) and
from a later page written by hand from arXiv's documented shape (tests/fixtures/arxiv).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from papers import services
from papers.clients.arxiv import ArxivEntry, parse_search_feed
from papers.enums import MetadataSource, MetadataStatus
from papers.identifiers import parse_identifier
from papers.models import Paper
from papers.services.catalogue import PaperMetadata
from papers.signals import paper_metadata_arrived
from tests.papers.clients.test_arxiv import FIXTURES, SEARCH_10, load

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"no recorded arXiv answers at {FIXTURES}"),
]

WRITTEN = Path(__file__).resolve().parents[2] / "fixtures" / "arxiv"


def _page_2() -> tuple[ArxivEntry, ...]:
    data = (WRITTEN / "arxiv_search_written_from_docs.xml").read_bytes()
    return parse_search_feed(data).entries


def _paper(text: str) -> Paper:
    return services.get_or_create_paper(parse_identifier(text))[0]


@pytest.fixture
def heard() -> Any:
    ids: list[list[int]] = []

    def receiver(sender: Any, paper_ids: list[int], **kwargs: Any) -> None:
        ids.append(paper_ids)

    paper_metadata_arrived.connect(receiver)
    yield ids
    paper_metadata_arrived.disconnect(receiver)


@pytest.fixture
def enrichment(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    asked: list[list[int]] = []
    monkeypatch.setattr(
        "papers.services.sources.request_enrichment", lambda ids: asked.append(list(ids))
    )
    return asked


def test_store_arxiv_entries_creates_papers_marked_fetched_from_arxiv(
    heard: list[list[int]],
    enrichment: list[list[int]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    entries = parse_search_feed(load(SEARCH_10)).entries

    with django_capture_on_commit_callbacks(execute=True):
        papers = services.store_arxiv_entries(entries)

    assert [p.arxiv_id for p in papers] == [e.arxiv_id for e in entries]
    assert Paper.objects.count() == 10
    first = Paper.objects.get(arxiv_id="2202.12139")
    assert first.title == (
        "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques"
    )
    assert (first.metadata_status, first.metadata_source) == (
        MetadataStatus.OK,
        MetadataSource.ARXIV,
    )
    assert first.metadata_fetched_at is not None
    assert first.metadata_error == ""
    assert first.arxiv_version == 1
    assert first.authorships.count() == len(entries[0].authors)
    assert heard == [[p.pk for p in papers]]
    assert enrichment == [[p.pk for p in papers]]


def test_store_arxiv_entries_fills_a_pending_paper_already_in_the_catalogue() -> None:
    waiting = _paper("2612.01234")
    assert waiting.metadata_status == MetadataStatus.PENDING

    papers = services.store_arxiv_entries(_page_2())

    assert papers[0].pk == waiting.pk
    waiting.refresh_from_db()
    assert waiting.title == "Pretraining Small Language Models on Curated Web Text"
    assert (waiting.metadata_status, waiting.arxiv_version) == (MetadataStatus.OK, 2)
    assert waiting.categories == ["cs.CL", "cs.LG"]
    assert Paper.objects.count() == 2


def test_store_arxiv_entries_leaves_a_kept_hand_entry_alone(editor: Any) -> None:
    paper = _paper("2612.01234")
    services.enter_metadata_by_hand(
        paper, PaperMetadata(title="Edited by hand"), by=editor, keep=True
    )

    papers = services.store_arxiv_entries(_page_2())

    assert papers[0].pk == paper.pk
    paper.refresh_from_db()
    assert (paper.title, paper.metadata_source) == ("Edited by hand", MetadataSource.MANUAL)
    assert paper.metadata_kept is True


def test_store_arxiv_entries_replaces_a_hand_entry_not_kept_as_a_fetch_does(editor: Any) -> None:
    paper = _paper("2612.01234")
    services.enter_metadata_by_hand(paper, PaperMetadata(title="Stopgap"), by=editor)

    services.store_arxiv_entries(_page_2())

    paper.refresh_from_db()
    assert paper.title == "Pretraining Small Language Models on Curated Web Text"
    assert paper.metadata_source == MetadataSource.ARXIV
    assert paper.metadata_entries.get().replaced_by == MetadataSource.ARXIV


def test_store_arxiv_entries_rewrites_arxiv_metadata_only_for_a_newer_version(
    heard: list[list[int]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.store_arxiv_entries(_page_2())
    Paper.objects.filter(arxiv_id="2612.01234").update(title="Stored before")
    older = dataclasses.replace(_page_2()[0], version=1, title="An older version")
    newer = dataclasses.replace(_page_2()[1], version=3, title="A newer version")

    with django_capture_on_commit_callbacks(execute=True):
        services.store_arxiv_entries([older, newer])

    assert Paper.objects.get(arxiv_id="2612.01234").title == "Stored before"
    assert Paper.objects.get(arxiv_id="2612.00999").title == "A newer version"
    assert heard[-1] == [Paper.objects.get(arxiv_id="2612.00999").pk]


def test_store_arxiv_entries_stores_a_repeated_entry_once() -> None:
    entry = _page_2()[0]

    papers = services.store_arxiv_entries([entry, entry])

    assert len(papers) == 1
    assert Paper.objects.count() == 1


def test_store_arxiv_entries_skips_an_entry_the_catalogue_refuses_and_stores_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bad_id = dataclasses.replace(_page_2()[0], arxiv_id="not-an-id")

    papers = services.store_arxiv_entries([bad_id, _page_2()[1]])

    assert [p.arxiv_id for p in papers] == ["2612.00999"]
    assert Paper.objects.count() == 1
    assert "unusable id 'not-an-id'" in caplog.text


def test_store_arxiv_entries_skips_an_entry_whose_row_fails_and_stores_the_rest(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from papers.services import sources

    real = sources.apply_paper_metadata

    def refuse_first(paper: Paper, metadata: PaperMetadata, *, source: str) -> Paper:
        if paper.arxiv_id == "2612.01234":
            real(paper, metadata, source=source)
            raise RuntimeError("the database refused it")
        return real(paper, metadata, source=source)

    monkeypatch.setattr(sources, "apply_paper_metadata", refuse_first)

    papers = services.store_arxiv_entries(_page_2())

    assert [p.arxiv_id for p in papers] == ["2612.00999"]
    # The failed entry's row and metadata were rolled back with its savepoint.
    assert list(Paper.objects.values_list("arxiv_id", flat=True)) == ["2612.00999"]
    assert "2612.01234 could not be stored" in caplog.text


def test_store_arxiv_entries_of_nothing_writes_nothing() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert services.store_arxiv_entries([]) == []

    assert [q for q in queries.captured_queries if "INSERT" in q["sql"]] == []
