"""Tests for papers.clients.ror, on ROR's real recorded v2 records.

The recordings are read where they are (``../shared/fixtures/ror``). A real record with a Chinese
label exists only inside a recorded search answer: the test takes that item out. Tsinghua's
record was written from the documented shape (tests/fixtures/ror).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from papers.clients.ror import (
    RorBadResponse,
    RorClient,
    RorName,
    RorUnavailable,
    parse_organization,
    ror_id,
)

SHARED = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "ror"
LOCAL = Path(__file__).resolve().parents[2] / "fixtures" / "ror"
needs_recordings = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"the recorded ROR responses are not at {SHARED}"
)

CAMBRIDGE = "v2_organization_013meh722_University-of-Cambridge__lupo.json"
CAMBRIDGE_V1 = "v1_organization_013meh722_University-of-Cambridge__lupo.json"
GOVERNMENT = "v2_organizations_filter_types-Government_page1_incl-zh-label__lupo.json"
TSINGHUA = "organization_03cve4549_Tsinghua-University_documented-shape.json"


def recorded_item_with_zh_label() -> bytes:
    """The real v2 record of 02wget071 (TARI, Taiwan), taken out of a recorded search answer."""
    items = json.loads((SHARED / GOVERNMENT).read_bytes())["items"]
    (item,) = [i for i in items if i["id"] == "https://ror.org/02wget071"]
    return json.dumps(item).encode()


def answering(body: bytes, status: int = 200, headers: dict | None = None) -> RorClient:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, content=body, headers=headers)

    client = RorClient("https://ror.example/v2", transport=httpx.MockTransport(handler))
    client.seen = seen  # type: ignore[attr-defined]
    return client


@needs_recordings
def test_fetch_reads_a_recorded_v2_record() -> None:
    client = answering((SHARED / CAMBRIDGE).read_bytes())

    organization = client.fetch("013meh722")

    assert str(client.seen[0].url) == "https://ror.example/v2/organizations/013meh722"
    assert organization is not None
    assert organization.ror_id == "013meh722"
    assert organization.country_code == "GB"
    assert organization.display_name == "University of Cambridge"
    assert RorName("Prifysgol Caergrawnt", "cy", ("label",)) in organization.names
    assert RorName("University of Cambridge", "en", ("ror_display", "label")) in organization.names
    assert organization.label("zh") == ""


@needs_recordings
def test_parse_organization_reads_a_real_chinese_label() -> None:
    organization = parse_organization(recorded_item_with_zh_label(), "02wget071")

    assert organization.label("zh") == "行政院農業委員會農業試驗所"
    assert organization.country_code == "TW"
    assert organization.types == ("government",)
    assert RorName("TARI", None, ("acronym",)).as_json() == {
        "value": "TARI",
        "lang": None,
        "types": ["acronym"],
    }


def test_parse_organization_reads_the_documented_shape() -> None:
    organization = parse_organization((LOCAL / TSINGHUA).read_bytes(), "03cve4549")

    assert organization.label("zh") == "清华大学"
    assert organization.display_name == "Tsinghua University"
    assert (organization.country_code, organization.types) == ("CN", ("education", "funder"))


@needs_recordings
def test_parse_organization_refuses_a_v1_record() -> None:
    with pytest.raises(RorBadResponse, match="ROR_API_URL v2"):
        parse_organization((SHARED / CAMBRIDGE_V1).read_bytes(), "013meh722")


@needs_recordings
def test_fetch_refuses_another_organisation() -> None:
    with pytest.raises(RorBadResponse, match="013meh722 when asked for 03cve4549"):
        answering((SHARED / CAMBRIDGE).read_bytes()).fetch("03cve4549")


def test_fetch_404_is_none_and_429_transient() -> None:
    assert answering(b'{"errors": ["not found"]}', 404).fetch("03cve4549") is None
    with pytest.raises(RorUnavailable) as caught:
        answering(b"", 429, {"Retry-After": "30"}).fetch("03cve4549")
    assert caught.value.retry_after == 30.0
    with pytest.raises(RorUnavailable, match="HTTP 503"):
        answering(b"", 503).fetch("03cve4549")


def test_fetch_refuses_malformed_answers_and_ids() -> None:
    with pytest.raises(RorBadResponse, match="not valid JSON"):
        answering(b"{").fetch("03cve4549")
    with pytest.raises(ValueError, match="nine characters"):
        answering(b"{}").fetch("../admin")
    assert ror_id("https://ror.org/03CVE4549") == "03cve4549"
    assert ror_id("03cve454") is None
