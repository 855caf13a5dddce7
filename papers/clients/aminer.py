"""Client for the AMiner open platform paper API (``GET /api/paper/detail?id=<id>``).

Like the arXiv client next door, this module is free of Django and of the ORM: it turns an
AMiner id into a plain, immutable dataclass, so that it can be used (and tested) from a
Celery task, a management command or a shell without any database.

The response shape is AMiner's documented one. No real response has been recorded yet, so
the parser accepts the documented variants (``data`` as an object or a one-element list,
``venue`` as a string or an object) and treats everything else as a bad response rather than
guessing.

Policy the caller owns, not this module:

* Configuration. AMiner wants a token; without one ``AminerNotConfigured`` is raised before
  any request, and the contributor fills the paper's fields by hand.
* Retrying. The client never retries and never sleeps; it classifies failures
  (``AminerUnavailable`` is the only transient one) and the Celery task retries with backoff.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import unquote

import httpx

# The Retry-After parsing is shared on purpose, so that both clients give the task the same
# advice for the same header.
from papers.clients.arxiv import find_code_url
from papers.clients.http import bounded_get, parse_retry_after
from papers.identifiers import InvalidIdentifier, parse_identifier

__all__ = [
    "AminerAuthError",
    "AminerAuthor",
    "AminerBadResponse",
    "AminerClient",
    "AminerError",
    "AminerNotConfigured",
    "AminerPaper",
    "AminerUnavailable",
    "parse_detail",
]

_DETAIL_PATH = "/api/paper/detail"
_DEFAULT_USER_AGENT = "Weekly/0.1 (+https://github.com/weekly)"
_DEFAULT_MAX_BYTES = 2_000_000

# AMiner ids are MongoDB ObjectIds. Only the canonical spelling is sent: the caller is expected
# to have normalised it (papers.identifiers does), so anything else is a programming error.
_AMINER_ID = re.compile(r"[0-9a-f]{24}", re.ASCII)

# Limits far above any real paper, low enough that a lying server cannot fill our database.
# Big collaborations sign papers with a few thousand authors; arXiv caps abstracts at 1920
# characters, and other venues are not much longer.
_MAX_TITLE = 2000
_MAX_ABSTRACT = 100_000
_MAX_NAME = 500
_MAX_ORG = 2000
_MAX_VENUE = 2000
_MAX_DOI = 500
_MAX_URL = 2000
_MAX_AUTHORS = 10_000
_MAX_URLS = 1000
# How much of AMiner's own error message is quoted in ours.
_MAX_REMOTE_MESSAGE = 200
# Nothing outside this range is the publication year of a paper.
_MIN_YEAR, _MAX_YEAR = 1000, 2999

# Control characters (other than whitespace, which is collapsed) and lone surrogates, which
# json.loads happily produces from "\u0000" or "\ud800" and which PostgreSQL or UTF-8 encoding
# would later refuse.
_UNWANTED_CHARACTERS = re.compile(
    r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)
_DOI_PREFIX = re.compile(r"^(?:(?P<link>https?://(?:dx\.)?doi\.org/)|doi:\s*)", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+", re.ASCII)

# HTTP statuses that say "not now" rather than "never": the caller should retry later.
_TRANSIENT_STATUSES = frozenset({408, 425, 429})
_AUTH_STATUSES = frozenset({401, 403})


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class AminerAuthor:
    name: str  # "" when AMiner has none; so are the other fields
    name_zh: str
    org: str
    org_zh: str


@dataclass(frozen=True)
class AminerPaper:
    aminer_id: str  # 24 lowercase hex digits
    title: str  # "" when AMiner only has a Chinese title
    title_zh: str
    abstract: str  # the English abstract, or the Chinese one when that is all AMiner has
    authors: tuple[AminerAuthor, ...]
    doi: str | None  # lower-cased, without "https://doi.org/"
    year: int | None
    venue: str
    institutions: tuple[str, ...]  # distinct organisations, in author order
    url: str
    pdf_url: str | None
    code_url: str | None
    #: The paper's versionless arXiv id, when AMiner links it on arXiv (its urls, or an arXiv
    #: DOI): the catalogue knows then that both identifiers name one paper.
    arxiv_id: str | None = None


# --------------------------------------------------------------------------- errors


class AminerError(Exception):
    """Base class; ``str(error)`` is phrased so that it can be shown to an end user."""


class AminerUnavailable(AminerError):
    """AMiner could not be reached or asked us to back off; retrying later may succeed."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AminerBadResponse(AminerError):
    """AMiner (or something pretending to be it) sent a body we refuse to interpret."""


