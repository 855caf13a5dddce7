"""A local stand-in for arXiv's search (``GET /api/query?search_query=…``), for the inbox's polls.

It serves the papers it is given, newest submission first, ``start`` and ``max_results`` at a
time, as Atom feeds written from the shape arXiv's API manual documents (the feed's
``opensearch:totalResults``, ``startIndex`` and ``itemsPerPage``; each entry's ``id``,
``published``, ``updated``, ``title``, ``summary``, ``author``, ``category`` and links). Its
faults are programmable: the first requests answered with a status and a ``Retry-After``, a body
that is no feed, a ``totalResults`` that lies.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from tests.servers.http import QuietHandler, serving


@dataclass(frozen=True)
class Submission:
    """One paper as the stand-in serves it."""

    arxiv_id: str
    title: str
    abstract: str
    published: dt.datetime
    version: int = 1
    categories: tuple[str, ...] = ("cs.CL",)
    authors: tuple[str, ...] = ("Ada Lovelace",)
    #: False: the entry is served without its ``<id>`` (a hostile answer).
    with_id: bool = True


def entry_xml(paper: Submission) -> str:
    stamp = paper.published.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    versioned = f"{paper.arxiv_id}v{paper.version}"
    parts = ["  <entry>"]
    if paper.with_id:
        parts.append(f"    <id>http://arxiv.org/abs/{versioned}</id>")
    parts += [
        f"    <updated>{stamp}</updated>",
        f"    <published>{stamp}</published>",
        f"    <title>{escape(paper.title)}</title>",
        f"    <summary>{escape(paper.abstract)}</summary>",
        *(f"    <author><name>{escape(name)}</name></author>" for name in paper.authors),
        f'    <link href="http://arxiv.org/abs/{versioned}" rel="alternate" type="text/html"/>',
        f'    <link title="pdf" href="http://arxiv.org/pdf/{versioned}" rel="related" '
        'type="application/pdf"/>',
        f'    <arxiv:primary_category term="{paper.categories[0]}" '
        'scheme="http://arxiv.org/schemas/atom"/>',
        *(
            f'    <category term="{term}" scheme="http://arxiv.org/schemas/atom"/>'
            for term in paper.categories
        ),
        "  </entry>",
    ]
    return "\n".join(parts)


def feed_xml(entries: list[Submission], *, total: int, start: int, per_page: int) -> bytes:
    head = (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
        '  <link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>\n'
        "  <title>ArXiv Query: stand-in</title>\n"
        "  <id>http://arxiv.org/api/stand-in</id>\n"
        "  <updated>2026-12-07T00:00:00-05:00</updated>\n"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
        f"  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>\n"
    )
    body = "\n".join(entry_xml(paper) for paper in entries)
    return (head + body + "\n</feed>\n").encode()


ERROR_FEED = (
    b"<?xml version='1.0' encoding='UTF-8'?>\n"
    b'<feed xmlns="http://www.w3.org/2005/Atom" '
    b'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">\n'
    b"  <opensearch:totalResults>1</opensearch:totalResults>\n"
    b"  <entry>\n"
    b"    <id>http://arxiv.org/api/errors#incorrect_search_query</id>\n"
    b"    <title>Error</title>\n"
    b"    <summary>incorrect search query</summary>\n"
    b"  </entry>\n"
    b"</feed>\n"
)


@dataclass
class Request:
    query: str
    start: int
    max_results: int
    status: int


@dataclass
class ArxivSearchStandIn:
    papers: list[Submission] = field(default_factory=list)
    #: The first ``fail_first`` requests are answered ``fail_status`` with ``retry_after``.
    fail_first: int = 0
    fail_status: int = 503
    retry_after: str = "30"
    #: A body served instead of a feed (with 200), when set.
    garbage: bytes | None = None
    #: ``totalResults`` as claimed, whatever the papers are; None: the truth.
    claimed_total: int | None = None
    #: Serve the first page whatever ``start`` asks (a server that ignores paging).
    ignore_start: bool = False
    #: Answer arXiv's error feed (HTTP 400): the query is refused.
    refuse_query: bool = False
    requests: list[Request] = field(default_factory=list)
    url: str = ""

    def answer(self, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        start = int(query.get("start", ["0"])[0])
        per_page = int(query.get("max_results", ["10"])[0])
        number = len(self.requests)
        status = self.fail_status if number < self.fail_first else 200
        if self.refuse_query:
            status = 400
        self.requests.append(Request(query.get("search_query", [""])[0], start, per_page, status))
        if status == 400:
            return 400, {}, ERROR_FEED
        if status != 200:
            return status, {"Retry-After": self.retry_after}, b"Service unavailable"
        if self.garbage is not None:
            return 200, {}, self.garbage
        ordered = sorted(self.papers, key=lambda paper: paper.published, reverse=True)
        first = 0 if self.ignore_start else start
        page = ordered[first : first + per_page]
        total = len(ordered) if self.claimed_total is None else self.claimed_total
        return 200, {}, feed_xml(page, total=total, start=start, per_page=per_page)

    @contextmanager
    def running(self) -> Iterator[ArxivSearchStandIn]:
        stand_in = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                status, headers, body = stand_in.answer(parse_qs(urlsplit(self.path).query))
                self.send_response(status)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

        with serving(Handler) as url:
            self.url = url + "/api/query"
            yield self
