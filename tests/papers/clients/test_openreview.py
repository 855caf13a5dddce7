"""The OpenReview client against fixtures written from API v2's documented note shape
(``tests/fixtures/openreview/``, no real recording exists), and against faults and hostile
bodies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from papers.clients.http import SourceBadResponse, SourceNotConfigured, SourceUnavailable
from papers.clients.openreview import OpenReviewClient, parse_notes

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "openreview"
NOTE = (FIXTURES / "notes_id-WeeklyDoc01_documented-shape.json").read_bytes()
PROFILES = (FIXTURES / "profiles_ids-WeeklyDoc01-authors_documented-shape.json").read_bytes()


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> OpenReviewClient:
    return OpenReviewClient("http://openreview.test", transport=httpx.MockTransport(handler))


def test_fetch_reads_a_v2_note() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=PROFILES if request.url.path == "/profiles" else NOTE)

    paper = _client(answer).fetch("WeeklyDoc01")

    assert paper is not None
    assert paper.title == "Sparse Mixtures of Adapters for Multilingual Pretraining"
    assert [a.name for a in paper.authors] == ["Li Wei", "Ana María Gómez", "Jonas Schmidt"]
    assert paper.abstract.startswith("We route each token to a **sparse** set of adapters.")
    assert paper.venue == "ICLR 2024 poster"
    # pdate, the publication date: 18 January 2024.
    assert (paper.published_on, paper.year) == (dt.date(2024, 1, 18), 2024)
    assert paper.url == "https://openreview.net/forum?id=WeeklyDoc01"
    assert paper.pdf_url == (
        "https://openreview.net/pdf/6f1c2a0e4b7d9c3e5a8f1b2d4c6e8a0b1c3d5e7f.pdf"
    )
    assert paper.code_url == "https://github.com/example/sparse-adapters"
    # Each author's current institution, from their profile; Jonas Schmidt's is hidden.
    assert [a.affiliations for a in paper.authors] == [
        ("Tsinghua University",),
        ("Universidad Politécnica de Madrid",),
        (),
    ]
    note, profiles = seen
    assert (note.url.path, note.url.params["id"]) == ("/notes", "WeeklyDoc01")
    assert (profiles.url.path, profiles.url.params["ids"]) == (
        "/profiles",
        "~Li_Wei1,~Ana_María_Gómez1,~Jonas_Schmidt2",
    )


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(503, content=b"down"),
        httpx.Response(200, content=b'{"profiles": "none"}'),
        httpx.Response(
            200,
            content=b'{"profiles": [{"id": "~Li_Wei1", "content": {"history": [{"institution":'
            b' {"name": 7}}, "x"]}}, 5]}',
        ),
    ],
)
def test_fetch_keeps_the_note_when_profiles_fail_or_say_nothing(answer: httpx.Response) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return answer if request.url.path == "/profiles" else httpx.Response(200, content=NOTE)

    paper = _client(handler).fetch("WeeklyDoc01")

    assert paper is not None
    assert [a.affiliations for a in paper.authors] == [(), (), ()]


@pytest.mark.parametrize(
    ("status", "name"),
    [(404, "notes_not-found_documented-shape.json"), (200, "notes_empty_documented-shape.json")],
)
def test_fetch_unknown_note_is_none(status: int, name: str) -> None:
    body = (FIXTURES / name).read_bytes()
    assert (
        _client(lambda request: httpx.Response(status, content=body)).fetch("WeeklyNone1") is None
    )


def test_parse_notes_reads_api_v1_bare_values_too() -> None:
    note = {"id": "abcde", "content": {"title": "Old style", "authors": ["A B"]}, "cdate": 0}
    paper = parse_notes({"notes": [note]}, "abcde")
    assert paper is not None
    assert (paper.title, paper.authors[0].name, paper.year) == ("Old style", "A B", 1970)


def test_parse_notes_ignores_another_note() -> None:
    note = {"id": "other", "content": {"title": {"value": "Not this one"}}}
    assert parse_notes({"notes": [note]}, "abcde") is None


def test_fetch_switched_off_asks_nothing() -> None:
    client = OpenReviewClient("", transport=httpx.MockTransport(lambda request: 1 / 0))

    with pytest.raises(SourceNotConfigured, match="OPENREVIEW_API_URL is empty"):
        client.fetch("WeeklyDoc01")


def test_fetch_forbidden_note_says_it_is_not_public() -> None:
    with pytest.raises(SourceBadResponse, match="does not show this paper to the public"):
        _client(lambda request: httpx.Response(403, json={"name": "ForbiddenError"})).fetch(
            "WeeklyDoc01"
        )


def test_fetch_429_is_transient_with_retry_after() -> None:
    client = _client(lambda request: httpx.Response(429, headers={"Retry-After": "5"}))

    with pytest.raises(SourceUnavailable, match="HTTP 429") as caught:
        client.fetch("WeeklyDoc01")
    assert caught.value.retry_after == 5.0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>", "not valid JSON"),
        (b'{"notes": {}}', "not a list of notes"),
        (b'{"notes": [1]}', "not an object"),
        (b'{"notes": [{"id": "WeeklyDoc01"}]}', "without content"),
        (b'{"notes": [{"id": "WeeklyDoc01", "content": {"title": {"value": ""}}}]}', "title"),
        (
            b'{"notes": [{"id": "WeeklyDoc01", "content": {"title": {"value": 3}}}]}',
            "title is not text",
        ),
        (
            b'{"notes": [{"id": "WeeklyDoc01", "content": {"title": {"value": "T"}, '
            b'"authors": {"value": "A"}}}]}',
            "not a list of names",
        ),
    ],
)
def test_fetch_malformed_body_is_a_bad_response(body: bytes, message: str) -> None:
    with pytest.raises(SourceBadResponse, match=message):
        _client(lambda request: httpx.Response(200, content=body)).fetch("WeeklyDoc01")


def test_parse_notes_hostile_values_are_plain_text_and_links_are_checked() -> None:
    note = {
        "id": "abcde",
        "content": {
            "title": {"value": "<script>alert(1)</script>Title"},
            "pdf": {"value": "javascript:alert(1)"},
        },
        "pdate": 10**20,
    }
    paper = parse_notes({"notes": [note]}, "abcde")
    assert paper is not None
    assert paper.title == "alert(1) Title"
    assert (paper.pdf_url, paper.published_on) == (None, None)
