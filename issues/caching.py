"""Published issues served from the cache, with validators for conditional requests.

A published issue changes only by a correction: what it shows was frozen at publication. So its
page, its exports, the API's copy of it, the archive and the feeds change only when an issue is
published or corrected, and every one of them is served from the Django cache (Redis in
production) and answers ``If-None-Match``/``If-Modified-Since`` with 304.

**The version.** One site-wide token in the cache, minted afresh by the publishing and correcting
services (``renew_published_version``, after their commit) and when it expires: every body is
stored with the version it was rendered in and every ETag contains it, so renewing it retires
everything at once and nothing is deleted. The
token needs no query: a missing one is minted, so a warm hit and a 304 cost no SQL at all. Each
process reads it at most once per ``PUBLISHED_VERSION_RECHECK`` seconds (production: one), so a
renewal reaches the other processes within that time and most hits touch no cache at all. It
expires after ``PUBLISHED_CACHE_SECONDS`` (an hour by default), which bounds how long what a
published page shows but was not frozen (a topic's name, a member's public name, the live paper
of an API entry, an admin's edit outside the services) can lag behind. Publications come weekly,
so retiring every page at each one costs one render per page and language that week, by one
process: the first to find its copy out of date renders it under a short lock in the cache,
and the others answer the previous version's copy, with its own validators, until the new one
is stored. Bodies are kept in Redis for every process and host, and the last few hundred in each
process's memory.

**The render generation** (``common.release``). A digest of the code, templates, translations and
static sources of the project's apps and of the installed packages' versions, computed once per
release: a deploy that changes any of them changes every key and ETag, with nothing to bump by
hand.

**Documents** (exports, feeds, the API's JSON) are the same bytes for every reader of a language
on a host: the body is cached under path, host, language, version and generation.

**Pages** (the issue page, the archive, the home page) carry the site header, which names a
logged-in member. For anonymous readers without query string and without pending messages they
are the same bytes for all, like documents: their forms (the language switch, the newsletter's
subscription) carry no CSRF token, since their views check where the form was posted from
(``common.csrf``), and a page that asked for the reader's token while it rendered is served to
that reader alone and never stored. Members get the page rendered for them, uncached and
without validator (``private, no-cache``): their header is theirs alone. What is the same for
every reader of such a page (an issue's body) is kept apart as its parts (``shared_parts``), so
a member's page costs its frame. A page that also shows what is not published (a paper's page,
with its catalogue row) adds the time that row changed to its key and validators.

Both answer with ``Cache-Control: public``, a lifetime and ``stale-while-revalidate``, and with
validators that depend on nothing of the reader's (an ETag of what the key holds, the version's
date), so browsers, proxies and CDNs may keep them and revalidate them with a 304. They vary by
``Accept-Language`` and ``Cookie``: the language comes from either, a member from the session
cookie.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.http import http_date, quote_etag
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_from_request

from common.release import render_generation

VERSION_KEY = "published:version"
BODY_KEY_PREFIX = "published:body:"
LOCK_PREFIX = "published:rendering:"
#: How long a process may take to render a body anew before another one may try: meanwhile
#: the others answer the previous version's copy.
RENDER_LOCK_SECONDS = 10
#: Browsers and shared caches may keep a page this many seconds before asking again...
PAGE_MAX_AGE = 60
#: ... and a document (an export, a feed, the API's copy) this many.
DOCUMENT_MAX_AGE = 300
#: Then, for this many more seconds, they may still serve their copy while they ask again.
STALE_WHILE_REVALIDATE = 600
PAGE_CACHE_CONTROL = (
    f"public, max-age={PAGE_MAX_AGE}, stale-while-revalidate={STALE_WHILE_REVALIDATE}"
)
DOCUMENT_CACHE_CONTROL = (
    f"public, max-age={DOCUMENT_MAX_AGE}, stale-while-revalidate={STALE_WHILE_REVALIDATE}"
)
#: Response headers kept with a cached body (the others are set anew on every response).
STORED_HEADERS = ("Content-Type", "Content-Disposition")
#: Bodies each process keeps in its own memory besides the shared cache.
RECENT_BODIES = 200
_SALT = "issues.caching.etag"
PAGE, DOCUMENT, PARTS = "page", "document", "parts"


def lifetime() -> int:
    """Seconds a version token, and the bodies cached under it, live at most."""
    return settings.PUBLISHED_CACHE_SECONDS


# --- the version ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    token: str
    #: When the token was minted (whole seconds since the epoch): the documents' Last-Modified.
    minted: int


def _mint() -> str:
    return f"{int(time.time())}.{secrets.token_hex(8)}"


def _parse(token: str) -> Version:
    return Version(token=token, minted=int(token.split(".", 1)[0]))


#: The token this process read last, and when (``time.monotonic``).
_last_read: tuple[str, float] | None = None


def published_version() -> Version:
    """The current version of everything published: at most one cache read, no query.

    With ``PUBLISHED_VERSION_RECHECK`` above zero (production: one second), a process reads the
    token again only that often, so most warm hits touch no cache at all; a renewal made in
    another process is seen within that time, one made in this process at once.
    """
    global _last_read
    recheck = settings.PUBLISHED_VERSION_RECHECK
    last = _last_read
    if recheck > 0 and last is not None and time.monotonic() - last[1] < recheck:
        return _parse(last[0])
    token = cache.get(VERSION_KEY)
    if token is None:
        fresh = _mint()
        # ``add``, not ``set``: a token that the publishing service set meanwhile wins.
        token = fresh if cache.add(VERSION_KEY, fresh, lifetime()) else cache.get(VERSION_KEY)
        # An unreachable cache answers None again: this request goes on with its own token.
        token = token or fresh
    _last_read = (token, time.monotonic())
    return _parse(token)


def retire_for_new_style(sender: Any, publication: Any, **kwargs: Any) -> None:
    """``publication_style_changed``: the copies rendered in the old style are out of date."""
    renew_published_version()


def renew_published_version() -> None:
    """Retire every cached published page, export, feed and API copy, and their ETags.

    Called inside the transaction of a service that changes what published issues show. The
    token is dropped at once, so the rest of that transaction (and a test running inside one)
    reads anew, and a fresh token is set once the transaction commits: a reader that rendered
    the old rows meanwhile stored them under a token that the new one replaces. No reader can
    store pre-commit rows under the post-commit token, which is minted only after the commit.
    """
    global _last_read
    _last_read = None
    cache.delete(VERSION_KEY)

    def renew() -> None:
        global _last_read
        token = _mint()
        cache.set(VERSION_KEY, token, lifetime())
        _last_read = (token, time.monotonic())

    transaction.on_commit(renew, robust=True)


# --- responses ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Variant:
    """One cached representation in one version: where it is kept, and its validators."""

    key: str
    version: str
    etag: str
    last_modified: int
    cache_control: str

    def apply(self, response: HttpResponse) -> HttpResponse:
        response.headers["ETag"] = self.etag
        response.headers["Last-Modified"] = http_date(self.last_modified)
        response.headers["Cache-Control"] = self.cache_control
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    def not_modified(self, request: HttpRequest) -> HttpResponse | None:
        """A 304 when the request's validators match, else None."""
        if not (
            request.META.get("HTTP_IF_NONE_MATCH") or request.META.get("HTTP_IF_MODIFIED_SINCE")
        ):
            return None
        headers = self.apply(HttpResponse())
        answer = get_conditional_response(
            request, etag=self.etag, last_modified=self.last_modified, response=headers
        )
        return None if answer is headers else answer

    def of(self, stored: dict[str, Any]) -> _Variant:
        """The variant that ``stored`` was rendered as (an earlier version, when it is stale)."""
        return replace(
            self, version=stored["version"], etag=stored["etag"], last_modified=stored["minted"]
        )


