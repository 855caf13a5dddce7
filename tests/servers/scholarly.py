"""A local stand-in for the scholarly APIs (Crossref, the ACL Anthology, OpenReview, Semantic
Scholar), replaying recorded responses.

Each route is a path (and, where the API keys on it, a query) with the answer to give; faults are
programmed by queueing answers that are served before the routes (a 429 with ``Retry-After``, a
503, a body too large, a held response). Every request is logged with its path, query and
headers, so that tests check what was asked and how often.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.servers.http import QuietHandler, serving

SHARED_FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
LOCAL_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def recording(source: str, name: str) -> bytes:
    """A recorded body of ``../shared/fixtures/<source>/``, read where it is."""
    return (SHARED_FIXTURES / source / name).read_bytes()


def needs_recordings(source: str) -> pytest.MarkDecorator:
    """Skip, saying where they were looked for, when the recordings of ``source`` are absent."""
    path = SHARED_FIXTURES / source
    return pytest.mark.skipif(
        not path.is_dir(), reason=f"the recorded {source} responses are not at {path}"
    )


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    #: Seconds to wait before answering (a slow or hanging service).
    delay: float = 0.0


@dataclass
class Seen:
    path: str
    query: str
    headers: dict[str, str]
    at: float = 0.0


@dataclass
class ScholarlyStandIn:
    #: What to answer, by path ("/works/10.1038/x") or path and query ("/notes?id=abc").
    routes: dict[str, Reply] = field(default_factory=dict)
    #: Answers given, in order, before any route: the faults a test programs.
    faults: list[Reply] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)
    url: str = ""

    def answer(self, path: str, query: str) -> Reply:
        if self.faults:
            return self.faults.pop(0)
        for key in (f"{path}?{query}", path):
            if key in self.routes:
                return self.routes[key]
        return Reply(404, b"Resource not found.", "text/plain")

    @contextmanager
    def running(self) -> Iterator[ScholarlyStandIn]:
        stand_in = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                path = unquote(parts.path)
                stand_in.requests.append(
                    Seen(path, parts.query, dict(self.headers.items()), time.monotonic())
                )
                reply = stand_in.answer(path, parts.query)
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers:
                    self.send_header(name, value)
                if not any(name.lower() == "content-length" for name, _ in reply.headers):
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(reply.body)

        with serving(Handler) as url:
            self.url = url
            yield self

    def paths(self) -> list[str]:
        return [seen.path for seen in self.requests]