class AminerAuthError(AminerError):
    """AMiner refused our token. A configuration problem: retrying will not help."""


class AminerNotConfigured(AminerAuthError):
    """No token is configured, so AMiner is never asked."""

    def __init__(self) -> None:
        super().__init__(
            "AMiner cannot be asked for paper details because AMINER_API_TOKEN is not set. "
            "You can fill in the paper's fields by hand."
        )


# --------------------------------------------------------------------------- parsing


def parse_detail(
    data: bytes, aminer_id: str, *, max_bytes: int = _DEFAULT_MAX_BYTES
) -> AminerPaper | None:
    """Parse a ``/api/paper/detail`` response body for ``aminer_id``.

    Returns ``None`` when AMiner says it has no such paper. Raises ``AminerAuthError`` for an
    auth error envelope, ``AminerUnavailable`` for an envelope that reports overload or a
    server error, and ``AminerBadResponse`` for anything that is not the documented shape.
    """
    if len(data) > max_bytes:
        raise AminerBadResponse(
            f"AMiner sent a response larger than the {max_bytes} bytes we accept."
        )
    try:
        payload = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise AminerBadResponse("AMiner sent JSON that is nested too deeply.") from exc
    except ValueError as exc:
        # JSONDecodeError, UnicodeDecodeError, NaN/Infinity and oversized integers alike.
        raise AminerBadResponse("AMiner sent a response that is not valid JSON.") from exc

    if not isinstance(payload, dict) or not ({"success", "code", "data"} & payload.keys()):
        raise AminerBadResponse("AMiner sent JSON that is not a response envelope.")

    success = payload.get("success")
    code = payload.get("code")
    if success is not None and not isinstance(success, bool):
        raise AminerBadResponse("AMiner sent a response envelope whose success is not a boolean.")
    if code is not None and (isinstance(code, bool) or not isinstance(code, int)):
        raise AminerBadResponse("AMiner sent a response envelope whose code is not a number.")

    # The success flag is authoritative; the code only decides when the flag is missing.
    if success is False or (success is None and code is not None and code != 200):
        _raise_for_refusal(code, payload.get("msg"))
        return None

    record = _select_record(payload.get("data"))
    if record is None:
        return None
    return _parse_record(record, aminer_id)


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _raise_for_refusal(code: int | None, msg: Any) -> None:
    """Raise the error a failure envelope stands for; "no such paper" is not an error."""
    detail = f"code {code}" if code is not None else "no code"
    remote = _remote_message(msg)
    if remote:
        detail = f"{detail}: {remote}"
    family = _code_family(code)
    if family in _AUTH_STATUSES:
        raise AminerAuthError(
            f"AMiner rejected the API token ({detail}). Check AMINER_API_TOKEN; meanwhile the "
            "paper's fields can be filled in by hand."
        )
    if family == 404:
        return
    if family is not None and (family in _TRANSIENT_STATUSES or family >= 500):
        raise AminerUnavailable(
            f"AMiner is temporarily unavailable ({detail}). Please try again later."
        )
    raise AminerBadResponse(f"AMiner refused the request ({detail}).")


def _code_family(code: int | None) -> int | None:
    # AMiner refines HTTP-like codes with two more digits: 40101 is a kind of 401.
    if code is None:
        return None
    if 100 <= code <= 599:
        return code
    if 10_000 <= code <= 59_999:
        return code // 100
    return None


def _select_record(data: Any) -> dict[str, Any] | None:
    if isinstance(data, list):
        if len(data) > 1:
            raise AminerBadResponse("AMiner sent several papers for a single id.")
        data = data[0] if data else None
    if data is None:
        return None
    if not isinstance(data, dict):
        raise AminerBadResponse("AMiner sent paper data that is not an object.")
    return data or None


