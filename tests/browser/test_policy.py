"""The Content-Security-Policy in a real browser: pages that would break under it (inline code,
assets from other hosts) log a console error, which the ``page`` fixture turns into a failure."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import Seeded, login

pytestmark = pytest.mark.browser


def test_the_api_docs_run_under_the_policy(page: Any) -> None:
    page.goto("/api/v1/docs/")
    # Swagger UI renders the schema: its script, styles and settings all loaded from our host.
    page.locator(".swagger-ui .info .title").wait_for(timeout=15_000)
    assert "Weekly API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 10


def test_the_admin_runs_under_the_policy(page: Any, seeded: Seeded) -> None:
    seeded.editor.is_staff = True
    seeded.editor.is_superuser = True
    seeded.editor.save()
    login(page, seeded.editor)
    page.goto("/admin/issues/issue/")
    page.locator("#result_list").wait_for()
    page.goto(f"/admin/issues/issue/{seeded.issue.pk}/change/")
    page.locator("#issue_form").wait_for()


def test_a_policy_violation_is_caught(page: Any, browser_log: Any) -> None:
    """The check that guards the tests above: an inline script on a page is refused by the
    browser and seen in the log."""
    page.goto("/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.ran") is None
    assert any(
        "Content Security Policy" in line for line in browser_log.unexpected_console_errors()
    )
    browser_log.expect_console_error("Content Security Policy")


def test_redoc_searches_under_the_policy_asking_no_other_host(page: Any) -> None:
    page.goto("/api/v1/redoc/")
    search = page.locator('input[placeholder="Search..."]')
    search.wait_for(timeout=15_000)
    search.fill("publication")
    # The search index runs in a worker made from a blob: URL, which the page's policy allows.
    results = page.locator('[data-role="search:results"] li[role="menuitem"]')
    results.first.wait_for(timeout=15_000)
    assert results.count() > 0
    assert "publication" in results.first.inner_text().lower()
    # The "API docs by Redocly" link is there, its logo our own empty image.
    logo = page.locator('img[alt="redocly logo"]')
    assert logo.get_attribute("src").startswith("data:")
    # The page fixture then checks: no console error (a refused worker is one), no other host.
