"""One log line per request and per task: JSON in production, readable text in development.

Every line written while a request or a task runs carries its ``request_id``. The request id comes
from the proxy's ``X-Request-ID`` header when it is a sane token, or is made here; it is sent back
in the response's ``X-Request-ID`` and travels with the tasks the request enqueues, so an operator
can follow one member's click from the web process to the worker that fetched the paper.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # settings import this module: keep it free of Django imports at run time
    from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

#: Attributes of a record that become JSON fields when a call passes them in ``extra``.
FIELDS = (
    "request_id", "method", "path", "status", "duration_ms", "user", "remote_addr",
    "task", "task_id", "state", "retries",
)  # fmt: skip


class RequestIdFilter(logging.Filter):
    """Gives every record the current request (or task) id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the known fields present."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def new_request_id(proposed: str | None = None) -> str:
    if proposed and _SANE_ID.fullmatch(proposed):
        return proposed
    return uuid.uuid4().hex


def _user_of(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.get_username()
    return None


request_logger = logging.getLogger("weekly.request")


class RequestLogMiddleware:
    """Times each request and logs one line when its response is ready."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id(request.headers.get(REQUEST_ID_HEADER))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response[REQUEST_ID_HEADER] = request_id
            status = response.status_code
            level = logging.ERROR if status >= 500 else logging.INFO
            request_logger.log(
                level,
                "%s %s %s %.1fms",
                request.method,
                request.path,
                status,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": duration_ms,
                    "user": _user_of(request),
                    "remote_addr": request.META.get("REMOTE_ADDR"),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


# --- Celery ---------------------------------------------------------------------------------------

task_logger = logging.getLogger("weekly.task")
_started: dict[str, float] = {}
#: The exception of a task that failed, from ``task_failure`` until its ``task_postrun`` line.
_failures: dict[str, BaseException] = {}


def _tag_outgoing_task(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """A task enqueued during a request carries that request's id."""
    if headers is not None and "request_id" not in headers:
        headers["request_id"] = request_id_var.get()


def _task_started(task_id: str, task: Any, **_: Any) -> None:
    _started[task_id] = time.perf_counter()
    origin = getattr(task.request, "request_id", None)
    request_id_var.set(origin if origin and origin != "-" else task_id)


def _task_failed(task_id: str, exception: BaseException, **_: Any) -> None:
    _failures[task_id] = exception


def _task_finished(task_id: str, task: Any, state: str | None = None, **_: Any) -> None:
    from common.metrics import record_task

    started = _started.pop(task_id, None)
    seconds = time.perf_counter() - started if started else None
    duration_ms = round(seconds * 1000, 1) if seconds is not None else None
    failure = _failures.pop(task_id, None)
    level = logging.ERROR if state == "FAILURE" else logging.INFO
    record_task(task.name, state, seconds)
    task_logger.log(
        level,
        "task %s %s %s",
        task.name,
        state,
        f"{duration_ms}ms" if duration_ms is not None else "",
        extra={
            "task": task.name,
            "task_id": task_id,
            "state": state,
            "duration_ms": duration_ms,
            "retries": task.request.retries,
        },
        # Celery's own failure line (with the traceback) is silenced: this line carries it.
        exc_info=(type(failure), failure, failure.__traceback__) if failure else None,
    )
    request_id_var.set("-")


def connect_task_signals() -> None:
    from celery import signals

    signals.before_task_publish.connect(_tag_outgoing_task, weak=False)
    signals.task_prerun.connect(_task_started, weak=False)
    signals.task_failure.connect(_task_failed, weak=False)
    signals.task_postrun.connect(_task_finished, weak=False)


def logging_config(*, fmt: str, level: str) -> dict[str, Any]:
    """The LOGGING dict: ``fmt`` is "json" or "text"."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "common.logs.RequestIdFilter"}},
        "formatters": {
            "json": {"()": "common.logs.JsonFormatter"},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": fmt,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # One line per outside request is noise; failures are logged by the callers.
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
            # weekly.request logs every request already.
            "django.server": {"level": "WARNING"},
            # weekly.task logs every task once, with its request id and duration (its failures
            # with the traceback). Celery's "received", "succeeded", "retry" and "raised" lines
            # would double each of them; its internal errors (CRITICAL) still show.
            "celery.worker.strategy": {"level": "WARNING"},
            "celery.app.trace": {"level": "CRITICAL"},
        },
    }
