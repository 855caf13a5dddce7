"""/healthz/live and /healthz: answered before the host check and the HTTPS redirect, and a
failing part is named with a 503."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import Client, RequestFactory

from common import health

pytestmark = pytest.mark.django_db


def test_liveness_answers_without_a_query(client: Client, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_probes_answer_on_an_address_not_in_allowed_hosts(client: Client, settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["weekly.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz/live", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/healthz/", HTTP_HOST="10.0.0.7:8000").status_code == 200
    # Every other path still gets the host check.
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400


def test_readiness_reports_each_part(client: Client, settings: Any) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default: no broker
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True
    # Without a broker (the embedded default) tasks run in-process: nothing to reach.
    assert body["checks"]["broker"] == {"ok": True, "detail": "not used: tasks run in-process"}
    # Development serves the static files from the apps' folders.
    assert body["checks"]["static"]["detail"] == "not used: served from the source folders"


def test_readiness_names_a_cache_that_is_down(client: Client, settings: Any) -> None:
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
        }
    }
    try:
        response = client.get("/healthz")
    finally:
        caches["default"].close()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failing"] == ["cache"]
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["cache"]["error"] == "ConnectionError"
    assert body["checks"]["database"]["ok"] is True


def test_readiness_names_a_broker_that_is_down(
    client: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weekly.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:9/0")
    monkeypatch.setattr(health, "BROKER_TIMEOUT", 0.5)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


def test_readiness_names_a_database_that_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("connection refused")

    # The test run's database cannot be stopped under it; its cursor refuses instead.
    monkeypatch.setattr(health.connection, "cursor", refuse)
    middleware = health.HealthCheckMiddleware(lambda request: HttpResponse("not a probe"))
    response = middleware(RequestFactory().get("/healthz"))
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["failing"] == ["database"]
    assert body["checks"]["database"]["error"] == "OperationalError"


def test_probes_refuse_other_methods(client: Client) -> None:
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.worker
def test_readiness_reaches_the_real_broker(client: Client, settings: Any) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert django_settings.CELERY_BROKER_URL
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert "detail" not in response.json()["checks"]["broker"]


MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_readiness_fails_without_the_collected_static_files(
    client: Client, settings: Any, tmp_path: Any
) -> None:
    # Production's storage on an empty STATIC_ROOT: every page would answer 500.
    settings.STORAGES = MANIFEST_STORAGE
    settings.STATIC_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["static"]
    assert body["checks"]["static"]["error"] == "FileNotFoundError"


def test_readiness_passes_once_the_static_files_are_collected(
    client: Client, settings: Any, tmp_path: Any
) -> None:
    from django.core.management import call_command

    settings.STORAGES = MANIFEST_STORAGE
    settings.STATIC_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("collectstatic", "--noinput", verbosity=0)
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["static"] == {
        "ok": True,
        "ms": response.json()["checks"]["static"]["ms"],
    }
