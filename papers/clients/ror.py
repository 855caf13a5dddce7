"""Client for the ROR API, schema v2: one organisation's record by its ROR id.

``GET /organizations/<id>`` answers with the organisation's names, each with its language tag
and kinds (``label``, ``acronym``, ``alias``, ``ror_display``), where it is, and its types. The
catalogue keeps the names in ROR's own shape, so that 清华大学 comes with Tsinghua University.

Free of Django and of the ORM, like the other clients; it never retries and never sleeps. The
caller hands in the cross-process ``limiter`` (ROR documents 2,000 requests per 5 minutes) and
retries on ``RorUnavailable``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, NoReturn

import httpx

from papers.clients.http import (
    KeptConnectionClient,
    SourceBadResponse,
    SourceError,
    SourceUnavailable,
    bounded_get,
    parse_retry_after,
)

__all__ = [
    "RorBadResponse",
    "RorClient",
    "RorError",
    "RorName",
    "RorOrganization",
    "RorUnavailable",
    "parse_organization",
    "ror_id",
]

_DEFAULT_USER_AGENT = "Weekly/0.1 (+https://github.com/weekly)"
# A record is a few kilobytes; the largest (many relationships) well under a megabyte.
_DEFAULT_MAX_BYTES = 2_000_000

_MAX_NAMES = 200
_MAX_NAME = 300
_MAX_LANG = 16
_MAX_TYPES = 20
_MAX_TYPE = 32
_NAME_TYPES = frozenset({"label", "acronym", "alias", "ror_display"})

_UNWANTED_CHARACTERS = re.compile(
    r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)
# "0", six characters of Crockford's base 32, two check digits.
_ROR_ID = re.compile(r"^(?:https?://ror\.org/)?(?P<id>0[0-9a-hjkmnp-tv-z]{6}[0-9]{2})$")
_LANG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", re.ASCII)
_COUNTRY = re.compile(r"[A-Z]{2}", re.ASCII)
_TRANSIENT_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True)
class RorName:
    value: str
    lang: str | None  # an ISO 639 code, "zh", or None
    types: tuple[str, ...]  # "label", "acronym", "alias", "ror_display"

    def as_json(self) -> dict[str, Any]:
        """The name in ROR's own shape, as ``Institution.names`` keeps it."""
        return {"value": self.value, "lang": self.lang, "types": list(self.types)}


@dataclass(frozen=True)
class RorOrganization:
    ror_id: str
    names: tuple[RorName, ...]
    country_code: str  # "" when ROR gives none
    types: tuple[str, ...]  # "education", "company", …

    @property
    def display_name(self) -> str:
        for name in self.names:
            if "ror_display" in name.types:
                return name.value
        return self.names[0].value if self.names else ""

    def label(self, lang: str) -> str:
        """The organisation's label in ``lang`` (``"zh"``), or ``""``."""
        for name in self.names:
            if "label" in name.types and name.lang == lang:
                return name.value
        return ""


class RorError(SourceError):
    """Base class of what ROR fails with (``papers.clients.http``'s family)."""


class RorUnavailable(RorError, SourceUnavailable):
    """ROR could not be reached or asked us to back off; retrying later may succeed."""


class RorBadResponse(RorError, SourceBadResponse):
    """ROR (or something pretending to be it) sent a body we refuse to interpret."""


def ror_id(value: Any) -> str | None:
    """The nine-character ROR id of an id or a ``https://ror.org/…`` link, else ``None``."""
    if not isinstance(value, str):
        return None
    match = _ROR_ID.match(value.strip().lower())
    return match["id"] if match else None


