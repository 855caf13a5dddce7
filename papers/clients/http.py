"""What the outside-API clients share: a bounded GET and the reading of ``Retry-After``.

Each client names its own service and error classes, so its callers still see ``ArxivUnavailable``
or ``AminerBadResponse`` with that service's name in the message.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import Any

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
