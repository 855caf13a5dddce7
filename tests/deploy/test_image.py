"""The image serves on its own, checked without a Docker engine.

The files the image gets (the build context less .dockerignore) are copied into a clean
directory; the Dockerfile's own build step that collects the static files runs there, with the
final stage's environment; then the image's own command (its CMD) starts there with production
settings, and a reader's pages and the readiness probe answer. A change that puts the static files
back into a start-up script, or leaves something the site needs out of the image, fails here.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from tests.factories import IssueFactory, PublicationFactory
from tests.servers.smtp import free_port
from tests.servers.workers import _test_database_url

ROOT = Path(__file__).resolve().parents[2]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined."""
    instructions, pending = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def stages() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Each stage by name (its position for an unnamed one): (its base, its instructions)."""
    found: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    current: list[tuple[str, str]] = []
    for keyword, arguments in dockerfile_instructions():
        if keyword == "FROM":
            base, _, name = arguments.partition(" AS ")
            current = []
            found[name.strip() or str(len(found))] = (base.strip(), current)
        else:
            current.append((keyword, arguments))
    return found


def stage(name: str) -> list[tuple[str, str]]:
    """What a stage runs, after the instructions of the stages of this file it is built from."""
    every = stages()
    base, own = every[name]
    return (stage(base) if base in every else []) + own


def final_stage() -> list[tuple[str, str]]:
    """The image ``docker build .`` makes: the last stage, with the stages it is built from."""
    return stage(list(stages())[-1])


def stage_environment(stage: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, arguments in stage:
        if keyword == "ENV":
            env.update(part.split("=", 1) for part in shlex.split(arguments))
    return env


def _ignored(patterns: list[str], relative: str) -> bool:
    parts = relative.split("/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if pattern.startswith("**/"):
            if any(fnmatch.fnmatch(part, pattern[3:]) for part in parts):
                return True
        elif any(fnmatch.fnmatch("/".join(parts[: n + 1]), pattern) for n in range(len(parts))):
            return True
    return False


def copy_build_context(destination: Path) -> None:
    """The files ``COPY . .`` puts into the image: the checkout less .dockerignore."""
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]

    def ignore(directory: str, names: list[str]) -> list[str]:
        base = Path(directory).relative_to(ROOT)
        return [name for name in names if _ignored(patterns, (base / name).as_posix())]

    shutil.copytree(ROOT, destination, ignore=ignore)


def test_dockerfile_installs_dependencies_before_copying_the_code() -> None:
    every = stages()
    assert list(every) == ["dependencies", "release", "proxy", "web"]
    # The dependencies come from the lock file alone, in a stage that has no code.
    assert any(k == "RUN" and "pip install" in a for k, a in every["dependencies"][1])
    assert ("COPY", ". .") not in every["dependencies"][1]
    release = stage("release")
    assert release.index(("COPY", "--from=dependencies /opt/venv /opt/venv")) < release.index(
        ("COPY", ". .")
    )
    # The command collects the static files at build time and the image's command is gunicorn's.
    final = final_stage()
    assert any(k == "RUN" and "collectstatic" in a for k, a in final)
    assert json.loads(dict(final)["CMD"]) == ["gunicorn", "weekly.wsgi:application"]


def test_the_proxy_stage_carries_the_release_s_static_files_and_the_site_s_config() -> None:
    base, proxy = stages()["proxy"]
    assert re.fullmatch(r"nginx:\d+\.\d+\.\d+(-\w+)?", base), "a pinned nginx"
    env = stage_environment(proxy)
    release_env = stage_environment(stage("release"))
    assert ("COPY", f"--from=release {release_env['STATIC_ROOT']} {env['WEEKLY_STATIC_ROOT']}") in (
        proxy
    )
    # The official image renders /etc/nginx/templates/*.template into conf.d at start, with
    # the environment: every placeholder of the template has its value in the stage.
    assert (
        "COPY",
        "deploy/nginx/weekly.conf.template /etc/nginx/templates/weekly.conf.template",
    ) in proxy
    template = (ROOT / "deploy" / "nginx" / "weekly.conf.template").read_text()
    placeholders = set(re.findall(r"\$\{(WEEKLY_[A-Z_]+)\}", template))
    assert placeholders == {name for name in env if name.startswith("WEEKLY_")}
    assert env["WEEKLY_UPSTREAM"] == "web:8000"
    # The site's image is the default target and has no nginx in it.
    assert list(stages())[-1] == "web"
    assert stages()["web"][0] == "release"


def test_build_context_leaves_out_what_the_image_must_not_hold(tmp_path: Path) -> None:
    app = tmp_path / "app"
    copy_build_context(app)
    assert (app / "manage.py").is_file()
    assert (app / "gunicorn.conf.py").is_file()
    assert (app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo").is_file()
    for left_out in ("tests", ".git", ".venv", "var", "staticfiles", "bench"):
        assert not (app / left_out).exists(), left_out
    assert not list(app.rglob("__pycache__"))


@pytest.mark.postgres
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_image_command_serves_the_site_from_the_image_files(tmp_path: Path) -> None:
    publication = PublicationFactory(slug="image-weekly")
    IssueFactory(publication=publication, published=True, number=1, title="Built and served")
    app = tmp_path / "app"
    copy_build_context(app)
    final = final_stage()
    workdir = dict(final)["WORKDIR"]
    image_env = {
        name: value.replace(workdir, str(app))
        for name, value in stage_environment(final).items()
        if name != "PATH"
    }
    # The image's PATH starts with its virtual environment; here, the test run's.
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        **image_env,
    }
    assert env["DJANGO_ENV"] == "production"

    build_step = next(a for k, a in final if k == "RUN" and "collectstatic" in a)
    built = subprocess.run(  # noqa: S603 (the Dockerfile's own build step, in a scratch copy)
        ["/bin/sh", "-c", build_step], cwd=app, env=env, capture_output=True, text=True, timeout=300
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert (Path(env["STATIC_ROOT"]) / "staticfiles.json").is_file()

    port = free_port()
    runtime = {
        **env,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    log = (tmp_path / "web.log").open("wb")
    command = json.loads(dict(final)["CMD"])
    web = subprocess.Popen(  # noqa: S603 (the image's own command)
        command, cwd=app, env=runtime, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )  # fmt: skip
    try:
        # What the TLS-terminating proxy in front adds to every request.
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"X-Forwarded-Proto": "https"}, timeout=10
        ) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/healthz/live").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert web.poll() is None, (tmp_path / "web.log").read_text()
                assert time.monotonic() < deadline, (tmp_path / "web.log").read_text()
                time.sleep(0.2)

            health = client.get("/healthz")
            assert health.status_code == 200, health.text
            assert health.json()["checks"]["static"]["ok"] is True
            home = client.get("/en/")
            assert home.status_code == 200, (tmp_path / "web.log").read_text()[-3000:]
            issue = client.get("/en/p/image-weekly/1/")
            assert issue.status_code == 200
            assert "Built and served" in issue.text
            # The stylesheet the pages name is served, under its hashed name.
            stylesheet = next(
                part.split('"')[0]
                for part in home.text.split('href="')[1:]
                if part.startswith("/static/weekly/weekly.")
            )
            assert stylesheet != "/static/weekly/weekly.css"
            assert client.get(stylesheet).status_code == 200
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)
        log.close()


def test_image_command_refuses_to_start_without_static_files(tmp_path: Path) -> None:
    empty = tmp_path / "static"
    empty.mkdir()
    env = {
        **stage_environment(final_stage()),
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "STATIC_ROOT": str(empty),
        "GUNICORN_BIND": f"127.0.0.1:{free_port()}",
    }
    started = subprocess.run(  # noqa: S603 (the image's own command)
        json.loads(dict(final_stage())["CMD"]), cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert started.returncode != 0
    assert "Refusing to start: no collected static files" in started.stderr
