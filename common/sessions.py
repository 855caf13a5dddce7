"""The session store (``SESSION_ENGINE``): Django's database sessions, with a stricter key check.

Django makes every session key of lower-case letters and digits, but takes any cookie of eight
characters or more as a key to look up. A cookie with a NUL in it would reach PostgreSQL, which
refuses it in a query: a server error instead of an anonymous request.
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

_KEY_CHARS = frozenset(VALID_KEY_CHARS)


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        # An invalid key is set to None, as if there were no cookie: no query is made for it, and
        # the session is empty.
        return bool(super()._validate_session_key(key)) and _KEY_CHARS.issuperset(key)
