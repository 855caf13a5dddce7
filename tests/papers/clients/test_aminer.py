"""Tests for papers.clients.aminer, driven by hand-written AMiner responses.

No real AMiner response has been recorded, so the fixtures in tests/fixtures/aminer are written
by hand from the documented field list (see the README there) and named ``handwritten_*``. No
test touches the network: every client talks to an ``httpx.MockTransport``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from papers.clients import http
from papers.clients.aminer import (
    AminerAuthError,
    AminerAuthor,
    AminerBadResponse,
    AminerClient,
    AminerError,
    AminerNotConfigured,
    AminerPaper,
    AminerUnavailable,
    parse_detail,
)

# --------------------------------------------------------------------------- fixtures

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "aminer"

PAPER_ID = "614407b25244ab9dcbd29c5c"
OK = f"handwritten_detail_ok_{PAPER_ID}.json"
LIST_DATA = "handwritten_detail_list_data.json"
NOT_FOUND = "handwritten_detail_not_found.json"
TOKEN_INVALID = "handwritten_error_token_invalid.json"
WRONG_TYPES = "handwritten_detail_wrong_types.json"
ALL_FIXTURES = [OK, LIST_DATA, NOT_FOUND, TOKEN_INVALID, WRONG_TYPES]

TOKEN = "test-token-0123456789abcdef"
BASE_URL = "https://aminer.example/base"

PRINCETON = "Princeton University"
PRINCETON_ZH = "普林斯顿大学"
TITLE = "Phrase Retrieval Learns Passage Retrieval, Too"
OK_ABSTRACT = (
    "Hand-written description for this fixture: a dense phrase retrieval model, trained only "
    "to find answer phrases, turns out to rank whole passages and documents as well as "
    "dedicated passage retrievers do (code: https://github.com/princeton-nlp/DensePhrases)."
)
LIST_ABSTRACT_ZH = (
    "手写的夹具说明：只为寻找答案短语而训练的稠密短语检索模型，同样可以用来检索整段文字和整篇文档。"
)

NOT_CONFIGURED_MESSAGE = (
    "AMiner cannot be asked for paper details because AMINER_API_TOKEN is not set. "
    "You can fill in the paper's fields by hand."
)


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def envelope(data: Any, **extra: Any) -> bytes:
    return json.dumps({"code": 200, "success": True, "msg": "", "data": data, **extra}).encode()


def record(**fields: Any) -> dict[str, Any]:
    """A minimal valid paper record, with ``fields`` added or replaced."""
    return {"id": PAPER_ID, "title": "A title", **fields}


def parse_record(**fields: Any) -> AminerPaper:
    paper = parse_detail(envelope(record(**fields)), PAPER_ID)
    assert paper is not None
    return paper


def bad_record_message(**fields: Any) -> str:
    with pytest.raises(AminerBadResponse) as caught:
        parse_detail(envelope(record(**fields)), PAPER_ID)
    return str(caught.value)


# --------------------------------------------------------------------------- mock AMiner


class FakeAminer:
    """Records requests and answers them through a handler."""

    def __init__(self, respond: Callable[[httpx.Request], httpx.Response]) -> None:
        self.respond = respond
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.respond(request)

    def client(self, **kwargs: Any) -> AminerClient:
        kwargs.setdefault("token", TOKEN)
        return AminerClient(
            kwargs.pop("base_url", BASE_URL), transport=httpx.MockTransport(self.handler), **kwargs
        )


def serve(status: int, name: str, headers: dict[str, str] | None = None) -> FakeAminer:
    return serve_bytes(status, load(name), headers)


def serve_bytes(status: int, body: bytes, headers: dict[str, str] | None = None) -> FakeAminer:
    return FakeAminer(lambda request: httpx.Response(status, content=body, headers=headers))


# --------------------------------------------------------------------------- fixture files


def test_fixtures_folder_holds_exactly_the_documented_handwritten_files() -> None:
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")

    assert sorted(path.name for path in FIXTURES.glob("*.json")) == sorted(ALL_FIXTURES)
    assert all(name.startswith("handwritten_") for name in ALL_FIXTURES)
    assert all(f"`{name}`" in readme for name in ALL_FIXTURES)
    assert "written by hand" in readme


# --------------------------------------------------------------------------- parse_detail


@pytest.mark.parametrize(
    ("urls", "doi", "expected"),
    [
        # The arXiv link among the paper's links, versionless, whatever its form.
        (["https://github.com/a/b", "https://arxiv.org/pdf/2109.08133v2"], None, "2109.08133"),
        # arXiv's own DOI, as a doi.org link, when no link names arXiv.
        ([], "https://doi.org/10.48550/arXiv.2109.08133", "2109.08133"),
        # A journal's DOI and other hosts name no arXiv id.
        (["https://example.org/paper"], "10.1145/3292500.3330701", None),
        # An AMiner link is not an arXiv id.
        (["https://www.aminer.cn/pub/" + "0" * 24], None, None),
    ],
)
def test_parse_detail_finds_the_arxiv_id_in_urls_or_doi(
    urls: list[str], doi: str | None, expected: str | None
) -> None:
    record = {"id": PAPER_ID, "title": TITLE, "urls": urls, "doi": doi}
    body = json.dumps({"code": 200, "success": True, "data": record}).encode()

    assert parse_detail(body, PAPER_ID).arxiv_id == expected


def test_parse_detail_ok_fixture_returns_full_paper() -> None:
    paper = parse_detail(load(OK), PAPER_ID)

    assert paper == AminerPaper(
        aminer_id=PAPER_ID,
        title=TITLE,
        title_zh="短语检索也能学会段落检索",
        abstract=OK_ABSTRACT,
        authors=(
            AminerAuthor("Jinhyuk Lee", "", PRINCETON, PRINCETON_ZH),
            AminerAuthor("Alexander Wettig", "", PRINCETON, PRINCETON_ZH),
            AminerAuthor("Danqi Chen", "陈丹琦", PRINCETON, PRINCETON_ZH),
        ),
        doi=None,
        year=2021,
        venue="EMNLP 2021",
        institutions=(PRINCETON,),
        url=f"https://www.aminer.cn/pub/{PAPER_ID}",
        pdf_url="https://arxiv.org/pdf/2109.08133",
        code_url="https://github.com/princeton-nlp/DensePhrases",
        arxiv_id="2109.08133",
    )


def test_parse_detail_list_data_fixture_returns_the_single_paper() -> None:
    paper = parse_detail(load(LIST_DATA), PAPER_ID)

    assert paper == AminerPaper(
        aminer_id=PAPER_ID,
        title=TITLE,
        title_zh="",
        abstract=LIST_ABSTRACT_ZH,
        authors=(
            AminerAuthor("Jinhyuk Lee", "", PRINCETON, ""),
            AminerAuthor("Alexander Wettig", "", PRINCETON, ""),
            AminerAuthor("Danqi Chen", "", "", ""),
        ),
        doi="10.48550/arxiv.2109.08133",
        year=2021,
        venue="EMNLP 2021",
        institutions=(PRINCETON,),
        url=f"https://www.aminer.cn/pub/{PAPER_ID}",
        pdf_url=None,
        code_url="https://github.com/princeton-nlp/DensePhrases",
        arxiv_id="2109.08133",
    )


def test_parse_detail_not_found_fixture_returns_none() -> None:
    assert parse_detail(load(NOT_FOUND), PAPER_ID) is None


def test_parse_detail_token_invalid_fixture_raises_auth_error() -> None:
    with pytest.raises(AminerAuthError) as caught:
        parse_detail(load(TOKEN_INVALID), PAPER_ID)

    assert type(caught.value) is AminerAuthError
    assert str(caught.value) == (
        "AMiner rejected the API token (code 40101: token invalid). Check AMINER_API_TOKEN; "
        "meanwhile the paper's fields can be filled in by hand."
    )


def test_parse_detail_wrong_types_fixture_raises_bad_response() -> None:
    with pytest.raises(AminerBadResponse) as caught:
        parse_detail(load(WRONG_TYPES), PAPER_ID)

    assert str(caught.value) == "AMiner sent a paper whose title is not text."


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"authors": "Jinhyuk Lee"}, "AMiner sent a paper whose authors are not a list."),
        ({"authors": ["Jinhyuk Lee"]}, "AMiner sent an author that is not an object."),
        ({"authors": [{"name": 7}]}, "AMiner sent an author whose name is not text."),
        (
            {"authors": [{"name": "A", "org": ["x"]}]},
            "AMiner sent an author whose org is not text.",
        ),
        ({"year": "2021"}, "AMiner sent a paper whose year is not a whole number."),
        ({"year": 2021.0}, "AMiner sent a paper whose year is not a whole number."),
        ({"year": True}, "AMiner sent a paper whose year is not a whole number."),
        ({"year": 20210}, "AMiner sent a paper with the impossible year 20210."),
        ({"year": -5}, "AMiner sent a paper with the impossible year -5."),
        ({"venue": 3}, "AMiner sent a paper whose venue is neither text nor an object."),
        ({"venue": {"raw": 3}}, "AMiner sent a venue whose raw is not text."),
        ({"urls": "https://github.com/a/b"}, "AMiner sent a paper whose urls are not a list."),
        ({"urls": [1]}, "AMiner sent a paper whose urls are not all text."),
        ({"doi": 10.1}, "AMiner sent a paper whose doi is not text."),
        ({"pdf": {"url": "x"}}, "AMiner sent a paper whose pdf is not text."),
        ({"abstract": ["a"]}, "AMiner sent a paper whose abstract is not text."),
        ({"title_zh": 1}, "AMiner sent a paper whose title_zh is not text."),
        ({"id": 614407}, "AMiner sent a paper whose id is not text."),
        (
            {"id": "0123456789abcdef01234567"},
            "AMiner sent a different paper than the one asked for.",
        ),
        ({"title": "", "title_zh": " "}, "AMiner sent a paper without a title."),
    ],
)
def test_parse_detail_wrong_field_raises_bad_response(fields: dict[str, Any], message: str) -> None:
    assert bad_record_message(**fields) == message


@pytest.mark.parametrize(
    ("field", "limit"),
    [("title", 2000), ("title_zh", 2000), ("abstract", 100_000), ("venue", 2000)],
)
def test_parse_detail_overlong_text_raises_bad_response(field: str, limit: int) -> None:
    assert parse_record(**{field: "x" * limit}) is not None
    assert bad_record_message(**{field: "x" * (limit + 1)}) == (
        f"AMiner sent a paper whose {field} is longer than {limit} characters."
    )


def test_parse_detail_overlong_author_name_raises_bad_response() -> None:
    assert bad_record_message(authors=[{"name": "x" * 501}]) == (
        "AMiner sent an author whose name is longer than 500 characters."
    )


def test_parse_detail_too_many_authors_raises_bad_response() -> None:
    assert len(parse_record(authors=[{"name": "A"}] * 10_000).authors) == 10_000
    assert bad_record_message(authors=[{"name": "A"}] * 10_001) == (
        "AMiner sent a paper with more than 10000 authors."
    )


@pytest.mark.parametrize(
    "body",
    [
        {"code": 200, "success": True, "msg": "", "data": None},
        {"code": 200, "success": True, "msg": "", "data": {}},
        {"code": 200, "success": True, "msg": "", "data": []},
        {"code": 200, "success": True, "msg": "", "data": [{}]},
        {"code": 200, "success": True, "msg": ""},
        {"success": False, "code": 40401, "msg": "not found"},
        {"code": 404, "msg": "paper not found"},
    ],
)
def test_parse_detail_empty_or_not_found_envelope_returns_none(body: dict[str, Any]) -> None:
    assert parse_detail(json.dumps(body).encode(), PAPER_ID) is None


@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        (
            {"code": 403, "success": False, "msg": "forbidden", "data": None},
            AminerAuthError,
            "AMiner rejected the API token (code 403: forbidden). Check AMINER_API_TOKEN; "
            "meanwhile the paper's fields can be filled in by hand.",
        ),
        (
            {"code": 429, "success": False, "msg": "too many requests"},
            AminerUnavailable,
            "AMiner is temporarily unavailable (code 429: too many requests). "
            "Please try again later.",
        ),
        (
            {"code": 50001, "success": False, "msg": "internal error"},
            AminerUnavailable,
            "AMiner is temporarily unavailable (code 50001: internal error). "
            "Please try again later.",
        ),
        (
            {"code": 40001, "success": False, "msg": "bad id"},
            AminerBadResponse,
            "AMiner refused the request (code 40001: bad id).",
        ),
        ({"success": False}, AminerBadResponse, "AMiner refused the request (no code)."),
        (
            {"success": False, "code": 400, "msg": "x\x00" + "y" * 300},
            AminerBadResponse,
            "AMiner refused the request (code 400: x" + "y" * 198 + "…).",
        ),
    ],
)
def test_parse_detail_failure_envelope_raises_classified_error(
    body: dict[str, Any], error: type[AminerError], message: str
) -> None:
    with pytest.raises(error) as caught:
        parse_detail(json.dumps(body).encode(), PAPER_ID)

    assert type(caught.value) is error
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"<html><body>502 Bad Gateway</body></html>",
            "AMiner sent a response that is not valid JSON.",
        ),
        (b"", "AMiner sent a response that is not valid JSON."),
        (
            b'{"code": 200, "data": {"title": "\xff"}}',
            "AMiner sent a response that is not valid JSON.",
        ),
        (b'{"code": 200, "data": {"year": NaN}}', "AMiner sent a response that is not valid JSON."),
        (
            b'{"code": 200, "data": ' + b"9" * 5000 + b"}",
            "AMiner sent a response that is not valid JSON.",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "AMiner sent JSON that is nested too deeply."),
        (b"[]", "AMiner sent JSON that is not a response envelope."),
        (b'"paper"', "AMiner sent JSON that is not a response envelope."),
        (b'{"msg": "hello"}', "AMiner sent JSON that is not a response envelope."),
        (
            b'{"success": "true", "data": {}}',
            "AMiner sent a response envelope whose success is not a boolean.",
        ),
        (
            b'{"code": "200", "data": {}}',
            "AMiner sent a response envelope whose code is not a number.",
        ),
        (b'{"success": true, "data": "paper"}', "AMiner sent paper data that is not an object."),
        (b'{"success": true, "data": [{}, {}]}', "AMiner sent several papers for a single id."),
    ],
)
def test_parse_detail_malformed_body_raises_bad_response(body: bytes, message: str) -> None:
    with pytest.raises(AminerBadResponse) as caught:
        parse_detail(body, PAPER_ID)

    assert str(caught.value) == message


def test_parse_detail_body_over_max_bytes_raises_bad_response_before_parsing() -> None:
    body = load(OK)

    assert parse_detail(body, PAPER_ID, max_bytes=len(body)) is not None
    with pytest.raises(AminerBadResponse) as caught:
        parse_detail(body, PAPER_ID, max_bytes=len(body) - 1)

    assert str(caught.value) == (
        f"AMiner sent a response larger than the {len(body) - 1} bytes we accept."
    )


def test_parse_detail_blank_fields_read_as_missing() -> None:
    paper = parse_record(
        title="  A \n\t title ",
        title_zh="   ",
        abstract=" ",
        abstract_zh="",
        doi="  ",
        venue={"raw": " ", "name": None},
        pdf="",
        urls=["", " ", None],
        authors=[{"name": " ", "name_zh": "", "org": "Lonely Org", "org_zh": ""}],
    )

    assert paper == AminerPaper(
        aminer_id=PAPER_ID,
        title="A title",
        title_zh="",
        abstract="",
        authors=(),
        doi=None,
        year=None,
        venue="",
        institutions=(),
        url=f"https://www.aminer.cn/pub/{PAPER_ID}",
        pdf_url=None,
        code_url=None,
    )


def test_parse_detail_missing_optional_fields_read_as_empty() -> None:
    body = envelope({"title": "Only a title"})

    assert parse_detail(body, PAPER_ID) == AminerPaper(
        aminer_id=PAPER_ID,
        title="Only a title",
        title_zh="",
        abstract="",
        authors=(),
        doi=None,
        year=None,
        venue="",
        institutions=(),
        url=f"https://www.aminer.cn/pub/{PAPER_ID}",
        pdf_url=None,
        code_url=None,
    )


def test_parse_detail_chinese_only_title_is_accepted() -> None:
    paper = parse_record(title=None, title_zh="中文标题")

    assert (paper.title, paper.title_zh) == ("", "中文标题")


def test_parse_detail_uppercase_returned_id_matches_requested_id() -> None:
    assert parse_record(id=PAPER_ID.upper()).aminer_id == PAPER_ID


def test_parse_detail_removes_control_characters_and_lone_surrogates() -> None:
    body = b'{"success": true, "data": {"title": "Null\\u0000ed \\ud800title\\u0007"}}'

    paper = parse_detail(body, PAPER_ID)

    assert paper is not None
    assert paper.title == "Nulled title"


@pytest.mark.parametrize(
    ("venue", "expected"),
    [
        ("EMNLP 2021", "EMNLP 2021"),
        ({"raw": "EMNLP 2021", "name": "Empirical Methods in NLP"}, "EMNLP 2021"),
        ({"name": "Empirical Methods in NLP"}, "Empirical Methods in NLP"),
        ({"raw": "", "name": "Empirical Methods in NLP"}, "Empirical Methods in NLP"),
        ({"id": "5eba7087edb6e7d53c1009a5"}, ""),
        (None, ""),
    ],
)
def test_parse_detail_venue_string_or_object(venue: Any, expected: str) -> None:
    assert parse_record(venue=venue).venue == expected


@pytest.mark.parametrize(
    ("doi", "expected"),
    [
        ("10.1145/3394486.3403168", "10.1145/3394486.3403168"),
        ("10.18653/V1/2021.EMNLP-MAIN.297", "10.18653/v1/2021.emnlp-main.297"),
        ("https://doi.org/10.48550/arXiv.2109.08133", "10.48550/arxiv.2109.08133"),
        ("http://dx.doi.org/10.1000/a%2Fb", "10.1000/a/b"),
        ("doi:10.1000/xyz", "10.1000/xyz"),
        (" 10.1000/one 10.1000/two ", "10.1000/one"),
        ("N/A", None),
        ("https://example.org/10.1000/xyz", None),
    ],
)
def test_parse_detail_doi_is_normalised(doi: str, expected: str | None) -> None:
    assert parse_record(doi=doi).doi == expected


@pytest.mark.parametrize(("year", "expected"), [(2021, 2021), (0, None), (None, None)])
def test_parse_detail_year_zero_or_missing_is_none(year: int | None, expected: int | None) -> None:
    assert parse_record(year=year).year == expected


@pytest.mark.parametrize(
    ("pdf", "expected"),
    [
        ("https://arxiv.org/pdf/2109.08133", "https://arxiv.org/pdf/2109.08133"),
        ("HTTP://example.org/a.pdf", "HTTP://example.org/a.pdf"),
        ("upload/pdf/a.pdf", None),
        ("javascript:alert(1)", None),
    ],
)
def test_parse_detail_pdf_url_must_be_a_web_link(pdf: str, expected: str | None) -> None:
    assert parse_record(pdf=pdf).pdf_url == expected


def test_parse_detail_institutions_are_distinct_in_author_order() -> None:
    paper = parse_record(
        authors=[
            {"name": "A", "org": "Tsinghua University"},
            {"name": "B", "org": "Princeton University"},
            {"name": "C", "org": " Tsinghua  University "},
            {"name": "D", "org": "", "org_zh": "清华大学"},
            {"name": "E"},
        ]
    )

    assert paper.institutions == ("Tsinghua University", "Princeton University", "清华大学")


def test_parse_detail_code_url_prefers_urls_over_abstract() -> None:
    paper = parse_record(
        urls=["https://arxiv.org/abs/2109.08133", "https://gitlab.com/group/project"],
        abstract="Code: https://github.com/owner/repo.",
    )

    assert paper.code_url == "https://gitlab.com/group/project"


def test_parse_detail_code_url_falls_back_to_chinese_abstract() -> None:
    paper = parse_record(abstract="No link here.", abstract_zh="代码见 github.com/owner/repo 。")

    assert paper.abstract == "No link here."
    assert paper.code_url == "https://github.com/owner/repo"


def test_parse_detail_ignores_unknown_fields() -> None:
    paper = parse_record(n_citation=12, keywords=["a"], lang="en")

    assert paper.title == "A title"


# --------------------------------------------------------------------------- client


def test_client_fetch_sends_id_and_token_and_returns_paper() -> None:
    fake = serve(200, OK)

    paper = fake.client().fetch(PAPER_ID)

    assert paper == parse_detail(load(OK), PAPER_ID)
    assert len(fake.requests) == 1
    request = fake.requests[0]
    assert request.method == "GET"
    assert request.url.scheme == "https"
    assert request.url.host == "aminer.example"
    assert request.url.path == "/base/api/paper/detail"
    assert dict(request.url.params) == {"id": PAPER_ID}
    assert request.headers["Authorization"] == TOKEN
    assert request.headers["Accept"] == "application/json"
    assert request.headers["User-Agent"] == "Weekly/0.1 (+https://github.com/weekly)"
    assert request.extensions["timeout"] == {
        "connect": 15.0,
        "read": 15.0,
        "write": 15.0,
        "pool": 15.0,
    }


def test_client_fetch_base_url_trailing_slash_and_options() -> None:
    fake = serve(200, LIST_DATA)

    paper = fake.client(
        base_url="https://aminer.example/", token=f"  {TOKEN}\n", timeout=3.0, user_agent="UA/1"
    ).fetch(PAPER_ID)

    assert paper is not None
    assert paper.doi == "10.48550/arxiv.2109.08133"
    request = fake.requests[0]
    assert request.url.path == "/api/paper/detail"
    assert request.headers["Authorization"] == TOKEN
    assert request.headers["User-Agent"] == "UA/1"
    assert request.extensions["timeout"]["read"] == 3.0


@pytest.mark.parametrize("token", ["", "   ", "\n"])
def test_client_fetch_without_token_raises_not_configured_without_request(token: str) -> None:
    fake = serve(200, OK)

    with pytest.raises(AminerNotConfigured) as caught:
        fake.client(token=token).fetch(PAPER_ID)

    assert fake.requests == []
    assert str(caught.value) == NOT_CONFIGURED_MESSAGE
    assert isinstance(caught.value, AminerAuthError)


def test_client_default_token_is_empty_and_not_configured() -> None:
    fake = serve(200, OK)
    client = AminerClient(BASE_URL, transport=httpx.MockTransport(fake.handler))

    with pytest.raises(AminerNotConfigured):
        client.fetch(PAPER_ID)

    assert fake.requests == []


@pytest.mark.parametrize("token", ["abc\r\nX-Evil: 1", "jeton-é"])
def test_client_fetch_unsendable_token_raises_auth_error_without_request(token: str) -> None:
    fake = serve(200, OK)

    with pytest.raises(AminerAuthError) as caught:
        fake.client(token=token).fetch(PAPER_ID)

    assert type(caught.value) is AminerAuthError
    assert fake.requests == []
    assert str(caught.value) == (
        "AMINER_API_TOKEN contains characters that cannot be sent to AMiner. "
        "You can fill in the paper's fields by hand."
    )


@pytest.mark.parametrize(
    "aminer_id",
    [
        "",
        PAPER_ID.upper(),
        PAPER_ID[:-1],
        PAPER_ID + "0",
        f" {PAPER_ID}",
        f"{PAPER_ID}\n",
        "614407b25244ab9dcbd29c5g",
        "６14407b25244ab9dcbd29c5c",  # a full-width digit
        "614407b25244ab9d&id=1111",
        None,
    ],
)
def test_client_fetch_invalid_id_raises_value_error_without_request(aminer_id: Any) -> None:
    fake = serve(200, OK)

    with pytest.raises(ValueError, match="AMiner ids are 24 lowercase hex digits"):
        fake.client().fetch(aminer_id)

    assert fake.requests == []


@pytest.mark.parametrize("status", [401, 403])
def test_client_fetch_auth_status_raises_auth_error(status: int) -> None:
    fake = serve(status, TOKEN_INVALID)

    with pytest.raises(AminerAuthError) as caught:
        fake.client().fetch(PAPER_ID)

    assert type(caught.value) is AminerAuthError
    assert str(caught.value) == (
        f"AMiner rejected the API token (HTTP {status}). Check AMINER_API_TOKEN; "
        "meanwhile the paper's fields can be filled in by hand."
    )
    assert TOKEN not in str(caught.value)


def test_client_fetch_auth_error_envelope_with_http_200_raises_auth_error() -> None:
    fake = serve(200, TOKEN_INVALID)

    with pytest.raises(AminerAuthError) as caught:
        fake.client().fetch(PAPER_ID)

    assert str(caught.value).startswith("AMiner rejected the API token (code 40101: token invalid)")
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize(("header", "expected"), [("120", 120.0), ("1.5", 1.5), ("soon", None)])
def test_client_fetch_429_raises_unavailable_with_retry_after(
    header: str, expected: float | None
) -> None:
    fake = serve_bytes(429, b"Too Many Requests", {"Retry-After": header})

    with pytest.raises(AminerUnavailable) as caught:
        fake.client().fetch(PAPER_ID)

    assert caught.value.retry_after == expected
    assert str(caught.value) == (
        "AMiner is temporarily unavailable (HTTP 429). Please try again later."
    )


def test_client_fetch_429_without_retry_after_has_none() -> None:
    fake = serve_bytes(429, b"")

    with pytest.raises(AminerUnavailable) as caught:
        fake.client().fetch(PAPER_ID)

    assert caught.value.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_client_fetch_server_error_raises_unavailable(status: int) -> None:
    fake = serve_bytes(status, b"<html>down</html>")

    with pytest.raises(AminerUnavailable) as caught:
        fake.client().fetch(PAPER_ID)

    assert caught.value.retry_after is None
    assert str(caught.value) == (
        f"AMiner is temporarily unavailable (HTTP {status}). Please try again later."
    )
    assert len(fake.requests) == 1


def test_client_fetch_503_with_retry_after_carries_it() -> None:
    fake = serve_bytes(503, b"", {"Retry-After": "30"})

    with pytest.raises(AminerUnavailable) as caught:
        fake.client().fetch(PAPER_ID)

    assert caught.value.retry_after == 30.0


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("connection refused"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("server disconnected"),
    ],
)
def test_client_fetch_transport_error_raises_unavailable(error: httpx.TransportError) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        raise error

    fake = FakeAminer(respond)

    with pytest.raises(AminerUnavailable) as caught:
        fake.client().fetch(PAPER_ID)

    assert caught.value.retry_after is None
    assert str(caught.value) == "AMiner could not be reached. Please try again later."
    assert caught.value.__cause__ is error


def test_client_fetch_not_found_envelope_returns_none() -> None:
    fake = serve(200, NOT_FOUND)

    assert fake.client().fetch(PAPER_ID) is None
    assert len(fake.requests) == 1


def test_client_fetch_not_found_envelope_with_http_404_returns_none() -> None:
    fake = serve(404, NOT_FOUND)

    assert fake.client().fetch(PAPER_ID) is None


@pytest.mark.parametrize("name", [OK, WRONG_TYPES])
def test_client_fetch_http_404_with_a_paper_or_garbage_raises_bad_response(name: str) -> None:
    fake = serve(404, name)

    with pytest.raises(AminerBadResponse) as caught:
        fake.client().fetch(PAPER_ID)

    assert str(caught.value) == "AMiner answered with unexpected HTTP status 404."


def test_client_fetch_http_404_html_page_raises_bad_response() -> None:
    fake = serve_bytes(404, b"<html><body>Not Found</body></html>")

    with pytest.raises(AminerBadResponse) as caught:
        fake.client().fetch(PAPER_ID)

    assert str(caught.value) == "AMiner answered with unexpected HTTP status 404."


@pytest.mark.parametrize("status", [301, 400, 418])
def test_client_fetch_unexpected_status_raises_bad_response(status: int) -> None:
    fake = serve_bytes(status, b"nope")

    with pytest.raises(AminerBadResponse) as caught:
        fake.client().fetch(PAPER_ID)

    assert str(caught.value) == f"AMiner answered with unexpected HTTP status {status}."


def test_client_fetch_garbage_body_raises_bad_response() -> None:
    fake = serve_bytes(200, b"<html><body>Service temporarily unavailable</body></html>")

    with pytest.raises(AminerBadResponse) as caught:
        fake.client().fetch(PAPER_ID)

    assert str(caught.value) == "AMiner sent a response that is not valid JSON."


def test_client_fetch_wrong_types_raises_bad_response() -> None:
    fake = serve(200, WRONG_TYPES)

    with pytest.raises(AminerBadResponse) as caught:
        fake.client().fetch(PAPER_ID)

    assert str(caught.value) == "AMiner sent a paper whose title is not text."


def test_client_fetch_oversized_body_with_content_length_raises_bad_response() -> None:
    body = load(OK)
    fake = serve_bytes(200, body)

    with pytest.raises(AminerBadResponse) as caught:
        fake.client(max_bytes=len(body) - 1).fetch(PAPER_ID)

    assert str(caught.value) == (
        f"AMiner sent a response larger than the {len(body) - 1} bytes we accept."
    )


def test_client_fetch_oversized_streamed_body_stops_reading_at_the_limit() -> None:
    produced: list[int] = []

    def chunks() -> Iterator[bytes]:
        for number in range(100):
            produced.append(number)
            yield b" " * 1000

    fake = FakeAminer(lambda request: httpx.Response(200, content=chunks()))

    with pytest.raises(AminerBadResponse) as caught:
        fake.client(max_bytes=2500).fetch(PAPER_ID)

    assert str(caught.value) == "AMiner sent a response larger than the 2500 bytes we accept."
    assert produced == [0, 1, 2]


def test_client_fetch_body_of_exactly_max_bytes_is_accepted() -> None:
    body = load(OK)
    fake = serve_bytes(200, body)

    paper = fake.client(max_bytes=len(body)).fetch(PAPER_ID)

    assert paper is not None
    assert paper.title == TITLE


def test_client_fetch_default_max_bytes_is_two_megabytes() -> None:
    fake = serve_bytes(200, b" " * 2_000_001)

    with pytest.raises(AminerBadResponse) as caught:
        fake.client().fetch(PAPER_ID)

    assert str(caught.value) == ("AMiner sent a response larger than the 2000000 bytes we accept.")


def test_client_fetch_trickling_body_past_the_timeout_raises_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = iter(float(second) for second in range(0, 1000, 10))
    monkeypatch.setattr(http, "monotonic", lambda: next(clock))

    def chunks() -> Iterator[bytes]:
        yield from (b" " for _ in range(10))

    fake = FakeAminer(lambda request: httpx.Response(200, content=chunks()))

    with pytest.raises(AminerUnavailable) as caught:
        fake.client(timeout=15.0).fetch(PAPER_ID)

    assert str(caught.value) == "AMiner responded too slowly. Please try again later."


def test_client_fetch_follows_redirect_on_the_same_host_with_token() -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "http":
            return httpx.Response(
                301, headers={"Location": str(request.url.copy_with(scheme="https"))}
            )
        return httpx.Response(200, content=load(OK))

    fake = FakeAminer(respond)

    paper = fake.client(base_url="http://aminer.example").fetch(PAPER_ID)

    assert paper is not None
    assert [request.url.scheme for request in fake.requests] == ["http", "https"]
    assert [request.headers.get("Authorization") for request in fake.requests] == [TOKEN, TOKEN]


def test_client_fetch_redirect_to_another_host_does_not_leak_token() -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.host == "aminer.example":
            return httpx.Response(301, headers={"Location": "https://elsewhere.example/x"})
        return httpx.Response(401)

    fake = FakeAminer(respond)

    with pytest.raises(AminerAuthError):
        fake.client().fetch(PAPER_ID)

    assert [request.url.host for request in fake.requests] == [
        "aminer.example",
        "elsewhere.example",
    ]
    assert "Authorization" not in fake.requests[1].headers


def test_client_errors_share_a_base_class() -> None:
    assert issubclass(AminerUnavailable, AminerError)
    assert issubclass(AminerBadResponse, AminerError)
    assert issubclass(AminerAuthError, AminerError)
    assert issubclass(AminerNotConfigured, AminerAuthError)
