"""One log line per request (common.logs), with an id that follows the request into its tasks."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from typing import Any

import pytest
from django.test import Client

from common import logs
from tests.common.tasks import add_numbers, fail_loudly
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _request_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "weekly.request"]


def test_each_request_logs_one_line_with_its_outcome(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    member = UserFactory(username="ada")
    client.force_login(member)
    with caplog.at_level(logging.INFO, logger="weekly.request"):
        response = client.get("/no/such/page/")
    [record] = _request_records(caplog)
    assert response.status_code == 404
    assert (record.method, record.path, record.status, record.user) == (
        "GET",
        "/no/such/page/",
        404,
        "ada",
    )
    assert record.duration_ms >= 0
    assert record.request_id == response["X-Request-ID"]
    assert len(record.request_id) == 32


def test_anonymous_requests_name_no_user(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="weekly.request"):
        client.get("/robots.txt")
    [record] = _request_records(caplog)
    assert record.user is None
    assert record.status == 200


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("proxy-7f3a.12", True),
        ("a" * 64, True),
        ("a" * 65, False),
        ("id with spaces", False),
        ("id\u2028forged", False),
        ("", False),
    ],
)
def test_a_proxys_request_id_is_kept_only_when_sane(
    client: Client, caplog: pytest.LogCaptureFixture, sent: str, kept: bool
) -> None:
    with caplog.at_level(logging.INFO, logger="weekly.request"):
        response = client.get("/robots.txt", HTTP_X_REQUEST_ID=sent)
    [record] = _request_records(caplog)
    assert (record.request_id == sent) is kept
    assert response["X-Request-ID"] == record.request_id


def test_lines_written_during_a_request_carry_its_id(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.RequestIdFilter())
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("weekly.request")
    logger.addHandler(handler)
    try:
        client.get("/robots.txt", HTTP_X_REQUEST_ID="trace-1")
    finally:
        logger.removeHandler(handler)
    [line] = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["request_id"] == "trace-1"
    assert entry["logger"] == "weekly.request"
    assert entry["path"] == "/robots.txt"
    assert entry["status"] == 200
    assert entry["level"] == "INFO"
    assert entry["time"].endswith("+00:00")


def test_json_lines_keep_hostile_text_on_one_line() -> None:
    record = logging.LogRecord(
        "weekly.test", logging.ERROR, __file__, 1, "bad input %s", ('a\nb\u2028c"<x>',), None
    )
    record.request_id = "-"
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    line = logs.JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == 'bad input a\nb\u2028c"<x>'
    assert "ValueError: boom" in entry["exception"]


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_logging_config_formats(fmt: str) -> None:
    config: dict[str, Any] = logs.logging_config(fmt=fmt, level="INFO")
    stream = io.StringIO()
    config["handlers"]["console"]["stream"] = stream
    config["disable_existing_loggers"] = False
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logging.config.dictConfig(config)
        logging.getLogger("weekly.check").info("hello %s", "there")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    line = stream.getvalue().strip()
    if fmt == "json":
        assert json.loads(line)["message"] == "hello there"
    else:
        assert line.endswith("INFO weekly.check [-] hello there")


def test_tasks_enqueued_by_a_request_carry_its_id() -> None:
    headers: dict[str, Any] = {}
    token = logs.request_id_var.set("req-42")
    try:
        logs._tag_outgoing_task(headers=headers)
    finally:
        logs.request_id_var.reset(token)
    assert headers == {"request_id": "req-42"}


#: A password nobody else uses, so that finding it anywhere in the logs means it leaked.
LEAKABLE = "Tr0ub4dor&3-never-log-me"


@pytest.mark.parametrize(
    ("path", "body", "as_json", "status"),
    [
        ("/en/accounts/login/", {"username": "ada", "password": LEAKABLE}, False, 200),
        ("/en/accounts/login/", {"username": "nobody-such", "password": LEAKABLE}, False, 200),
        ("/admin/login/", {"username": "ada", "password": LEAKABLE}, False, 200),
        ("/api/v1/auth/token/", {"username": "ada", "password": LEAKABLE}, True, 400),
        ("/api/v1/auth/token/", '{"username": "ada", "password": "' + LEAKABLE + '"', True, 400),
        (
            "/en/accounts/signup/",
            {
                "username": "ada",  # taken
                "email": "not-an-address",
                "display_name": "Ada",
                "password1": LEAKABLE,
                "password2": LEAKABLE + "-typo",
            },
            False,
            400,
        ),
        (
            f"/en/accounts/login/?password={LEAKABLE}",
            {"username": "ada", "password": "x"},
            False,
            200,
        ),
    ],
    ids=["web", "web-unknown-user", "admin", "api", "api-broken-json", "signup", "query"],
)
def test_failed_login_password_never_reaches_a_log_line(
    path: str, body: Any, as_json: bool, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Everything logged at any level, SQL included, formatted as production writes it."""
    from django.db import connection

    UserFactory(username="ada")
    client = Client(enforce_csrf_checks=False)
    connection.force_debug_cursor = True  # log every query and its parameters too
    try:
        with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="django"):
            if isinstance(body, str) or as_json:
                response = client.post(path, body, content_type="application/json")
            else:
                response = client.post(path, body)
    finally:
        connection.force_debug_cursor = False

    assert response.status_code == status  # refused, and said so: no redirect, no 500
    formatter = logs.JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert any('"logger": "weekly.request"' in line for line in lines)  # the request was logged
    if not isinstance(body, str):  # broken JSON is refused before any query
        assert any('"logger": "django.db.backends"' in line for line in lines)  # the queries too
    assert [line for line in lines if LEAKABLE in line] == []
    assert [r for r in caplog.records if LEAKABLE in repr(r.args)] == []


# --- Tasks: one line each -------------------------------------------------------------------------


def _every_record(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name.startswith(("celery", "weekly"))]


def test_a_task_run_writes_one_line_its_own(caplog: pytest.LogCaptureFixture) -> None:
    """Celery's own "received" and "succeeded" lines are silenced: weekly.task says it once."""
    with caplog.at_level(logging.DEBUG):
        result = add_numbers.apply(args=(2, 3))
    assert result.get() == 5
    [record] = _every_record(caplog)
    assert (record.name, record.levelname, record.task, record.state) == (
        "weekly.task",
        "INFO",
        "tests.add_numbers",
        "SUCCESS",
    )
    assert record.duration_ms >= 0
    assert record.task_id == result.id


def test_a_failed_task_writes_one_error_line_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        result = fail_loudly.apply(throw=False)
    assert result.state == "FAILURE"
    [record] = _every_record(caplog)
    assert (record.name, record.levelname, record.state) == ("weekly.task", "ERROR", "FAILURE")
    entry = json.loads(logs.JsonFormatter().format(record))
    assert "RuntimeError: the outside service said no" in entry["exception"]
    assert logs._failures == {}  # nothing kept once the line is written


def test_celery_lines_that_would_double_the_tasks_are_silenced() -> None:
    """What a worker logs for each message (not run by the eager tests above) is off too."""
    config = logs.logging_config(fmt="json", level="INFO")
    assert config["loggers"]["celery.worker.strategy"] == {"level": "WARNING"}
    assert logging.getLogger("celery.worker.strategy").getEffectiveLevel() == logging.WARNING
    assert not logging.getLogger("celery.app.trace").isEnabledFor(logging.ERROR)
