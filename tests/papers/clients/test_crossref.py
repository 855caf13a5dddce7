"""The Crossref client against the real recorded answers of ``../shared/fixtures/crossref/``
(provenance in SOURCES-scholarly.md), and against faults and hostile bodies."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from papers.clients.crossref import CrossrefClient, parse_work
from papers.clients.http import SourceBadResponse, SourceNotConfigured, SourceUnavailable
from tests.servers.scholarly import needs_recordings, recording

pytestmark = needs_recordings("crossref")

ELIFE = "work_10.7554-elife.01567_journal-article_with-affiliations__commonmeta-py.json"
NATURE = "work_10.1038-s42256-024-00832-8_journal-article__paper-qa.json"
SIGMOD = "work_10.1145-3448016.3452841_proceedings-article__commonmeta-py.json"
ICCV = "work_10.1109-iccv.2007.4408927_proceedings-article__commonmeta-py.json"
BIORXIV = "work_10.1101-2024.04.01.587366_biorxiv-posted-content__paper-qa.json"


def _client(handler, **kwargs) -> CrossrefClient:
    return CrossrefClient("http://crossref.test", transport=httpx.MockTransport(handler), **kwargs)


def _replay(name: str, status: int = 200):
    body = recording("crossref", name)
    return lambda request: httpx.Response(status, content=body)


def test_fetch_journal_article_with_affiliations() -> None:
    paper = _client(_replay(ELIFE)).fetch("10.7554/elife.01567")

    assert paper is not None
    assert paper.title == (
        "Automated quantitative histology reveals vascular morphodynamics during Arabidopsis "
        "hypocotyl secondary growth"
    )
    assert paper.venue == "eLife"
    assert paper.published_on == dt.date(2014, 2, 11)
    assert paper.year == 2014
    assert paper.doi == "10.7554/elife.01567"
    assert [a.name for a in paper.authors] == [
        "Martial Sankar",
        "Kaisa Nieminen",
        "Laura Ragni",
        "Ioannis Xenarios",
        "Christian S Hardtke",
    ]
    assert paper.authors[0].affiliations == (
        "Department of Plant Molecular Biology, University of Lausanne, Lausanne, Switzerland",
    )
    assert paper.institutions[:2] == (
        "Department of Plant Molecular Biology, University of Lausanne, Lausanne, Switzerland",
        "Vital-IT, Swiss Institute of Bioinformatics, Lausanne, Switzerland",
    )
    assert paper.abstract.startswith("Among various advantages, their small size makes model")
    assert "<" not in paper.abstract
    assert paper.pdf_url == "https://cdn.elifesciences.org/articles/01567/elife-01567-v1.pdf"
    assert paper.url == "https://elifesciences.org/articles/01567"


def test_fetch_strips_the_jats_abstract_heading_and_keeps_paragraphs() -> None:
    paper = _client(_replay(NATURE)).fetch("10.1038/s42256-024-00832-8")

    assert paper is not None
    assert paper.title == "Augmenting large language models with chemistry tools"
    assert paper.venue == "Nature Machine Intelligence"
    assert paper.abstract.startswith("Large language models (LLMs) have shown strong")
    assert not paper.abstract.startswith("Abstract")
    assert "jats" not in paper.abstract
    assert paper.authors[0].name == "Andres M. Bran"
    assert paper.authors[0].affiliations == ()


def test_fetch_proceedings_reads_entities_in_affiliations_and_the_subtitle() -> None:
    paper = _client(_replay(SIGMOD)).fetch("10.1145/3448016.3452841")

    assert paper is not None
    assert paper.title == (
        "Vector Quotient Filters: Overcoming the Time/Space Trade-Off in Filter Design"
    )
    assert paper.venue == "Proceedings of the 2021 International Conference on Management of Data"
    assert paper.authors[0].affiliations == (
        "Lawrence Berkeley National Lab & University of California, Berkeley, Berkeley, CA, USA",
    )
    assert paper.abstract == ""
    assert paper.pdf_url == "https://dl.acm.org/doi/pdf/10.1145/3448016.3452841"


def test_fetch_year_only_date_gives_a_year_and_no_day() -> None:
    paper = _client(_replay(ICCV)).fetch("10.1109/iccv.2007.4408927")

    assert paper is not None
    assert (paper.published_on, paper.year) == (None, 2007)
    assert paper.venue == "2007 IEEE 11th International Conference on Computer Vision"
    # The only link is for similarity checking, with no PDF type: no PDF.
    assert paper.pdf_url is None


def test_fetch_posted_content_without_a_venue() -> None:
    paper = _client(_replay(BIORXIV)).fetch("10.1101/2024.04.01.587366")

    assert paper is not None
    assert paper.venue == ""
    assert paper.published_on == dt.date(2024, 4, 1)
    assert not paper.abstract.upper().startswith("ABSTRACT")


def test_fetch_recorded_404_is_no_such_work() -> None:
    body = recording("crossref", "work_404_10.48550-arxiv.2312.07559__paper-qa.txt")
    client = _client(lambda request: httpx.Response(404, content=body))

    assert client.fetch("10.1000/none") is None


def test_fetch_sends_the_doi_in_the_path_and_the_polite_pool_address() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=recording("crossref", ELIFE))

    _client(answer, mailto="editors@example.org").fetch("10.7554/elife.01567")

    [request] = seen
    assert request.url.path == "/works/10.7554/elife.01567"
    assert request.url.params["mailto"] == "editors@example.org"
    assert "mailto:editors@example.org" in request.headers["User-Agent"]


def test_fetch_switched_off_asks_nothing() -> None:
    client = CrossrefClient("", transport=httpx.MockTransport(lambda request: 1 / 0))

    with pytest.raises(SourceNotConfigured, match="CROSSREF_API_URL is empty"):
        client.fetch("10.1038/nature14539")


def test_fetch_429_is_transient_with_retry_after() -> None:
    client = _client(lambda request: httpx.Response(429, headers={"Retry-After": "30"}))

    with pytest.raises(
        SourceUnavailable, match=r"Crossref is temporarily unavailable \(HTTP 429\)"
    ) as caught:
        client.fetch("10.1038/nature14539")
    assert caught.value.retry_after == 30.0


@pytest.mark.parametrize("status", [500, 502, 503])
def test_fetch_5xx_is_transient(status: int) -> None:
    with pytest.raises(SourceUnavailable, match=f"HTTP {status}"):
        _client(lambda request: httpx.Response(status)).fetch("10.1038/nature14539")


def test_fetch_timeout_is_transient() -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(SourceUnavailable, match="Crossref could not be reached"):
        _client(hang).fetch("10.1038/nature14539")


def test_fetch_huge_body_is_refused_unread() -> None:
    client = _client(lambda request: httpx.Response(200, content=b"[" * 2000), max_bytes=1000)

    with pytest.raises(SourceBadResponse, match="larger than the 1000 bytes"):
        client.fetch("10.1038/nature14539")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>Service moved</html>", "not valid JSON"),
        (b"[" * 100_000, "nested too deeply|not valid JSON"),
        (b'{"status": "ok", "message": NaN}', "not valid JSON"),
        (b'{"status": "ok", "message": []}', "not a work"),
        (b'{"status": "ok", "message": {"DOI": "10.1/other", "title": ["x"]}}', "different work"),
        (b'{"status": "ok", "message": {"title": []}}', "without a title"),
        (b'{"status": "ok", "message": {"title": [1]}}', "title is not text"),
        (b'{"status": "ok", "message": {"title": ["x"], "author": {}}}', "authors are not a list"),
        (b'{"status": "ok", "message": {"title": ["x"], "author": [3]}}', "not an object"),
        (
            b'{"status": "ok", "message": {"title": ["x"], "issued": {"date-parts": [[true]]}}}',
            "not a date",
        ),
        (
            b'{"status": "ok", "message": {"title": ["x"], "issued": {"date-parts": [[99999]]}}}',
            "impossible year",
        ),
    ],
)
def test_fetch_malformed_body_is_a_bad_response(body: bytes, message: str) -> None:
    with pytest.raises(SourceBadResponse, match=message):
        _client(lambda request: httpx.Response(200, content=body)).fetch("10.1038/nature14539")


def test_parse_work_hostile_markup_becomes_plain_text() -> None:
    work = {
        "title": ["<i>Deep</i> &lt;script&gt;alert(1)&lt;/script&gt; learning"],
        "abstract": "<jats:title>Abstract</jats:title><jats:p>One <b>bold</b> claim.</jats:p>"
        "<jats:p>Two &amp; three.</jats:p>" + "<" * 50_000,
        "author": [{"given": "Ada\u0000", "family": "Lovelace", "affiliation": [{"name": "A"}]}],
        "link": [{"URL": "javascript:alert(1)", "content-type": "application/pdf"}],
        "issued": {"date-parts": [[2020, 2, 30]]},
        "relation": {"has-preprint": [{"id-type": "doi", "id": "10.48550/arXiv.2109.08133"}]},
    }

    paper = parse_work({"status": "ok", "message": work}, "10.1000/x")

    assert paper.title == "Deep <script>alert(1)</script> learning"
    assert paper.abstract.startswith("One bold claim.\n\nTwo & three.")
    assert paper.authors[0].name == "Ada Lovelace"
    assert paper.pdf_url is None
    # 30 February is no day; the year stands.
    assert (paper.published_on, paper.year) == (None, 2020)
    # The journal article names its arXiv preprint: the catalogue links the two.
    assert paper.arxiv_id == "2109.08133"


def test_parse_work_of_every_recording_has_a_title() -> None:
    for name in (ELIFE, NATURE, SIGMOD, ICCV, BIORXIV):
        payload = json.loads(recording("crossref", name))
        assert parse_work(payload, payload["message"]["DOI"].lower()).title
