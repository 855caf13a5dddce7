"""Client for the Crossref REST API's works (``GET /works/{doi}``), for papers known by a DOI.

Free of Django and of the ORM like the arXiv client: a DOI in, a plain ``FoundPaper`` out.
Crossref asks its users to say who they are: with a contact address (``mailto``) the requests go
to its "polite" pool, which is faster and allows more (https://api.crossref.org, Etiquette).

Crossref's metadata is what each publisher deposited: abstracts are JATS XML (stripped here to
text), affiliations are free text, dates are partial ("date-parts": [[2007]]). Anything that is
not the documented shape is a bad response rather than a guess.

Policy the caller owns: the rate limit (``limiter``, shared across workers), and retrying: the
client never retries and never sleeps; ``SourceUnavailable`` is the only transient error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import quote

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
from papers.identifiers import InvalidIdentifier, parse_identifier

__all__ = ["SERVICE", "CrossrefClient", "parse_work"]

SERVICE = "Crossref"
_DEFAULT_MAX_BYTES = 5_000_000

# Limits far above any real work, low enough that a lying server cannot fill our database.
_MAX_TITLE = 2000
_MAX_ABSTRACT = 100_000
_MAX_NAME = 500
_MAX_AFFILIATION = 2000
_MAX_AUTHORS = 10_000
_MAX_AFFILIATIONS_PER_AUTHOR = 50
_MAX_LINKS = 1000
_MIN_YEAR, _MAX_YEAR = 1000, 2999
# The relations through which a work names its other version on arXiv.
_VERSION_RELATIONS = ("has-preprint", "is-preprint-of", "has-version", "is-version-of")


def parse_work(payload: Any, doi: str) -> FoundPaper:
    """The paper in a ``/works/{doi}`` answer (``{"status": "ok", "message": {...}}``)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("message"), dict):
        raise SourceBadResponse(f"{SERVICE} sent JSON that is not a work.")
    if payload.get("status") not in (None, "ok"):
        raise SourceBadResponse(f"{SERVICE} sent a work whose status is not ok.")
    work = payload["message"]
    returned = work.get("DOI")
    if returned is not None and (not isinstance(returned, str) or returned.lower() != doi):
        raise SourceBadResponse(f"{SERVICE} sent a different work than the one asked for.")
    title = _first_text(work.get("title"), "title", _MAX_TITLE)
    if not title:
        raise SourceBadResponse(f"{SERVICE} sent a work without a title.")
    subtitle = _first_text(work.get("subtitle"), "subtitle", _MAX_TITLE)
    if subtitle and not title.endswith((":", "?", "!")):
        title = f"{title}: {subtitle}"
    abstract = _markup(work.get("abstract"), "abstract", _MAX_ABSTRACT)
    published_on, year = _published(work)
    return FoundPaper(
        title=title,
        abstract=abstract,
        authors=_authors(work.get("author")),
        published_on=published_on,
        year=year,
        venue=_first_text(work.get("container-title"), "container-title", _MAX_TITLE),
        url=_primary_url(work.get("resource")),
        pdf_url=_pdf_url(work.get("link")),
        code_url=find_code_url(abstract),
        doi=doi,
        arxiv_id=_arxiv_version(work.get("relation")),
    )


