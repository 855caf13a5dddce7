"""Prometheus metrics (common.metrics): what is counted, and who may read it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from common import metrics
from tests.common.tasks import add_numbers, fail_loudly
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "scrape-me-7f3a"


def _samples(body: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _scrape(client: Client, **extra: str) -> Any:
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **extra)


@pytest.fixture
def token(settings: Any) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


# --- Who may read them ----------------------------------------------------------------------------


def test_without_a_token_set_metrics_is_a_404_for_everyone(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/metrics").status_code == 404


@pytest.mark.usefixtures("token")
@pytest.mark.parametrize(
    ("header", "status"),
    [(f"Bearer {TOKEN}", 200), ("Bearer wrong", 404), (f"Token {TOKEN}", 404), (TOKEN, 404)],
)
def test_a_scrape_needs_the_bearer_token(client: Client, header: str, status: int) -> None:
    response = client.get("/metrics", HTTP_AUTHORIZATION=header)
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"].startswith("text/plain; version=")
        assert response["Cache-Control"] == "no-store"
        assert b"weekly_http_requests_total" in response.content


@pytest.mark.usefixtures("token")
def test_a_scrape_by_the_containers_own_address_passes_the_host_check(
    client: Client, settings: Any
) -> None:
    """Prometheus scrapes a pod by its address: no public host name, no TLS."""
    settings.ALLOWED_HOSTS = ["weekly.example.org"]
    assert _scrape(client, HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400  # the rest is refused


@pytest.mark.usefixtures("token")
@pytest.mark.parametrize(("is_staff", "status"), [(True, 200), (False, 404)])
def test_staff_read_them_signed_in(client: Client, is_staff: bool, status: int) -> None:
    client.force_login(UserFactory(is_staff=is_staff))
    assert client.get("/metrics").status_code == status


@pytest.mark.usefixtures("token")
def test_anonymous_readers_get_a_404(client: Client) -> None:
    assert client.get("/metrics").status_code == 404


# --- What they count ------------------------------------------------------------------------------


@pytest.mark.usefixtures("token")
def test_requests_are_counted_by_view_method_and_status(client: Client) -> None:
    labels = {"view": "robots-txt", "method": "GET", "status": "200"}
    before = _value("weekly_http_requests_total", **labels)
    latency_before = _value(
        "weekly_http_request_duration_seconds_count", view="robots-txt", method="GET"
    )
    client.get("/robots.txt")
    client.get("/robots.txt")
    client.get("/no/such/page/")
    samples = _samples(_scrape(client).content)
    key = tuple(sorted(labels.items()))
    assert samples[("weekly_http_requests_total", key)] == before + 2
    assert (
        samples[
            (
                "weekly_http_request_duration_seconds_count",
                (("method", "GET"), ("view", "robots-txt")),
            )
        ]
        == latency_before + 2
    )
    unmatched = (("method", "GET"), ("status", "404"), ("view", "<unmatched>"))
    assert samples[("weekly_http_requests_total", unmatched)] >= 1
    # The path a client chose is never a label: the series stay bounded.
    assert not any("/no/such/page/" in str(labels) for _, labels in samples)


def test_methods_outside_http_are_one_label(client: Client) -> None:
    before = _value("weekly_http_requests_total", view="robots-txt", method="other", status="405")
    client.generic("BREW", "/robots.txt")
    assert (
        _value("weekly_http_requests_total", view="robots-txt", method="other", status="405")
        == before + 1
    )


def test_tasks_are_counted_by_name_and_state_with_their_duration() -> None:
    success = {"task": "tests.add_numbers", "state": "SUCCESS"}
    failure = {"task": "tests.fail_loudly", "state": "FAILURE"}
    before = (
        _value("weekly_celery_tasks_total", **success),
        _value("weekly_celery_tasks_total", **failure),
    )
    durations = _value("weekly_celery_task_duration_seconds_count", task="tests.add_numbers")
    add_numbers.apply(args=(1, 2))
    fail_loudly.apply(throw=False)
    assert _value("weekly_celery_tasks_total", **success) == before[0] + 1
    assert _value("weekly_celery_tasks_total", **failure) == before[1] + 1
    assert (
        _value("weekly_celery_task_duration_seconds_count", task="tests.add_numbers")
        == durations + 1
    )


# --- The queues -----------------------------------------------------------------------------------


def test_no_queue_lengths_on_the_embedded_default(settings: Any) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert list(metrics.QueueCollector().collect()) == []


def test_a_broker_that_does_not_answer_reads_as_down(settings: Any) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    families = {family.name: family for family in metrics.QueueCollector().collect()}
    assert list(families) == ["weekly_celery_broker_up"]
    assert families["weekly_celery_broker_up"].samples[0].value == 0


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL (CI does)")
def test_queue_lengths_are_read_from_redis_at_scrape_time(settings: Any) -> None:
    import redis

    url = os.environ["REDIS_URL"]
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = url
    client = redis.Redis.from_url(url)
    names = ["celery", "celery\x06\x163", "unacked"]
    client.delete(*names)
    try:
        client.rpush("celery", "a", "b", "c")
        client.rpush("celery\x06\x163", "d")  # a message of priority 3 waits in its own list
        client.hset("unacked", "tag-1", "e")
        samples = _samples(metrics.render())
    finally:
        client.delete(*names)
    assert samples[("weekly_celery_queue_length", (("queue", "celery"),))] == 4
    assert samples[("weekly_celery_unacked", ())] == 1
    assert samples[("weekly_celery_broker_up", ())] == 1


# --- Several processes ----------------------------------------------------------------------------

_COUNT_IN_A_PROCESS = textwrap.dedent(
    """
    import django
    django.setup()
    from common import metrics
    metrics.REQUESTS.labels("issues:home", "GET", "200").inc({times})
    """
)


def _python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_processes_sharing_a_directory_are_summed_in_one_scrape(tmp_path: Path) -> None:
    """Gunicorn's workers each count on their own; any of them answers for all."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "weekly.settings",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    _python(_COUNT_IN_A_PROCESS.format(times=2), env)
    _python(_COUNT_IN_A_PROCESS.format(times=3), env)
    body = _python(
        "import django, sys; django.setup(); from common import metrics; "
        "sys.stdout.write(metrics.render().decode())",
        env,
    )
    samples = _samples(body.encode())
    key = (("method", "GET"), ("status", "200"), ("view", "issues:home"))
    assert samples[("weekly_http_requests_total", key)] == 5


def test_a_new_start_empties_the_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "counter_4242.db").write_bytes(b"old counts")
    metrics.prepare_multiprocess_dir()
    assert list((tmp_path / "metrics").iterdir()) == []


def test_the_worker_serves_its_metrics_with_the_token(settings: Any) -> None:
    import socket
    import urllib.request

    settings.METRICS_TOKEN = TOKEN
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    metrics.serve_worker_metrics(port, addr="127.0.0.1")
    url = f"http://127.0.0.1:{port}/metrics"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (a local server)
        assert b"weekly_celery_tasks_total" in answer.read()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=5)
    assert refused.value.code == 404


def test_a_failing_collector_costs_only_its_own_metrics(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        def collect(self) -> Any:
            raise RuntimeError("database is down")

    monkeypatch.setattr(metrics, "_collectors", [Broken()])
    body = metrics.render()
    assert b"weekly_http_requests_total" in body or b"weekly_celery_tasks_total" in body
    assert "Metrics collector Broken failed." in caplog.text
