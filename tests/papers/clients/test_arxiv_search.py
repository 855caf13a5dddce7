"""Tests for ArxivClient.search and parse_search_feed.

Recorded answers are read in place from /work/shared/fixtures/arxiv (``test_arxiv``'s helpers
find them); a later page, which no recording holds, comes from tests/fixtures/arxiv, written by
hand from arXiv's documented Atom shape. Every client talks to an ``httpx.MockTransport``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from papers.clients.arxiv import (
    SEARCH_MAX_RESULTS,
    ArxivBadResponse,
    ArxivQueryError,
    ArxivSearchPage,
    ArxivUnavailable,
    InvalidSearchQuery,
    parse_feed,
    parse_search_feed,
)
from tests.papers.clients.test_arxiv import (
    EMPTY_0000,
    ERROR_ABC,
    FIXTURES,
    LEGACY_2ENTRIES,
    MANUAL_TYPICAL,
    SEARCH_10,
    FakeArxiv,
    load,
    params,
    serve_bytes,
    synthetic_feed,
)

pytestmark = pytest.mark.skipif(
    not FIXTURES.is_dir(), reason=f"the recorded arXiv responses are not at {FIXTURES}"
)

WRITTEN = Path(__file__).resolve().parents[2] / "fixtures" / "arxiv"
PAGE_2 = "arxiv_search_written_from_docs.xml"


def written(name: str) -> bytes:
    return (WRITTEN / name).read_bytes()


# --------------------------------------------------------------------------- parse_search_feed


def test_parse_search_feed_reads_total_and_entries_of_a_recorded_search() -> None:
    page = parse_search_feed(load(SEARCH_10))

    assert page.total_results == 214881
    assert page.start == 0
    assert len(page.entries) == 10
    assert page.entries == tuple(parse_feed(load(SEARCH_10)))


@pytest.mark.parametrize(
    ("name", "total", "count"),
    [(LEGACY_2ENTRIES, 2, 2), (MANUAL_TYPICAL, 1000, 1), (EMPTY_0000, 0, 0)],
)
def test_parse_search_feed_reads_total_in_both_dialects(name: str, total: int, count: int) -> None:
    page = parse_search_feed(load(name))

    assert (page.total_results, page.start, len(page.entries)) == (total, 0, count)


def test_parse_search_feed_later_page_keeps_its_start_index() -> None:
    page = parse_search_feed(written(PAGE_2), start=0)

    assert (page.total_results, page.start) == (102, 100)
    assert [(e.arxiv_id, e.version) for e in page.entries] == [
        ("2612.01234", 2),
        ("2612.00999", 1),
    ]
    first = page.entries[0]
    assert first.title == "Pretraining Small Language Models on Curated Web Text"
    assert first.published == datetime(2026, 12, 2, 18, 30, tzinfo=UTC)
    assert first.categories == ("cs.CL", "cs.LG")
    assert first.code_url == "https://github.com/example/curated-pretraining"
    assert page.entries[1].title == "中文 Pretraining for Dialogue Models"


def test_parse_search_feed_without_start_index_uses_the_requested_start() -> None:
    body = load(SEARCH_10).replace(b"<opensearch:startIndex>0</opensearch:startIndex>", b"")

    assert parse_search_feed(body, start=300).start == 300


@pytest.mark.parametrize(
    "total",
    [None, b"many", b"-1", "\u0661\u0662".encode(), b"9" * 13],
)
def test_parse_search_feed_without_a_readable_total_raises_bad_response(
    total: bytes | None,
) -> None:
    body = synthetic_feed(["2401.00001"])
    if total is not None:
        body = body.replace(
            b"<title>synthetic</title>",
            b'<title>synthetic</title><t:totalResults xmlns:t="http://a9.com/-/spec/opensearch/1.1/">'
            + total
            + b"</t:totalResults>",
        )

    with pytest.raises(ArxivBadResponse, match="without its number of results"):
        parse_search_feed(body)


def test_parse_search_feed_error_feed_raises_query_error() -> None:
    with pytest.raises(ArxivQueryError, match="incorrect id format for abc"):
        parse_search_feed(load(ERROR_ABC))


# --------------------------------------------------------------------------- client.search


def answer(body: bytes, status: int = 200) -> FakeArxiv:
    return serve_bytes(status, body)


def test_client_search_sends_query_paging_and_sort_inside_the_limiter() -> None:
    fake = answer(written(PAGE_2))

    page = fake.client().search("  cat:cs.CL AND abs:pretrain*  ", start=100, max_results=100)

    assert isinstance(page, ArxivSearchPage)
    assert (page.total_results, page.start, len(page.entries)) == (102, 100, 2)
    assert len(fake.requests) == 1
    assert params(fake.requests[0]) == {
        "search_query": "cat:cs.CL AND abs:pretrain*",
        "start": "100",
        "max_results": "100",
        "sortBy": "submittedDate",
        "sortOrder": "descending",
    }
    assert fake.inside_limiter == [True]
    assert fake.limiter_calls == 1


def test_client_search_passes_the_sort_asked_for() -> None:
    fake = answer(load(SEARCH_10))

    fake.client().search("testing", max_results=10, sort_by="relevance", sort_order="ascending")

    sent = params(fake.requests[0])
    assert (sent["sortBy"], sent["sortOrder"], sent["start"]) == ("relevance", "ascending", "0")


def test_client_search_uses_configured_base_url_and_user_agent() -> None:
    fake = answer(load(EMPTY_0000))

    page = fake.client(base_url="http://arxiv.test/api/query", user_agent="Test/1").search("ti:x")

    assert page.entries == ()
    assert str(fake.requests[0].url).startswith("http://arxiv.test/api/query?")
    assert fake.requests[0].headers["User-Agent"] == "Test/1"


@pytest.mark.parametrize("status", [200, 400])
def test_client_search_error_feed_raises_query_error(status: int) -> None:
    fake = answer(load(ERROR_ABC), status)

    with pytest.raises(ArxivQueryError) as caught:
        fake.client().search("ti:(")

    assert str(caught.value) == "arXiv rejected the query: incorrect id format for abc"


def test_client_search_http400_without_error_feed_raises_bad_response() -> None:
    with pytest.raises(ArxivBadResponse, match="HTTP 400"):
        answer(b"Bad Request", 400).client().search("ti:x")


@pytest.mark.parametrize(("status", "header", "expected"), [(429, "30", 30.0), (503, None, None)])
def test_client_search_busy_arxiv_raises_unavailable_with_retry_after(
    status: int, header: str | None, expected: float | None
) -> None:
    headers = {"Retry-After": header} if header else None
    fake = serve_bytes(status, b"busy", headers)

    with pytest.raises(ArxivUnavailable) as caught:
        fake.client().search("ti:x")

    assert caught.value.retry_after == expected
    assert f"HTTP {status}" in str(caught.value)


def test_client_search_server_error_raises_unavailable() -> None:
    with pytest.raises(ArxivUnavailable, match="HTTP 502"):
        answer(b"", 502).client().search("ti:x")


def test_client_search_transport_error_raises_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ArxivUnavailable):
        FakeArxiv(refuse).client().search("ti:x")


def test_client_search_oversized_body_raises_bad_response() -> None:
    fake = answer(load(SEARCH_10))

    with pytest.raises(ArxivBadResponse):
        fake.client(max_bytes=1000).search("testing")


def test_client_search_unexpected_status_raises_bad_response() -> None:
    with pytest.raises(ArxivBadResponse, match="unexpected HTTP status 404"):
        answer(b"", 404).client().search("ti:x")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "cannot be empty"),
        ("   ", "cannot be empty"),
        ("ti:" + "a" * 1000, "at most 1000 characters; this one has 1003"),
        ("ti:x\nAND au:y", "control characters"),
        ("ti:x\x00", "control characters"),
        ("ti:x\u200b", "control characters"),
        (None, "is text"),
    ],
)
def test_client_search_refuses_a_bad_query_without_a_request(query: object, message: str) -> None:
    fake = answer(load(SEARCH_10))

    with pytest.raises(InvalidSearchQuery, match=message):
        fake.client().search(query)  # type: ignore[arg-type]

    assert fake.requests == []


@pytest.mark.parametrize(
    "paging",
    [
        {"start": -1},
        {"start": "0"},
        {"max_results": 0},
        {"max_results": SEARCH_MAX_RESULTS + 1},
        {"max_results": True},
        {"sort_by": "date"},
        {"sort_order": "down"},
    ],
)
def test_client_search_refuses_bad_paging_or_sort_without_a_request(paging: dict) -> None:
    fake = answer(load(SEARCH_10))

    with pytest.raises(InvalidSearchQuery):
        fake.client().search("ti:x", **paging)

    assert fake.requests == []


def test_client_search_accepts_arxiv_largest_page() -> None:
    fake = answer(load(EMPTY_0000))

    fake.client().search("ti:x", max_results=SEARCH_MAX_RESULTS)

    assert params(fake.requests[0])["max_results"] == "2000"


def test_invalid_search_query_is_a_value_error() -> None:
    assert issubclass(InvalidSearchQuery, ValueError)
