"""The Semantic Scholar client against the real recorded answers of
``../shared/fixtures/semanticscholar/`` (provenance in SOURCES-scholarly.md), and against faults
and hostile bodies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx
import pytest

from papers.clients.http import SourceBadResponse, SourceNotConfigured, SourceUnavailable
from papers.clients.semanticscholar import FIELDS, SemanticScholarClient, parse_paper
from tests.servers.scholarly import needs_recordings, recording

pytestmark = needs_recordings("semanticscholar")

NATURE = "paper_DOI_10.1038-s42256-024-00832-8__paper-qa.json"
NATURE_ID = "354dcdebf3f8b5feeed5c62090e0bc1f0c28db06"
PAPERQA = "paper_DOI_10.48550-arxiv.2312.07559__paper-qa.json"
PAPERQA_ID = "7e55d8701785818776323b4147cb13354c820469"


def _client(
    handler: Callable[[httpx.Request], httpx.Response], **kwargs: str
) -> SemanticScholarClient:
    return SemanticScholarClient(
        "http://s2.test/graph/v1", transport=httpx.MockTransport(handler), **kwargs
    )


def _replay(name: str) -> Callable[[httpx.Request], httpx.Response]:
    body = recording("semanticscholar", name)
    return lambda request: httpx.Response(200, content=body)


def test_fetch_maps_a_journal_article_to_its_arxiv_id_and_doi() -> None:
    paper = _client(_replay(NATURE)).fetch(NATURE_ID)

    assert paper is not None
    assert paper.title == "Augmenting large language models with chemistry tools"
    assert (paper.arxiv_id, paper.doi, paper.acl_id) == (
        "2304.05376",
        "10.1038/s42256-024-00832-8",
        None,
    )
    assert paper.venue == "Nat. Mac. Intell."
    assert (paper.published_on, paper.year) == (dt.date(2023, 4, 11), 2023)
    assert paper.pdf_url == "https://www.nature.com/articles/s42256-024-00832-8.pdf"
    assert [a.name for a in paper.authors][:3] == ["Andrés M Bran", "Sam Cox", "Oliver Schilter"]


def test_fetch_an_arxiv_paper_keeps_its_arxiv_id_and_not_arxivs_doi() -> None:
    paper = _client(_replay(PAPERQA)).fetch(PAPERQA_ID)

    assert paper is not None
    # Its DOI is arXiv's own (10.48550/arXiv.…), which names the arXiv paper: no DOI to keep.
    assert (paper.arxiv_id, paper.doi) == ("2312.07559", None)
    # An empty openAccessPdf link is no link.
    assert paper.pdf_url is None


def test_fetch_asks_for_the_fields_it_reads_and_sends_the_key() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=recording("semanticscholar", NATURE))

    _client(answer, api_key="sekrit").fetch(NATURE_ID)

    [request] = seen
    assert request.url.path == f"/graph/v1/paper/{NATURE_ID}"
    assert request.url.params["fields"] == FIELDS
    assert request.headers["x-api-key"] == "sekrit"


def test_fetch_without_a_key_sends_none() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=recording("semanticscholar", NATURE))

    _client(answer).fetch(NATURE_ID)

    assert "x-api-key" not in seen[0].headers


@pytest.mark.parametrize(
    "name",
    [
        "paper_404_not_found__semanticscholar-py.json",
        "paper_DOI_404_10.1101-2024.04.01.587366__paper-qa.json",
    ],
)
def test_fetch_recorded_404_is_no_such_paper(name: str) -> None:
    body = recording("semanticscholar", name)
    assert _client(lambda request: httpx.Response(404, content=body)).fetch(NATURE_ID) is None


def test_fetch_switched_off_asks_nothing() -> None:
    client = SemanticScholarClient("", transport=httpx.MockTransport(lambda request: 1 / 0))

    with pytest.raises(SourceNotConfigured, match="SEMANTIC_SCHOLAR_API_URL is empty"):
        client.fetch(NATURE_ID)


def test_fetch_429_is_transient_with_retry_after() -> None:
    client = _client(lambda request: httpx.Response(429, headers={"Retry-After": "3"}))

    with pytest.raises(SourceUnavailable, match="HTTP 429") as caught:
        client.fetch(NATURE_ID)
    assert caught.value.retry_after == 3.0


def test_fetch_refused_key_says_so_without_the_key() -> None:
    client = _client(
        lambda request: httpx.Response(403, json={"message": "Forbidden"}), api_key="sekrit"
    )

    with pytest.raises(SourceBadResponse, match="SEMANTIC_SCHOLAR_API_KEY") as caught:
        client.fetch(NATURE_ID)
    assert "sekrit" not in str(caught.value)


def test_fetch_follows_no_redirect_that_would_carry_the_key() -> None:
    client = _client(
        lambda request: httpx.Response(302, headers={"Location": "https://evil.test/"}),
        api_key="sekrit",
    )

    with pytest.raises(SourceBadResponse, match="unexpected HTTP status 302"):
        client.fetch(NATURE_ID)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[]", "not a paper"),
        (b'{"paperId": "0000000000000000000000000000000000000000", "title": "x"}', "different"),
        (b'{"title": ""}', "without a title"),
        (b'{"title": "x", "externalIds": []}', "externalIds are not an object"),
        (b'{"title": "x", "authors": [1]}', "not an object"),
        (b'{"title": "x", "authors": [{"name": "A", "affiliations": "B"}]}', "not a list"),
    ],
)
def test_fetch_malformed_body_is_a_bad_response(body: bytes, message: str) -> None:
    with pytest.raises(SourceBadResponse, match=message):
        _client(lambda request: httpx.Response(200, content=body)).fetch(NATURE_ID)


def test_parse_paper_hostile_external_ids_are_passed_over() -> None:
    paper = parse_paper(
        {
            "title": "T",
            "externalIds": {
                "ArXiv": "2109.08133, 2110.00001",
                "DOI": "10.1/<script>",
                "ACL": "P19-1001",
            },
            "openAccessPdf": {"url": "javascript:alert(1)"},
            "publicationDate": "2023-02-30",
            "year": 99999,
        },
        NATURE_ID,
    )

    assert (paper.arxiv_id, paper.doi, paper.acl_id) == (None, None, "P19-1001")
    assert (paper.pdf_url, paper.published_on, paper.year) == (None, None, None)
