"""Tests of common.retry: the countdown of a task's next try."""

from __future__ import annotations

from common.retry import BACKOFF_CAP, backoff


def test_backoff_grows_with_jitter_and_honours_retry_after() -> None:
    delays = [backoff(n) for n in range(8)]
    assert 5 <= delays[0] <= 15
    assert all(d <= BACKOFF_CAP * 1.5 for d in delays)
    assert backoff(0, retry_after=120) >= 120
