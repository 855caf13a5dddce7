"""Faults of what the site depends on, injected for real: a local server that plays arXiv or
AMiner down, slow, rate limiting, failing, cut off, talking nonsense or sending too much; a Redis
that is not there when a member submits.

Each fault must end the same way: the fetch is retried, then fails with an error a member can read,
and the recommendation that asked for it is intact; once the service is back, the paper is
fetched. ``tests/papers/clients/test_arxiv.py`` and ``tests/papers/clients/test_aminer.py`` test the
clients against each fault one by one (with ``httpx.MockTransport``); ``tests/papers/
test_metadata.py`` and ``tests/papers/test_worker.py`` test arXiv down and garbage, and a worker
killed mid-task. These tests run the whole way, from a member's submission over the network to
what the member reads, for both sources.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from papers import tasks
from papers.enums import MetadataStatus
from papers.models import Paper
from publications.models import Publication
from recommendations import services
from recommendations.enums import RecommendationAction, RecommendationStatus
from recommendations.models import Recommendation, Transition
from tests.conftest import client_for
from tests.servers.arxiv import ArxivStandIn, needs_recordings
from tests.servers.workers import Workers, wait_for

AMINER_OK = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "aminer"
    / "handwritten_detail_ok_614407b25244ab9dcbd29c5c.json"
)
AMINER_ID = "614407b25244ab9dcbd29c5c"
ARXIV_ID = "1605.08386"
ARXIV_TITLE = "Heat-bath random walks with Markov bases"

#: Every fault the outside APIs are tried with. ``down`` is a port nobody listens on.
FAULTS = ["down", "slow", "429", "500", "502", "503", "cut", "malformed", "huge"]
#: The faults a client cannot tell from a passing outage, and those where the answer was unusable.
UNREACHABLE = {"down", "slow", "429", "500", "502", "503", "cut"}


# --- a misbehaving outside API ------------------------------------------------------------------


@dataclass
class FaultyApi:
    """Answers like arXiv (``/api/query``) or AMiner (``/api/paper/detail``) once healthy; until
    then, each request meets ``fault``."""

    fault: str = ""
    requests: list[str] = field(default_factory=list)
    url: str = ""

    def healthy_body(self, path: str, query: dict[str, list[str]]) -> tuple[str, bytes]:
        if path.endswith("/api/paper/detail"):
            return "application/json", AMINER_OK.read_bytes()
        ids = [i for i in query.get("id_list", [""])[0].split(",") if i]
        return "application/atom+xml; charset=utf-8", ArxivStandIn().feed(ids)

    @contextmanager
    def running(self) -> Iterator[FaultyApi]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                api.requests.append(parts.path)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.answer(parts.path, parse_qs(parts.query))

            def answer(self, path: str, query: dict[str, list[str]]) -> None:
                fault = api.fault
                if fault == "slow":
                    time.sleep(3)  # the client gives up long before (OUTSIDE_API_TIMEOUT)
                if fault in ("429", "500", "502", "503"):
                    self.send_response(int(fault))
                    self.send_header("Retry-After", "30")
                    self.send_header("Content-Length", "7")
                    self.end_headers()
                    self.wfile.write(b"go away")
                    return
                if fault == "cut":  # promises a body, sends a piece, hangs up
                    self.send_response(200)
                    self.send_header("Content-Length", "100000")
                    self.end_headers()
                    self.wfile.write(b"<?xml version='1.0'?><feed")
                    return
                if fault == "malformed":
                    body = b"<html><body>Maintenance {not: json} <feed></body>"
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if fault == "huge":  # no length announced: the client must stop reading itself
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    chunk = b"x" * 65536
                    for _ in range(6_000_000 // len(chunk) + 1):
                        self.wfile.write(chunk)
                    return
                content_type, body = api.healthy_body(path, query)
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def no_fetch_on_submit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fetch a submission asks for is left to the test, which runs it step by step."""
    from papers import services as paper_services

    monkeypatch.setattr(paper_services, "request_metadata_fetch", lambda ids, **kw: None)


def _point_at(settings: Any, api: FaultyApi, source: str) -> None:
    base = api.url if api.fault != "down" else f"http://127.0.0.1:{_free_port()}"
    settings.ARXIV_API_URL = f"{base}/api/query"
    settings.AMINER_API_URL = base
    settings.AMINER_API_TOKEN = "test-token"
    settings.OUTSIDE_API_TIMEOUT = 1.0


# --- arXiv and AMiner: every fault, the whole way ------------------------------------------------


