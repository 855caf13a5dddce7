"""nginx in front of the separate-process gunicorn, configured by deploy/nginx/weekly.conf.template
and driven over HTTPS and HTTP: what it serves itself, what it caches and what it never does,
compression, the body limit, and a form posted through it passing the site's CSRF check."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
from pathlib import Path
from string import Template
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.messages.storage.cookie import CookieStorage

from tests.factories import IssueFactory, PublicationFactory, UserFactory
from tests.servers.proxy import MISSING, NGINX, OPENSSL, TEMPLATE, Nginx
from tests.servers.stack import Stack
from tests.servers.workers import wait_for

needs_nginx = pytest.mark.skipif(NGINX is None, reason=MISSING)


def _request_lines(log: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    return [line for line in lines if line["logger"] == "weekly.request"]


def test_the_cache_rules_name_the_site_s_own_cookies() -> None:
    # A member's or a reader-with-messages' request must never meet the shared cache.
    text = TEMPLATE.read_text()
    directives = {
        line.split()[0]: line.rstrip(";").split()[1:]
        for line in map(str.strip, text.splitlines())
        if line.startswith(("proxy_cache_bypass ", "proxy_no_cache "))
    }
    for cookie in (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name):
        assert f"$cookie_{cookie}" in directives["proxy_cache_bypass"], cookie
        assert f"$cookie_{cookie}" in directives["proxy_no_cache"], cookie
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024
    assert "client_max_body_size 1m;" in text


@pytest.mark.skipif(
    shutil.which("envsubst") is None, reason="needs envsubst (gettext-base): CI installs it"
)
def test_the_image_renders_the_template_as_the_tests_do() -> None:
    # The nginx image runs `envsubst` at start with every variable of its environment named
    # (docker-entrypoint.d/20-envsubst-on-templates.sh): none of nginx's own `$variables` may be
    # taken for one, and the result must be the file the tests check.
    from tests.deploy.test_image import stage_environment, stages

    stage = stage_environment(stages()["proxy"][1])
    environment = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": "/root",
        "HOSTNAME": "proxy",
        "NGINX_VERSION": "1.26.3",
        "NJS_VERSION": "0.8.9",
        "PKG_RELEASE": "1~bookworm",
        **stage,
    }
    names = " ".join(f"${{{name}}}" for name in environment)
    envsubst = shutil.which("envsubst") or "envsubst"
    rendered = subprocess.run(  # noqa: S603 (envsubst, as the nginx image calls it)
        [envsubst, names], input=TEMPLATE.read_text(), env=environment, capture_output=True,
        text=True, check=True, timeout=30,
    ).stdout  # fmt: skip
    assert rendered == Template(TEMPLATE.read_text()).safe_substitute(stage)
    assert "${WEEKLY_" not in rendered


@needs_nginx
def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    checked = Nginx(tmp_path, upstream="127.0.0.1:8000", static_root=tmp_path / "static").check()
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


@needs_nginx
@pytest.mark.skipif(OPENSSL is None, reason="needs openssl for a certificate: CI installs it")
@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_nginx_serves_caches_and_limits_in_front_of_gunicorn(tmp_path: Path) -> None:
    publication = PublicationFactory(slug="proxy-weekly")
    IssueFactory(publication=publication, published=True, number=1, title="Cached at the edge")
    member = UserFactory()
    # The tests' fast hasher is not one production's settings know: a production hash, cheaply.
    member.password = PBKDF2PasswordHasher().encode("proxy-pass-1", "proxysalt", iterations=1000)
    member.save(update_fields=["password"])

    nginx_dir = tmp_path / "nginx"
    nginx_dir.mkdir()
    stack = Stack(tmp_path, ALLOWED_HOSTS="127.0.0.1")
    nginx = Nginx(
        nginx_dir,
        upstream=f"127.0.0.1:{stack.port}",
        static_root=Path(stack.env["STATIC_ROOT"]),
        tls=True,
    )
    stack.env["SITE_URL"] = nginx.tls_url
    trust = ssl.create_default_context(cafile=str(nginx_dir / "cert.pem"))
    issue = "/en/p/proxy-weekly/1/"
    try:
        stack.start(web_only=True)

        def up() -> bool:
            try:
                return httpx.get(f"{stack.url}/healthz/live").status_code == 200
            except httpx.TransportError:
                return False

        assert wait_for(up), stack.logs()
        nginx.start()

        def reader() -> httpx.Client:
            return httpx.Client(base_url=nginx.tls_url, verify=trust, timeout=10)

        with reader() as anonymous:
            first = anonymous.get(issue)
            assert first.status_code == 200, first.text[:2000] + stack.logs() + nginx.log()
            assert first.headers["X-Cache-Status"] == "MISS"
            assert first.headers["Cache-Control"].startswith("public, max-age=")
            second = anonymous.get(issue)
            assert second.headers["X-Cache-Status"] == "HIT"
            assert second.text == first.text
            assert "Cached at the edge" in second.text

            # Compressed when asked, from the one stored copy.
            assert second.headers["Content-Encoding"] == "gzip"
            plain = anonymous.get(issue, headers={"Accept-Encoding": "identity"})
            assert plain.headers["X-Cache-Status"] == "HIT"
            assert "Content-Encoding" not in plain.headers
            feed = anonymous.get("/en/p/proxy-weekly/feed/rss/")
            assert feed.status_code == 200
            assert feed.headers["Content-Encoding"] == "gzip"

            # The stylesheet the page names: nginx's, hashed, kept for good, precompressed.
            stylesheet = next(
                part.split('"')[0]
                for part in first.text.split('href="')[1:]
                if part.startswith("/static/weekly/weekly.")
            )
            static = anonymous.get(stylesheet)
            assert static.status_code == 200
            assert static.headers["Cache-Control"] == "public, max-age=315360000, immutable"
            assert static.headers["Content-Encoding"] == "gzip"
            assert "X-Cache-Status" not in static.headers
            assert "body" in static.text

            # A body over DATA_UPLOAD_MAX_MEMORY_SIZE never reaches gunicorn.
            too_big = anonymous.post(
                "/api/v1/recommendations/",
                content=b"x" * (1024 * 1024 + 1),
                headers={"Content-Type": "application/json"},
            )
            assert too_big.status_code == 413

        # Plain HTTP reaches the site as plain HTTP, whatever the client claims: its redirect.
        redirected = httpx.get(f"{nginx.url}/", headers={"X-Forwarded-Proto": "https"})
        assert redirected.status_code == 301
        assert redirected.headers["Location"] == f"https://127.0.0.1:{nginx.port}/"

        with reader() as browser:
            # Never stored: a member's request for an address nobody has asked for yet ...
            login_page = browser.get("/en/accounts/login/")
            assert login_page.status_code == 200
            assert login_page.headers["X-Cache-Status"] != "HIT"
            # Django's own CSRF check (token, Origin, the host and scheme nginx passes) lets a
            # form posted from the site's page through.
            logged_in = browser.post(
                "/en/accounts/login/",
                data={
                    "username": member.username,
                    "password": "proxy-pass-1",
                    "csrfmiddlewaretoken": browser.cookies["csrftoken"],
                },
                headers={"Origin": nginx.tls_url, "Referer": f"{nginx.tls_url}/accounts/login/"},
            )
            assert logged_in.status_code == 302, logged_in.text[:2000]
            assert browser.cookies.get(settings.SESSION_COOKIE_NAME)
            archive = browser.get("/en/p/proxy-weekly/")
            assert archive.status_code == 200
            assert archive.headers["X-Cache-Status"] == "BYPASS"
            assert member.public_name in archive.text
            # ... and never served from the cache, though an anonymous copy is there.
            own = browser.get(issue)
            assert own.headers["X-Cache-Status"] == "BYPASS"
            assert own.headers["Cache-Control"] == "private, no-cache"
            assert member.public_name in own.text

        with reader() as anonymous:
            archive = anonymous.get("/en/p/proxy-weekly/")
            assert archive.headers["X-Cache-Status"] == "MISS"  # the member's was not stored
            assert member.public_name not in archive.text
            again = anonymous.get(issue)
            assert again.headers["X-Cache-Status"] == "HIT"
            assert member.public_name not in again.text
            # A form posted from another site is refused through nginx as it is without.
            forged = anonymous.post(
                "/en/accounts/login/",
                data={"username": member.username, "password": "proxy-pass-1"},
                headers={"Origin": "https://elsewhere.example"},
            )
            assert forged.status_code == 403
    finally:
        nginx.stop()
        stack.stop()

    requests = _request_lines(stack.log("web"))
    paths = [line["path"] for line in requests]
    assert not [path for path in paths if path.startswith("/static/")], paths
    assert "/api/v1/recommendations/" not in paths
    anonymous_issue = [
        line for line in requests if line["path"] == issue and line.get("user") is None
    ]
    assert len(anonymous_issue) == 1, anonymous_issue  # the MISS; every other was nginx's
    login = next(line for line in requests if line["method"] == "POST")
    assert login["status"] == 302
    # The address the site logged is nginx's; the reader's travels in X-Forwarded-For.
    assert login["remote_addr"] == "127.0.0.1"