def parse_organization(
    data: bytes, wanted: str, *, max_bytes: int = _DEFAULT_MAX_BYTES
) -> RorOrganization:
    """Parse a v2 ``/organizations/<id>`` body for the ROR id ``wanted``."""
    if len(data) > max_bytes:
        raise RorBadResponse(f"ROR sent a response larger than the {max_bytes} bytes we accept.")
    try:
        payload = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise RorBadResponse("ROR sent JSON that is nested too deeply.") from exc
    except ValueError as exc:
        raise RorBadResponse("ROR sent a response that is not valid JSON.") from exc
    if not isinstance(payload, dict):
        raise RorBadResponse("ROR sent JSON that is not an organisation.")
    found = ror_id(payload.get("id"))
    if found is None:
        raise RorBadResponse("ROR sent an organisation without a usable id.")
    if found != wanted:
        raise RorBadResponse(f"ROR sent the organisation {found} when asked for {wanted}.")
    names = payload.get("names")
    if not isinstance(names, list):
        # v1 records have "name" and "labels" instead: a ROR_API_URL without /v2.
        raise RorBadResponse("ROR sent a record without a list of names (is ROR_API_URL v2?).")
    return RorOrganization(
        ror_id=found,
        names=_names(names),
        country_code=_country(payload.get("locations")),
        types=_types(payload.get("types")),
    )


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _names(value: list[Any]) -> tuple[RorName, ...]:
    if len(value) > _MAX_NAMES:
        raise RorBadResponse(f"ROR sent an organisation with more than {_MAX_NAMES} names.")
    names: dict[tuple[str, str | None], RorName] = {}
    for raw in value:
        if not isinstance(raw, dict):
            raise RorBadResponse("ROR sent a name that is not an object.")
        text = _text(raw.get("value"), _MAX_NAME)
        if not text:
            continue
        lang = raw.get("lang")
        lang = lang.strip() if isinstance(lang, str) else None
        if not lang or len(lang) > _MAX_LANG or not _LANG.fullmatch(lang):
            lang = None
        types = raw.get("types") if isinstance(raw.get("types"), list) else []
        kinds = tuple(dict.fromkeys(t for t in types[:_MAX_TYPES] if t in _NAME_TYPES))
        names.setdefault((text, lang), RorName(value=text, lang=lang, types=kinds))
    return tuple(names.values())


def _country(value: Any) -> str:
    if not isinstance(value, list) or not value or not isinstance(value[0], dict):
        return ""
    details = value[0].get("geonames_details")
    code = details.get("country_code") if isinstance(details, dict) else None
    if isinstance(code, str) and _COUNTRY.fullmatch(code.strip().upper()):
        return code.strip().upper()
    return ""


def _types(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    texts = (_text(item, _MAX_TYPE) for item in value[:_MAX_TYPES])
    return tuple(dict.fromkeys(t.lower() for t in texts if t))


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(_UNWANTED_CHARACTERS.sub("", value[: limit * 4]).split())
    return text[:limit].rstrip() or None


class RorClient(KeptConnectionClient):
    """Reads one organisation's record, without retries and without sleeping."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 15.0,
        max_bytes: int = _DEFAULT_MAX_BYTES,
        user_agent: str = _DEFAULT_USER_AGENT,
        limiter: Callable[[], AbstractContextManager[Any]] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self._limiter = limiter
        self._transport = transport
        self._http: httpx.Client | None = None
        #: Requests sent, for the callers' counts.
        self.requests = 0

    def fetch(self, wanted: str) -> RorOrganization | None:
        """The record of the ROR id ``wanted`` (nine characters); ``None`` if ROR has none.

        Raises ``ValueError`` for a malformed id before any request; then ``RorUnavailable``
        (transient) or ``RorBadResponse``.
        """
        if ror_id(wanted) != wanted:
            raise ValueError(f"ROR ids are nine characters like 02s376052, not {wanted!r}.")
        limited = self._limited()
        http = self._http_client()
        with limited:
            self.requests += 1
            status, headers, body = bounded_get(
                http,
                f"{self.base_url.rstrip('/')}/organizations/{wanted}",
                params={},
                service="ROR",
                max_bytes=self.max_bytes,
                timeout=self.timeout,
                unavailable=RorUnavailable,
                bad_response=RorBadResponse,
            )
        if status in _TRANSIENT_STATUSES or status >= 500:
            raise RorUnavailable(
                f"ROR is temporarily unavailable (HTTP {status}). Please try again later.",
                retry_after=parse_retry_after(headers.get("Retry-After")),
            )
        if status == 404:
            return None
        if status != 200:
            raise RorBadResponse(f"ROR answered with unexpected HTTP status {status}.")
        return parse_organization(body, wanted, max_bytes=self.max_bytes)