@needs_recordings
@pytest.mark.django_db
@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("source", ["arxiv", "aminer"])
def test_outside_api_fault_is_retried_then_a_readable_failure_and_the_recommendation_intact(
    source: str,
    fault: str,
    settings: Any,
    publication: Publication,
    contributor: Any,
    no_fetch_on_submit: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = {"arxiv": "arXiv", "aminer": "AMiner"}[source]
    identifier = {
        "arxiv": f"https://arxiv.org/abs/{ARXIV_ID}",
        "aminer": f"https://www.aminer.cn/pub/{AMINER_ID}/some-title",
    }[source]
    summary = "A careful study, recommended before the outage."
    waits: list[float | None] = []
    real_backoff = tasks.backoff
    monkeypatch.setattr(
        tasks, "backoff", lambda n, retry_after=None: waits.append(retry_after) or real_backoff(n)
    )
    with FaultyApi(fault=fault).running() as api:
        _point_at(settings, api, source)
        recommendation = services.create_recommendation(
            by=contributor, publication=publication, identifier=identifier, summary=summary
        )
        paper = recommendation.paper

        # A worker's first attempt: the task asks to be tried again later.
        with pytest.raises(Retry):
            tasks.task_fetch_paper_metadata([paper.pk])
        paper.refresh_from_db()
        assert paper.metadata_status == MetadataStatus.PENDING
        assert paper.metadata_attempts == 1
        assert paper.metadata_message.endswith("Will try again.")
        # The server's own Retry-After is honoured by the backoff.
        assert waits == [30.0 if fault in ("429", "500", "502", "503") else None]

        # Its last attempt: a failure the member can read.
        assert tasks.task_fetch_paper_metadata.apply(args=[[paper.pk]]).get() == {
            "fetched": 0,
            "not_found": 0,
            "failed": 1,
        }
        paper.refresh_from_db()
        assert paper.metadata_status == MetadataStatus.FAILED
        assert paper.metadata_attempts == 2
        # The source named first, and once: a client's message that names it is not prefixed.
        assert paper.metadata_message.startswith(f"{name} ")
        assert paper.metadata_message.count(f"{name} could not be reached") <= 1
        assert f"{name} answered something unusable: {name}" not in paper.metadata_message
        assert paper.metadata_message.endswith("Gave up after retrying.")
        assert "Traceback" not in paper.metadata_message
        assert len(paper.metadata_message) < 400
        shown = client_for(contributor).get(f"/api/v1/recommendations/{recommendation.pk}/")
        assert shown.status_code == 200
        assert shown.json()["paper"]["metadata"]["status"] == MetadataStatus.FAILED
        assert shown.json()["paper"]["metadata"]["error"] == paper.metadata_message

        # The recommendation is as the member left it.
        recommendation.refresh_from_db()
        assert (recommendation.status, recommendation.summary, recommendation.paper_id) == (
            RecommendationStatus.SUBMITTED,
            summary,
            paper.pk,
        )
        assert list(
            Transition.objects.filter(recommendation=recommendation).values_list(
                "action", flat=True
            )
        ) == [RecommendationAction.CREATE, RecommendationAction.SUBMIT]
        assert Paper.objects.count() == 1

        # The service is back: "fetch again" fills the paper in.
        api.fault = ""
        _point_at(settings, api, source)
        tasks.task_fetch_paper_metadata.apply(args=[[paper.pk]])
        paper.refresh_from_db()
        assert (paper.metadata_status, paper.metadata_message) == (MetadataStatus.OK, "")
        assert paper.title
        assert paper.authorships.exists()


# --- Redis, the broker and the cache, down when a member submits ---------------------------------


@contextmanager
def _broker(url: str) -> Iterator[None]:
    """The web process's Celery publishes to ``url`` (its connection pools started afresh)."""
    from weekly.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager

    def reset() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url, app.conf.task_always_eager = url, False
    reset()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        reset()


def _redis_cache(url: str) -> dict[str, Any]:
    from django.conf import settings as django_settings

    return {"default": {**django_settings.CACHES["default"], "LOCATION": url}}


@needs_recordings
@pytest.mark.django_db
def test_redis_down_at_submit_saves_it_and_the_sweep_fetches_it_once_back(
    publication: Publication,
    contributor: Any,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Broker and cache both unreachable (one Redis serves both): the member's POST is saved."""
    down = f"redis://127.0.0.1:{_free_port()}/0"
    settings.CACHES = {"default": {"BACKEND": "common.cache.ResilientRedisCache", "LOCATION": down}}
    settings.CELERY_TASK_ALWAYS_EAGER = False  # what the readiness probe reads
    with (
        _broker(down),
        caplog.at_level(logging.WARNING),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client_for(contributor).post(
            "/api/v1/recommendations/",
            {
                "publication": publication.slug,
                "identifier": ARXIV_ID,
                "summary": "Submitted while Redis was down.",
            },
            format="json",
        )
        health = client_for(None).get("/healthz")

    assert response.status_code == 201, response.content
    recommendation = Recommendation.objects.get()
    assert recommendation.status == RecommendationStatus.SUBMITTED
    paper = recommendation.paper
    assert paper.metadata_status == MetadataStatus.PENDING
    assert any("Could not enqueue papers.fetch_paper_metadata" in r.message for r in caplog.records)
    # Operators see it at once: the readiness probe names both parts.
    assert health.status_code == 503
    assert sorted(health.json()["failing"]) == ["broker", "cache"]

    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Redis is back; the periodic sweep finds the paper left pending and has it fetched.
    Paper.objects.filter(pk=paper.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    with ArxivStandIn().running() as stand_in:
        settings.ARXIV_API_URL = stand_in.url
        assert tasks.task_sweep_paper_metadata.delay().get() == 1
    paper.refresh_from_db()
    assert (paper.metadata_status, paper.title) == (MetadataStatus.OK, ARXIV_TITLE)
    assert [r.ids for r in stand_in.requests] == [[ARXIV_ID]]
    recommendation.refresh_from_db()
    assert recommendation.summary == "Submitted while Redis was down."


class RedisServer:
    """A Redis of the test's own, which can be stopped and started again on the same port."""

    def __init__(self, program: str, directory: Path) -> None:
        self.program = program
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (the system's redis-server, fixed arguments)
            [self.program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert wait_for(self._answers, timeout=20), "redis-server did not start"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def _answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
            return True
        return False


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    program = shutil.which("redis-server")
    if program is None:
        pytest.skip("needs the redis-server program to stop and start a Redis of its own")
    server = RedisServer(program, tmp_path)
    yield server
    server.stop()


@needs_recordings
@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_redis_stopped_at_submit_then_started_a_real_worker_fetches_the_paper_once(
    publication: Publication,
    contributor: Any,
    settings: Any,
    redis_server: RedisServer,
    tmp_path: Path,
) -> None:
    redis_server.start()
    settings.CACHES = _redis_cache(redis_server.url)
    with _broker(redis_server.url):
        redis_server.stop()
        response = client_for(contributor).post(
            "/api/v1/recommendations/",
            {
                "publication": publication.slug,
                "identifier": f"arXiv:{ARXIV_ID}v1",
                "summary": "Submitted while Redis was stopped.",
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        paper = Paper.objects.get()
        assert paper.metadata_status == MetadataStatus.PENDING

        redis_server.start()
        Paper.objects.filter(pk=paper.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
        with ArxivStandIn().running() as stand_in:
            workers = Workers(tmp_path, REDIS_URL=redis_server.url, ARXIV_API_URL=stand_in.url)
            workers.start()
            try:
                # What beat sends every few minutes.
                tasks.task_sweep_paper_metadata.delay()

                def fetched() -> bool:
                    paper.refresh_from_db()
                    return paper.metadata_status == MetadataStatus.OK

                assert wait_for(fetched, timeout=90), workers.logs()
            finally:
                workers.stop_all()
    assert paper.title == ARXIV_TITLE
    assert [r.ids for r in stand_in.requests] == [[ARXIV_ID]]
    assert Recommendation.objects.get().status == RecommendationStatus.SUBMITTED


@needs_recordings
@pytest.mark.django_db
def test_a_members_url_is_parsed_never_fetched(
    publication: Publication,
    contributor: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Only the configured API is called, whatever host a member's link names (no SSRF)."""
    with FaultyApi().running() as api:
        _point_at(settings, api, "arxiv")
        here = api.url.removeprefix("http://")
        refused = [
            f"http://{here}/abs/{ARXIV_ID}",
            f"https://arxiv.org@{here}/abs/{ARXIV_ID}",
            f"https://arxiv.org.{here}/abs/{ARXIV_ID}",
            f"https://{here}/pub/{AMINER_ID}",
            f"https://www.aminer.cn.evil.example/pub/{AMINER_ID}",
            f"gopher://{here}/abs/{ARXIV_ID}",
            "file:///etc/passwd",
        ]
        client = client_for(contributor)
        with django_capture_on_commit_callbacks(execute=True):
            answers = [
                client.post(
                    "/api/v1/recommendations/",
                    {"publication": publication.slug, "identifier": link, "summary": "Look."},
                    format="json",
                )
                for link in [*refused, f"https://arxiv.org/abs/{ARXIV_ID}?next=http://{here}/x"]
            ]
    assert [a.status_code for a in answers] == [400] * len(refused) + [201]
    assert {a.json()["error"]["code"] for a in answers[:-1]} == {"invalid_identifier"}
    assert api.requests == ["/api/query"]  # the one accepted paper, fetched from the API
    assert Paper.objects.get().title == ARXIV_TITLE