def _parse_record(record: dict[str, Any], aminer_id: str) -> AminerPaper:
    returned_id = _string(record, "id", _MAX_NAME)
    if returned_id is not None and returned_id.lower() != aminer_id:
        raise AminerBadResponse("AMiner sent a different paper than the one asked for.")

    title = _string(record, "title", _MAX_TITLE) or ""
    title_zh = _string(record, "title_zh", _MAX_TITLE) or ""
    if not (title or title_zh):
        raise AminerBadResponse("AMiner sent a paper without a title.")
    abstract_en = _string(record, "abstract", _MAX_ABSTRACT)
    abstract_zh = _string(record, "abstract_zh", _MAX_ABSTRACT)
    authors = _parse_authors(record.get("authors"))
    urls = _parse_urls(record.get("urls"))

    return AminerPaper(
        aminer_id=aminer_id,
        title=title,
        title_zh=title_zh,
        abstract=abstract_en or abstract_zh or "",
        authors=authors,
        doi=_parse_doi(_string(record, "doi", _MAX_DOI)),
        year=_parse_year(record.get("year")),
        venue=_parse_venue(record.get("venue")),
        institutions=tuple(
            dict.fromkeys(org for author in authors if (org := author.org or author.org_zh))
        ),
        url=f"https://www.aminer.cn/pub/{aminer_id}",
        pdf_url=_web_url(_string(record, "pdf", _MAX_URL)),
        code_url=find_code_url(*urls, abstract_en, abstract_zh),
        arxiv_id=_find_arxiv_id(urls, _string(record, "doi", _MAX_DOI)),
    )


def _find_arxiv_id(urls: tuple[str, ...], doi: str | None) -> str | None:
    """The first arXiv id among the paper's links and its DOI (arXiv registers DOIs too), by
    the parser that reads what members paste; AMiner ids and other links are passed over."""
    for candidate in (*urls, *(doi or "").split()[:1]):
        try:
            identifier = parse_identifier(candidate)
        except InvalidIdentifier:
            continue
        if identifier.scheme == "arxiv":
            return identifier.value
    return None


