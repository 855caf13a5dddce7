"""The browser harness's own rules, checked without a browser."""

from __future__ import annotations

import pytest

from tests.browser import chromium
from tests.browser.conftest import BrowserLog, _file_name


def test_requests_to_another_host_or_port_are_foreign() -> None:
    log = BrowserLog(origin="http://localhost:8081")
    log.requests = [
        "http://localhost:8081/",
        "http://localhost:8081/static/weekly/weekly.css",
        "data:image/png;base64,AAAA",
        "http://localhost:80811/x",
        "http://localhost:8082/",
        "https://cdn.example.org/htmx.js",
    ]
    assert log.foreign_requests() == [
        "http://localhost:80811/x",
        "http://localhost:8082/",
        "https://cdn.example.org/htmx.js",
    ]
    with pytest.raises(AssertionError, match=r"cdn\.example\.org"):
        log.assert_clean()


def test_only_expected_console_errors_pass() -> None:
    log = BrowserLog(origin="http://localhost:8081")
    log.console_errors = ["Failed to load resource: 403 (http://localhost:8081/editor/)"]
    with pytest.raises(AssertionError, match="console errors"):
        log.assert_clean()
    log.expect_console_error(r"\b403\b")
    log.assert_clean()


def test_failure_screenshots_are_named_after_the_test() -> None:
    nodeid = "tests/browser/test_x.py::test_y[zh-hans/375 px]"
    assert _file_name(nodeid) == "test_y_zh-hans_375_px"


def test_a_missing_chromium_is_named_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM", "/nowhere/chromium")
    reason = chromium.missing_reason()
    assert "/nowhere/chromium" in reason
    assert "apt-get install chromium" in reason
