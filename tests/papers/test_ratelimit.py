"""The politeness limiter holds across processes: never two requests closer than the interval,
never two at once.

These races run on any database: the processes contend for a lock file or a Redis key, never for
a row, so they need no PostgreSQL marker (the Redis ones skip, saying so, without Redis)."""

from __future__ import annotations

import itertools
import multiprocessing
import time
from pathlib import Path

import pytest
from django.conf import settings

from papers.ratelimit import FileRateLimiter, LimiterBusy, RedisRateLimiter, rate_limiter

INTERVAL = 0.3


def _hammer(limiter: object, rounds: int, queue: multiprocessing.Queue) -> None:
    for _ in range(rounds):
        with limiter():
            start = time.time()
            time.sleep(0.02)  # the "request"
            queue.put((start, time.time()))


def _spans(limiter: object, *, processes: int = 3, rounds: int = 3) -> list[tuple[float, float]]:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [
        context.Process(target=_hammer, args=(limiter, rounds, queue)) for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return sorted(queue.get(timeout=5) for _ in range(processes * rounds))


def _assert_polite(spans: list[tuple[float, float]]) -> None:
    assert len(spans) == 9
    for (_, previous_end), (next_start, _) in itertools.pairwise(spans):
        # One at a time, and the gap from one end to the next start is at least the interval
        # (a millisecond of slack for the clock's resolution).
        assert next_start - previous_end >= INTERVAL - 0.001


def test_file_limiter_spaces_requests_of_several_processes(tmp_path: Path) -> None:
    _assert_polite(_spans(FileRateLimiter(tmp_path / "arxiv.lock", min_interval=INTERVAL)))


def test_rate_limiter_without_redis_is_a_lock_file(tmp_path: Path) -> None:
    limiter = rate_limiter("test", min_interval=1.0, lock_dir=tmp_path)
    assert isinstance(limiter, FileRateLimiter)
    assert limiter.path == tmp_path / "weekly-test.ratelimit"


def test_file_limiter_survives_a_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "arxiv.lock"
    path.write_text("not a number")
    with FileRateLimiter(path, min_interval=INTERVAL)():
        pass
    assert float(path.read_text()) == pytest.approx(time.time(), abs=5)


needs_redis = pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs Redis: set REDIS_URL=redis://… (CI does)"
)


@needs_redis
def test_redis_limiter_spaces_requests_of_several_processes() -> None:
    limiter = RedisRateLimiter(settings.REDIS_URL, f"test-{time.time()}", min_interval=INTERVAL)
    _assert_polite(_spans(limiter))


@needs_redis
def test_redis_limiter_gives_up_when_the_lock_is_held_too_long() -> None:
    name = f"test-busy-{time.time()}"
    holder = RedisRateLimiter(settings.REDIS_URL, name, min_interval=0, lease=30)
    waiter = RedisRateLimiter(settings.REDIS_URL, name, min_interval=0, max_wait=0.3)
    with holder(), pytest.raises(LimiterBusy, match="Waited"), waiter():
        pass


@needs_redis
def test_redis_limiter_lock_of_a_dead_holder_expires_with_its_lease() -> None:
    name = f"test-lease-{time.time()}"
    dead = RedisRateLimiter(settings.REDIS_URL, name, min_interval=0, lease=0.5)
    dead.redis.set(dead.lock_key, "a-killed-worker", px=500)
    started = time.monotonic()
    with RedisRateLimiter(settings.REDIS_URL, name, min_interval=0)():
        waited = time.monotonic() - started
    assert 0.3 <= waited <= 5
