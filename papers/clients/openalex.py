"""Client for the OpenAlex works API: who wrote a paper, where they worked, where it appeared.

A paper known by its DOI alone has its metadata read from OpenAlex first (``fetch_work``:
``GET /works/https://doi.org/<doi>``, one work with its title, its abstract rebuilt from
``abstract_inverted_index``, its authors and their institutions, its date, venue and arXiv id).

A batch of papers is one request: ``GET /works?filter=doi:a|b|…`` with at most ``BATCH_SIZE``
DOIs, OpenAlex's documented limit of values in one OR filter, and ``per-page=200`` so that a DOI
OpenAlex holds twice still fits on the one page. arXiv papers are asked for by the DOI DataCite
registered for them, ``10.48550/arxiv.<id>`` (``arxiv_doi``).

Like the arXiv and AMiner clients, this module is free of Django and of the ORM: it returns plain
dataclasses. It never retries and never sleeps; the caller hands in the cross-process
``limiter`` (OpenAlex documents 10 requests a second and 100,000 a day), and retries with backoff
when ``OpenAlexUnavailable`` says to (a network fault, 429 or 5xx, with the ``Retry-After``).

Everything OpenAlex sends is treated as hostile: the body is bounded, every text is cut to the
catalogue's limits and cleaned of control characters, lists are bounded, and an answer naming
works that were not asked for is refused whole.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import quote, unquote

import httpx

from papers.clients.arxiv import find_code_url
from papers.clients.http import (
    KeptConnectionClient,
    SourceBadResponse,
    SourceError,
    SourceUnavailable,
    bounded_get,
    parse_retry_after,
    strip_markup,
    web_url,
)
from papers.clients.records import FoundAuthor, FoundPaper
from papers.clients.ror import ror_id
from papers.identifiers import InvalidIdentifier, parse_identifier

__all__ = [
    "BATCH_SIZE",
    "OpenAlexAuthorship",
    "OpenAlexBadResponse",
    "OpenAlexClient",
    "OpenAlexError",
    "OpenAlexInstitution",
    "OpenAlexRecord",
    "OpenAlexUnavailable",
    "OpenAlexWork",
    "arxiv_doi",
    "parse_record",
    "parse_works",
]

#: OpenAlex's documented limit of values joined by ``|`` in one filter.
BATCH_SIZE = 100
#: OpenAlex's largest page; above ``BATCH_SIZE`` so that duplicate works of a DOI still fit.
PER_PAGE = 200
#: The root fields asked for: the rest of a work (its abstract index, its references) is large.
SELECT = "id,doi,ids,authorships,primary_location,best_oa_location,locations"
#: The root fields of one work read for its metadata (``fetch_work``).
RECORD_SELECT = (
    f"{SELECT},title,display_name,abstract_inverted_index,publication_date,publication_year"
)
ARXIV_DOI_PREFIX = "10.48550/arxiv."

_WORKS_PATH = "/works"
_DEFAULT_USER_AGENT = "Weekly/0.1 (+https://github.com/weekly)"
# 200 works with their authorships and locations; the largest real pages are a few MB.
_DEFAULT_MAX_BYTES = 20_000_000

_MAX_AUTHORSHIPS = 10_000
_MAX_INSTITUTIONS = 100  # of one author
_MAX_RAW_AFFILIATIONS = 100  # of one author
_MAX_LOCATIONS = 1000
_MAX_NAME = 300
_MAX_AFFILIATION = 1000
_MAX_VENUE = 500
_MAX_DOI = 255
_MAX_KIND = 32
_MAX_TITLE = 2000
#: Words of a rebuilt abstract, and positions read from its index: far above any real abstract.
_MAX_ABSTRACT_WORDS = 20_000
_MAX_WORD = 200
_MIN_YEAR, _MAX_YEAR = 1000, 2999
_MAX_REMOTE_MESSAGE = 200

_UNWANTED_CHARACTERS = re.compile(
    r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)
_DOI_LINK = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+", re.ASCII)
# What may go into a ``filter=doi:…|…`` value: a ``|`` or ``,`` would start another value or
# filter, and OpenAlex could not be asked for such a DOI without being misread.
_FILTERABLE_DOI = re.compile(r"10\.\d{4,9}/[^\s|,]+", re.ASCII)
_OPENALEX_ID = re.compile(r"^(?:https://openalex\.org/)?(?P<id>[WIASPFC]\d{1,15})$")
_COUNTRY = re.compile(r"[A-Z]{2}", re.ASCII)
_POSITIONS = ("first", "middle", "last")
# Source types that say where a copy is kept or indexed, not where the paper appeared.
_NOT_VENUES = frozenset({"repository", "metadata"})

_TRANSIENT_STATUSES = frozenset({408, 425, 429})


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class OpenAlexInstitution:
    openalex_id: str  # "I5124864"
    name: str
    ror_id: str | None  # the nine characters after https://ror.org/
    country_code: str  # "CH", or "" when OpenAlex has none
    kind: str  # OpenAlex's type: "education", "company", …


@dataclass(frozen=True)
class OpenAlexAuthorship:
    name: str
    position: str  # "first", "middle", "last" or ""
    institutions: tuple[OpenAlexInstitution, ...]
    raw_affiliations: tuple[str, ...]


@dataclass(frozen=True)
class OpenAlexWork:
    openalex_id: str  # "W4365597205"
    doi: str  # lower-case, without https://doi.org/
    authorships: tuple[OpenAlexAuthorship, ...]
    venue: str  # "" when OpenAlex knows only the preprint server
    venue_type: str  # the venue's source type: "journal", "conference", …
    #: The DOI of the published version: the work's own unless it is arXiv's, else one of its
    #: locations'. ``None`` for a preprint nobody published.
    published_doi: str | None

    @property
    def institutions(self) -> tuple[OpenAlexInstitution, ...]:
        """Each institution once, in order of first appearance over the authors."""
        seen: dict[str, OpenAlexInstitution] = {}
        for authorship in self.authorships:
            for institution in authorship.institutions:
                seen.setdefault(institution.openalex_id, institution)
        return tuple(seen.values())


# --------------------------------------------------------------------------- errors


class OpenAlexError(SourceError):
    """Base class of what OpenAlex fails with (``papers.clients.http``'s family)."""


class OpenAlexUnavailable(OpenAlexError, SourceUnavailable):
    """OpenAlex could not be reached or asked us to back off; retrying later may succeed."""


class OpenAlexBadResponse(OpenAlexError, SourceBadResponse):
    """OpenAlex (or something pretending to be it) sent a body we refuse to interpret."""


@dataclass(frozen=True)
class OpenAlexRecord:
    """One work read for its metadata: the paper as the catalogue stores any source's, and the
    work's authorships, venue and published DOI as enrichment stores them."""

    paper: FoundPaper
    work: OpenAlexWork


# --------------------------------------------------------------------------- helpers


def arxiv_doi(arxiv_id: str) -> str:
    """The DOI DataCite registered for an arXiv paper (versionless id), as OpenAlex spells it."""
    return f"{ARXIV_DOI_PREFIX}{arxiv_id.strip().lower()}"


def normalize_doi(value: Any) -> str | None:
    """A bare, lower-case DOI from a DOI or a doi.org link; ``None`` for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    prefix = _DOI_LINK.match(text)
    if prefix:
        text = unquote(text[prefix.end() :])
    text = text.lower()
    if len(text) > _MAX_DOI or not _DOI.fullmatch(text):
        return None
    return text


def filterable(doi: str) -> bool:
    """Whether ``doi`` can be sent in a ``filter=doi:…|…`` value without being misread."""
    return bool(_FILTERABLE_DOI.fullmatch(doi))


# --------------------------------------------------------------------------- parsing


def parse_works(
    data: bytes, requested: Sequence[str], *, max_bytes: int = _DEFAULT_MAX_BYTES
) -> dict[str, OpenAlexWork]:
    """Parse a ``/works`` list response for the ``requested`` (bare, lower-case) DOIs.

    Returns the works by DOI; a DOI OpenAlex does not hold is absent. A work without a DOI, or
    with one that was not asked for, makes the whole answer suspect: ``OpenAlexBadResponse``.
    """
    if len(data) > max_bytes:
        raise OpenAlexBadResponse(
            f"OpenAlex sent a response larger than the {max_bytes} bytes we accept."
        )
    try:
        payload = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise OpenAlexBadResponse("OpenAlex sent JSON that is nested too deeply.") from exc
    except ValueError as exc:
        raise OpenAlexBadResponse("OpenAlex sent a response that is not valid JSON.") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
        raise OpenAlexBadResponse("OpenAlex sent JSON that is not a list of works.")
    results = payload["results"]
    if len(results) > PER_PAGE:
        raise OpenAlexBadResponse(f"OpenAlex sent more than {PER_PAGE} works on one page.")

    asked = set(requested)
    works: dict[str, OpenAlexWork] = {}
    for raw in results:
        if not isinstance(raw, dict):
            raise OpenAlexBadResponse("OpenAlex sent a work that is not an object.")
        work = _parse_work(raw)
        if work.doi not in asked:
            raise OpenAlexBadResponse(
                f"OpenAlex answered with a work we did not ask for (doi:{work.doi[:80]})."
            )
        # OpenAlex may hold a paper twice (a merge it has not made yet): the first, which it
        # ranks first, is kept.
        works.setdefault(work.doi, work)
    return works


def parse_record(data: bytes, doi: str, *, max_bytes: int = _DEFAULT_MAX_BYTES) -> OpenAlexRecord:
    """Parse a ``/works/<doi>`` answer (one work) for the (bare, lower-case) ``doi``.

    A work naming another DOI, or without a title, is ``OpenAlexBadResponse``: the caller then
    asks Crossref.
    """
    if len(data) > max_bytes:
        raise OpenAlexBadResponse(
            f"OpenAlex sent a response larger than the {max_bytes} bytes we accept."
        )
    payload = _load(data)
    if not isinstance(payload, dict):
        raise OpenAlexBadResponse("OpenAlex sent JSON that is not a work.")
    work = _parse_work(payload)
    if work.doi != doi:
        raise OpenAlexBadResponse(
            f"OpenAlex answered with a work we did not ask for (doi:{work.doi[:80]})."
        )
    title = _title(payload.get("title")) or _title(payload.get("display_name"))
    if not title:
        raise OpenAlexBadResponse(f"OpenAlex sent the work {work.openalex_id} without a title.")
    abstract = rebuild_abstract(payload.get("abstract_inverted_index"))
    published_on = _date(payload.get("publication_date"))
    year = payload.get("publication_year")
    if isinstance(year, bool) or not isinstance(year, int) or not _MIN_YEAR <= year <= _MAX_YEAR:
        year = published_on.year if published_on else None
    locations = _locations(payload)
    primary = locations[0] if locations else {}
    paper = FoundPaper(
        title=title,
        abstract=abstract,
        authors=tuple(
            # The institutions OpenAlex matched, by their names; the raw strings otherwise.
            FoundAuthor(a.name, tuple(i.name for i in a.institutions) or a.raw_affiliations)
            for a in work.authorships
        ),
        published_on=published_on,
        year=year,
        venue=work.venue if work.venue_type not in _NOT_VENUES else "",
        url=web_url(primary.get("landing_page_url")),
        pdf_url=_pdf_url(payload),
        code_url=find_code_url(abstract),
        doi=doi,
        arxiv_id=_arxiv_id(payload, locations),
    )
    return OpenAlexRecord(paper=paper, work=work)


def rebuild_abstract(value: Any) -> str:
    """The abstract of an ``abstract_inverted_index`` (each word with the positions it is at),
    as text; ``""`` when there is none. Words at positions beyond ``_MAX_ABSTRACT_WORDS`` and
    entries of the wrong type are left out: what is left is bounded whatever the index says."""
    if not isinstance(value, dict):
        return ""
    words: dict[int, str] = {}
    budget = _MAX_ABSTRACT_WORDS
    for word, positions in list(value.items())[:_MAX_ABSTRACT_WORDS]:
        if not isinstance(word, str) or not isinstance(positions, list):
            continue
        text = _text(word, _MAX_WORD)
        for position in positions[:budget]:
            budget -= 1
            if (
                text
                and isinstance(position, int)
                and not isinstance(position, bool)
                and 0 <= position < _MAX_ABSTRACT_WORDS
            ):
                words.setdefault(position, text)
        if budget <= 0:
            break
    return " ".join(words[position] for position in sorted(words))


def _pdf_url(raw: dict[str, Any]) -> str | None:
    """The PDF of the primary location, else of the best open one (not of any copy)."""
    for key in ("primary_location", "best_oa_location"):
        location = raw.get(key)
        if isinstance(location, dict) and (url := web_url(location.get("pdf_url"))):
            return url
    return None


def _title(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return " ".join(strip_markup(value[: _MAX_TITLE * 4]).split())[:_MAX_TITLE].rstrip()


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        day = dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
    return day if _MIN_YEAR <= day.year <= _MAX_YEAR else None


def _arxiv_id(raw: dict[str, Any], locations: list[dict[str, Any]]) -> str | None:
    """The paper's arXiv id, when its DOI, its ids or a location (an arXiv landing page, the
    DataCite DOI) names one."""
    ids = raw.get("ids") if isinstance(raw.get("ids"), dict) else {}
    candidates = [raw.get("doi"), ids.get("doi"), ids.get("arxiv")]
    for location in locations:
        candidates += [location.get("landing_page_url"), location.get("id")]
    for candidate in candidates:
        if not isinstance(candidate, str) or "arxiv" not in candidate.lower():
            continue
        text = candidate.strip()
        text = text.removeprefix("doi:") if text.startswith("doi:10.") else text
        try:
            identifier = parse_identifier(text[:300])
        except InvalidIdentifier:
            continue
        if identifier.scheme == "arxiv":
            return identifier.value
    return None


def _load(data: bytes) -> Any:
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise OpenAlexBadResponse("OpenAlex sent JSON that is nested too deeply.") from exc
    except ValueError as exc:
        raise OpenAlexBadResponse("OpenAlex sent a response that is not valid JSON.") from exc


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _parse_work(raw: dict[str, Any]) -> OpenAlexWork:
    openalex_id = _openalex_id(raw.get("id"))
    if openalex_id is None:
        raise OpenAlexBadResponse("OpenAlex sent a work without a usable id.")
    doi = normalize_doi(raw.get("doi"))
    if doi is None:
        raise OpenAlexBadResponse(f"OpenAlex sent the work {openalex_id} without a usable DOI.")
    locations = _locations(raw)
    venue, venue_type = _venue(locations)
    return OpenAlexWork(
        openalex_id=openalex_id,
        doi=doi,
        authorships=_authorships(raw.get("authorships")),
        venue=venue,
        venue_type=venue_type,
        published_doi=_published_doi(raw, locations),
    )


def _authorships(value: Any) -> tuple[OpenAlexAuthorship, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise OpenAlexBadResponse("OpenAlex sent a work whose authorships are not a list.")
    if len(value) > _MAX_AUTHORSHIPS:
        raise OpenAlexBadResponse(
            f"OpenAlex sent a work with more than {_MAX_AUTHORSHIPS} authorships."
        )
    authorships = []
    for raw in value:
        if not isinstance(raw, dict):
            raise OpenAlexBadResponse("OpenAlex sent an authorship that is not an object.")
        author = raw.get("author") if isinstance(raw.get("author"), dict) else {}
        name = _text(author.get("display_name"), _MAX_NAME) or _text(
            raw.get("raw_author_name"), _MAX_NAME
        )
        if not name:
            continue  # an affiliation without a person is not an author
        position = raw.get("author_position")
        authorships.append(
            OpenAlexAuthorship(
                name=name,
                position=position if position in _POSITIONS else "",
                institutions=_institutions(raw.get("institutions")),
                raw_affiliations=_texts(
                    raw.get("raw_affiliation_strings"), _MAX_RAW_AFFILIATIONS, _MAX_AFFILIATION
                ),
            )
        )
    return tuple(authorships)


def _institutions(value: Any) -> tuple[OpenAlexInstitution, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise OpenAlexBadResponse("OpenAlex sent an author whose institutions are not a list.")
    if len(value) > _MAX_INSTITUTIONS:
        raise OpenAlexBadResponse(
            f"OpenAlex sent an author with more than {_MAX_INSTITUTIONS} institutions."
        )
    institutions: dict[str, OpenAlexInstitution] = {}
    for raw in value:
        if not isinstance(raw, dict):
            raise OpenAlexBadResponse("OpenAlex sent an institution that is not an object.")
        openalex_id = _openalex_id(raw.get("id"))
        name = _text(raw.get("display_name"), _MAX_NAME)
        if openalex_id is None or not name:
            continue  # OpenAlex lists unmatched affiliations as institutions without an id
        country = raw.get("country_code")
        institutions.setdefault(
            openalex_id,
            OpenAlexInstitution(
                openalex_id=openalex_id,
                name=name,
                ror_id=ror_id(raw.get("ror")),
                country_code=country.upper()
                if isinstance(country, str) and _COUNTRY.fullmatch(country.upper())
                else "",
                kind=_text(raw.get("type"), _MAX_KIND) or "",
            ),
        )
    return tuple(institutions.values())


def _locations(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """The work's locations, the primary one first, then the best open one, then the others."""
    found = [raw.get("primary_location"), raw.get("best_oa_location")]
    others = raw.get("locations")
    if isinstance(others, list):
        found.extend(others[:_MAX_LOCATIONS])
    return [location for location in found if isinstance(location, dict)]