def _parse_authors(value: Any) -> tuple[AminerAuthor, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise AminerBadResponse("AMiner sent a paper whose authors are not a list.")
    if len(value) > _MAX_AUTHORS:
        raise AminerBadResponse(f"AMiner sent a paper with more than {_MAX_AUTHORS} authors.")
    authors = []
    for raw in value:
        if not isinstance(raw, dict):
            raise AminerBadResponse("AMiner sent an author that is not an object.")
        author = AminerAuthor(
            name=_string(raw, "name", _MAX_NAME, owner="an author") or "",
            name_zh=_string(raw, "name_zh", _MAX_NAME, owner="an author") or "",
            org=_string(raw, "org", _MAX_ORG, owner="an author") or "",
            org_zh=_string(raw, "org_zh", _MAX_ORG, owner="an author") or "",
        )
        # An organisation without a person is not an author.
        if author.name or author.name_zh:
            authors.append(author)
    return tuple(authors)


def _parse_urls(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise AminerBadResponse("AMiner sent a paper whose urls are not a list.")
    if len(value) > _MAX_URLS:
        raise AminerBadResponse(f"AMiner sent a paper with more than {_MAX_URLS} urls.")
    urls = []
    for raw in value:
        if raw is not None and not isinstance(raw, str):
            raise AminerBadResponse("AMiner sent a paper whose urls are not all text.")
        url = _clean(raw or "")
        if len(url) > _MAX_URL:
            raise AminerBadResponse(f"AMiner sent a url longer than {_MAX_URL} characters.")
        if url:
            urls.append(url)
    return tuple(urls)


def _parse_doi(value: str | None) -> str | None:
    if value is None:
        return None
    # Like arXiv's field, AMiner's may hold several DOIs; the dataclass keeps the first.
    doi = value.split()[0]
    prefix = _DOI_PREFIX.match(doi)
    if prefix:
        doi = doi[prefix.end() :]
        if prefix["link"]:
            doi = unquote(doi)
    doi = doi.lower()
    # "N/A", "-" and the like are what a missing DOI looks like in scraped metadata.
    return doi if _DOI.fullmatch(doi) else None


def _parse_year(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise AminerBadResponse("AMiner sent a paper whose year is not a whole number.")
    if value == 0:
        return None  # a zero year reads as "unknown"
    if not _MIN_YEAR <= value <= _MAX_YEAR:
        raise AminerBadResponse(f"AMiner sent a paper with the impossible year {value}.")
    return value


def _parse_venue(value: Any) -> str:
    if isinstance(value, dict):
        raw = _string(value, "raw", _MAX_VENUE, owner="a venue")
        return raw or _string(value, "name", _MAX_VENUE, owner="a venue") or ""
    if value is None or isinstance(value, str):
        return _text(value, "venue", _MAX_VENUE) or ""
    raise AminerBadResponse("AMiner sent a paper whose venue is neither text nor an object.")


def _web_url(value: str | None) -> str | None:
    if value is None or not value.lower().startswith(("https://", "http://")):
        return None
    return value


def _string(
    record: dict[str, Any], field: str, limit: int, *, owner: str = "a paper"
) -> str | None:
    """Return ``record[field]`` cleaned, or ``None`` when it is missing, null or blank."""
    return _text(record.get(field), field, limit, owner=owner)


def _text(value: Any, field: str, limit: int, *, owner: str = "a paper") -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise AminerBadResponse(f"AMiner sent {owner} whose {field} is not text.")
    text = _clean(value)
    if len(text) > limit:
        raise AminerBadResponse(
            f"AMiner sent {owner} whose {field} is longer than {limit} characters."
        )
    return text or None


def _clean(value: str) -> str:
    return " ".join(_UNWANTED_CHARACTERS.sub("", value).split())


def _remote_message(msg: Any) -> str:
    # AMiner's own words end up in our message, so keep them short and printable.
    if not isinstance(msg, str):
        return ""
    text = _clean(msg)
    if len(text) > _MAX_REMOTE_MESSAGE:
        text = text[: _MAX_REMOTE_MESSAGE - 1] + "…"
    return text


# --------------------------------------------------------------------------- client


class AminerClient:
    """Fetches one AMiner paper by id, without retries and without sleeping."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str = "",
        timeout: float = 15.0,
        max_bytes: int = _DEFAULT_MAX_BYTES,
        user_agent: str = _DEFAULT_USER_AGENT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        # Private, and never put into a message: the token is a secret.
        self._token = token.strip()
        self._transport = transport

    def fetch(self, aminer_id: str) -> AminerPaper | None:
        """Fetch the paper ``aminer_id`` (24 lowercase hex digits); ``None`` if AMiner has none.

        Raises ``ValueError`` for a malformed id and ``AminerNotConfigured`` without a token,
        both before any request; then ``AminerUnavailable`` (transient), ``AminerAuthError``
        or ``AminerBadResponse``.
        """
        if not isinstance(aminer_id, str) or not _AMINER_ID.fullmatch(aminer_id):
            raise ValueError(f"AMiner ids are 24 lowercase hex digits, not {aminer_id!r}.")
        if not self._token:
            raise AminerNotConfigured()
        if not self._token.isascii() or not self._token.isprintable():
            # httpx would refuse the header anyway; say why in terms an administrator can act on.
            raise AminerAuthError(
                "AMINER_API_TOKEN contains characters that cannot be sent to AMiner. "
                "You can fill in the paper's fields by hand."
            )

        with self._http_client() as http:
            status, headers, body = self._get(http, aminer_id)

        if status in _AUTH_STATUSES:
            raise AminerAuthError(
                f"AMiner rejected the API token (HTTP {status}). Check AMINER_API_TOKEN; "
                "meanwhile the paper's fields can be filled in by hand."
            )
        if status in _TRANSIENT_STATUSES or status >= 500:
            raise AminerUnavailable(
                f"AMiner is temporarily unavailable (HTTP {status}). Please try again later.",
                retry_after=parse_retry_after(headers.get("Retry-After")),
            )
        if status == 404:
            # A "paper not found" envelope may come with HTTP 404; an HTML 404 page means the
            # endpoint is wrong (AMINER_API_URL, say), which must not pass for a missing paper.
            unexpected = AminerBadResponse("AMiner answered with unexpected HTTP status 404.")
            try:
                found = parse_detail(body, aminer_id, max_bytes=self.max_bytes)
            except AminerBadResponse as exc:
                raise unexpected from exc
            if found is not None:
                raise unexpected
            return None
        if status != 200:
            raise AminerBadResponse(f"AMiner answered with unexpected HTTP status {status}.")
        return parse_detail(body, aminer_id, max_bytes=self.max_bytes)

    def _http_client(self) -> httpx.Client:
        return httpx.Client(
            transport=self._transport,
            timeout=httpx.Timeout(self.timeout),
            headers={
                "User-Agent": self.user_agent,
                "Accept": "application/json",
                # AMiner takes the bare token, without a "Bearer" scheme.
                "Authorization": self._token,
            },
            # httpx drops the Authorization header when a redirect leaves the origin, and caps
            # the length of the chain.
            follow_redirects=True,
        )

    def _get(self, http: httpx.Client, aminer_id: str) -> tuple[int, httpx.Headers, bytes]:
        return bounded_get(
            http,
            self.base_url.rstrip("/") + _DETAIL_PATH,
            params={"id": aminer_id},
            service="AMiner",
            max_bytes=self.max_bytes,
            timeout=self.timeout,
            unavailable=AminerUnavailable,
            bad_response=AminerBadResponse,
        )
