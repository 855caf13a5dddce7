"""Real ``celery worker`` processes on Redis for the worker tests, sharing the test database
(PostgreSQL): start, kill, read their logs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    """DATABASE_URL with the test database's name, for the worker processes."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


class Workers:
    """Starts and kills ``celery worker`` processes, each in its own process group."""

    def __init__(self, log_dir: Path, **env: str) -> None:
        self.extra_env = env
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "weekly.settings",
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "ARXIV_MIN_INTERVAL": "0.2",
            # No test reaches the internet: enrichment is switched off unless a test says so.
            "OPENALEX_API_URL": "",
            "ROR_API_URL": "",
            "METADATA_RETRY_BACKOFF": "0.5",
            # Requests time out, and a killed worker's limiter lease ends, within seconds.
            "OUTSIDE_API_TIMEOUT": "4",
            # A killed worker's message is handed to another one this soon.
            "CELERY_VISIBILITY_TIMEOUT": "3",
            **self.extra_env,
        }
        # REDIS_URL is given whole: the database named in it is the one meant, not the test
        # process's REDIS_DATABASE (tests/parallel.py).
        env.pop("REDIS_DATABASE", None)
        name = f"test{len(self.processes)}-{os.getpid()}@%h"
        log = (self.log_dir / f"worker{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 (our own worker, fixed arguments)
            [sys.executable, "-m", "celery", "-A", "weekly", "worker", "--pool", "prefork",
             "--concurrency", "1", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", name, "--loglevel", "INFO"],
            cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool children at once: no warm shutdown, no ack."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def logs(self) -> str:
        """The workers' logs, shown when a test fails."""
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}"
            for path in sorted(self.log_dir.glob("worker*.log"))
        )

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def wait_for(condition: Callable[[], bool], *, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False
