"""Prometheus metrics: requests, tasks, the Celery queues and what the apps add, at ``/metrics``.

What is counted where:

- **requests** by view, method and status, and their latency (``RequestMetricsMiddleware``);
- **tasks** by name and state, and their duration (``record_task``, called by the task signals of
  ``common.logs``);
- **queue lengths**: the Redis lists of the Celery queues, read when Prometheus scrapes (nothing
  without a Redis broker: the embedded default runs tasks in-process);
- **what an app adds** with ``register_collector``: a collector read at scrape time (the newsletter
  counts its deliveries by status).

Only operators read them: a scrape carries ``Authorization: Bearer $METRICS_TOKEN``, or a staff
member signs in and opens ``/metrics``. Anyone else, and everyone while ``METRICS_TOKEN`` is not
set, gets a 404. The token is checked by a middleware placed first, like the health probes, so
that Prometheus may scrape a container by its own address, without the public host name or TLS.

Gunicorn runs several processes, each counting on its own; with ``PROMETHEUS_MULTIPROC_DIR`` set
they write their counts to files there and any of them answers for all (prometheus-client's
multiprocess mode; ``gunicorn.conf.py`` empties the directory at start and lets go of a dead
worker's gauges). A Celery worker answers for its own processes on ``WORKER_METRICS_PORT``
(``serve_worker_metrics``), the same way. docs/DEPLOY.md, Monitoring, lists every metric.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("weekly.metrics")

METRICS_PATH = "/metrics"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

#: Seconds: most pages answer in milliseconds; the slow end is the one that matters.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: Seconds: a task runs from milliseconds (a mail) to minutes (CELERY_TASK_TIME_LIMIT, 180).
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 180.0)

REQUESTS = Counter(
    "weekly_http_requests",
    "HTTP requests answered, by view (URL name), method and status.",
    ["view", "method", "status"],
)
REQUEST_LATENCY = Histogram(
    "weekly_http_request_duration_seconds",
    "Time from the request reaching Django to its response, by view and method.",
    ["view", "method"],
    buckets=LATENCY_BUCKETS,
)
TASKS = Counter(
    "weekly_celery_tasks",
    "Celery tasks run, by task name and final state (SUCCESS, RETRY, FAILURE).",
    ["task", "state"],
)
TASK_DURATION = Histogram(
    "weekly_celery_task_duration_seconds",
    "Time a Celery task ran, by task name.",
    ["task"],
    buckets=TASK_BUCKETS,
)


class Collector(Protocol):
    def collect(self) -> Iterable[Metric]: ...


#: Collectors read at every scrape, added by the apps (``register_collector``).
_collectors: list[Collector] = []


def register_collector(collector: Collector) -> None:
    """Add a collector read at scrape time (an app's ``ready``); one of each kind is kept."""
    if not any(type(known) is type(collector) for known in _collectors):
        _collectors.append(collector)


# --- Requests -------------------------------------------------------------------------------------


def _view_name(request: HttpRequest) -> str:
    """The URL's name, a bounded label: never the path, which a client chooses."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        # Answered before URL resolution (a cached published page, a refused body): resolve now.
        from django.urls import Resolver404, resolve

        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return "<unmatched>"
    return match.view_name or "<unnamed>"


class RequestMetricsMiddleware:
    """Counts each request by view, method and status, and observes its latency."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        import time

        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        view = _view_name(request)
        method = request.method if request.method in _METHODS else "other"
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        REQUEST_LATENCY.labels(view, method).observe(elapsed)
        return response


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


# --- Tasks ----------------------------------------------------------------------------------------


def record_task(name: str, state: str | None, seconds: float | None) -> None:
    """Count one task run and its duration (from ``common.logs``' task signals)."""
    TASKS.labels(name, state or "UNKNOWN").inc()
    if seconds is not None:
        TASK_DURATION.labels(name).observe(seconds)


# --- Queues ---------------------------------------------------------------------------------------

#: kombu's Redis transport keeps a queue's messages of priority p > 0 in another list, named
#: ``<queue>\x06\x16<p>``; its default steps are these.
_PRIORITY_STEPS = (0, 3, 6, 9)
_PRIORITY_SEP = "\x06\x16"


def _priority_lists(queue: str) -> list[str]:
    return [queue if step == 0 else f"{queue}{_PRIORITY_SEP}{step}" for step in _PRIORITY_STEPS]


class QueueCollector:
    """The number of messages waiting in each Celery queue, and those taken but not acknowledged.

    Read from the broker at each scrape, so every web process answers the same; only a Redis
    broker is read, with short timeouts: a broker that is down makes ``weekly_celery_broker_up``
    0, not a failed scrape.
    """

    def collect(self) -> Iterator[Metric]:
        from django.conf import settings

        url = settings.CELERY_BROKER_URL
        if settings.CELERY_TASK_ALWAYS_EAGER or not url.startswith(("redis://", "rediss://")):
            return
        import redis
        from celery import current_app

        queues = sorted({current_app.conf.task_default_queue, *(_route_queues(current_app))})
        up = GaugeMetricFamily("weekly_celery_broker_up", "1 when the broker answered the scrape.")
        length = GaugeMetricFamily(
            "weekly_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
        )
        unacked = GaugeMetricFamily(
            "weekly_celery_unacked",
            "Messages a worker has taken and not yet acknowledged (running or about to run).",
        )
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
            with client.pipeline(transaction=False) as pipe:
                for queue in queues:
                    for name in _priority_lists(queue):
                        pipe.llen(name)
                pipe.hlen("unacked")
                answers = pipe.execute()
            client.close()
        except redis.RedisError as error:
            logger.warning("The broker did not answer the metrics scrape (%s).", error)
            up.add_metric([], 0)
            yield up
            return
        steps = len(_PRIORITY_STEPS)
        for index, queue in enumerate(queues):
            length.add_metric([queue], sum(answers[index * steps : (index + 1) * steps]))
        unacked.add_metric([], answers[-1])
        up.add_metric([], 1)
        yield from (up, length, unacked)


def _route_queues(app: Any) -> list[str]:
    names = [queue.name for queue in app.conf.task_queues or ()]
    routes = app.conf.task_routes
    if isinstance(routes, dict):
        names += [route["queue"] for route in routes.values() if "queue" in route]
    return names


register_collector(QueueCollector())


# --- The endpoint ---------------------------------------------------------------------------------


class _ProcessRegistry:
    """This process's own metrics (the default registry), when not in multiprocess mode."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


class _Guarded:
    """An app's collector whose failure (a database that is down) costs its own metrics only."""

    def __init__(self, collector: Collector) -> None:
        self.collector = collector

    def collect(self) -> Iterable[Metric]:
        try:
            return list(self.collector.collect())
        except Exception:
            logger.exception("Metrics collector %s failed.", type(self.collector).__name__)
            return []


def render() -> bytes:
    """The text a scrape gets: every process's counts (or this one's) and the scrape-time ones."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessRegistry())
    for collector in _collectors:
        registry.register(_Guarded(collector))
    return generate_latest(registry)


def token_matches(header: str | None) -> bool:
    """``Authorization: Bearer <METRICS_TOKEN>``, compared in constant time; no token set: never."""
    from django.conf import settings

    expected = settings.METRICS_TOKEN
    if not expected or not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header.removeprefix("Bearer ").strip().encode(), expected.encode())


def _metrics_response() -> HttpResponse:
    from django.http import HttpResponse

    response = HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


class MetricsExportMiddleware:
    """Answers a scrape that carries the bearer token, before the host check and HTTPS redirect.

    A request without the header goes on to ``metrics_view`` (staff signed in); a wrong token
    gets the same 404 as any other stranger.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != METRICS_PATH or "Authorization" not in request.headers:
            return self.get_response(request)
        from django.http import HttpResponseNotFound

        if not token_matches(request.headers["Authorization"]):
            return HttpResponseNotFound()
        return _metrics_response()


def metrics_view(request: HttpRequest) -> HttpResponse:
    """``/metrics`` for a staff member signed in, while ``METRICS_TOKEN`` is set; else 404."""
    from django.conf import settings
    from django.http import Http404

    user = request.user
    if not settings.METRICS_TOKEN or not (user.is_active and user.is_staff):
        raise Http404
    return _metrics_response()


# --- Processes ------------------------------------------------------------------------------------


def prepare_multiprocess_dir() -> None:
    """Empty ``PROMETHEUS_MULTIPROC_DIR`` before the first process counts (a server's start).

    Files left by the processes of a previous start would add their counts to the new ones.
    """
    path = os.environ.get(MULTIPROC_ENV)
    if not path:
        return
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if name.endswith(".db"):
            os.remove(os.path.join(path, name))


def forget_process(pid: int) -> None:
    """A process ended: its live gauges go (its counters stay in the sums, as they should)."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)


def serve_worker_metrics(port: int, addr: str = "0.0.0.0") -> threading.Thread:  # noqa: S104 (a container's own port, scraped over its network)
    """Serve ``/metrics`` of a Celery worker's processes on ``port``, bearer token required.

    Started by the worker's main process (``weekly.celery``) when ``WORKER_METRICS_PORT`` is set;
    its pool processes count into ``PROMETHEUS_MULTIPROC_DIR``, which it reads.
    """
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from prometheus_client.exposition import ThreadingWSGIServer

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ.get("PATH_INFO") != METRICS_PATH or not token_matches(
            environ.get("HTTP_AUTHORIZATION")
        ):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Not Found"]
        start_response(
            "200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Cache-Control", "no-store")]
        )
        return [render()]

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

    server = make_server(addr, port, app, ThreadingWSGIServer, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True)
    thread.start()
    return thread