def _variant(
    request: HttpRequest,
    *,
    kind: str,
    cache_control: str,
    language: str | None = None,
    changed: dt.datetime | None = None,
) -> _Variant:
    version = published_version()
    # Feeds and the API make links absolute on the host asked: it is part of what is cached.
    identity = "\n".join(
        (
            kind,
            render_generation(),
            language or get_language() or "",
            request.scheme or "",
            request.get_host(),
            request.get_full_path(),
            changed.isoformat() if changed else "",
        )
    )
    etag = salted_hmac(_SALT, f"{identity}\n{version.token}", algorithm="sha256").hexdigest()
    return _Variant(
        key=BODY_KEY_PREFIX + hashlib.sha256(identity.encode()).hexdigest(),
        version=version.token,
        etag=quote_etag(etag[:32]),
        last_modified=max(version.minted, int(changed.timestamp()) if changed else 0),
        cache_control=cache_control,
    )


class _RecentBodies:
    """The bodies this process stored or fetched lately, by cache key, most recent last.

    Each holds the version it was rendered in: one of the current version answers a warm hit
    with the one cache read of the version (at most once a second), not a second one of the
    body; an older one is a stale copy (see ``_shared``). Redis holds every body for the other
    processes and hosts.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.bodies: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self.lock:
            body = self.bodies.get(key)
            if body is not None:
                self.bodies.move_to_end(key)
            return body

    def put(self, key: str, body: dict[str, Any]) -> None:
        with self.lock:
            self.bodies[key] = body
            self.bodies.move_to_end(key)
            while len(self.bodies) > self.size:
                self.bodies.popitem(last=False)


#: Some 30 kB each: a few megabytes per process.
_recent = _RecentBodies(RECENT_BODIES)


def _fetch(variant: _Variant) -> dict[str, Any] | None:
    """The body kept under the variant's key: of its version if any process has rendered that
    one, else the latest earlier one known, else None."""
    body = _recent.get(variant.key)
    if body is not None and body["version"] == variant.version:
        return body
    shared = cache.get(variant.key)
    if shared is not None:
        _recent.put(variant.key, shared)
        return shared
    return body


def _store(variant: _Variant, response: HttpResponse) -> None:
    headers = {name: response[name] for name in STORED_HEADERS if name in response}
    _keep(variant, content=response.content, headers=headers)


def _keep(variant: _Variant, **what: Any) -> None:
    body = {
        **what,
        "version": variant.version,
        "etag": variant.etag,
        "minted": variant.last_modified,
    }
    _recent.put(variant.key, body)
    cache.set(variant.key, body, lifetime())


def _claim(key: str) -> bool | None:
    """Whether this process may render the body of ``key`` anew: True when it took the lock
    (then it must ``_release`` it), None when nobody holds it (an unreachable cache), False when
    another process is rendering it."""
    if cache.add(LOCK_PREFIX + key, os.getpid(), RENDER_LOCK_SECONDS):
        return True
    return False if cache.get(LOCK_PREFIX + key) is not None else None


def _release(key: str) -> None:
    cache.delete(LOCK_PREFIX + key)


def _response(stored: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(stored["content"])
    for name, value in stored["headers"].items():
        response.headers[name] = value
    return response


def _cacheable(request: HttpRequest) -> bool:
    # Any query string would make another key: only the bare address is stored, so no client
    # can fill the cache with variants. The others are rendered, and still get validators.
    return request.method in ("GET", "HEAD") and not request.META.get("QUERY_STRING")


def _shared(
    request: HttpRequest,
    render: Callable[[], HttpResponse],
    *,
    kind: str,
    cache_control: str,
    changed: dt.datetime | None = None,
) -> HttpResponse:
    """The response that every reader of this address, language and host shares: from the
    cache, else rendered (and stored when the address has no query string).

    When the version changed (a publication, a correction), one process renders the body anew
    under a short lock in the cache; until it has stored it, the others answer the copy of the
    previous version, with that copy's own validators, instead of all rendering the same page
    at once.
    """
    variant = _variant(request, kind=kind, cache_control=cache_control, changed=changed)
    # Only this server makes its ETags (keyed with the secret key), and only for a response
    # that exists: a match answers at once. A date anyone can send waits until the response is
    # known to exist, so an unknown address stays a 404.
    if request.META.get("HTTP_IF_NONE_MATCH"):
        answer = variant.not_modified(request)
        if answer is not None:
            return answer
    cacheable = _cacheable(request)
    stored = _fetch(variant) if cacheable else None
    claimed: bool | None = None
    if stored is not None and stored["version"] != variant.version:
        claimed = _claim(variant.key)
        if claimed is False:
            # Another process renders this version: the previous one meanwhile.
            stale = variant.of(stored)
            _remember_page(request, kind, changed)
            return stale.not_modified(request) or stale.apply(_response(stored))
    if stored is not None and stored["version"] == variant.version:
        response = _response(stored)
    else:
        try:
            response = render()
            if response.status_code != 200 or response.streaming:
                return response
            if getattr(response, "personal", False):
                # It holds something of this reader's (a CSRF token): theirs alone.
                response.headers["Cache-Control"] = "private, no-cache"
                patch_vary_headers(response, ("Accept-Language", "Cookie"))
                return response
            if cacheable:
                _store(variant, response)
        finally:
            if claimed:
                _release(variant.key)
    _remember_page(request, kind, changed)
    return variant.not_modified(request) or variant.apply(response)


def _remember_page(request: HttpRequest, kind: str, changed: dt.datetime | None) -> None:
    """Let ``PublishedPageMiddleware`` look this page up from now on: not a page that also
    depends on when its row changed, which only its view can tell."""
    if kind == PAGE and changed is None and _cacheable(request):
        if len(_early_paths) >= EARLY_PATHS:
            _early_paths.clear()
        _early_paths.add(request.path)


def cached_document(request: HttpRequest, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The same bytes for every reader: an export, a feed, the API's JSON of a published issue.

    ``render`` makes the response (or raises Http404); it is called on a cache miss only.
    """
    return _shared(request, render, kind=DOCUMENT, cache_control=DOCUMENT_CACHE_CONTROL)


