"""The ACL Anthology client against the real collection file of ``../shared/fixtures/
acl_anthology/`` (provenance in SOURCES-scholarly.md), and against faults and hostile bodies."""

from __future__ import annotations

import httpx
import pytest

from papers.clients.acl_anthology import AclAnthologyClient, parse_collection, split_id
from papers.clients.http import SourceBadResponse, SourceNotConfigured, SourceUnavailable
from tests.servers.scholarly import needs_recordings, recording

NALOMA = "2022.naloma.xml__anthology-data-xml.xml"


def _client(handler, **kwargs) -> AclAnthologyClient:
    return AclAnthologyClient(
        "http://anthology.test/data/xml",
        site_url="https://aclanthology.org",
        transport=httpx.MockTransport(handler),
        **kwargs,
    )


@pytest.mark.parametrize(
    ("acl_id", "where"),
    [
        ("2022.acl-long.123", ("2022.acl", "long", "123")),
        ("2022.naloma-1.3", ("2022.naloma", "1", "3")),
        ("P19-1001", ("P19", "1", "1")),
        ("W18-5401", ("W18", "54", "1")),
        ("D19-5301", ("D19", "53", "1")),
        ("D19-1001", ("D19", "1", "1")),
    ],
)
def test_split_id_finds_collection_volume_and_paper(acl_id: str, where: tuple[str, ...]) -> None:
    found = split_id(acl_id)
    assert (found.collection, found.volume, found.paper) == where


@needs_recordings("acl_anthology")
def test_fetch_reads_the_paper_from_its_collection_file() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=recording("acl_anthology", NALOMA))

    client = _client(answer)
    paper = client.fetch("2022.naloma-1.3")

    assert paper is not None
    # <fixed-case> is markup for BibTeX, read as its text.
    assert paper.title == "Learning Knowledge with Neural DTS"
    assert [a.name for a in paper.authors] == ["Daisuke Bekki", "Ribeka Tanaka", "Yuta Takahashi"]
    assert paper.venue == (
        "Proceedings of the 3rd Natural Logic Meets Machine Learning Workshop (NALOMA III)"
    )
    assert (paper.year, paper.published_on) == (2022, None)
    assert paper.url == "https://aclanthology.org/2022.naloma-1.3/"
    assert paper.pdf_url == "https://aclanthology.org/2022.naloma-1.3.pdf"
    # This workshop registered no DOIs: the Anthology's own file is the only source of it.
    assert paper.doi is None
    # A second paper of the same collection is read from the same file, not asked again.
    assert client.fetch("2022.naloma-1.5").title.startswith("A Philosophically-Informed")
    assert [r.url.path for r in seen] == ["/data/xml/2022.naloma.xml"]


@needs_recordings("acl_anthology")
def test_parse_collection_lists_every_paper_of_the_recording() -> None:
    papers = parse_collection(recording("acl_anthology", NALOMA))

    assert sorted(papers) == [f"2022.naloma-1.{n}" for n in range(1, 6)]
    assert len(papers["2022.naloma-1.4"].authors) == 5


@needs_recordings("acl_anthology")
def test_fetch_paper_missing_from_its_collection_is_none() -> None:
    body = recording("acl_anthology", NALOMA)
    assert (
        _client(lambda request: httpx.Response(200, content=body)).fetch("2022.naloma-1.9") is None
    )


def test_fetch_unknown_collection_is_none() -> None:
    assert (
        _client(lambda request: httpx.Response(404, text="Not Found")).fetch("2031.xyz-1.1") is None
    )


def test_fetch_reads_doi_affiliation_abstract_and_code() -> None:
    body = (
        b"<?xml version='1.0' encoding='UTF-8'?>\n"
        b'<collection id="2022.acl"><volume id="long" type="proceedings"><meta>'
        b"<booktitle>Proceedings of ACL</booktitle><year>2022</year></meta>"
        b'<paper id="123"><title>A <fixed-case>BERT</fixed-case> study</title>'
        b"<author><first>Ada</first><last>Lovelace</last>"
        b"<affiliation>Tsinghua University</affiliation></author>"
        b"<abstract>We study <tex-math>x^2</tex-math> things.</abstract>"
        b"<url hash='1'>2022.acl-long.123</url><doi>10.18653/v1/2022.acl-long.123</doi>"
        b'<pwccode url="https://github.com/ada/bert" additional="false">ada/bert</pwccode>'
        b"</paper></volume></collection>"
    )

    paper = _client(lambda request: httpx.Response(200, content=body)).fetch("2022.acl-long.123")

    assert paper is not None
    assert paper.title == "A BERT study"
    assert paper.abstract == "We study x^2 things."
    assert paper.authors[0].affiliations == ("Tsinghua University",)
    assert paper.institutions == ("Tsinghua University",)
    assert paper.doi == "10.18653/v1/2022.acl-long.123"
    assert paper.code_url == "https://github.com/ada/bert"


def test_fetch_switched_off_asks_nothing() -> None:
    client = AclAnthologyClient("", transport=httpx.MockTransport(lambda request: 1 / 0))

    with pytest.raises(SourceNotConfigured, match="ACL_ANTHOLOGY_DATA_URL is empty"):
        client.fetch("2022.acl-long.123")


def test_fetch_429_is_transient_with_retry_after() -> None:
    client = _client(lambda request: httpx.Response(429, headers={"Retry-After": "7"}))

    with pytest.raises(SourceUnavailable, match=r"HTTP 429") as caught:
        client.fetch("2022.acl-long.123")
    assert caught.value.retry_after == 7.0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html><body>moved</body>", "not valid XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaa">]><collection id="x">&a;'
            b"</collection>",
            "forbidden constructs",
        ),
        (b"<feed/>", "not a collection"),
        (
            b'<collection id="2022.acl"><volume id="long"><paper id="1"><url>2022.acl-long.1'
            b"</url></paper></volume></collection>",
            "without a title",
        ),
    ],
)
def test_fetch_malformed_body_is_a_bad_response(body: bytes, message: str) -> None:
    with pytest.raises(SourceBadResponse, match=message):
        _client(lambda request: httpx.Response(200, content=body)).fetch("2022.acl-long.1")


def test_fetch_huge_body_is_refused() -> None:
    client = _client(lambda request: httpx.Response(200, content=b"<" * 5000), max_bytes=1000)

    with pytest.raises(SourceBadResponse, match="larger than the 1000 bytes"):
        client.fetch("2022.acl-long.1")


def test_fetch_one_unreadable_paper_holds_up_none_of_its_collection() -> None:
    body = (
        b'<collection id="2022.acl"><volume id="long"><meta><year>2022</year></meta>'
        b"<paper id='1'><url>2022.acl-long.1</url></paper>"
        b"<paper id='2'><title>Fine</title><url>2022.acl-long.2</url></paper>"
        b"</volume></collection>"
    )
    client = _client(lambda request: httpx.Response(200, content=body))

    with pytest.raises(SourceBadResponse, match=r"2022\.acl-long\.1 without a title"):
        client.fetch("2022.acl-long.1")
    assert client.fetch("2022.acl-long.2").title == "Fine"
