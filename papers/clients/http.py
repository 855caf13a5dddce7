"""What the outside-API clients share: a bounded GET and the reading of ``Retry-After``.

Each client names its own service and error classes, so its callers still see ``ArxivUnavailable``
or ``AminerBadResponse`` with that service's name in the message.
"""

from __future__ import annotations

import contextlib
import html
import json
import math
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import Any, NoReturn

import httpx


def bounded_get(
    http: httpx.Client,
    url: str,
    *,
    params: dict[str, str],
    service: str,
    max_bytes: int,
    timeout: float,
    unavailable: type[Exception],
    bad_response: type[Exception],
) -> tuple[int, httpx.Headers, bytes]:
    """GET ``url``; return status, headers and at most ``max_bytes`` of body.

    Network faults raise ``unavailable`` (try again later); unreadable or oversized answers
    raise ``bad_response``.
    """
    try:
        with http.stream("GET", url, params=params) as response:
            body = _read_limited(response, service, max_bytes, timeout, unavailable, bad_response)
            return response.status_code, response.headers, body
    except httpx.TransportError as exc:
        # Timeouts, refused connections, resets, protocol errors: all "try again later".
        raise unavailable(f"{service} could not be reached. Please try again later.") from exc
    except (httpx.DecodingError, httpx.TooManyRedirects) as exc:
        raise bad_response(f"{service} sent a response that could not be read.") from exc


def _read_limited(
    response: httpx.Response,
    service: str,
    max_bytes: int,
    timeout: float,
    unavailable: type[Exception],
    bad_response: type[Exception],
) -> bytes:
    too_large = bad_response(
        f"{service} sent a response larger than the {max_bytes} bytes we accept."
    )
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise too_large

    # httpx's timeout applies per network operation, so a server trickling bytes could hold a
    # worker forever; bound the whole body read as well.
    deadline = monotonic() + timeout
    chunks: list[bytes] = []
    received = 0
    # iter_bytes() yields decompressed data, so the cap also defuses gzip bombs.
    for chunk in response.iter_bytes():
        received += len(chunk)
        if received > max_bytes:
            raise too_large
        chunks.append(chunk)
        if monotonic() > deadline:
            raise unavailable(f"{service} responded too slowly. Please try again later.")
    return b"".join(chunks)


def parse_retry_after(value: Any) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), if usable."""
    if value is None:
        return None
    value = str(value).strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        # "inf" and "nan" parse as floats but are no usable advice.
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


# --------------------------------------------------------------------------- the newer clients
#
# The clients of Crossref, the ACL Anthology, OpenReview and Semantic Scholar share one family of
# errors, so that the catalogue handles them alike; each message names its service.


class SourceError(Exception):
    """Base class; ``str(error)`` is phrased so that it can be shown to an end user."""


class SourceUnavailable(SourceError):
    """The service could not be reached or asked us to back off; retrying later may succeed."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SourceBadResponse(SourceError):
    """The service (or something pretending to be it) sent a body we refuse to interpret."""


class SourceNotConfigured(SourceError):
    """The service is switched off on this site (its URL setting is empty): it is never asked."""


#: HTTP statuses that say "not now" rather than "never": the caller should retry later.
TRANSIENT_STATUSES = frozenset({408, 425, 429})

# Control characters (other than white space, which is collapsed) and lone surrogates, which
# json.loads produces from "\u0000" or "\ud800" and which PostgreSQL or UTF-8 would refuse.
_UNWANTED_CHARACTERS = re.compile(
    r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)
# A tag of markup (JATS, MathML, HTML) as sources put them into titles and abstracts. Bounded and
# without nested repetition, so that it runs in linear time on any text.
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,1000}>")
_PARAGRAPH_END = re.compile(r"</(?:[A-Za-z]+:)?p>", re.IGNORECASE)
_LEADING_TITLE = re.compile(r"<(?:[A-Za-z]+:)?title>[^<>]{0,200}</(?:[A-Za-z]+:)?title>")


