"""Client for the Semantic Scholar Graph API (``GET /paper/<id>``), for papers known by their
Semantic Scholar page.

Semantic Scholar is asked mostly for what else it knows a paper as (``externalIds``: its arXiv
id, DOI, ACL Anthology id), so that the catalogue keeps the paper under one canonical identifier;
its title, abstract, authors, venue and date fill the row until a better source is asked.

Free of Django and of the ORM like the arXiv client; the rate limit (one request a second without
a key, as Semantic Scholar documents) and retrying are the caller's. A key, when configured, is
sent as ``x-api-key`` and never put into a message.
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
from papers.identifiers import InvalidIdentifier, parse_identifier

__all__ = ["FIELDS", "SERVICE", "SemanticScholarClient", "parse_paper"]

SERVICE = "Semantic Scholar"
FIELDS = "title,abstract,year,venue,publicationDate,externalIds,authors,openAccessPdf,journal"
_DEFAULT_MAX_BYTES = 2_000_000
_MAX_TEXT = 100_000
_MAX_AUTHORS = 10_000
_MIN_YEAR, _MAX_YEAR = 1000, 2999


def parse_paper(payload: Any, s2_id: str) -> FoundPaper:
    """The paper in a ``/paper/<id>`` answer."""
    if not isinstance(payload, dict):
        raise SourceBadResponse(f"{SERVICE} sent JSON that is not a paper.")
    returned = payload.get("paperId")
    if returned is not None and returned != s2_id:
        raise SourceBadResponse(f"{SERVICE} sent a different paper than the one asked for.")
    title = _text(payload, "title")
    if not title:
        raise SourceBadResponse(f"{SERVICE} sent a paper without a title.")
    abstract = _text(payload, "abstract", collapse=False)
    published_on = _date(payload.get("publicationDate"))
    external = payload.get("externalIds")
    external = {} if external is None else external
    if not isinstance(external, dict):
        raise SourceBadResponse(f"{SERVICE} sent a paper whose externalIds are not an object.")
    return FoundPaper(
        title=title,
        abstract=abstract,
        authors=_authors(payload.get("authors")),
        published_on=published_on,
        year=_year(payload.get("year")) or (published_on.year if published_on else None),
        venue=_text(payload, "venue") or _journal(payload.get("journal")),
        url=f"https://www.semanticscholar.org/paper/{s2_id}",
        pdf_url=_pdf_url(payload.get("openAccessPdf")),
        code_url=find_code_url(abstract),
        doi=_identifier(external.get("DOI"), "doi", prefix="doi:"),
        arxiv_id=_identifier(external.get("ArXiv"), "arxiv", prefix="arXiv:"),
        acl_id=_identifier(external.get("ACL"), "acl", prefix="acl:"),
    )


def _identifier(value: Any, scheme: str, *, prefix: str) -> str | None:
    """An external id, canonical as the catalogue keeps it, by the parser members' input goes
    through; one it refuses (or one of another scheme: an arXiv DOI) is passed over."""
    if not isinstance(value, str) or len(value) > 300:
        return None
    try:
        identifier = parse_identifier(prefix + value)
    except InvalidIdentifier:
        return None
    return identifier.value if identifier.scheme == scheme else None


def _authors(value: Any) -> tuple[FoundAuthor, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise SourceBadResponse(f"{SERVICE} sent a paper whose authors are not a list.")
    if len(value) > _MAX_AUTHORS:
        raise SourceBadResponse(f"{SERVICE} sent a paper with more than {_MAX_AUTHORS} authors.")
    authors = []
    for raw in value:
        if not isinstance(raw, dict):
            raise SourceBadResponse(f"{SERVICE} sent an author that is not an object.")
        name = _text(raw, "name")
        affiliations = raw.get("affiliations") or []
        if not isinstance(affiliations, list):
            raise SourceBadResponse(f"{SERVICE} sent an author whose affiliations are not a list.")
        names = tuple(
            dict.fromkeys(" ".join(a.split()) for a in affiliations[:50] if isinstance(a, str))
        )
        if name:
            authors.append(FoundAuthor(name, tuple(n for n in names if n)))
    return tuple(authors)


def _text(record: dict[str, Any], field: str, *, collapse: bool = True) -> str:
    value = record.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SourceBadResponse(f"{SERVICE} sent a {field} that is not text.")
    if len(value) > _MAX_TEXT:
        raise SourceBadResponse(f"{SERVICE} sent a {field} longer than {_MAX_TEXT} characters.")
    text = strip_markup(value)
    return " ".join(text.split()) if collapse else text


def _journal(value: Any) -> str:
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return " ".join(value["name"].split())[:500]
    return ""


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if _MIN_YEAR <= day.year <= _MAX_YEAR else None


def _year(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if _MIN_YEAR <= value <= _MAX_YEAR else None


def _pdf_url(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    return web_url(value.get("url"))


class SemanticScholarClient(KeptConnectionClient):
    """Fetches one paper by its 40-hex Semantic Scholar id, without retries or sleeping.

    An empty ``base_url`` switches Semantic Scholar off: ``fetch`` raises ``SourceNotConfigured``.
    """

    # Unlike Authorization, httpx keeps a custom header across hosts: a redirect could hand the
    # key to another server, so none is followed.
    follow_redirects = False

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str = "",
        timeout: float = 15.0,
        max_bytes: int = _DEFAULT_MAX_BYTES,
        transport: httpx.BaseTransport | None = None,
        limiter: Callable[[], AbstractContextManager[Any]] | None = None,
    ) -> None:
        self.base_url = base_url.strip()
        self.timeout = timeout
        self.max_bytes = max_bytes
        # Private, and never put into a message: the key is a secret.
        self._api_key = api_key.strip()
        self.user_agent = user_agent()
        self._transport = transport
        self._limiter = limiter
        self._http: httpx.Client | None = None

    def fetch(self, s2_id: str) -> FoundPaper | None:
        """The paper with this id; ``None`` if Semantic Scholar has none.

        Raises ``SourceNotConfigured``, ``SourceUnavailable`` (transient), ``SourceBadResponse``.
        """
        if not self.base_url:
            raise SourceNotConfigured(
                f"{SERVICE} is switched off on this site (SEMANTIC_SCHOLAR_API_URL is empty), "
                "so this paper's metadata cannot be fetched. You can fill in its fields by hand."
            )
        http = self._http_client()
        with self._limited():
            payload = get_json(
                http,
                f"{self.base_url.rstrip('/')}/paper/{s2_id}",
                params={"fields": FIELDS},
                service=SERVICE,
                max_bytes=self.max_bytes,
                timeout=self.timeout,
                refused={
                    401: f"{SERVICE} refused the API key (HTTP 401): check "
                    "SEMANTIC_SCHOLAR_API_KEY.",
                    403: f"{SERVICE} refused the API key (HTTP 403): check "
                    "SEMANTIC_SCHOLAR_API_KEY.",
                },
            )
        if payload is None:
            return None
        return parse_paper(payload, s2_id)

    def _extra_headers(self) -> dict[str, str]:
        return {"x-api-key": self._api_key} if self._api_key else {}
