"""The error pages: 400, 403, 404, 500 and the CSRF refusal, in both languages and the site's
layout (the 500 page standing alone); under /api/ the API's one error shape, 500 included."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from issues.api.views import PublicationListView
from issues.views.reader import HomeView, TopicListView
from tests.factories import UserFactory
from tests.factories.contributors import TEST_PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def reader() -> Client:
    """A client that gets the answer a browser would, not the exception."""
    return Client(raise_request_exception=False)


def _boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("a fault nobody expected")


def test_404_is_the_site_page_in_english(reader: Client) -> None:
    response = reader.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "<h1>Page not found</h1>" in text
    assert 'class="site-header"' in text  # the site's layout
    assert "Using the URLconf" not in text
    assert 'lang="en"' in text


def test_404_is_the_site_page_in_chinese(reader: Client) -> None:
    response = reader.get("/no-such-page/", **CHINESE)
    assert response.status_code == 404
    text = response.content.decode()
    assert "<h1>找不到页面</h1>" in text
    assert 'lang="zh-hans"' in text
    assert "Not Found" not in text


def test_404_with_debug_on_is_django_s_page(reader: Client, settings: Any) -> None:
    # What `make run DEBUG=true` shows; `make run` has it off (test_make_run_serves_without_debug).
    settings.DEBUG = True
    assert "Using the URLconf" in reader.get("/no-such-page/").content.decode()


def test_403_is_the_site_page(reader: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionDenied

    monkeypatch.setattr(TopicListView, "get", refuse)
    response = reader.get("/zh/topics/", **CHINESE)
    assert response.status_code == 403
    text = response.content.decode()
    assert "<h1>无权访问</h1>" in text
    assert 'class="site-header"' in text
    assert "先登录" in text  # an anonymous reader is told to log in


def test_500_stands_alone_in_the_reader_s_language(
    reader: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(HomeView, "get", _boom)
    response = reader.get("/zh/", **CHINESE)
    assert response.status_code == 500
    text = response.content.decode()
    assert "<h1>服务器错误</h1>" in text
    assert 'lang="zh-hans"' in text
    assert "/static/weekly/weekly.css" in text
    # No layout: nothing that needs the user, a URL lookup or the database.
    assert 'class="site-nav"' not in text
    assert "a fault nobody expected" not in text


def test_500_renders_when_the_static_files_are_what_failed(
    reader: Client, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path
) -> None:
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path  # no manifest: {% static %} raises
    monkeypatch.setattr(HomeView, "get", _boom)
    response = reader.get("/en/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "<h1>Server error</h1>" in text
    assert "stylesheet" not in text


def test_api_500_answers_in_the_error_shape(
    reader: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PublicationListView, "get", _boom)
    response = reader.get("/api/v1/publications/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"]["code"] == "server_error"
    assert body["error"]["fields"] == {}
    assert "a fault nobody expected" not in body["error"]["message"]


def test_csrf_failure_is_a_page_for_readers() -> None:
    browser = Client(enforce_csrf_checks=True)
    UserFactory(username="ada")
    response = browser.post(
        "/zh/accounts/login/", {"username": "ada", "password": TEST_PASSWORD}, **CHINESE
    )
    assert response.status_code == 403
    text = response.content.decode()
    assert "<h1>表单未能提交</h1>" in text
    assert 'class="site-header"' in text
    assert "CSRF" not in text  # the reason is for the log
    # Nothing happened: the member is not logged in.
    assert "_auth_user_id" not in browser.session


def test_api_session_csrf_failure_keeps_the_error_shape() -> None:
    member = UserFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    response = browser.post("/api/v1/recommendations/", {}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_allowed"


def test_api_handlers_answer_in_the_error_shape(rf: Any) -> None:
    from common import views

    request = rf.get("/api/v1/anything/")
    assert views.page_not_found(request, Exception()).status_code == 404
    denied = views.permission_denied(request, PermissionDenied())
    assert denied.status_code == 403
    assert b'"not_allowed"' in denied.content
    bad = views.bad_request(request, Exception())
    assert bad.status_code == 400
    assert b'"invalid"' in bad.content


def test_400_is_the_site_page_in_chinese(reader: Client) -> None:
    response = reader.get("/", HTTP_HOST="bad host name", **CHINESE)
    assert response.status_code == 400
    assert "<h1>请求有误</h1>" in response.content.decode()


def test_make_run_serves_without_debug() -> None:
    # `make -n` prints the commands without running them.
    dry_run = subprocess.run(
        ["make", "-n", "run", "PYTHON=python3"],  # noqa: S607 (make from the PATH)
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    serve = next(line for line in dry_run.stdout.splitlines() if "runserver" in line)
    assert serve.startswith("DEBUG=false ")
    # The demo's feeds and mails link back to the address it is served at.
    assert "SITE_URL=http://127.0.0.1:8000 " in serve


def test_static_files_are_served_with_debug_off_in_development(settings: Any) -> None:
    settings.DEBUG = False
    response = Client().get("/static/weekly/weekly.css")
    assert response.status_code == 200
    assert b".site-header" in b"".join(response.streaming_content)
