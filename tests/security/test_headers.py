"""Every page carries a Content-Security-Policy with nothing inline, and the framing and referrer
headers; the two documents that need inline styles relax styles only, never scripts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from issues.services import create_issue, publish_issue, schedule_recommendation
from publications.enums import TeamRole
from publications.services import grant_role
from recommendations.enums import RecommendationStatus
from tests.factories import PublicationFactory, RecommendationFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_issue() -> Any:
    publication = PublicationFactory()
    editor = UserFactory()
    grant_role(editor, role=TeamRole.EDITOR, publication=publication)
    issue = create_issue(publication, by=editor, title="Headers")
    recommendation = RecommendationFactory(
        publication=publication, status=RecommendationStatus.ACCEPTED
    )
    schedule_recommendation(recommendation, issue=issue, by=editor)
    return publish_issue(issue, by=editor)


def _policy(response: Any) -> dict[str, list[str]]:
    policy: dict[str, list[str]] = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


PAGES = ["/en/", "/en/topics/", "/en/search/?q=attention", "/en/accounts/login/",
         "/en/accounts/signup/", "/api/v1/docs/", "/api/v1/schema/", "/no/such/page/"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_pages_forbid_inline_code_and_other_hosts(client: Client, path: str) -> None:
    response = client.get(path)
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_site_pages_hold_no_inline_code(client: Client) -> None:
    PublicationFactory(slug="weekly")
    for path in (
        "/en/",
        "/en/p/weekly/",
        "/en/accounts/login/",
        "/en/accounts/signup/",
        "/api/v1/docs/",
    ):
        html = client.get(path).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert "<style" not in html, path
        assert not re.search(r"""\sstyle=["']""", html), path
        assert not re.search(r"""\son[a-z]+=["']""", html), path
        # Nothing from another host; the site links its own pages in full (hreflang).
        site = re.escape(settings.SITE_URL.split("//", 1)[1])
        elsewhere = r"""(?:src|href)=["'](?:https?:)?//(?!""" + site + "/)"
        assert not re.search(elsewhere, html), path


def test_the_swagger_settings_come_as_a_script_of_their_own(client: Client) -> None:
    page = client.get("/api/v1/docs/").content.decode()
    [script_url] = re.findall(r'<script src="(/api/v1/docs/\?script=[^"]*)"', page)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


@pytest.mark.parametrize("path", ["/api/v1/redoc/", "/en/p/{slug}/1/issue.html"])
def test_documents_that_need_inline_styles_never_allow_inline_scripts(
    client: Client, path: str, published_issue: Any
) -> None:
    response = client.get(path.format(slug=published_issue.publication.slug))
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]


def test_redoc_loads_nothing_from_another_host(client: Client) -> None:
    html = client.get("/api/v1/redoc/").content.decode()
    assert "fonts.googleapis.com" not in html
    assert not re.search(r"""(?:src|href)=["'](?:https?:)?//""", html)
    # Our own copy of Redoc, which fetches no logo from its vendor.
    assert '<script src="/static/weekly/vendor/redoc/redoc.standalone.js">' in html


def test_only_redoc_may_run_workers_from_blobs(client: Client) -> None:
    # Redoc's search runs in a worker made from a blob: URL; no other page needs one.
    assert _policy(client.get("/api/v1/redoc/"))["worker-src"] == ["blob:"]
    for path in ("/en/", "/api/v1/docs/", "/en/accounts/login/"):
        assert "worker-src" not in _policy(client.get(path)), path


def test_our_redoc_is_the_sidecar_s_without_the_vendor_logo_or_source_map() -> None:
    """weekly/vendor/redoc/ is drf-spectacular-sidecar's Redoc with two changes: the "API docs by
    Redocly" logo, which it fetches from its vendor's server, is an empty image of ours, and the
    source map it names (not shipped; the manifest storage refuses a missing one) is left out.
    After an upgrade of the sidecar this fails until the copy is made again the same way."""
    import drf_spectacular_sidecar

    sidecar = Path(drf_spectacular_sidecar.__file__).parent / "static" / "drf_spectacular_sidecar"
    original = (sidecar / "redoc" / "bundles" / "redoc.standalone.js").read_text("utf-8")
    ours = (
        (ROOT / "weekly" / "static" / "weekly" / "vendor" / "redoc")
        .joinpath("redoc.standalone.js")
        .read_text("utf-8")
    )
    logo = 'src:"https://cdn.redoc.ly/redoc/logo-mini.svg"'
    blank = 'src:"data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27/%3E"'
    source_map = "\n//# sourceMappingURL=redoc.standalone.js.map"
    assert original.count(logo) == 1
    expected = original.replace(logo, blank).rstrip("\n").removesuffix(source_map) + "\n"
    assert ours == expected
    assert "cdn.redoc.ly" not in ours


def test_favicon_ico_leads_to_the_sites_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("weekly/favicon.svg")