def _markup(value: Any, field: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SourceBadResponse(f"{SERVICE} sent a work whose {field} is not text.")
    if len(value) > limit:
        raise SourceBadResponse(
            f"{SERVICE} sent a work whose {field} is longer than {limit} characters."
        )
    return strip_markup(value)


def _first_text(value: Any, field: str, limit: int) -> str:
    """The first of a list of texts (Crossref gives titles as lists), as plain text."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise SourceBadResponse(f"{SERVICE} sent a work whose {field} is not a list.")
    for item in value[:100]:
        text = _markup(item, field, limit)
        if text:
            return " ".join(text.split())
    return ""


def _authors(value: Any) -> tuple[FoundAuthor, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise SourceBadResponse(f"{SERVICE} sent a work whose authors are not a list.")
    if len(value) > _MAX_AUTHORS:
        raise SourceBadResponse(f"{SERVICE} sent a work with more than {_MAX_AUTHORS} authors.")
    authors = []
    for raw in value:
        if not isinstance(raw, dict):
            raise SourceBadResponse(f"{SERVICE} sent an author that is not an object.")
        given = _field(raw, "given", _MAX_NAME)
        family = _field(raw, "family", _MAX_NAME)
        # An organisation as author ("name") has neither given nor family name.
        name = " ".join(part for part in (given, family) if part) or _field(raw, "name", _MAX_NAME)
        if name:
            authors.append(FoundAuthor(name, _affiliations(raw.get("affiliation"))))
    return tuple(authors)


def _affiliations(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise SourceBadResponse(f"{SERVICE} sent an author whose affiliations are not a list.")
    names = []
    for raw in value[:_MAX_AFFILIATIONS_PER_AUTHOR]:
        if not isinstance(raw, dict):
            raise SourceBadResponse(f"{SERVICE} sent an affiliation that is not an object.")
        name = _field(raw, "name", _MAX_AFFILIATION)
        if name:
            names.append(name)
    return tuple(dict.fromkeys(names))


def _field(record: dict[str, Any], field: str, limit: int) -> str:
    value = record.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SourceBadResponse(f"{SERVICE} sent a {field} that is not text.")
    if len(value) > limit:
        raise SourceBadResponse(f"{SERVICE} sent a {field} longer than {limit} characters.")
    # Publishers deposit names and affiliations with entities ("&amp;") and at times tags.
    return " ".join(strip_markup(value).split())


def _published(work: dict[str, Any]) -> tuple[dt.date | None, int | None]:
    """The first date Crossref knows the work was published: its full date when it has one,
    and its year."""
    for key in ("published", "issued", "published-print", "published-online", "posted"):
        parts = _date_parts(work.get(key), key)
        if parts:
            year = parts[0]
            try:
                return (dt.date(*parts[:3]) if len(parts) >= 3 else None), year
            except ValueError:
                return None, year
    return None, None


def _date_parts(value: Any, key: str) -> list[int]:
    if value is None:
        return []
    bad = SourceBadResponse(f"{SERVICE} sent a work whose {key} date is not a date.")
    if not isinstance(value, dict):
        raise bad
    parts = value.get("date-parts")
    if not (isinstance(parts, list) and parts and isinstance(parts[0], list)):
        raise bad
    first = parts[0]
    # Crossref writes an unknown date as [[null]].
    if not first or first[0] is None:
        return []
    if not all(isinstance(p, int) and not isinstance(p, bool) for p in first[:3]):
        raise bad
    if not _MIN_YEAR <= first[0] <= _MAX_YEAR:
        raise SourceBadResponse(f"{SERVICE} sent a work of the impossible year {first[0]}.")
    return list(first[:3])


def _primary_url(value: Any) -> str | None:
    if not isinstance(value, dict) or not isinstance(value.get("primary"), dict):
        return None
    return web_url(value["primary"].get("URL"))


def _pdf_url(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise SourceBadResponse(f"{SERVICE} sent a work whose links are not a list.")
    for raw in value[:_MAX_LINKS]:
        if isinstance(raw, dict) and raw.get("content-type") == "application/pdf":
            url = web_url(raw.get("URL"))
            if url:
                return url
    return None


def _arxiv_version(value: Any) -> str | None:
    """The arXiv id of the work's version on arXiv, when Crossref's relations name one (a
    journal article's preprint, by its arXiv DOI)."""
    if not isinstance(value, dict):
        return None
    for name in _VERSION_RELATIONS:
        related = value.get(name)
        if not isinstance(related, list):
            continue
        for item in related[:_MAX_LINKS]:
            if not (isinstance(item, dict) and item.get("id-type") == "doi"):
                continue
            text = item.get("id")
            if not isinstance(text, str) or len(text) > _MAX_NAME:
                continue
            try:
                identifier = parse_identifier(text)
            except InvalidIdentifier:
                continue
            if identifier.scheme == "arxiv":
                return identifier.value
    return None


class CrossrefClient(KeptConnectionClient):
    """Fetches one work by DOI, without retries and without sleeping.

    An empty ``base_url`` switches Crossref off: ``fetch`` raises ``SourceNotConfigured``.
    """

    def __init__(
        self,
        base_url: str,
        *,
        mailto: str = "",
        timeout: float = 15.0,
        max_bytes: int = _DEFAULT_MAX_BYTES,
        transport: httpx.BaseTransport | None = None,
        limiter: Callable[[], AbstractContextManager[Any]] | None = None,
    ) -> None:
        self.base_url = base_url.strip()
        self.mailto = mailto.strip()
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent(self.mailto)
        self._transport = transport
        self._limiter = limiter
        self._http: httpx.Client | None = None

    def fetch(self, doi: str) -> FoundPaper | None:
        """The work with this (canonical, lower-case) DOI; ``None`` if Crossref has none.

        Raises ``SourceNotConfigured`` when switched off, ``SourceUnavailable`` (transient) and
        ``SourceBadResponse``.
        """
        if not self.base_url:
            raise SourceNotConfigured(
                f"{SERVICE} is switched off on this site (CROSSREF_API_URL is empty), so this "
                "paper's metadata cannot be fetched. You can fill in its fields by hand."
            )
        params = {"mailto": self.mailto} if self.mailto else {}
        http = self._http_client()
        with self._limited():
            payload = get_json(
                http,
                f"{self.base_url.rstrip('/')}/works/{quote(doi, safe='/')}",
                params=params,
                service=SERVICE,
                max_bytes=self.max_bytes,
                timeout=self.timeout,
            )
        if payload is None:
            return None
        return parse_work(payload, doi)
