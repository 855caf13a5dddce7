"""Client for the OpenReview API v2 (``GET /notes?id=<id>``), for papers known by their forum.

A submission on OpenReview is a note; its forum page (``/forum?id=<id>``) names it. API v2 wraps
each content field as ``{"value": …}`` (https://docs.openreview.net/reference/api-v2); the older
API's bare values are read too, since a note's content is all this client needs. A note carries
no affiliations: they live in the authors' profiles, read in one more request
(``GET /profiles?ids=~A1,~B2``); each author's affiliation is the institution of the current
position of their profile's history. A profile that is hidden, or a fault of that request,
leaves the authors without affiliations and the paper's metadata as the note gives it.

Free of Django and of the ORM like the arXiv client; the rate limit and retrying are the
caller's. A note the public may not see answers 403: it is refused with a message saying so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import httpx

from papers.clients.arxiv import find_code_url
from papers.clients.http import (
    KeptConnectionClient,
    SourceBadResponse,
    SourceError,
    SourceNotConfigured,
    clean_text,
    get_json,
    strip_markup,
    user_agent,
    web_url,
)
from papers.clients.records import FoundAuthor, FoundPaper

__all__ = ["SERVICE", "SITE_URL", "OpenReviewClient", "parse_notes", "parse_profiles"]

logger = logging.getLogger(__name__)

SERVICE = "OpenReview"
#: Where the forum pages and PDFs are; the API answers PDF paths relative to it.
SITE_URL = "https://openreview.net"
_DEFAULT_MAX_BYTES = 2_000_000
_MAX_TEXT = 100_000
_MAX_AUTHORS = 10_000
_MIN_YEAR, _MAX_YEAR = 1000, 2999
#: Profiles asked for in one request (a note's authors), and the length of one profile id.
_MAX_PROFILES = 100
_MAX_PROFILE_ID = 200
_MAX_HISTORY = 100
_MAX_INSTITUTION = 300


def author_ids(payload: Any, note_id: str) -> list[str]:
    """The profile ids (``~Li_Wei1``) of the note's authors, in order; ``""`` for an author known
    by an e-mail address only, whose profile is not asked for."""
    if not isinstance(payload, dict) or not isinstance(payload.get("notes"), list):
        return []
    for note in payload["notes"][:100]:
        if isinstance(note, dict) and note.get("id") == note_id:
            content = note.get("content")
            ids = _value(content, "authorids") if isinstance(content, dict) else None
            if not isinstance(ids, list):
                return []
            return [
                i if isinstance(i, str) and i.startswith("~") and len(i) <= _MAX_PROFILE_ID else ""
                for i in ids[:_MAX_AUTHORS]
            ]
    return []


def parse_profiles(payload: Any) -> dict[str, str]:
    """Each profile's current institution, by profile id: the history entry without an end
    (else the one that ended last). Profiles without one are left out."""
    if not isinstance(payload, dict) or not isinstance(payload.get("profiles"), list):
        raise SourceBadResponse(f"{SERVICE} sent JSON that is not a list of profiles.")
    found: dict[str, str] = {}
    for profile in payload["profiles"][:_MAX_PROFILES]:
        if not isinstance(profile, dict) or not isinstance(profile.get("id"), str):
            continue
        content = profile.get("content")
        history = content.get("history") if isinstance(content, dict) else None
        institution = _current_institution(history)
        if not institution:
            continue
        found[profile["id"]] = institution
        names = content.get("names") if isinstance(content, dict) else None
        for name in names[:20] if isinstance(names, list) else []:
            if isinstance(name, dict) and isinstance(name.get("username"), str):
                found.setdefault(name["username"], institution)
    return found


def _current_institution(history: Any) -> str:
    if not isinstance(history, list):
        return ""
    best: tuple[int, str] | None = None
    for entry in history[:_MAX_HISTORY]:
        if not isinstance(entry, dict) or not isinstance(entry.get("institution"), dict):
            continue
        name = entry["institution"].get("name")
        if not isinstance(name, str) or not name.strip():
            continue
        end = entry.get("end")
        rank = 10_000 if end is None else end if isinstance(end, int) else -1
        name = clean_text(name)[:_MAX_INSTITUTION]
        if best is None or rank > best[0]:
            best = (rank, name)
    return best[1] if best else ""


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
        paper = parse_notes(payload, note_id)
        ids = author_ids(payload, note_id)
        if paper is None or len(ids) != len(paper.authors) or not any(ids):
            return paper
        return self._with_affiliations(paper, ids)

    def _with_affiliations(self, paper: FoundPaper, ids: list[str]) -> FoundPaper:
        """``paper`` with each author's current institution from their profile, if any."""
        wanted = list(dict.fromkeys(i for i in ids if i))[:_MAX_PROFILES]
        http = self._http_client()
        try:
            with self._limited():
                payload = get_json(
                    http,
                    f"{self.base_url.rstrip('/')}/profiles",
                    params={"ids": ",".join(wanted)},
                    service=SERVICE,
                    max_bytes=self.max_bytes,
                    timeout=self.timeout,
                )
            institutions = parse_profiles(payload) if payload is not None else {}
        except SourceError as error:
            # The note is what matters: without profiles the paper has no affiliations.
            logger.warning("OpenReview profiles of %s unread: %s", wanted[:3], error)
            return paper
        authors = tuple(
            dataclasses.replace(author, affiliations=(institutions[i],))
            if i in institutions
            else author
            for author, i in zip(paper.authors, ids, strict=True)
        )
        return dataclasses.replace(paper, authors=authors)
