"""Client for the arXiv export API (https://info.arxiv.org/help/api/user-manual.html).

This module is deliberately free of Django and of the ORM: it turns ids into plain,
immutable dataclasses so that it can be used (and tested) from a Celery task, a management
command or a shell without any database.

Policy the caller owns, not this module:

* Rate limiting. arXiv asks for at most one request every three seconds across *all* our
  processes, so the caller hands in a cross-process ``limiter``; the client never sleeps.
* Retrying. The client never retries; it classifies failures (``ArxivUnavailable`` is the
  only transient one) and the Celery task retries with backoff.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
import xml.etree.ElementTree as ET  # only for types and ParseError; parsing uses defusedxml
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import defusedxml
import defusedxml.ElementTree as DefusedET
import httpx

from papers.clients.http import bounded_get, parse_retry_after

__all__ = [
    "BATCH_SIZE",
    "SEARCH_MAX_RESULTS",
    "ArxivAuthor",
    "ArxivBadResponse",
    "ArxivBatchResult",
    "ArxivClient",
    "ArxivEntry",
    "ArxivError",
    "ArxivQueryError",
    "ArxivSearchPage",
    "ArxivUnavailable",
    "InvalidSearchQuery",
    "parse_feed",
    "parse_search_feed",
    "split_version",
]

# Our choice, not an arXiv limit: a long id_list makes a slow request that is more likely to
# time out, and 100 entries stay far below max_bytes.
BATCH_SIZE = 100

ATOM_NS = "http://www.w3.org/2005/Atom"
ARXIV_NS = "http://arxiv.org/schemas/atom"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"

_A = f"{{{ATOM_NS}}}"
_X = f"{{{ARXIV_NS}}}"
_O = f"{{{OPENSEARCH_NS}}}"

_DEFAULT_BASE_URL = "https://export.arxiv.org/api/query"
_DEFAULT_USER_AGENT = "Weekly/0.1 (+https://github.com/weekly)"

# Only characters that occur in real arXiv ids (new style "2104.12255v1", old style
# "astro-ph/0601001", "math.GT/0309136"). Anything else, a comma above all, would corrupt
# the comma-joined id_list for every other id of the batch, so it is never sent.
_SENDABLE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9./-]*")
_VERSION_SUFFIX = re.compile(r"^(?P<base>.*\d)v(?P<version>\d+)$")

# Hosts where authors publish source code. Project pages (github.io), model hubs and
# dataset hosts are left out on purpose: the field promises a link to code.
_CODE_URL = re.compile(
    r"(?<![\w.@/-])"
    r"(?P<url>(?:https?://)?(?:www\.)?"
    r"(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|sourceforge\.net|gitee\.com)"
    r"/[^\s<>\"'{}|\\^`]+)",
    re.IGNORECASE,
)
_CLOSING_TO_OPENING = {")": "(", "]": "[", "}": "{"}
_TRAILING_PUNCTUATION = ".,;:!?'\""
#: As long as the catalogue keeps a link; a longer one is no link arXiv makes.
_MAX_LINK = 500
_DOI_LINK = re.compile(r"^https?://(?:dx\.)?doi\.org/(?P<doi>10\..+)$", re.IGNORECASE)

#: The most results arXiv serves in one answer ("max_results", in slices of at most 2,000).
SEARCH_MAX_RESULTS = 2000
#: Our limit on a search query: a watch's categories and query fit with room to spare, and a
#: longer one is no query a person wrote.
SEARCH_QUERY_MAX_LENGTH = 1000
SEARCH_SORT_BY = frozenset({"relevance", "lastUpdatedDate", "submittedDate"})
SEARCH_SORT_ORDER = frozenset({"ascending", "descending"})

# HTTP statuses that say "not now" rather than "never": the caller should retry later.
_TRANSIENT_STATUSES = frozenset({408, 425, 429})


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class ArxivAuthor:
    name: str
    affiliations: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArxivEntry:
    arxiv_id: str  # versionless canonical id, e.g. "1605.08386" or "astro-ph/0601001"
    version: int | None
    title: str  # may legitimately be "0": compare with None, never rely on truthiness
    abstract: str
    authors: tuple[ArxivAuthor, ...]
    published: datetime | None
    updated: datetime | None
    primary_category: str | None
    categories: tuple[str, ...]
    doi: str | None
    journal_ref: str | None
    comment: str | None
    abs_url: str
    pdf_url: str | None
    code_url: str | None


@dataclass(frozen=True)
class ArxivBatchResult:
    entries: dict[str, ArxivEntry]  # keyed by versionless id
    missing: tuple[str, ...]  # requested ids (as given) for which arXiv returned no entry


@dataclass(frozen=True)
class ArxivSearchPage:
    """One page of a search: its entries in arXiv's order, and where it sits in the results."""

    entries: tuple[ArxivEntry, ...]
    #: How many results arXiv counts for the query (``opensearch:totalResults``).
    total_results: int
    #: The index of the page's first result (``opensearch:startIndex``).
    start: int