def _venue(locations: list[dict[str, Any]]) -> tuple[str, str]:
    """Where the paper appeared: the first source that is a venue (not a repository such as
    arXiv, nor an index such as the DataCite API), else the first source at all."""
    sources = [loc["source"] for loc in locations if isinstance(loc.get("source"), dict)]
    named = [
        (name, _text(source.get("type"), _MAX_KIND) or "")
        for source in sources
        if (name := _text(source.get("display_name"), _MAX_VENUE))
    ]
    for name, kind in named:
        if kind not in _NOT_VENUES:
            return name, kind
    return named[0] if named else ("", "")


def _published_doi(raw: dict[str, Any], locations: list[dict[str, Any]]) -> str | None:
    ids = raw.get("ids") if isinstance(raw.get("ids"), dict) else {}
    candidates = [raw.get("doi"), ids.get("doi")]
    candidates += [location.get("landing_page_url") for location in locations]
    for candidate in candidates:
        doi = normalize_doi(candidate)
        if doi and not doi.startswith("10.48550/"):
            return doi
    return None


def _openalex_id(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    match = _OPENALEX_ID.match(value.strip())
    return match["id"] if match else None


def _texts(value: Any, max_items: int, limit: int) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    texts = (_text(item, limit) for item in value[:max_items])
    return tuple(dict.fromkeys(text for text in texts if text))


def _text(value: Any, limit: int) -> str | None:
    """``value`` cleaned and cut to ``limit`` characters; ``None`` when missing or not text."""
    if not isinstance(value, str):
        return None
    text = " ".join(_UNWANTED_CHARACTERS.sub("", value[: limit * 4]).split())
    return text[:limit].rstrip() or None


def _remote_message(body: bytes) -> str:
    try:
        payload = json.loads(body[:10_000])
    except ValueError:
        return ""
    if not isinstance(payload, dict):
        return ""
    message = payload.get("message") or payload.get("error")
    text = _text(message, _MAX_REMOTE_MESSAGE) or ""
    return f": {text}" if text else ""


# --------------------------------------------------------------------------- client


class OpenAlexClient(KeptConnectionClient):
    """Looks works up by DOI, one request per batch, without retries and without sleeping."""

    def __init__(
        self,
        base_url: str,
        *,
        mailto: str = "",
        api_key: str = "",
        timeout: float = 15.0,
        max_bytes: int = _DEFAULT_MAX_BYTES,
        user_agent: str = _DEFAULT_USER_AGENT,
        limiter: Callable[[], AbstractContextManager[Any]] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.mailto = mailto.strip()
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        # Private, and never put into a message: the key is a secret.
        self._api_key = api_key.strip()
        self._limiter = limiter
        self._transport = transport
        self._http: httpx.Client | None = None
        #: Requests sent, for the callers' counts.
        self.requests = 0

    def fetch(self, dois: Sequence[str]) -> dict[str, OpenAlexWork]:
        """The works OpenAlex holds for ``dois`` (bare, lower-case, at most ``BATCH_SIZE``).

        One request. A DOI OpenAlex does not hold is absent from the answer. Raises
        ``ValueError`` for more than ``BATCH_SIZE`` DOIs or one that cannot go in a filter,
        before any request; then ``OpenAlexUnavailable`` (transient) or ``OpenAlexBadResponse``.
        """
        if isinstance(dois, str):
            raise TypeError("fetch() takes a sequence of DOIs, not a single string")
        wanted = list(dict.fromkeys(dois))
        if len(wanted) > BATCH_SIZE:
            raise ValueError(f"OpenAlex takes at most {BATCH_SIZE} DOIs in one filter.")
        for doi in wanted:
            if not filterable(doi) or doi != doi.lower():
                raise ValueError(f"{doi!r} cannot be sent in an OpenAlex filter.")
        if not wanted:
            return {}
        params = {
            "filter": "doi:" + "|".join(wanted),
            "per-page": str(PER_PAGE),
            "select": SELECT,
        }
        status, body = self._get(self.base_url.rstrip("/") + _WORKS_PATH, params)
        if status == 404:
            raise OpenAlexBadResponse("OpenAlex answered with unexpected HTTP status 404.")
        return parse_works(body, wanted, max_bytes=self.max_bytes)

    def fetch_work(self, doi: str) -> OpenAlexRecord | None:
        """The work OpenAlex holds for ``doi`` (bare, lower-case), read for its metadata;
        ``None`` when OpenAlex has none.

        One request. Raises ``ValueError`` for a DOI that is not one, before any request; then
        ``OpenAlexUnavailable`` (transient) or ``OpenAlexBadResponse``.
        """
        if normalize_doi(doi) != doi:
            raise ValueError(f"{doi!r} is not a bare, lower-case DOI.")
        params = {"select": RECORD_SELECT}
        url = f"{self.base_url.rstrip('/')}{_WORKS_PATH}/https://doi.org/{quote(doi, safe='/')}"
        status, body = self._get(url, params)
        if status == 404:
            return None
        return parse_record(body, doi, max_bytes=self.max_bytes)

    def _get(self, url: str, params: dict[str, str]) -> tuple[int, bytes]:
        """GET ``url`` in the polite pool; the status (200 or 404) and the body."""
        if self.mailto:
            params["mailto"] = self.mailto
        if self._api_key:
            params["api_key"] = self._api_key
        http = self._http_client()
        with self._limited():
            self.requests += 1
            status, headers, body = bounded_get(
                http,
                url,
                params=params,
                service="OpenAlex",
                max_bytes=self.max_bytes,
                timeout=self.timeout,
                unavailable=OpenAlexUnavailable,
                bad_response=OpenAlexBadResponse,
            )
        if status in _TRANSIENT_STATUSES or status >= 500:
            raise OpenAlexUnavailable(
                f"OpenAlex is temporarily unavailable (HTTP {status}). Please try again later.",
                retry_after=parse_retry_after(headers.get("Retry-After")),
            )
        if status in (401, 403):
            raise OpenAlexBadResponse(
                f"OpenAlex refused the request (HTTP {status}{_remote_message(body)}). "
                "Check OPENALEX_API_KEY and OPENALEX_MAILTO."
            )
        if status not in (200, 404):
            raise OpenAlexBadResponse(
                f"OpenAlex answered with unexpected HTTP status {status}{_remote_message(body)}."
            )
        return status, body
