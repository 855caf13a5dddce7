"""The production stack without Docker: gunicorn, a Celery worker and beat as separate processes,
with production settings, on the machine's PostgreSQL and Redis (the test database), the way
docker-compose.yml runs them."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.servers.smtp import free_port
from tests.servers.workers import ROOT, _test_database_url


class Stack:
    def __init__(self, log_dir: Path, **env: str) -> None:
        self.log_dir = log_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "weekly.settings",
            "DJANGO_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(45),
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": self.url,
            "STATIC_ROOT": str(log_dir / "static"),
            "EMAIL_URL": "consolemail://",
            "ARXIV_MIN_INTERVAL": "0.2",
            # No test reaches the internet: enrichment is switched off unless a test says so.
            "OPENALEX_API_URL": "",
            "ROR_API_URL": "",
            "METADATA_RETRY_BACKOFF": "0.5",
            "OUTSIDE_API_TIMEOUT": "4",
            "WEB_CONCURRENCY": "2",
            **env,
        }
        self.env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        # REDIS_URL is given whole: the database named in it is the one meant, not the test
        # process's REDIS_DATABASE (tests/parallel.py).
        self.env.pop("REDIS_DATABASE", None)
        self.processes: dict[str, subprocess.Popen] = {}

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    def _start(self, name: str, *args: str) -> None:
        log = (self.log_dir / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(  # noqa: S603 (our own processes, fixed arguments)
            [sys.executable, "-m", *args],
            cwd=ROOT, env=self.env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def start(self, *, web_only: bool = False) -> None:
        """collectstatic (the image does it at build time), then web, worker and beat, as the
        compose file runs them (web alone with ``web_only``)."""
        collected = self.manage("collectstatic", "--noinput")
        assert collected.returncode == 0, collected.stderr
        self._start(
            "web", "gunicorn", "weekly.wsgi:application", "--config", "gunicorn.conf.py",
            "--bind", f"127.0.0.1:{self.port}",
        )  # fmt: skip
        if web_only:
            return
        self._start(
            "worker", "celery", "-A", "weekly", "worker", "--concurrency", "1", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "-n", f"stack-{os.getpid()}@%h",
            "--loglevel", "INFO",
        )  # fmt: skip
        self._start(
            "beat", "celery", "-A", "weekly", "beat", "--loglevel", "INFO",
            "--schedule", str(self.log_dir / "celerybeat-schedule"),
        )  # fmt: skip

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def logs(self) -> str:
        """Every process's log tail, shown when a test fails."""
        return "\n".join(f"--- {name}\n{self.log(name)[-4000:]}" for name in self.processes)

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
