"""Brute-force protection per account: failed log-ins are counted per user name.

The per-address limits (the site's ``web_login`` throttle, the API's ``login`` rate) slow one
client down; they do not stop many addresses from guessing one member's password. Here failures
are counted per user name, whichever address they come from and whichever door they use (the
log-in page, the admin's log-in, ``POST /api/v1/auth/token/``): after ``LOGIN_FAILURE_LIMIT``
failures within ``LOGIN_FAILURE_WINDOW`` seconds of the first one, that name is refused, the
right password included, until the window ends. A successful log-in clears the count.

A name that belongs to nobody is counted and refused exactly like a member's, with the same
message, so the answers tell nothing about which accounts exist.

The counts live in the cache: Redis in production, where ``add`` and ``incr`` are atomic and
every web process shares them; the window is the count's time to live, so nothing needs
cleaning up.
"""

from __future__ import annotations

import hashlib
import math
import time
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.utils.translation import ngettext


class LoginLocked(Exception):
    """Too many failed log-ins for this user name; ``retry_after`` seconds remain."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(self.message)

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        return ngettext(
            "Too many failed log-ins for this user name. Please try again in %(minutes)d minute.",
            "Too many failed log-ins for this user name. Please try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}


def _keys(username: str) -> tuple[str, str]:
    """The cache keys of a user name's failure count and of the time of its first failure.

    Names are compared as Django's log-in form reads them (NFKC) and without case, since no two
    members' names differ only in case; the name itself stays out of the cache (a digest).
    """
    name = unicodedata.normalize("NFKC", username).casefold()
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
    return f"login-failures:{digest}", f"login-failures-since:{digest}"


def seconds_locked(username: str) -> int:
    """How many seconds ``username`` is still refused; 0 when it may try."""
    limit = settings.LOGIN_FAILURE_LIMIT
    if limit <= 0:
        return 0
    count_key, since_key = _keys(username)
    found = cache.get_many([count_key, since_key])
    if int(found.get(count_key) or 0) < limit:
        return 0
    window = settings.LOGIN_FAILURE_WINDOW
    since = found.get(since_key)
    remaining = window if since is None else since + window - time.time()
    return max(1, math.ceil(remaining))


def record_login_failure(username: str) -> int:
    """Count one failed log-in for ``username``; the count so far in its window.

    Side effects: writes the cache.
    """
    if settings.LOGIN_FAILURE_LIMIT <= 0:
        return 0
    count_key, since_key = _keys(username)
    window = settings.LOGIN_FAILURE_WINDOW
    # ``add`` starts a window only where none runs (atomic: SET NX in Redis); ``incr`` counts
    # within it without touching its expiry. Should the window end between the two, the next
    # loop starts a new one.
    for _attempt in range(3):
        if cache.add(count_key, 1, timeout=window):
            cache.set(since_key, time.time(), timeout=window)
            return 1
        try:
            return cache.incr(count_key)
        except ValueError:  # expired meanwhile
            continue
    return 0


def reset_login_failures(username: str) -> None:
    """Forget ``username``'s failed log-ins (after a successful one).

    Side effects: writes the cache.
    """
    cache.delete_many(list(_keys(username)))


def authenticate_member(request: Any, *, username: str, password: str) -> Any | None:
    """The active member with these credentials, or None; what every log-in calls.

    Raises ``LoginLocked`` when ``username`` has failed too often, before the password is
    even tried.

    Side effects: counts a failure, or clears the count on success (the cache).
    """
    wait = seconds_locked(username)
    if wait:
        raise LoginLocked(wait)
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        record_login_failure(username)
        return None
    reset_login_failures(username)
    return user