# --------------------------------------------------------------------------- errors


class ArxivError(Exception):
    """Base class; ``str(error)`` is phrased so that it can be shown to an end user."""


class ArxivUnavailable(ArxivError):
    """arXiv could not be reached or asked us to back off; retrying later may succeed."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ArxivBadResponse(ArxivError):
    """arXiv (or something pretending to be it) sent a body we refuse to interpret."""


class ArxivQueryError(ArxivError):
    """arXiv understood the request and rejected it with an error feed."""

    def __init__(self, message: str) -> None:
        super().__init__(f"arXiv rejected the query: {message}")
        self.message = message


class InvalidSearchQuery(ArxivError, ValueError):
    """A search query, or its paging, that is never sent: the caller's input is at fault."""


# --------------------------------------------------------------------------- parsing


def split_version(arxiv_id: str) -> tuple[str, int | None]:
    """Split ``"2104.12255v1"`` into ``("2104.12255", 1)``; unversioned ids get ``None``."""
    match = _VERSION_SUFFIX.match(arxiv_id)
    if match is None:
        return arxiv_id, None
    return match["base"], int(match["version"])


def parse_feed(data: bytes) -> list[ArxivEntry]:
    """Parse an arXiv Atom response (legacy or 2026 dialect) into entries.

    Raises ``ArxivQueryError`` for an error feed and ``ArxivBadResponse`` for anything that
    is not a well-formed, entity-free Atom feed.
    """
    return _parse_entries(_parse_root(data))


def parse_search_feed(data: bytes, *, start: int = 0) -> ArxivSearchPage:
    """Parse the answer to a search: its entries and ``opensearch:totalResults``.

    ``start`` stands in for a missing ``opensearch:startIndex``. A feed without a readable total
    raises ``ArxivBadResponse``: paging through the results needs it. Errors as ``parse_feed``.
    """
    root = _parse_root(data)
    entries = _parse_entries(root)
    total = _opensearch_int(root, "totalResults")
    if total is None:
        raise ArxivBadResponse("arXiv sent a search answer without its number of results.")
    found_start = _opensearch_int(root, "startIndex")
    return ArxivSearchPage(
        entries=tuple(entries),
        total_results=total,
        start=found_start if found_start is not None else start,
    )


def _parse_root(data: bytes) -> ET.Element:
    try:
        # The body comes from the network: refuse DTDs altogether so that entity expansion
        # ("billion laughs") and external entities can never be triggered.
        root = DefusedET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise ArxivBadResponse(
            "arXiv sent a response with forbidden XML constructs (DTD or entities)."
        ) from exc
    except ET.ParseError as exc:
        raise ArxivBadResponse("arXiv sent a response that is not valid XML.") from exc

    if root.tag != f"{_A}feed":
        raise ArxivBadResponse("arXiv sent XML that is not an Atom feed.")
    return root


def _parse_entries(root: ET.Element) -> list[ArxivEntry]:
    raw_entries = root.findall(f"{_A}entry")
    # arXiv reports problems as a feed holding a single pseudo-entry whose id points into
    # /api/errors; it does so with HTTP 400 and sometimes with 200, so look at the body.
    for raw in raw_entries:
        if "/api/errors" in (_text(raw, f"{_A}id") or ""):
            message = _text(raw, f"{_A}summary") or "unknown error"
            raise ArxivQueryError(message)

    return [_parse_entry(raw) for raw in raw_entries]


