"""Health endpoints for load balancers, orchestrators and operators.

``/healthz/live`` answers as soon as the process can run Python: the liveness probe, and the
framework's floor in the benchmarks. ``/healthz`` checks what a request needs (the database, the
cache, the broker and the collected static files) and answers 503 naming the part that failed.

Both are answered by a middleware placed first, before the host check and the HTTPS redirect, so a
probe on the container's own address gets an answer without a public host name or TLS. Neither
says more than the names of the parts and the kinds of their errors; the details go to the log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger("weekly.health")

LIVE_PATH = "/healthz/live"
READY_PATH = "/healthz"
#: How long the broker check waits for a connection, in seconds.
BROKER_TIMEOUT = 2.0


def check_database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> str | None:
    key = "weekly:healthz"
    value = str(time.monotonic_ns())
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not keep a value")


def check_broker() -> str | None:
    # The project's Celery app, which Django's start made the current one.
    from celery import current_app

    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)


def check_static() -> str | None:
    """The collected static files are there.

    With production's manifest storage every page that names a static file (all of them, through
    the layout) answers 500 when ``collectstatic`` has not filled ``STATIC_ROOT``; a process in
    that state is not ready, whatever the database says. The manifest is read afresh, so a probe
    sees the files as soon as they are collected. Development serves the files from the apps'
    folders: nothing to check.
    """
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return "not used: served from the source folders"
    if not staticfiles_storage.read_manifest():
        raise FileNotFoundError("no staticfiles.json in STATIC_ROOT: run collectstatic")
    return None


#: Each check raises when its part fails, or returns why it was not needed.
CHECKS: dict[str, Callable[[], str | None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "static": check_static,
}


def run_checks() -> tuple[bool, dict[str, dict[str, object]]]:
    """Runs every check; returns whether all passed and each one's outcome."""
    results: dict[str, dict[str, object]] = {}
    healthy = True
    for name, check in CHECKS.items():
        if name == "broker" and settings.CELERY_TASK_ALWAYS_EAGER:
            results[name] = {"ok": True, "detail": "not used: tasks run in-process"}
            continue
        started = time.perf_counter()
        try:
            unused = check()
        except Exception as error:  # any failure of the part is the answer
            healthy = False
            logger.warning("health check %s failed: %r", name, error)
            results[name] = {"ok": False, "error": type(error).__name__}
        else:
            results[name] = {"ok": True, **({"detail": unused} if unused else {})}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return healthy, results


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/") or "/"
        if path not in (LIVE_PATH, READY_PATH):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"error": "use GET"}, status=405)
            response["Allow"] = "GET, HEAD"
            return _no_store(response)
        if path == LIVE_PATH:
            return _no_store(JsonResponse({"status": "ok"}))
        healthy, results = run_checks()
        failing = [name for name, result in results.items() if not result["ok"]]
        body = {"status": "ok" if healthy else "fail", "failing": failing, "checks": results}
        return _no_store(JsonResponse(body, status=200 if healthy else 503))
