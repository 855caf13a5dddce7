"""The browser tests: the system Chromium driven by Playwright against Django's live server.

Fixtures, for a test marked ``pytest.mark.browser``:

- ``browser``: one Chromium per test module (skips, saying why, when there is none);
- ``site``: the live server's base URL, with a local arXiv stand-in behind it and tasks in-process;
- ``page``: a fresh browser context (own cookies, English, 1280×900) and its page, whose console
  errors, page errors and requests are recorded in ``browser_log``; at the end of the test the
  page must have met no console error and asked no other host than the live server;
- ``browser_log``: that record (``assert_clean()``, ``expect_console_error(pattern)``);
- ``arxiv``: the stand-in (``arxiv.entries[id] = arxiv_entry(…)`` adds a paper it knows);
- ``seeded``: a publication with a published issue, its editor, reviewer and contributor;
- ``open_page``: another page in a new context (a second user, another viewport), recorded too.

Helpers in ``tests/browser/helpers.py``: ``login(page, user)``, ``log_in_with_form(page,
username, password)``, ``use_language(page, "zh-hans")``, ``switch_language(page, "中文")``,
``language_of(page)``, ``horizontal_overflow(page)``, ``arxiv_entry(…)``.

On failure every open page is saved to ``var/browser-failures/<test>.png`` (and ``.html``), and
the report names the files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from tests.browser import chromium
from tests.browser.helpers import Seeded, seed_published_issue
from tests.servers.arxiv import ArxivStandIn

FAILURES_DIR = Path(__file__).resolve().parents[2] / "var" / "browser-failures"
#: Playwright's waits, in milliseconds: generous for a loaded CI machine, short enough to fail.
TIMEOUT_MS = 10_000


@dataclass
class BrowserLog:
    """What the pages of one test did: console errors, uncaught errors and every request URL."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    expected: list[re.Pattern[str]] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("request", lambda request: self.requests.append(request.url))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            location = message.location or {}
            self.console_errors.append(f"{message.text} ({location.get('url', '?')})")

    def expect_console_error(self, pattern: str) -> None:
        """A console error matching ``pattern`` is part of this test (a 403 page, say)."""
        self.expected.append(re.compile(pattern))

    def foreign_requests(self) -> list[str]:
        # A blob: URL of our own origin is made in the page (Redoc's search worker), not fetched.
        return [
            url
            for url in self.requests
            if not (url.startswith(self.origin + "/") or url == self.origin)
            and not url.startswith(("data:", "about:", f"blob:{self.origin}/"))
        ]

    def unexpected_console_errors(self) -> list[str]:
        return [
            text
            for text in self.console_errors
            if not any(pattern.search(text) for pattern in self.expected)
        ]

    def assert_clean(self) -> None:
        problems = []
        if errors := self.unexpected_console_errors():
            problems.append("console errors:\n  " + "\n  ".join(errors))
        if self.page_errors:
            problems.append("uncaught page errors:\n  " + "\n  ".join(self.page_errors))
        if foreign := self.foreign_requests():
            problems.append(
                f"requests to hosts other than {self.origin}:\n  " + "\n  ".join(foreign)
            )
        assert not problems, "\n".join(problems)


# --- the browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _playwright() -> Iterator[Any]:
    """Playwright, for one test module at a time.

    Its synchronous API runs an asyncio loop in this thread, which Django takes for an async
    context and refuses database queries in; the tests' own queries are synchronous code, so the
    check is lifted while Playwright runs, and only then.
    """
    reason = chromium.missing_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="module")
def browser(_playwright: Any) -> Iterator[Any]:
    """The system Chromium (one per test module; launching takes well under a second)."""
    instance = chromium.launch(_playwright)
    yield instance
    instance.close()


# --- the site -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _arxiv_server() -> Iterator[ArxivStandIn]:
    with ArxivStandIn().running() as stand_in:
        yield stand_in


