"""A local stand-in for the arXiv API, replaying recorded responses.

It answers ``GET /api/query?id_list=…`` with a feed made of the recorded entries under
``../shared/fixtures/arxiv/`` for the ids it knows, and (when ``synthesize`` is on) entries
cloned from a recorded one for any other new-style id, so that a benchmark can ask for thousands.
Faults are programmable: fail the first requests with a status, or hold the first response.

Every request is logged with its arrival time, so tests and benchmarks can check the gaps.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.servers.http import QuietHandler, serving

SHARED_ARXIV = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "arxiv"

#: The recorded responses live beside the checkout (``../shared``), as in CI; a checkout
#: elsewhere skips the tests that replay them, saying why.
needs_recordings = pytest.mark.skipif(
    not SHARED_ARXIV.is_dir(), reason=f"the recorded arXiv responses are not at {SHARED_ARXIV}"
)

_ENTRY = re.compile(rb"<entry>.*?</entry>", re.DOTALL)
_ENTRY_ID = re.compile(rb"<id>https?://arxiv\.org/abs/(?P<id>[^<]+?)(?:v\d+)?</id>")
_TEMPLATE_ID = "1605.08386"

FEED_HEAD = (
    b"<?xml version='1.0' encoding='UTF-8'?>\n"
    b'<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    b'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
    b"  <id>https://arxiv.org/api/stand-in</id>\n"
    b"  <title>arXiv Query (local stand-in)</title>\n"
    b"  <updated>2026-04-12T22:10:19Z</updated>\n"
)


def recorded_entries() -> dict[str, bytes]:
    """Each recorded new2026 entry, by versionless id, as raw bytes."""
    entries: dict[str, bytes] = {}
    for path in sorted(SHARED_ARXIV.glob("arxivpy_new2026_*.xml")):
        if "error" in path.name:
            continue
        for match in _ENTRY.finditer(path.read_bytes()):
            found = _ENTRY_ID.search(match.group(0))
            if found:
                entries.setdefault(found.group("id").decode(), match.group(0))
    return entries


@dataclass
class Request:
    at: float
    ids: list[str]
    status: int


@dataclass
class ArxivStandIn:
    synthesize: bool = False
    fail_first: int = 0
    fail_status: int = 503
    hold_first: float = 0.0
    entries: dict[str, bytes] = field(default_factory=recorded_entries)
    requests: list[Request] = field(default_factory=list)
    first_request: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def feed(self, ids: list[str]) -> bytes:
        body = [FEED_HEAD]
        count = 0
        for arxiv_id in ids:
            versionless = re.sub(r"v\d+$", "", arxiv_id)
            entry = self.entries.get(versionless)
            if entry is None and self.synthesize and re.fullmatch(r"\d{4}\.\d{4,5}", versionless):
                template = self.entries[_TEMPLATE_ID]
                entry = template.replace(_TEMPLATE_ID.encode(), versionless.encode())
                entry = re.sub(
                    rb"<title>[^<]*</title>",
                    b"<title>Synthetic paper " + versionless.encode() + b"</title>",
                    entry,
                )
            if entry is not None:
                body.append(b"  " + entry + b"\n")
                count += 1
        body.insert(1, f"  <opensearch:totalResults>{count}</opensearch:totalResults>\n".encode())
        body.append(b"</feed>\n")
        return b"".join(body)

    @contextmanager
    def running(self) -> Iterator[ArxivStandIn]:
        stand_in = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                ids = [i for i in query.get("id_list", [""])[0].split(",") if i]
                number = len(stand_in.requests)
                status = stand_in.fail_status if number < stand_in.fail_first else 200
                stand_in.requests.append(Request(time.monotonic(), ids, status))
                stand_in.first_request.set()
                if number == 0 and stand_in.hold_first:
                    time.sleep(stand_in.hold_first)
                body = stand_in.feed(ids) if status == 200 else b"Service unavailable"
                self.send_response(status)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                # The client may be a worker killed while waiting for this answer.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

        with serving(Handler) as url:
            self.url = url + "/api/query"
            yield self

    def smallest_gap(self) -> float | None:
        times = [r.at for r in self.requests]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        return min(gaps) if gaps else None
