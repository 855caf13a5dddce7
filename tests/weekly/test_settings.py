"""Tests for weekly.settings: safe defaults with nothing set, and a production that refuses to
start half-configured. Each case loads the settings in a fresh interpreter with a clean
environment, since settings are read once per process."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

#: Prints the settings the tests look at, as JSON.
_DUMP = """
import json
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "DATABASE_ENGINE": settings.DATABASES["default"]["ENGINE"],
    "DATABASE_NAME": str(settings.DATABASES["default"]["NAME"]),
    "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "CELERY_TASK_EAGER_PROPAGATES": settings.CELERY_TASK_EAGER_PROPAGATES,
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "CACHE_BACKEND": settings.CACHES["default"]["BACKEND"],
    "CACHE_LOCATION": settings.CACHES["default"].get("LOCATION", ""),
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
    "DEVELOPMENT_KEY": settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY,
    "SECRET_KEY_FALLBACKS": settings.SECRET_KEY_FALLBACKS,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "ATOMIC_REQUESTS": settings.DATABASES["default"].get("ATOMIC_REQUESTS", False),
    "SENTRY": __import__("sentry_sdk").get_client().is_active(),
    "SENTRY_DSN": __import__("sentry_sdk").get_client().dsn,
    "SENTRY_PII": __import__("sentry_sdk").get_client().options.get("send_default_pii"),
    "SENTRY_ENVIRONMENT": __import__("sentry_sdk").get_client().options.get("environment"),
}))
"""

#: The variables a clean environment keeps: enough to run Python, nothing the settings read.
_KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")

PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(45),  # 60 random characters
    "DATABASE_URL": "postgres://weekly:secret@db.invalid:5432/weekly",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "ALLOWED_HOSTS": "weekly.example.org",
    "SITE_URL": "https://weekly.example.org",
}


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {name: os.environ[name] for name in _KEPT if name in os.environ}
    clean["DJANGO_SETTINGS_MODULE"] = "weekly.settings"
    clean.update(env)
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _settings(**env: str) -> dict[str, Any]:
    result = _run(["-c", _DUMP], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _refusal(**env: str) -> str:
    result = _run(["-c", _DUMP], **env)
    assert result.returncode != 0
    assert result.stdout == ""
    assert "django.core.exceptions.ImproperlyConfigured: Refusing to start" in result.stderr
    return result.stderr


def test_settings_defaults_without_environment() -> None:
    loaded = _settings()
    assert loaded["DATABASE_ENGINE"] == "django.db.backends.sqlite3"
    assert Path(loaded["DATABASE_NAME"]) == BASE_DIR / "var" / "weekly.sqlite3"
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is True
    assert loaded["CELERY_TASK_EAGER_PROPAGATES"] is True
    assert loaded["CELERY_BROKER_URL"] == ""
    assert loaded["CACHE_BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["DEBUG"] is True
    assert loaded["DEVELOPMENT_KEY"] is True
    assert loaded["SECRET_KEY_FALLBACKS"] == []
    assert loaded["ATOMIC_REQUESTS"] is False
    assert loaded["SENTRY"] is False  # error tracking is off unless asked for


def test_settings_sentry_dsn_turns_on_error_tracking_without_personal_data() -> None:
    # An address nobody answers: initialising sends nothing; only an error would.
    dsn = "https://public@sentry.invalid/1"
    loaded = _settings(**PRODUCTION, SENTRY_DSN=dsn)
    assert loaded["SENTRY"] is True
    assert loaded["SENTRY_DSN"] == dsn
    assert loaded["SENTRY_PII"] is False
    assert loaded["SENTRY_ENVIRONMENT"] == "production"


def test_settings_secret_key_fallbacks_come_from_the_environment() -> None:
    old, older = secrets.token_urlsafe(45), secrets.token_urlsafe(45)
    loaded = _settings(**PRODUCTION, SECRET_KEY_FALLBACKS=f"{old},{older}")
    assert loaded["SECRET_KEY_FALLBACKS"] == [old, older]


def test_settings_redis_url_gives_redis_cache_and_real_broker() -> None:
    loaded = _settings(REDIS_URL="redis://127.0.0.1:6379/3")
    assert loaded["CACHE_BACKEND"] == "common.cache.ResilientRedisCache"
    assert loaded["CACHE_LOCATION"] == "redis://127.0.0.1:6379/3"
    assert loaded["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/3"
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is False


def test_settings_redis_database_replaces_the_urls_own() -> None:
    loaded = _settings(REDIS_URL="redis://:pw@127.0.0.1:6379/3", REDIS_DATABASE="7")
    assert loaded["CACHE_LOCATION"] == "redis://:pw@127.0.0.1:6379/7"
    assert loaded["CELERY_BROKER_URL"] == "redis://:pw@127.0.0.1:6379/7"


def test_parallel_test_processes_get_redis_databases_of_their_own() -> None:
    from tests.parallel import arguments

    assert arguments(1, "redis://127.0.0.1:6379/14") == []
    assert arguments(2, "") == ["--numprocesses", "2", "--dist", "loadfile"]
    assert arguments(3, "redis://127.0.0.1:6379/14") == [
        "--dist",
        "loadfile",
        "--tx=popen//env:REDIS_DATABASE=15",
        "--tx=popen//env:REDIS_DATABASE=0",
        "--tx=popen//env:REDIS_DATABASE=1",
    ]


def test_settings_database_url_selects_postgresql() -> None:
    loaded = _settings(DATABASE_URL="postgres://weekly@db.invalid:5432/weekly")
    assert loaded["DATABASE_ENGINE"] == "common.database"
    assert loaded["DATABASE_NAME"] == "weekly"


@pytest.mark.parametrize(
    ("missing", "problem"),
    [
        pytest.param(
            {"SECRET_KEY": None},
            "SECRET_KEY must be set to a random value of 50 characters or more",
            id="development-key",
        ),
        pytest.param(
            {"SECRET_KEY": "too-short"},
            "SECRET_KEY must be set to a random value of 50 characters or more",
            id="short-key",
        ),
        pytest.param(
            {"SECRET_KEY_FALLBACKS": "short-old-key"},
            "SECRET_KEY_FALLBACKS may hold only keys of 50 characters or more",
            id="short-fallback",
        ),
        pytest.param(
            {"DATABASE_URL": None},
            "DATABASE_URL must point at PostgreSQL, not SQLite",
            id="sqlite",
        ),
        pytest.param(
            {"REDIS_URL": None},
            "REDIS_URL (or CELERY_BROKER_URL) must be set: tasks may not run eagerly",
            id="no-broker",
        ),
        pytest.param(
            {"ALLOWED_HOSTS": None},
            "ALLOWED_HOSTS must list the site's host names",
            id="no-hosts",
        ),
    ],
)
def test_settings_production_half_configured_refuses_to_start(
    missing: dict[str, str | None], problem: str
) -> None:
    env = {**PRODUCTION, **missing}
    stderr = _refusal(**{name: value for name, value in env.items() if value is not None})
    last_line = stderr.strip().splitlines()[-1]
    assert problem in last_line
    # Only the problem at hand is named.
    assert last_line.count(";") == 0


def test_settings_production_with_nothing_names_every_problem() -> None:
    last_line = _refusal(DJANGO_ENV="production").strip().splitlines()[-1]
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"):
        assert name in last_line


def test_settings_unknown_django_env_is_refused() -> None:
    result = _run(["-c", _DUMP], DJANGO_ENV="staging")
    assert result.returncode != 0
    assert "DJANGO_ENV must be 'development' or 'production', not 'staging'." in result.stderr


def test_settings_production_fully_configured_loads() -> None:
    loaded = _settings(**PRODUCTION)
    assert loaded["DEBUG"] is False
    assert loaded["DEVELOPMENT_KEY"] is False
    assert loaded["DATABASE_ENGINE"] == "common.database"
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is False
    assert loaded["CACHE_BACKEND"] == "common.cache.ResilientRedisCache"
    assert loaded["ALLOWED_HOSTS"] == ["weekly.example.org"]
    assert loaded["SESSION_COOKIE_SECURE"] is True


def test_settings_production_passes_check_deploy() -> None:
    # The database and Redis hosts do not exist: the deploy check must not need them.
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_warns_of_a_site_url_left_at_the_development_default() -> None:
    without = {name: value for name, value in PRODUCTION.items() if name != "SITE_URL"}
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **without)
    assert result.returncode == 1
    assert "(weekly.W002) SITE_URL's host '127.0.0.1' is not in ALLOWED_HOSTS" in result.stderr
