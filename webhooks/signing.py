"""The signature of a webhook's payload: HMAC-SHA256 over the timestamp and the body.

The header, as Stripe's: ``Weekly-Signature: t=1733500000,v1=5257a869…`` where ``v1`` is the
hex digest of HMAC-SHA256(secret, f"{t}.{body}"). The receiver recomputes it with its secret and
refuses a timestamp too old, so a recorded call cannot be replayed later. docs/DEPLOY.md shows
the same check in a few lines of Python that need nothing of this project.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Weekly-Signature"
#: How old a signature may be (seconds) before ``verify`` refuses it.
TOLERANCE = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The ``Weekly-Signature`` header's value for ``body``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(
    secret: str, header: str, body: bytes, *, now: float | None = None, tolerance: int = TOLERANCE
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret``, made within ``tolerance`` seconds."""
    parts: dict[str, list[str]] = {}
    for item in (header or "").split(","):
        name, _sep, value = item.strip().partition("=")
        parts.setdefault(name, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))
