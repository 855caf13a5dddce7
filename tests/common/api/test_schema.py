"""The OpenAPI schema (``common/api/schema.py``) lists every answer a client can get, those the
web server gives before the API sees the request included."""

from __future__ import annotations

import os
import runpy
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.servers.smtp import free_port
from tests.servers.workers import ROOT

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
#: gunicorn's limits as deployed.
GUNICORN = runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method.upper(), path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in HTTP_METHODS
    ]


def test_schema_every_operation_lists_the_web_server_refusals() -> None:
    operations = _operations()
    assert len(operations) == 71

    for method, path, operation in operations:
        for code in ("414", "431"):
            answer = operation["responses"].get(code)
            assert answer is not None, f"{method} {path} does not list {code}"
            assert answer["content"] == {"text/html": {"schema": {"type": "string"}}}
            assert "before the API" in answer["description"]


def test_schema_refusals_name_the_limits_of_the_web_server() -> None:
    [(_method, _path, operation), *_rest] = _operations()
    too_long = operation["responses"]["414"]["description"]
    too_large = operation["responses"]["431"]["description"]

    assert f"longer than {GUNICORN['limit_request_line']} bytes" in too_long
    assert f"longer than {GUNICORN['limit_request_field_size']} bytes" in too_large
    assert f"more than {GUNICORN['limit_request_fields']} headers" in too_large


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """The API's web server as deployed (``gunicorn.conf.py``), one worker, on a free port."""
    port = free_port()
    log = (tmp_path_factory.mktemp("gunicorn") / "web.log").open("wb")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "weekly.settings", "WEB_CONCURRENCY": "1"}
    process = subprocess.Popen(  # noqa: S603 (gunicorn with our configuration, fixed arguments)
        [sys.executable, "-m", "gunicorn", "weekly.wsgi:application", "--config",
         "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--no-control-socket"],
        cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, Path(log.name).read_text(errors="replace")
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _answer(server: tuple[str, int], request: bytes) -> tuple[int, dict[str, str], str]:
    with socket.create_connection(server, timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.decode("latin-1").partition("\r\n\r\n")
    status_line, *header_lines = head.split("\r\n")
    headers = {
        name.lower(): value.strip() for name, value in (line.split(":", 1) for line in header_lines)
    }
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    ("case", "code"),
    [("long request line", 414), ("long header", 431), ("many headers", 431)],
)
def test_web_server_refusals_are_answered_as_the_schema_lists_them(
    gunicorn: tuple[str, int], case: str, code: int
) -> None:
    path = "/api/v1/papers/"
    query = "a" * GUNICORN["limit_request_line"]
    headers = b"Host: 127.0.0.1\r\n"
    if case == "long header":
        headers += b"X-Long: " + b"a" * GUNICORN["limit_request_field_size"] + b"\r\n"
    elif case == "many headers":
        headers += b"".join(
            b"X-Many-%d: 1\r\n" % n for n in range(GUNICORN["limit_request_fields"])
        )
    target = f"{path}?q={query}" if case == "long request line" else path

    status, answer_headers, body = _answer(
        gunicorn, f"GET {target} HTTP/1.1\r\n".encode() + headers + b"\r\n"
    )

    assert status == code
    assert "<html>" in body
    listed = next(
        operation["responses"][str(code)]
        for method, listed_path, operation in _operations()
        if (method, listed_path) == ("GET", path)
    )
    assert answer_headers["content-type"] in listed["content"]
