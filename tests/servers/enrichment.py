"""A local stand-in for the OpenAlex works API and the ROR v2 API, replaying recordings.

``GET /openalex/works?filter=doi:a|b|…`` answers with the recorded works (``../shared/fixtures/
openalex``, and the documented-shape work in tests/fixtures/openalex) whose DOIs were asked for,
``GET /openalex/works/https://doi.org/<doi>`` with the one work of that DOI (404 without one);
``GET /ror/organizations/<id>`` with the recorded ROR v2 records (and Tsinghua's, written from
the documented shape). With ``synthesize``, any other arXiv DOI gets a work cloned from the
documented-shape one, its authors at institutions of a synthetic pool, and any ROR id a record
in the documented v2 shape: a benchmark can ask for thousands.

Faults are programmable (the first requests of an API fail with a status and a Retry-After),
and every request is logged with its arrival time, its API and the number of DOIs it named.
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.servers.http import QuietHandler, serving

SHARED = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
LOCAL = Path(__file__).resolve().parents[1] / "fixtures"
CHINESE_WORK = (
    LOCAL / "openalex" / "works_filter_doi_arxiv_chinese-institutions_documented-shape.json"
)
TSINGHUA = LOCAL / "ror" / "organization_03cve4549_Tsinghua-University_documented-shape.json"

needs_recordings = pytest.mark.skipif(
    not (SHARED / "openalex").is_dir() or not (SHARED / "ror").is_dir(),
    reason=f"the recorded OpenAlex and ROR responses are not at {SHARED}",
)

_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(?P<id>\d{4}\.\d{4,5})")
POOL_SIZE = 200
NOT_FOUND = b'{"errors": ["not found"]}'


def recorded_works() -> dict[str, dict[str, Any]]:
    """Every recorded work, and the documented-shape one, by bare lower-case DOI."""
    works: dict[str, dict[str, Any]] = {}
    paths = [*sorted((SHARED / "openalex").glob("work*.json")), CHINESE_WORK]
    for path in paths:
        payload = json.loads(path.read_bytes())
        for work in payload.get("results", [payload]):
            doi = (work.get("doi") or "").removeprefix("https://doi.org/").lower()
            if doi:
                works.setdefault(doi, work)
    return works


def recorded_organizations() -> dict[str, dict[str, Any]]:
    """The recorded v2 records (Cambridge; TARI out of a search answer) and Tsinghua's."""
    records = [
        json.loads(
            (
                SHARED / "ror" / "v2_organization_013meh722_University-of-Cambridge__lupo.json"
            ).read_bytes()
        )
    ]
    government = (
        SHARED / "ror" / "v2_organizations_filter_types-Government_page1_incl-zh-label__lupo.json"
    )
    records += json.loads(government.read_bytes())["items"]
    records.append(json.loads(TSINGHUA.read_bytes()))
    return {r["id"].removeprefix("https://ror.org/"): r for r in records}


def pool_ror_id(n: int) -> str:
    """The ROR id of the ``n``-th synthetic institution: nine characters of the real alphabet."""
    return f"0zz{n:04d}{n % 100:02d}"


@dataclass
class Request:
    at: float
    api: str  # "openalex" or "ror"
    dois: int
    status: int


