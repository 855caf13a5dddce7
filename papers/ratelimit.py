"""One politeness limiter for every process that talks to an outside API.

arXiv asks for no more than one request every three seconds and a single connection at a time.
That promise must hold across every Celery worker on every host, so with Redis configured the
limiter keeps its lock and its clock there; without Redis (local development) a lock file under
``var/`` gives the same guarantee between the processes of one machine.

Usage::

    limiter = rate_limiter("arxiv", min_interval=3.0)
    with limiter():
        response = client.get(...)

The gap is measured from the end of one request to the start of the next, so two request
arrivals are never closer than ``min_interval`` either.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import redis


class LimiterBusy(Exception):
    """The limiter could not be acquired in time: another process holds it for too long."""


# Release the lock only if it is still ours: a holder that outlived its lease must not free the
# lock a newer holder has taken meanwhile.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    redis.call('set', KEYS[2], ARGV[2])
    return redis.call('del', KEYS[1])
end
return 0
"""


class RedisRateLimiter:
    """Mutual exclusion plus a minimum gap, shared through Redis by all hosts.

    The time comes from the Redis server (``TIME``), not from each host's clock, so hosts whose
    clocks disagree still keep the gap.
    """

    def __init__(
        self,
        url: str,
        name: str,
        *,
        min_interval: float,
        lease: float = 120.0,
        max_wait: float = 600.0,
        poll: float = 0.05,
    ) -> None:
        self.redis = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
        self.lock_key = f"weekly:ratelimit:{name}:lock"
        self.last_key = f"weekly:ratelimit:{name}:last"
        self.min_interval = min_interval
        self.lease_ms = int(lease * 1000)
        self.max_wait = max_wait
        self.poll = poll
        self._release = self.redis.register_script(_RELEASE)

    def _now(self) -> float:
        seconds, micros = self.redis.time()
        return seconds + micros / 1_000_000

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + self.max_wait
        while not self.redis.set(self.lock_key, token, nx=True, px=self.lease_ms):
            if time.monotonic() > deadline:
                raise LimiterBusy(f"Waited {self.max_wait:.0f}s for the {self.lock_key} lock.")
            time.sleep(self.poll)
        try:
            last = float(self.redis.get(self.last_key) or 0)
            wait = last + self.min_interval - self._now()
            if wait > 0:
                time.sleep(wait)
            yield
        finally:
            self._release(keys=[self.lock_key, self.last_key], args=[token, repr(self._now())])


class FileRateLimiter:
    """The same guarantee between processes of one host, with ``flock`` on a file.

    The file holds the time the last request ended.
    """

    def __init__(self, path: Path, *, min_interval: float) -> None:
        self.path = path
        self.min_interval = min_interval

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            try:
                last = float(raw) if raw else 0.0
            except ValueError:
                last = 0.0
            wait = last + self.min_interval - time.time()
            if wait > 0:
                time.sleep(min(wait, self.min_interval))
            try:
                yield
            finally:
                stamp = repr(time.time()).encode("ascii")
                os.ftruncate(fd, 0)
                os.pwrite(fd, stamp, 0)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def rate_limiter(
    name: str,
    *,
    min_interval: float,
    redis_url: str = "",
    lock_dir: Path | None = None,
    lease: float = 120.0,
) -> Callable[[], AbstractContextManager[None]]:
    """The limiter for ``name``: in Redis when ``redis_url`` is given, else a lock file."""
    if redis_url:
        return RedisRateLimiter(redis_url, name, min_interval=min_interval, lease=lease)
    directory = lock_dir or Path(os.environ.get("TMPDIR", "/tmp"))  # noqa: S108 (local fallback)
    return FileRateLimiter(directory / f"weekly-{name}.ratelimit", min_interval=min_interval)