def get_json(
    http: httpx.Client,
    url: str,
    *,
    params: dict[str, str],
    service: str,
    max_bytes: int,
    timeout: float,
    refused: dict[int, str] | None = None,
) -> Any | None:
    """GET ``url`` and return its JSON, or ``None`` when the service answers 404 (no such paper).

    Raises ``SourceUnavailable`` for network faults, 408/425/429 and 5xx (with the advice of
    ``Retry-After``), ``SourceBadResponse`` for other statuses (with the message ``refused`` gives
    for it, if any) and for a body that is too large or not JSON.
    """
    status, headers, body = bounded_get(
        http,
        url,
        params=params,
        service=service,
        max_bytes=max_bytes,
        timeout=timeout,
        unavailable=SourceUnavailable,
        bad_response=SourceBadResponse,
    )
    if refused and status in refused:
        raise SourceBadResponse(refused[status])
    check_status(status, headers, service)
    if status == 404:
        return None
    return load_json(body, service)


def check_status(status: int, headers: httpx.Headers, service: str) -> None:
    """Raise the error an HTTP status other than 200 and 404 stands for."""
    if status in TRANSIENT_STATUSES or status >= 500:
        raise SourceUnavailable(
            f"{service} is temporarily unavailable (HTTP {status}). Please try again later.",
            retry_after=parse_retry_after(headers.get("Retry-After")),
        )
    if status not in (200, 404):
        raise SourceBadResponse(f"{service} answered with unexpected HTTP status {status}.")


def load_json(body: bytes, service: str) -> Any:
    try:
        return json.loads(body, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise SourceBadResponse(f"{service} sent JSON that is nested too deeply.") from exc
    except ValueError as exc:
        # JSONDecodeError, UnicodeDecodeError, NaN/Infinity and oversized integers alike.
        raise SourceBadResponse(f"{service} sent a response that is not valid JSON.") from exc


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def clean_text(value: str) -> str:
    """``value`` on one line: unwanted characters dropped, white space collapsed."""
    return " ".join(_UNWANTED_CHARACTERS.sub("", value).split())


def strip_markup(value: str) -> str:
    """Plain text from a title or an abstract written in JATS or HTML: a leading "Abstract"
    heading dropped, paragraphs kept apart by a blank line, tags removed, entities read.

    What is left is text, never markup: pages escape it like any other text.
    """
    # Matched at the start only: a search would try every position of a long text.
    value = value.lstrip()
    heading = _LEADING_TITLE.match(value)
    if heading:
        value = value[heading.end() :]
    paragraphs = _PARAGRAPH_END.split(value)
    texts = (clean_text(html.unescape(_TAG.sub(" ", part))) for part in paragraphs)
    return "\n\n".join(text for text in texts if text)


def web_url(value: Any, *, limit: int = 500) -> str | None:
    """``value`` if it is an http(s) link no longer than ``limit``: a javascript: or data: link
    would run on our pages."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) > limit or not value.lower().startswith(("https://", "http://")):
        return None
    return value


def user_agent(mailto: str = "") -> str:
    """What the clients call themselves; with a contact address, as the polite pools ask."""
    return f"{_USER_AGENT} (mailto:{mailto})" if mailto else _USER_AGENT


_USER_AGENT = "Weekly/0.1 (+https://github.com/weekly)"


class KeptConnectionClient:
    """A JSON API's client that keeps one ``httpx.Client`` for its life: building one loads the
    CA bundle (about 0.1 s), and a kept connection spares the server a handshake per request.

    Subclasses set ``timeout``, ``user_agent``, ``_transport``, ``_limiter`` and ``_http``
    (``None``) in their ``__init__``; ``accept``, ``follow_redirects`` and ``_extra_headers``
    say what differs (the ACL Anthology's XML, Semantic Scholar's key). Whoever builds a client
    closes it (``close``, or ``with``) once done.
    """

    #: The ``Accept`` header of every request.
    accept: str = "application/json"
    #: A client sending a secret in a custom header follows no redirect: httpx would hand it on.
    follow_redirects: bool = True
    timeout: float
    user_agent: str
    _transport: httpx.BaseTransport | None
    _limiter: Callable[[], AbstractContextManager[Any]] | None
    _http: httpx.Client | None

    def __enter__(self) -> KeptConnectionClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections kept open between requests."""
        if self._http is not None:
            self._http.close()
            self._http = None

    def _limited(self) -> AbstractContextManager[Any]:
        return self._limiter() if self._limiter is not None else contextlib.nullcontext()

    def _http_client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(
                transport=self._transport,
                timeout=httpx.Timeout(self.timeout),
                headers={
                    "User-Agent": self.user_agent,
                    "Accept": self.accept,
                    **self._extra_headers(),
                },
                follow_redirects=self.follow_redirects,
            )
        return self._http

    def _extra_headers(self) -> dict[str, str]:
        """Headers a subclass adds to every request."""
        return {}
