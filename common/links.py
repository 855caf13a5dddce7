"""Links to the public site for places that have no request to build them from (mail), or that
must give the canonical address whatever host was asked (feed ids, robots.txt)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing


def site_url(path: str) -> str:
    """``path`` as a full link on the public site, ``SITE_URL``."""
    return settings.SITE_URL + path


#: Longest token accepted in a signed link; real ones are under 100 characters.
MAX_TOKEN_LENGTH = 300


def read_signed_token(token: str, *, salt: str, max_age: int | None = None) -> dict[str, Any]:
    """The payload of a signed link's token (made by ``signing.dumps`` of a dict with ``salt``).

    Raises ``signing.BadSignature`` for anything else: empty, too long, forged, signed for
    another purpose; ``signing.SignatureExpired`` (a subclass) when older than ``max_age``.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise signing.BadSignature("No token of ours has this length.")
    payload = signing.loads(token, salt=salt, max_age=max_age)
    if not isinstance(payload, dict):
        raise signing.BadSignature("No token of ours holds this.")
    return payload