@pytest.fixture
def arxiv(_arxiv_server: ArxivStandIn, settings: Any) -> Iterator[ArxivStandIn]:
    """The local arXiv stand-in the live server fetches metadata from, its log emptied."""
    settings.ARXIV_API_URL = _arxiv_server.url
    known = dict(_arxiv_server.entries)
    _arxiv_server.requests.clear()
    yield _arxiv_server
    _arxiv_server.entries = known


@pytest.fixture
def site(live_server: Any, arxiv: ArxivStandIn, settings: Any) -> str:
    """The live server's base URL (no trailing slash). Tasks run in-process (the ``_offline``
    fixture of ``tests/conftest.py``), metadata comes from the stand-in, mail stays in
    ``django.core.mail.outbox``, and links in mail point at this server."""
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def seeded(site: str, arxiv: ArxivStandIn) -> Seeded:
    """A publication with a published issue of two papers, made through the services (see
    ``helpers.seed_published_issue``), with its editor, reviewer and contributor."""
    return seed_published_issue(arxiv)


@pytest.fixture(autouse=True)
def _addresses_in_the_tests_language(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test run in a ``language`` (its parameter) reverses the addresses of that language:
    ``reverse("papers:search")`` is ``/zh/search/`` in a Chinese run. The live server's thread
    chooses its own language, from each request's address."""
    callspec = getattr(request.node, "callspec", None)
    language = callspec.params.get("language") if callspec is not None else None
    if language is None:
        yield
        return
    with translation.override(language):
        yield


# --- pages ----------------------------------------------------------------------------------------


@pytest.fixture
def browser_log(site: str) -> BrowserLog:
    return BrowserLog(origin=site)


@pytest.fixture
def open_page(
    browser: Any, browser_log: BrowserLog, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Any]]:
    """``open_page(width=375, locale="zh-CN", …)``: a page in a new context, recorded in
    ``browser_log``; extra keywords go to ``browser.new_context``."""
    contexts: list[Any] = []
    pages: list[Any] = []

    def make(*, width: int = 1280, height: int = 900, locale: str = "en-US", **options: Any) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            locale=locale,
            base_url=browser_log.origin,
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        new_page = context.new_page()
        browser_log.watch(new_page)
        pages.append(new_page)
        return new_page

    request.node._browser_pages = pages
    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(
    open_page: Callable[..., Any], browser_log: BrowserLog, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """A desktop page of its own context. Relative URLs work: ``page.goto("/")``.

    After a test that passed, every page it opened must have met no console error and asked no
    host but the live server (``browser_log.assert_clean()``)."""
    new_page = open_page()
    yield new_page
    if not getattr(request.node, "_browser_call_failed", False):
        browser_log.assert_clean()


# --- failures -------------------------------------------------------------------------------------


def _file_name(nodeid: str) -> str:
    name = nodeid.split("::", 1)[-1]
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:150] or "test"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    item._browser_call_failed = True  # type: ignore[attr-defined]
    pages = [p for p in getattr(item, "_browser_pages", []) if not p.is_closed()]
    if not pages:
        return
    FAILURES_DIR.mkdir(parents=True, exist_ok=True)
    saved = []
    for number, failed_page in enumerate(pages, start=1):
        stem = _file_name(item.nodeid) + (f"-{number}" if len(pages) > 1 else "")
        try:
            png = FAILURES_DIR / f"{stem}.png"
            failed_page.screenshot(path=str(png), full_page=True, timeout=5_000)
            html = FAILURES_DIR / f"{stem}.html"
            html.write_text(failed_page.content(), encoding="utf-8")
            saved.append(f"{failed_page.url}\n  screenshot: {png}\n  HTML: {html}")
        except Exception as error:  # a failed screenshot must not hide the test's failure
            saved.append(f"{failed_page.url}: no screenshot ({error})")
    report.sections.append(("browser pages at the failure", "\n".join(saved)))
