"""Client for the OpenReview API v2 (``GET /notes?id=<id>``), for papers known by their forum.

A submission on OpenReview is a note; its forum page (``/forum?id=<id>``) names it. API v2 wraps
each content field as ``{"value": …}`` (https://docs.openreview.net/reference/api-v2); the older
API's bare values are read too, since a note's content is all this client needs. A note carries
no affiliations (they live in the authors' profiles, which are not read).

Free of Django and of the ORM like the arXiv client; the rate limit and retrying are the
caller's. A note the public may not see answers 403: it is refused with a message saying so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import httpx

from papers.clients.arxiv import find_code_url
from papers.clients.http import (
    KeptConnectionClient,
    SourceBadResponse,
    SourceNotConfigured,
    get_json,
    strip_markup,
    user_agent,
    web_url,
)
from papers.clients.records import FoundAuthor, FoundPaper

__all__ = ["SERVICE", "SITE_URL", "OpenReviewClient", "parse_notes"]

SERVICE = "OpenReview"
#: Where the forum pages and PDFs are; the API answers PDF paths relative to it.
SITE_URL = "https://openreview.net"
_DEFAULT_MAX_BYTES = 2_000_000
_MAX_TEXT = 100_000
_MAX_AUTHORS = 10_000
_MIN_YEAR, _MAX_YEAR = 1000, 2999


def parse_notes(payload: Any, note_id: str) -> FoundPaper | None:
    """The note ``note_id`` in a ``/notes`` answer (``{"notes": [...]}``); None when absent."""
    if not isinstance(payload, dict) or not isinstance(payload.get("notes"), list):
        raise SourceBadResponse(f"{SERVICE} sent JSON that is not a list of notes.")
    for note in payload["notes"][:100]:
        if not isinstance(note, dict):
            raise SourceBadResponse(f"{SERVICE} sent a note that is not an object.")
        if note.get("id") == note_id:
            return _note(note, note_id)
    return None


def _note(note: dict[str, Any], note_id: str) -> FoundPaper:
    content = note.get("content")
    if not isinstance(content, dict):
        raise SourceBadResponse(f"{SERVICE} sent a note without content.")
    title = _text(content, "title")
    if not title:
        raise SourceBadResponse(f"{SERVICE} sent a note without a title.")
    abstract = _text(content, "abstract")
    authors = _value(content, "authors")
    if authors is None:
        authors = []
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise SourceBadResponse(f"{SERVICE} sent a note whose authors are not a list of names.")
    if len(authors) > _MAX_AUTHORS:
        raise SourceBadResponse(f"{SERVICE} sent a note with more than {_MAX_AUTHORS} authors.")
    published_on = _date(note.get("pdate")) or _date(note.get("odate")) or _date(note.get("cdate"))
    pdf = _value(content, "pdf")
    code = _value(content, "code")
    return FoundPaper(
        title=title,
        abstract=abstract,
        authors=tuple(FoundAuthor(name) for a in authors if (name := " ".join(a.split()))),
        published_on=published_on,
        year=published_on.year if published_on else None,
        venue=_text(content, "venue"),
        url=f"{SITE_URL}/forum?id={note_id}",
        pdf_url=_pdf_url(pdf),
        code_url=find_code_url(code if isinstance(code, str) else None, abstract),
    )


def _value(content: dict[str, Any], field: str) -> Any:
    value = content.get(field)
    # API v2 wraps every value; API v1 did not.
    if isinstance(value, dict):
        return value.get("value")
    return value


def _text(content: dict[str, Any], field: str) -> str:
    value = _value(content, field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SourceBadResponse(f"{SERVICE} sent a note whose {field} is not text.")
    if len(value) > _MAX_TEXT:
        raise SourceBadResponse(
            f"{SERVICE} sent a note whose {field} is longer than {_MAX_TEXT} characters."
        )
    # Abstracts are Markdown with at times HTML in it: read as plain text.
    text = strip_markup(value)
    return " ".join(text.split()) if field != "abstract" else text


def _date(value: Any) -> dt.date | None:
    """A date from OpenReview's milliseconds since the epoch."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    try:
        day = dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC).date()
    except (OverflowError, OSError, ValueError):
        return None
    return day if _MIN_YEAR <= day.year <= _MAX_YEAR else None


def _pdf_url(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    if value.startswith("/pdf") and len(value) <= 300:
        return f"{SITE_URL}{value}"
    return web_url(value)


class OpenReviewClient(KeptConnectionClient):
    """Fetches one note by id, without retries and without sleeping.

    An empty ``base_url`` switches OpenReview off: ``fetch`` raises ``SourceNotConfigured``.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 15.0,
        max_bytes: int = _DEFAULT_MAX_BYTES,
        transport: httpx.BaseTransport | None = None,
        limiter: Callable[[], AbstractContextManager[Any]] | None = None,
    ) -> None:
        self.base_url = base_url.strip()
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent()
        self._transport = transport
        self._limiter = limiter
        self._http: httpx.Client | None = None

    def fetch(self, note_id: str) -> FoundPaper | None:
        """The submission with this forum id; ``None`` if OpenReview has none.

        Raises ``SourceNotConfigured``, ``SourceUnavailable`` (transient), ``SourceBadResponse``.
        """
        if not self.base_url:
            raise SourceNotConfigured(
                f"{SERVICE} is switched off on this site (OPENREVIEW_API_URL is empty), so this "
                "paper's metadata cannot be fetched. You can fill in its fields by hand."
            )
        http = self._http_client()
        with self._limited():
            payload = get_json(
                http,
                f"{self.base_url.rstrip('/')}/notes",
                params={"id": note_id},
                service=SERVICE,
                max_bytes=self.max_bytes,
                timeout=self.timeout,
                refused={403: f"{SERVICE} does not show this paper to the public (HTTP 403)."},
            )
        if payload is None:
            return None
        return parse_notes(payload, note_id)