@dataclass
class EnrichmentStandIn:
    synthesize: bool = False
    fail_first: int = 0
    fail_status: int = 503
    fail_api: str = "openalex"
    retry_after: str = ""
    works: dict[str, dict[str, Any]] = field(default_factory=recorded_works)
    organizations: dict[str, dict[str, Any]] = field(default_factory=recorded_organizations)
    requests: list[Request] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def openalex_url(self) -> str:
        return f"{self.url}/openalex"

    @property
    def ror_url(self) -> str:
        return f"{self.url}/ror"

    def count(self, api: str) -> int:
        return sum(1 for r in self.requests if r.api == api)

    def work(self, doi: str) -> dict[str, Any] | None:
        if doi in self.works:
            return self.works[doi]
        match = _ARXIV_DOI.fullmatch(doi)
        if not (self.synthesize and match):
            return None
        return _synthetic_work(match["id"], self.works["10.48550/arxiv.2401.00001"])

    def organization(self, ror_id: str) -> dict[str, Any] | None:
        if ror_id in self.organizations:
            return self.organizations[ror_id]
        match = re.fullmatch(r"0zz(\d{4})\d{2}", ror_id)
        if not (self.synthesize and match):
            return None
        return _synthetic_organization(int(match[1]))

    def answer(self, path: str) -> tuple[str, int, bytes]:
        parts = urlsplit(path)
        if parts.path.startswith("/openalex/works/"):
            doi = parts.path.removeprefix("/openalex/works/")
            doi = unquote(doi.removeprefix("https://doi.org/").removeprefix("doi:")).lower()
            work = self.work(doi)
            if work is None:
                return "openalex", 1, NOT_FOUND
            return "openalex", 1, json.dumps(work).encode()
        if parts.path.startswith("/openalex/works"):
            value = parse_qs(parts.query).get("filter", [""])[0]
            dois = [d for d in value.removeprefix("doi:").split("|") if d]
            results = [w for d in dois if (w := self.work(d)) is not None]
            body = {"meta": {"count": len(results), "per_page": 200}, "results": results}
            return "openalex", len(dois), json.dumps(body).encode()
        if parts.path.startswith("/ror/organizations/"):
            record = self.organization(parts.path.rsplit("/", 1)[-1])
            if record is None:
                return "ror", 0, NOT_FOUND
            return "ror", 0, json.dumps(record).encode()
        return "unknown", 0, b"{}"

    @contextmanager
    def running(self) -> Iterator[EnrichmentStandIn]:
        stand_in = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                api, dois, body = stand_in.answer(self.path)
                with stand_in._lock:
                    number = stand_in.count(api)
                    failing = api == stand_in.fail_api and number < stand_in.fail_first
                    status = stand_in.fail_status if failing else 200
                    if not failing and body == NOT_FOUND:
                        status = 404
                    stand_in.requests.append(Request(time.monotonic(), api, dois, status))
                if failing:
                    body = b"Service unavailable"
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if failing and stand_in.retry_after:
                    self.send_header("Retry-After", stand_in.retry_after)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

        with serving(Handler) as url:
            self.url = url
            yield self


def _synthetic_work(arxiv_id: str, template: dict[str, Any]) -> dict[str, Any]:
    """The documented-shape work for ``arxiv_id``: four authors at institutions of the pool."""
    work = copy.deepcopy(template)
    seed = int(arxiv_id.replace(".", ""))
    work["id"] = f"https://openalex.org/W{seed}"
    work["doi"] = f"https://doi.org/10.48550/arxiv.{arxiv_id}"
    work["ids"] = {"openalex": work["id"], "doi": work["doi"]}
    authorships = []
    for position in range(4):
        n = (seed * 7 + position * 13) % POOL_SIZE
        institution = {
            "id": f"https://openalex.org/I{900000 + n}",
            "display_name": f"Synthetic University {n}",
            "ror": f"https://ror.org/{pool_ror_id(n)}",
            "country_code": "CN" if n % 2 else "US",
            "type": "education",
        }
        authorships.append(
            {
                "author_position": ("first", "middle", "middle", "last")[position],
                "author": {"display_name": f"Author {arxiv_id} {position}"},
                "institutions": [institution],
                "raw_affiliation_strings": [f"Synthetic University {n}, Somewhere"],
            }
        )
    work["authorships"] = authorships
    return work


def _synthetic_organization(n: int) -> dict[str, Any]:
    names = [
        {"lang": "en", "types": ["ror_display", "label"], "value": f"Synthetic University {n}"}
    ]
    if n % 2:
        names.append({"lang": "zh", "types": ["label"], "value": f"合成大学{n}"})
    return {
        "id": f"https://ror.org/{pool_ror_id(n)}",
        "names": names,
        "locations": [{"geonames_details": {"country_code": "CN" if n % 2 else "US"}}],
        "types": ["education"],
        "status": "active",
    }