def _opensearch_int(root: ET.Element, name: str) -> int | None:
    text = _text(root, f"{_O}{name}")
    # ASCII digits only, and few of them: int() would take "١٢" or a thousand digits.
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    return int(text)


def _parse_entry(raw: ET.Element) -> ArxivEntry:
    entry_url = _text(raw, f"{_A}id")
    if entry_url is None:
        raise ArxivBadResponse("arXiv sent an entry without an id.")
    arxiv_id, version = _id_from_entry_url(entry_url)

    abs_url: str | None = None
    pdf_url: str | None = None
    doi_link: str | None = None
    for link in raw.findall(f"{_A}link"):
        href = (link.get("href") or "").strip()
        # Pages link these as they are: a javascript: or data: "PDF" would run on our site.
        if not _is_web_url(href):
            continue
        title = link.get("title")
        if title == "pdf":
            pdf_url = pdf_url or href
        elif title == "doi":
            doi_link = doi_link or href
        elif link.get("rel") == "alternate":
            abs_url = abs_url or href

    comment = _text(raw, f"{_X}comment")
    abstract = _text(raw, f"{_A}summary") or ""
    title = _text(raw, f"{_A}title")
    primary = raw.find(f"{_X}primary_category")

    return ArxivEntry(
        arxiv_id=arxiv_id,
        version=version,
        title=title if title is not None else "",
        abstract=abstract,
        authors=tuple(_parse_author(author) for author in raw.findall(f"{_A}author")),
        published=_parse_datetime(_text(raw, f"{_A}published")),
        updated=_parse_datetime(_text(raw, f"{_A}updated")),
        primary_category=_attr(primary, "term"),
        categories=_unique(
            term for category in raw.findall(f"{_A}category") if (term := _attr(category, "term"))
        ),
        doi=_parse_doi(_text(raw, f"{_X}doi"), doi_link),
        journal_ref=_text(raw, f"{_X}journal_ref"),
        comment=comment,
        abs_url=abs_url or entry_url,
        pdf_url=pdf_url,
        code_url=find_code_url(comment, abstract),
    )


def _parse_author(raw: ET.Element) -> ArxivAuthor:
    return ArxivAuthor(
        name=_text(raw, f"{_A}name") or "",
        affiliations=_unique(
            text
            for affiliation in raw.findall(f"{_X}affiliation")
            if (text := _collapse(affiliation.text))
        ),
    )


def _id_from_entry_url(entry_url: str) -> tuple[str, int | None]:
    # Old-style ids contain a slash ("abs/hep-ex/0307015"), so take everything after
    # "/abs/" rather than only the last path component.
    _, marker, tail = urlsplit(entry_url).path.partition("/abs/")
    tail = tail.strip("/")
    if not marker or not tail:
        raise ArxivBadResponse("arXiv sent an entry whose id is not an arXiv abstract URL.")
    return split_version(tail)


