"""Print pytest-xdist's arguments for `make test`: one test process per core, each with a Redis
database of its own.

pytest-django gives each process a test database of its own (``test_weekly_gw0``, …). Redis
needs the same: every test empties the cache (``tests/conftest.py``), and the cache, the task
queue of the real Celery workers and the rate limiters all live in ``REDIS_URL``'s database, so
one process would empty another's queue in the middle of a test. Each process is started with
``REDIS_DATABASE`` (weekly/settings.py) naming one of the next database numbers after
``REDIS_URL``'s (wrapping round Redis's default 16, never ``REDIS_URL``'s own), set in its
environment before Django reads its settings, so that the worker and server processes a test
starts inherit it too. (The variable holds a number, not a URL: execnet's ``popen//env:`` reads
``//`` as its own separator.)

``--dist loadfile`` keeps each test file in one process: module-scoped worlds are built once,
and the hostile corpora count their cases in one place.

Usage: ``python tests/parallel.py JOBS`` (JOBS 1 or less prints nothing: the suite runs in one
process, as before).
"""

from __future__ import annotations

import os
import shlex
import sys
from urllib.parse import urlsplit

#: A Redis server's databases unless its configuration says otherwise.
REDIS_DATABASES = 16


def redis_databases(url: str, jobs: int) -> list[int]:
    """``jobs`` database numbers, none of them ``url``'s own."""
    given = int(urlsplit(url).path.strip("/") or 0)
    if jobs >= REDIS_DATABASES:
        raise SystemExit(f"{jobs} test processes need more Redis databases than {REDIS_DATABASES}")
    return [(given + step) % REDIS_DATABASES for step in range(1, jobs + 1)]


def arguments(jobs: int, redis_url: str) -> list[str]:
    if jobs <= 1:
        return []
    if not redis_url:
        return ["--numprocesses", str(jobs), "--dist", "loadfile"]
    transports = [f"popen//env:REDIS_DATABASE={n}" for n in redis_databases(redis_url, jobs)]
    return ["--dist", "loadfile", *(f"--tx={transport}" for transport in transports)]


def main() -> None:
    jobs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    print(shlex.join(arguments(jobs, os.environ.get("REDIS_URL", ""))))


if __name__ == "__main__":
    main()
