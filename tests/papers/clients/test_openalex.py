"""Tests for papers.clients.openalex, on OpenAlex's real recorded answers.

The recordings are read where they are (``../shared/fixtures/openalex``); the one work with
Chinese institutions was written from the documented shape (tests/fixtures/openalex). Every
client talks to an ``httpx.MockTransport``: no test reaches the network.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from papers.clients.openalex import (
    BATCH_SIZE,
    OpenAlexBadResponse,
    OpenAlexClient,
    OpenAlexUnavailable,
    arxiv_doi,
    normalize_doi,
    parse_record,
    parse_works,
    rebuild_abstract,
)
from papers.clients.records import FoundAuthor

SHARED = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "openalex"
LOCAL = Path(__file__).resolve().parents[2] / "fixtures" / "openalex"
needs_recordings = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"the recorded OpenAlex responses are not at {SHARED}"
)

CHEMISTRY = "works_filter_title.search_Augmenting-LLM-chemistry-tools_journal+arxiv__paper-qa.json"
PAPERQA = "works_filter_title.search_PaperQA_arxiv-preprint__paper-qa.json"
CHINESE = "works_filter_doi_arxiv_chinese-institutions_documented-shape.json"
NATURE_DOI = "10.1038/s42256-024-00832-8"
CHEMISTRY_ARXIV_DOI = "10.48550/arxiv.2304.05376"


def recorded(name: str) -> bytes:
    return (SHARED / name).read_bytes()


def single_work_as_list(name: str) -> bytes:
    """A recorded single work (``/works/<doi>``) inside the list envelope a filter answers with."""
    return json.dumps({"meta": {"count": 1}, "results": [json.loads(recorded(name))]}).encode()


def client_for(handler: Callable[[httpx.Request], httpx.Response], **kwargs) -> OpenAlexClient:
    return OpenAlexClient(
        "https://openalex.example", transport=httpx.MockTransport(handler), **kwargs
    )


def answering(body: bytes, status: int = 200, headers: dict | None = None) -> OpenAlexClient:
    return client_for(lambda request: httpx.Response(status, content=body, headers=headers))


@needs_recordings
def test_parse_works_reads_authorships_institutions_and_raw_affiliations() -> None:
    works = parse_works(recorded(CHEMISTRY), [NATURE_DOI, CHEMISTRY_ARXIV_DOI])

    nature = works[NATURE_DOI]
    assert nature.openalex_id == "W4396723768"
    first = nature.authorships[0]
    assert (first.name, first.position) == ("Andres M. Bran", "first")
    assert first.raw_affiliations == (
        "Laboratory of Artificial Chemical Intelligence (LIAC), ISIC, EPFL, Lausanne, Switzerland",
    )
    epfl = first.institutions[0]
    assert (epfl.openalex_id, epfl.name, epfl.ror_id, epfl.country_code) == (
        "I5124864",
        "École Polytechnique Fédérale de Lausanne",
        "02s376052",
        "CH",
    )
    assert nature.authorships[1].institutions[0].ror_id == "022kthw22"  # Rochester
    # Each institution once, in order of first appearance over the authors.
    names = [i.name for i in nature.institutions]
    assert names[:2] == ["École Polytechnique Fédérale de Lausanne", "University of Rochester"]
    assert len(names) == len(set(names))


@needs_recordings
def test_parse_works_reads_venue_and_published_doi() -> None:
    works = parse_works(recorded(CHEMISTRY), [NATURE_DOI, CHEMISTRY_ARXIV_DOI])

    assert (works[NATURE_DOI].venue, works[NATURE_DOI].venue_type) == (
        "Nature Machine Intelligence",
        "journal",
    )
    assert works[NATURE_DOI].published_doi == NATURE_DOI
    preprint = works[CHEMISTRY_ARXIV_DOI]
    # OpenAlex knows this preprint only on arXiv: the repository is all the venue there is, and
    # its own DOI is arXiv's, not a published version's.
    assert (preprint.venue, preprint.venue_type) == ("arXiv (Cornell University)", "repository")
    assert preprint.published_doi is None
    assert all(not a.institutions for a in preprint.authorships)


@needs_recordings
def test_parse_works_reads_an_arxiv_preprint_without_institutions() -> None:
    works = parse_works(recorded(PAPERQA), ["10.48550/arxiv.2312.07559"])

    work = works["10.48550/arxiv.2312.07559"]
    assert work.authorships
    assert work.institutions == ()


SINGLE_WORKS = [
    ("work_doi_10.1016-j.xgen.2025.100814_journal-article__paper-qa.json", True),
    ("work_doi_10.1145-3448016.3452841_conference-paper__commonmeta-py.json", True),
    ("work_doi_10.7600-jspfsm.56.60_japanese-journal__commonmeta-py.json", False),
]


@needs_recordings
@pytest.mark.parametrize(("name", "institutions"), SINGLE_WORKS)
def test_parse_works_reads_each_recorded_single_work(name: str, institutions: bool) -> None:
    doi = json.loads(recorded(name))["doi"].removeprefix("https://doi.org/").lower()
    work = parse_works(single_work_as_list(name), [doi])[doi]

    assert work.doi == doi
    assert work.published_doi == doi
    assert bool(work.institutions) is institutions
    for institution in work.institutions:
        assert institution.ror_id is None or len(institution.ror_id) == 9


def test_parse_works_reads_chinese_institutions_of_the_documented_shape() -> None:
    doi = "10.48550/arxiv.2401.00001"
    work = parse_works((LOCAL / CHINESE).read_bytes(), [doi])[doi]

    assert [(i.name, i.ror_id, i.country_code, i.kind) for i in work.institutions] == [
        ("Tsinghua University", "03cve4549", "CN", "education"),
        ("Peking University", "02v51f717", "CN", "education"),
        ("Zhipu AI", None, "CN", "company"),
    ]
    # The venue is the conference, not arXiv; the published version has its own DOI.
    assert work.venue_type == "conference"
    assert work.venue.startswith("Proceedings of the 62nd Annual Meeting")
    assert work.published_doi == "10.18653/v1/2024.acl-long.1"


def test_arxiv_doi_is_datacites_lower_case_doi() -> None:
    assert arxiv_doi("2304.05376") == "10.48550/arxiv.2304.05376"
    assert arxiv_doi("hep-th/9901001") == "10.48550/arxiv.hep-th/9901001"
    assert normalize_doi("https://doi.org/10.48550/arXiv.2304.05376") == CHEMISTRY_ARXIV_DOI
    assert normalize_doi("not a doi") is None


def test_fetch_builds_one_filter_request_with_the_polite_pool() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"meta": {}, "results": []})

    client = client_for(handler, mailto="editors@example.org", api_key="k3y")
    dois = [arxiv_doi(f"2401.{n:05d}") for n in range(BATCH_SIZE)]

    assert client.fetch(dois) == {}

    assert len(seen) == 1
    assert client.requests == 1
    query = parse_qs(urlsplit(str(seen[0].url)).query)
    assert urlsplit(str(seen[0].url)).path == "/works"
    assert query["filter"] == ["doi:" + "|".join(dois)]
    assert query["per-page"] == ["200"]
    assert query["mailto"] == ["editors@example.org"]
    assert query["api_key"] == ["k3y"]
    assert "authorships" in query["select"][0]


def test_fetch_refuses_more_dois_than_one_filter_takes() -> None:
    client = answering(b"{}")
    with pytest.raises(ValueError, match="at most 100"):
        client.fetch([arxiv_doi(f"2401.{n:05d}") for n in range(BATCH_SIZE + 1)])
    with pytest.raises(ValueError, match="cannot be sent"):
        client.fetch(["10.1000/a|b"])
    assert client.requests == 0


def test_fetch_without_key_or_mailto_sends_neither() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"results": []})

    client_for(handler).fetch(["10.1000/x"])

    query = parse_qs(urlsplit(str(seen[0].url)).query)
    assert "mailto" not in query
    assert "api_key" not in query


def test_fetch_429_is_transient_with_retry_after() -> None:
    client = answering(b"slow down", 429, {"Retry-After": "7"})
    with pytest.raises(OpenAlexUnavailable, match=r"HTTP 429") as caught:
        client.fetch(["10.1000/x"])
    assert caught.value.retry_after == 7.0


def test_fetch_500_is_transient() -> None:
    with pytest.raises(OpenAlexUnavailable, match=r"HTTP 500"):
        answering(b"oops", 500).fetch(["10.1000/x"])


def test_fetch_timeout_is_transient() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(OpenAlexUnavailable, match="could not be reached"):
        client_for(handler).fetch(["10.1000/x"])


def test_fetch_refuses_a_huge_body() -> None:
    client = OpenAlexClient(
        "https://openalex.example",
        max_bytes=1000,
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=b"[" * 5000)),
    )
    with pytest.raises(OpenAlexBadResponse, match="larger than the 1000 bytes"):
        client.fetch(["10.1000/x"])


def test_fetch_refuses_malformed_json() -> None:
    with pytest.raises(OpenAlexBadResponse, match="not valid JSON"):
        answering(b'{"results": [').fetch(["10.1000/x"])
    with pytest.raises(OpenAlexBadResponse, match="nested too deeply"):
        answering(b"[" * 100_000 + b"]" * 100_000).fetch(["10.1000/x"])
    with pytest.raises(OpenAlexBadResponse, match="not a list of works"):
        answering(b'{"results": {}}').fetch(["10.1000/x"])


@needs_recordings
def test_fetch_refuses_an_answer_naming_works_not_asked_for() -> None:
    with pytest.raises(OpenAlexBadResponse, match="did not ask for"):
        answering(recorded(CHEMISTRY)).fetch([CHEMISTRY_ARXIV_DOI])


def test_fetch_403_names_the_settings_to_check() -> None:
    with pytest.raises(OpenAlexBadResponse, match="OPENALEX_API_KEY"):
        answering(b'{"error": "Invalid API key"}', 403).fetch(["10.1000/x"])


def test_parse_works_bounds_hostile_texts() -> None:
    body = json.dumps(
        {
            "results": [
                {
                    "id": "https://openalex.org/W1",
                    "doi": "https://doi.org/10.1000/x",
                    "authorships": [
                        {
                            "author": {"display_name": "A\u0000" + "b" * 5000},
                            "institutions": [
                                {
                                    "id": "https://openalex.org/I1",
                                    "display_name": "X" * 5000,
                                    "ror": "javascript:alert(1)",
                                    "country_code": "China",
                                },
                                "not an object?",
                            ][:1],
                            "raw_affiliation_strings": ["r" * 5000, 42, None],
                        },
                        {"author": None, "institutions": []},
                    ],
                    "primary_location": {"source": {"display_name": 7}},
                }
            ]
        }
    ).encode()

    work = parse_works(body, ["10.1000/x"])["10.1000/x"]

    (authorship,) = work.authorships
    assert len(authorship.name) == 300
    assert "\x00" not in authorship.name
    (institution,) = authorship.institutions
    assert (len(institution.name), institution.ror_id, institution.country_code) == (300, None, "")
    assert [len(r) for r in authorship.raw_affiliations] == [1000]
    assert (work.venue, work.published_doi) == ("", "10.1000/x")


# --------------------------------------------------------------------------- one work's metadata

ELIFE = "work_doi_10.7554-elife.01567_journal-article__commonmeta-py.json"
SIGMOD = "work_doi_10.1145-3448016.3452841_conference-paper__commonmeta-py.json"
JAPANESE = "work_doi_10.7600-jspfsm.56.60_japanese-journal__commonmeta-py.json"


@needs_recordings
def test_parse_record_reads_title_abstract_authors_date_and_venue() -> None:
    record = parse_record(recorded(ELIFE), "10.7554/elife.01567")

    paper = record.paper
    assert paper.title.startswith("Automated quantitative histology reveals vascular")
    # Rebuilt from abstract_inverted_index, word by word in order.
    assert paper.abstract.startswith(
        "Among various advantages, their small size makes model organisms preferred subjects"
    )
    assert (paper.published_on, paper.year) == (dt.date(2014, 2, 11), 2014)
    assert paper.venue == "eLife"
    assert paper.doi == "10.7554/elife.01567"
    assert paper.url == "https://doi.org/10.7554/elife.01567"
    assert paper.arxiv_id is None
    # Each author with the institutions OpenAlex matched, by their names.
    assert paper.authors[0] == FoundAuthor("Martial Sankar", ("University of Lausanne",))
    assert paper.institutions == ("University of Lausanne", "SIB Swiss Institute of Bioinformatics")
    # The same body gives what enrichment stores: the institutions with their ROR ids.
    assert [(i.name, i.ror_id) for i in record.work.institutions] == [
        ("University of Lausanne", "019whta54"),
        ("SIB Swiss Institute of Bioinformatics", "002n09z45"),
    ]


@needs_recordings
def test_parse_record_keeps_raw_affiliations_of_an_author_without_institutions() -> None:
    paper = parse_record(recorded(SIGMOD), "10.1145/3448016.3452841").paper

    assert paper.title == "Vector Quotient Filters"
    assert paper.pdf_url == "https://dl.acm.org/doi/pdf/10.1145/3448016.3452841"
    assert paper.authors[1] == FoundAuthor("Alex Conway", ("VMware Research, Palo Alto, CA, USA",))
    # Its only location has no source: no venue rather than a guess.
    assert paper.venue == ""


@needs_recordings
def test_parse_record_finds_the_arxiv_version_among_the_locations() -> None:
    work = json.loads(recorded(ELIFE))
    work["locations"].append(
        {"landing_page_url": "https://arxiv.org/abs/2304.05376v2", "source": None}
    )

    paper = parse_record(json.dumps(work).encode(), "10.7554/elife.01567").paper

    assert paper.arxiv_id == "2304.05376"


@needs_recordings
def test_parse_record_refuses_a_work_without_title_or_of_another_doi() -> None:
    with pytest.raises(OpenAlexBadResponse, match="without a title"):
        parse_record(recorded(JAPANESE), "10.7600/jspfsm.56.60")
    with pytest.raises(OpenAlexBadResponse, match="did not ask for"):
        parse_record(recorded(ELIFE), "10.1000/other")


def test_rebuild_abstract_is_bounded_and_skips_what_is_not_words() -> None:
    index = {
        "world": [1],
        "Hello": [0, True, -1, "2"],
        "\x00evil\x07": [2],
        7: [3],
        "far": [10**9],
        "list": "not positions",
    }

    assert rebuild_abstract(index) == "Hello world evil"
    assert rebuild_abstract(None) == ""
    assert rebuild_abstract([["Hello", [0]]]) == ""
    huge = {f"w{n}": list(range(n, 10**6, 1000)) for n in range(1000)}
    assert len(rebuild_abstract(huge).split()) <= 20_000


@needs_recordings
def test_fetch_work_asks_for_the_doi_in_the_polite_pool() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=recorded(ELIFE))

    client = client_for(handler, mailto="editors@example.org")
    record = client.fetch_work("10.7554/elife.01567")

    assert record is not None
    assert record.paper.venue == "eLife"
    [request] = seen
    assert request.url.path == "/works/https://doi.org/10.7554/elife.01567"
    query = parse_qs(urlsplit(str(request.url)).query)
    assert query["mailto"] == ["editors@example.org"]
    assert "abstract_inverted_index" in query["select"][0]
    assert client.requests == 1


def test_fetch_work_404_is_none_and_5xx_transient() -> None:
    assert answering(b'{"error": "not found"}', 404).fetch_work("10.1000/none") is None
    with pytest.raises(OpenAlexUnavailable):
        answering(b"down", 503).fetch_work("10.1000/none")
    with pytest.raises(ValueError, match="not a bare, lower-case DOI"):
        answering(b"{}").fetch_work("not a doi")
