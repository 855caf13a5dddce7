"""End to end on real workers: ``celery worker`` processes on Redis, fetching from a local arXiv
stand-in that replays recorded responses, writing to the test database.

These need PostgreSQL (the worker and the test share one database) and Redis; CI has both.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from issues import services as issue_services
from papers.models import Paper
from tests.factories import PublicationFactory, UserFactory
from tests.stubs.arxiv import ArxivStandIn, needs_recordings

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    needs_recordings,
]

ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    """DATABASE_URL with the test database's name, for the worker processes."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


class Workers:
    """Starts and kills ``celery worker`` processes, each in its own process group."""

    def __init__(self, arxiv_url: str, log_dir: Path) -> None:
        self.arxiv_url = arxiv_url
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "weekly.settings",
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "ARXIV_API_URL": self.arxiv_url,
            "ARXIV_MIN_INTERVAL": "0.2",
            "METADATA_RETRY_BACKOFF": "0.5",
            # Requests time out, and a killed worker's limiter lease ends, within seconds.
            "OUTSIDE_API_TIMEOUT": "4",
            # A killed worker's message is handed to another one this soon.
            "CELERY_VISIBILITY_TIMEOUT": "3",
        }
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


@pytest.fixture
def queued() -> Iterator[None]:
    """Tasks go through Redis, and the queue starts empty."""
    from weekly.celery import app

    app.conf.task_always_eager = False
    app.control.purge()
    yield
    app.control.purge()


def _submit(identifier: str) -> Paper:
    recommendation = issue_services.create_recommendation(
        by=UserFactory(),
        publication=PublicationFactory(),
        identifier=identifier,
        summary="Worth reading for its careful experiments.",
    )
    return recommendation.paper


def _status(paper: Paper) -> str:
    paper.refresh_from_db()
    return paper.metadata_status


def test_worker_fills_a_submitted_paper(queued: None, tmp_path: Path) -> None:
    with ArxivStandIn().running() as stand_in:
        workers = Workers(stand_in.url, tmp_path)
        workers.start()
        try:
            paper = _submit("https://arxiv.org/pdf/1605.08386v1.pdf")
            assert wait_for(lambda: _status(paper) == "ok"), workers.logs()
        finally:
            workers.stop_all()
    assert paper.title == "Heat-bath random walks with Markov bases"
    assert paper.authorships.count() == 2
    assert [r.ids for r in stand_in.requests] == [["1605.08386"]]


def test_worker_retries_a_failing_server_until_it_recovers(queued: None, tmp_path: Path) -> None:
    with ArxivStandIn(fail_first=2, fail_status=503).running() as stand_in:
        workers = Workers(stand_in.url, tmp_path)
        workers.start()
        try:
            paper = _submit("arXiv:1707.08567")
            assert wait_for(lambda: _status(paper) == "ok"), workers.logs()
        finally:
            workers.stop_all()
    assert [r.status for r in stand_in.requests] == [503, 503, 200]
    assert paper.metadata_attempts == 2
    assert paper.metadata_error == ""
    assert paper.authorships.count() == 34


def test_worker_killed_mid_task_is_redone_once_by_another(queued: None, tmp_path: Path) -> None:
    # The first answer is held long enough for the test to kill the worker waiting on it.
    with ArxivStandIn(hold_first=10).running() as stand_in:
        workers = Workers(stand_in.url, tmp_path)
        first = workers.start()
        try:
            paper = _submit("astro-ph/0601001")
            assert stand_in.first_request.wait(timeout=60), "the first worker never asked arXiv"
            workers.kill(first)
            assert _status(paper) == "fetching"
            workers.start()
            assert wait_for(lambda: _status(paper) == "ok", timeout=90), workers.logs()
        finally:
            workers.stop_all()
    assert len(stand_in.requests) == 2
    assert Paper.objects.count() == 1
    authors = list(paper.authorships.values_list("position", flat=True))
    assert authors == list(range(1, len(authors) + 1))  # written once, not twice
