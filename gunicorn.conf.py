"""Gunicorn settings for the web processes, read from the environment like the rest of Weekly.

Start with ``gunicorn weekly.wsgi`` (this file is picked up from the working directory).
``PORT`` and ``WEB_CONCURRENCY`` are the usual knobs; a bigger site adds processes or hosts.
"""

import math
import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any


def available_cpus(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """The cores this process may use: its CPU affinity, bounded by the container's CPU limit.

    ``multiprocessing.cpu_count()`` counts the host's cores, so a container limited to one core
    on a 64-core host would start 129 workers. The limit is the cgroup's quota over its period:
    ``cpu.max`` in cgroup v2 (``"max 100000"`` when unlimited), ``cpu.cfs_quota_us`` and
    ``cpu.cfs_period_us`` in v1 (quota ``-1`` when unlimited); a fraction counts as a core.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = multiprocessing.cpu_count()
    quota = period = None
    try:
        quota, period = (cgroup / "cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        try:
            quota = (cgroup / "cpu" / "cpu.cfs_quota_us").read_text().strip()
            period = (cgroup / "cpu" / "cpu.cfs_period_us").read_text().strip()
        except OSError:
            pass
    try:
        if quota not in (None, "max", "-1") and int(period) > 0:
            cpus = min(cpus, max(1, math.ceil(int(quota) / int(period))))
    except (TypeError, ValueError):
        pass
    return cpus


bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Two workers per core plus one: the request work is mostly waiting on PostgreSQL and Redis.
workers = int(os.environ.get("WEB_CONCURRENCY", available_cpus() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# A worker is replaced after GUNICORN_MAX_REQUESTS to twice as many requests (a point drawn anew
# for each worker), so a slow leak cannot grow without end. The jitter is as large as the limit:
# workers share the load evenly and reach any common limit together; with a tenth of it as
# jitter, all of them restarted within half a second under load and the site stalled while they
# booted (docs/PERFORMANCE.md). 10,000 rather than 2,000: a loaded worker then restarts every
# half-minute or so, not every few seconds, and an idle site about daily.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests
# common.logs.RequestLogMiddleware writes one line per request with its id, user and duration;
# gunicorn's own access log would repeat it without them.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# The addresses of proxies whose X-Forwarded-* headers are believed (the proxy in front).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Small request lines and headers: nothing of ours needs more, and it bounds a hostile client.
# Past them gunicorn answers 414 or 431; common/api/schema.py lists those with these numbers.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Gunicorn's own lines (start, worker boot, timeouts) in the same format as the application's.
_production = os.environ.get("DJANGO_ENV") == "production"
if os.environ.get("LOG_FORMAT", "json" if _production else "text") == "json":
    logger_class = "common.gunicorn_logging.JsonLogger"


#: The metrics' directory this server made itself (none set), removed when it stops.
_made_for_metrics: list[str] = []


def on_starting(server: object) -> None:
    """Empty the metrics' directory, and refuse to serve in production without the static files.

    Each worker writes its counts to files in ``PROMETHEUS_MULTIPROC_DIR`` (a directory of its own
    in the system's temporary folder if unset, removed by ``on_exit``) and ``/metrics`` sums them
    (``common.metrics``); the files of a previous start would be summed too.

    Static files: production stores them under hashed names listed in
    ``STATIC_ROOT/staticfiles.json``; without that manifest every page answers 500 while the
    process looks alive. The image collects them at build time (Dockerfile); a server started
    from a checkout must run ``collectstatic`` first (docs/DEPLOY.md). Stopping here makes the
    mistake a failed start, not a broken site.
    """
    if _production:
        root = Path(
            os.environ.get("STATIC_ROOT") or Path(__file__).resolve().parent / "staticfiles"
        )
        if not (root / "staticfiles.json").is_file():
            raise SystemExit(
                f"Refusing to start: no collected static files in {root} "
                "(run `python manage.py collectstatic --noinput` first)."
            )
    # Set before prometheus-client is first imported, here in the master: the workers it forks
    # then count into files (one directory per server, so two servers on a host never mix).
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="weekly-metrics-")
        _made_for_metrics.append(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    from common.metrics import prepare_multiprocess_dir

    prepare_multiprocess_dir()


def child_exit(server: object, worker: Any) -> None:
    """A worker ended (restarted after its requests, killed, timed out): drop its live gauges.

    Its counters stay in the sums of ``/metrics``, so that totals never go back.
    """
    from common.metrics import forget_process

    forget_process(worker.pid)


def on_exit(server: object) -> None:
    """The server stops: remove the metrics' directory it made (one it was given stays)."""
    for path in _made_for_metrics:
        shutil.rmtree(path, ignore_errors=True)