def _parse_datetime(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    # Atom requires an offset; should one ever be missing, arXiv's clock is UTC.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _parse_doi(doi_text: str | None, doi_link: str | None) -> str | None:
    if doi_text:
        # The field can hold several space-separated DOIs; the dataclass keeps one, the
        # first.
        return doi_text.split()[0]
    if doi_link:
        match = _DOI_LINK.match(doi_link)
        if match:
            return unquote(match["doi"])
    return None


def find_code_url(*texts: str | None) -> str | None:
    """Return the first link to a code host found in ``texts``, searched in order."""
    for text in texts:
        if not text:
            continue
        for match in _CODE_URL.finditer(text):
            url = _strip_trailing_punctuation(match["url"])
            _, _, path = url.split("://", 1)[-1].partition("/")
            # A bare host ("github.com/") points at no project.
            if not path.strip("/"):
                continue
            return url if "://" in url else f"https://{url}"
    return None


def _strip_trailing_punctuation(url: str) -> str:
    # Prose and LaTeX wrap links in sentences, parentheses and \url{...}; keep a closing
    # bracket only when the URL itself opened it (e.g. Wikipedia-style paths).
    while url:
        last = url[-1]
        unbalanced = last in _CLOSING_TO_OPENING and url.count(last) > url.count(
            _CLOSING_TO_OPENING[last]
        )
        if last not in _TRAILING_PUNCTUATION and not unbalanced:
            break
        url = url[:-1]
    return url


def _is_web_url(href: str) -> bool:
    return urlsplit(href).scheme.lower() in ("http", "https") and len(href) <= _MAX_LINK


def _text(parent: ET.Element, tag: str) -> str | None:
    element = parent.find(tag)
    if element is None:
        return None
    return _collapse(element.text)


def _collapse(value: str | None) -> str | None:
    # arXiv hard-wraps titles and abstracts at ~80 columns and indents continuation lines.
    if value is None:
        return None
    collapsed = " ".join(value.split())
    return collapsed or None


def _attr(element: ET.Element | None, name: str) -> str | None:
    if element is None:
        return None
    value = (element.get(name) or "").strip()
    return value or None


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


# --------------------------------------------------------------------------- client


class ArxivClient:
    """Fetches arXiv metadata by id, in batches, and searches arXiv, a page at a time, without
    retries and without sleeping."""

    def __init__(
        self,
        base_url: str = _DEFAULT_BASE_URL,
        *,
        timeout: float = 15.0,
        max_bytes: int = 5_000_000,
        user_agent: str = _DEFAULT_USER_AGENT,
        transport: httpx.BaseTransport | None = None,
        limiter: Callable[[], AbstractContextManager[Any]] | None = None,
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self._transport = transport
        self._limiter = limiter

    def fetch(self, ids: Sequence[str]) -> ArxivBatchResult:
        """Fetch entries for ``ids`` (versionless, or versioned like ``"2104.12255v1"``).

        Entries are keyed by versionless id. Ids arXiv has no entry for, or rejects as
        malformed, are listed in ``missing`` exactly as they were given. Raises
        ``ArxivUnavailable`` (transient) or ``ArxivBadResponse``.
        """
        if isinstance(ids, str):
            raise TypeError("fetch() takes a sequence of ids, not a single string")

        # versionless id -> id as it will be sent; the first spelling of a paper wins.
        to_send: dict[str, str] = {}
        for requested in ids:
            candidate = requested.strip()
            if _SENDABLE_ID.fullmatch(candidate):
                to_send.setdefault(split_version(candidate)[0], candidate)

        entries: dict[str, ArxivEntry] = {}
        if to_send:
            with self._http_client() as http:
                queue = list(to_send.values())
                for start in range(0, len(queue), BATCH_SIZE):
                    entries.update(self._fetch_batch(http, queue[start : start + BATCH_SIZE]))

        missing = _unique(
            requested
            for requested in ids
            if not (
                _SENDABLE_ID.fullmatch(candidate := requested.strip())
                and split_version(candidate)[0] in entries
            )
        )
        return ArxivBatchResult(entries=entries, missing=missing)

    def _http_client(self) -> httpx.Client:
        return httpx.Client(
            transport=self._transport,
            timeout=httpx.Timeout(self.timeout),
            headers={"User-Agent": self.user_agent, "Accept": "application/atom+xml"},
            # Should arXiv move the endpoint (scheme or host), a redirect is not an error;
            # httpx caps the length of the chain.
            follow_redirects=True,
        )

    def _fetch_batch(self, http: httpx.Client, batch: list[str]) -> dict[str, ArxivEntry]:
        try:
            found = self._query(http, batch)
        except ArxivQueryError:
            if len(batch) == 1:
                return {}
            # arXiv rejects the whole id_list when a single id is malformed. Asking for the
            # ids one at a time costs requests, but lets the good ones through and pins the
            # bad ones down as missing.
            result: dict[str, ArxivEntry] = {}
            for one in batch:
                result.update(self._fetch_batch(http, [one]))
            return result

        # Match by id and never by position or totalResults: arXiv silently drops ids it
        # does not know, and batch order is not guaranteed.
        wanted = {split_version(requested)[0] for requested in batch}
        return {entry.arxiv_id: entry for entry in found if entry.arxiv_id in wanted}

    def search(
        self,
        search_query: str,
        *,
        start: int = 0,
        max_results: int = 100,
        sort_by: str = "submittedDate",
        sort_order: str = "descending",
    ) -> ArxivSearchPage:
        """One page of the results of ``search_query``, in arXiv's search syntax
        (``cat:cs.CL AND abs:pretrain*``), from the result numbered ``start``.

        The query is checked before anything is sent (``InvalidSearchQuery``): not empty, at
        most ``SEARCH_QUERY_MAX_LENGTH`` characters, no control characters; ``max_results`` at
        most arXiv's ``SEARCH_MAX_RESULTS``. arXiv may answer a page with fewer entries than
        asked even before the end of the results: the caller pages on by ``start``. Raises
        ``ArxivUnavailable`` (transient), ``ArxivQueryError`` (arXiv's error feed) or
        ``ArxivBadResponse``.
        """
        query = _checked_query(search_query)
        if isinstance(start, bool) or not isinstance(start, int) or start < 0:
            raise InvalidSearchQuery("The first result of a search is a number from 0.")
        if (
            isinstance(max_results, bool)
            or not isinstance(max_results, int)
            or not 1 <= max_results <= SEARCH_MAX_RESULTS
        ):
            raise InvalidSearchQuery(f"A search page holds from 1 to {SEARCH_MAX_RESULTS} results.")
        if sort_by not in SEARCH_SORT_BY:
            raise InvalidSearchQuery(f"arXiv cannot sort results by {sort_by!r}.")
        if sort_order not in SEARCH_SORT_ORDER:
            raise InvalidSearchQuery(f"arXiv cannot sort results in {sort_order!r} order.")
        params = {
            "search_query": query,
            "start": str(start),
            "max_results": str(max_results),
            "sortBy": sort_by,
            "sortOrder": sort_order,
        }
        with self._http_client() as http:
            body = self._request(http, params)
        return parse_search_feed(body, start=start)

    def _query(self, http: httpx.Client, batch: list[str]) -> list[ArxivEntry]:
        params = {
            "id_list": ",".join(batch),
            # Without max_results arXiv pages id_list answers at its default of 10.
            "max_results": str(len(batch)),
            "start": "0",
        }
        return parse_feed(self._request(http, params))

    def _request(self, http: httpx.Client, params: dict[str, str]) -> bytes:
        """The body of arXiv's answer to ``params``, inside the limiter; a refusal raised."""
        with self._limit():
            status, headers, body = self._get(http, params)

        if status in _TRANSIENT_STATUSES or status >= 500:
            raise ArxivUnavailable(
                f"arXiv is temporarily unavailable (HTTP {status}). Please try again later.",
                retry_after=parse_retry_after(headers.get("Retry-After")),
            )
        if status == 400:
            # arXiv explains a refusal with an error feed, and parse_feed raises
            # ArxivQueryError for it. A 400 without one is not evidence against the ids, so it
            # must not end up reported as "missing".
            unexplained = ArxivBadResponse(
                "arXiv refused the request (HTTP 400) without explanation."
            )
            try:
                parse_feed(body)
            except ArxivBadResponse as exc:
                raise unexplained from exc
            raise unexplained
        if status != 200:
            raise ArxivBadResponse(f"arXiv answered with unexpected HTTP status {status}.")
        return body

    def _limit(self) -> AbstractContextManager[Any]:
        return self._limiter() if self._limiter is not None else contextlib.nullcontext()

    def _get(self, http: httpx.Client, params: dict[str, str]) -> tuple[int, httpx.Headers, bytes]:
        return bounded_get(
            http,
            self.base_url,
            params=params,
            service="arXiv",
            max_bytes=self.max_bytes,
            timeout=self.timeout,
            unavailable=ArxivUnavailable,
            bad_response=ArxivBadResponse,
        )


def _checked_query(search_query: str) -> str:
    if not isinstance(search_query, str):
        raise InvalidSearchQuery("An arXiv search query is text.")
    query = search_query.strip()
    if not query:
        raise InvalidSearchQuery("An arXiv search query cannot be empty.")
    if len(query) > SEARCH_QUERY_MAX_LENGTH:
        raise InvalidSearchQuery(
            f"An arXiv search query has at most {SEARCH_QUERY_MAX_LENGTH} characters; "
            f"this one has {len(query)}."
        )
    # A newline or NUL would end up in the request line's query string, where it changes what
    # arXiv (or a proxy) reads; no one types them into a query.
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in query):
        raise InvalidSearchQuery("An arXiv search query cannot hold control characters.")
    return query