def _has_pending_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def cached_page(
    request: HttpRequest,
    render: Callable[[], HttpResponse],
    *,
    changed: dt.datetime | None = None,
) -> HttpResponse:
    """An HTML page with the site header: for anonymous readers, the same bytes for all of them,
    which any cache may keep; for members, rendered for them alone (see the module's note).

    ``render`` renders the page (or raises Http404); it is called on a cache miss, and for
    every member's request. ``changed`` is, for a page that shows what is not published (a
    catalogue row), when that row last changed: part of the key and of the validators, so a
    change shows at once.
    """
    if request.user.is_authenticated or _has_pending_messages(request):
        response = render()
        response.headers["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    def render_shared() -> HttpResponse:
        # The page's forms carry no CSRF token (common.csrf). Should anything ask for this
        # reader's token while it renders, it is in the page: served to them, never stored.
        asked = request.META.pop("CSRF_COOKIE_NEEDS_UPDATE", None)
        response = render()
        response.personal = "CSRF_COOKIE_NEEDS_UPDATE" in request.META  # type: ignore[attr-defined]
        if asked:
            request.META["CSRF_COOKIE_NEEDS_UPDATE"] = asked
        return response

    return _shared(
        request, render_shared, kind=PAGE, cache_control=PAGE_CACHE_CONTROL, changed=changed
    )


def shared_parts(
    request: HttpRequest, render: Callable[[], dict[str, str]]
) -> dict[str, SafeString]:
    """The parts of a member's page that every reader of this address and language sees alike
    (an issue's body, its contents, its links), rendered once per version and kept like pages:
    the member's page is then rendered around them, their own header and all, at the cost of
    its frame. ``render`` gives each part's HTML by name; it is called on a miss."""
    if not _cacheable(request):
        return {name: mark_safe(html) for name, html in render().items()}  # noqa: S308
    variant = _variant(request, kind=PARTS, cache_control="")
    stored = _fetch(variant)
    if stored is None or stored["version"] != variant.version:
        stored = {"parts": dict(render())}
        _keep(variant, parts=stored["parts"])
    # Our own templates' output, escaped as they rendered it.
    return {name: mark_safe(html) for name, html in stored["parts"].items()}  # noqa: S308


#: A query string longer than this is no reader's search: its part is rendered, not kept.
QUERY_PART_MAX = 300


def cached_query_part(request: HttpRequest, render: Callable[[], str], *, name: str) -> SafeString:
    """A part of a page that depends on its query string and otherwise only on what is
    published (a search's results, ``name``), for every reader alike: kept in the shared cache
    under the version and the whole query string, so a repeated search costs a cache read.

    Unlike pages, it is not kept in the process's memory, which holds the pages that the early
    answer serves: the searches of all readers would crowd them out. What such a part shows of
    the catalogue (a paper's title, its authors) may lag behind as long as the version lives."""
    if len(request.META.get("QUERY_STRING", "")) > QUERY_PART_MAX:
        return mark_safe(render())  # noqa: S308 (our own template's output)
    variant = _variant(request, kind=f"{PARTS}:{name}", cache_control="")
    stored = cache.get(variant.key)
    if stored is None or stored["version"] != variant.version:
        stored = {"html": render(), "version": variant.version}
        cache.set(variant.key, stored, lifetime())
    return mark_safe(stored["html"])  # noqa: S308 (our own template's output)


class PublishedPageMixin:
    """For a ``TemplateView`` of what is published: its GET goes through ``cached_page``."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        def render() -> HttpResponse:
            context = self.get_context_data(**kwargs)  # type: ignore[attr-defined]
            return self.render_to_response(context).render()  # type: ignore[attr-defined]

        return cached_page(request, render)


# --- the early answer -----------------------------------------------------------------------------

#: The paths of the pages this process served from the cache or stored: the only ones
#: ``PublishedPageMiddleware`` looks up, so any other request pays a set lookup, no more.
_early_paths: set[str] = set()
#: Past this many, the set starts again (only addresses of existing pages ever enter it).
EARLY_PATHS = 10_000
#: The cookie of ``django.contrib.messages``' cookie storage (the session's is the session's).
MESSAGES_COOKIE = "messages"


def early_answer(request: HttpRequest) -> HttpResponse | None:
    """An anonymous reader's page from this process's memory, or its 304, or None when the
    request needs the whole stack: a member's session, pending messages, a query string, a page
    this process does not hold."""
    if (
        request.method not in ("GET", "HEAD")
        or request.META.get("QUERY_STRING")
        or request.path not in _early_paths
    ):
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies:
        return None
    try:
        # What the language middleware activates (the address's language first) and
        # CommonMiddleware checks, decided alike.
        language = get_language_from_request(request, check_path=True)
        request.get_host()
    except DisallowedHost:
        return None
    variant = _variant(request, kind=PAGE, cache_control=PAGE_CACHE_CONTROL, language=language)
    if request.META.get("HTTP_IF_NONE_MATCH"):
        answer = variant.not_modified(request)
        if answer is not None:
            return answer
    stored = _recent.get(variant.key)
    if stored is None or stored["version"] != variant.version:
        return None
    response = variant.not_modified(request) or variant.apply(_response(stored))
    # What the language middleware and CommonMiddleware add on the way out.
    response.headers.setdefault("Content-Language", language)
    if response.status_code == 200:
        response.headers["Content-Length"] = str(len(response.content))
    return response


class PublishedPageMiddleware:
    """Answers an anonymous reader's request for a cached page before sessions, CSRF, the
    locale, authentication, messages and URL resolution run: placed right after WhiteNoise, a
    warm page then costs what a static file costs, and its 304 less.

    It answers only what the whole stack would answer the same way: a page that this process
    served to an anonymous reader (so it exists and is cached under the same key), to a request
    that carries no session or messages cookie and no query string, in the language the locale
    middleware would choose. Everything else goes on down the stack.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        answer = early_answer(request)
        return answer if answer is not None else self.get_response(request)
