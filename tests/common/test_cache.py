"""Tests of common.cache: the Redis cache backend that outlives Redis, and its one client per
connection pool."""

from __future__ import annotations

import logging
import socket

import pytest

from common.cache import ResilientRedisCache


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cache_with_redis_unreachable_reads_empty_and_drops_writes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = ResilientRedisCache(
        f"redis://127.0.0.1:{_free_port()}/0", {"OPTIONS": {"socket_connect_timeout": 1}}
    )
    with caplog.at_level(logging.WARNING, logger="weekly.cache"):
        cache.set("throttle_user_1", [1.0, 2.0], 60)
        assert cache.add("lock", 1) is False
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert cache.get("throttle_user_1", []) == []
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("a") is False
        assert cache.touch("a") is False
        assert cache.delete("a") is False
        cache.delete_many(["a", "b"])
        # The log-in lockout's counter: counts nothing while Redis is down, never raises.
        assert cache.incr("login-failures", 1) == 0
    assert len(caplog.records) == 10
    assert {r.getMessage().split(" ")[1] for r in caplog.records} == {
        "set", "add", "set_many", "get", "get_many", "has_key", "touch", "delete", "delete_many",
        "incr",
    }  # fmt: skip
    assert all("ConnectionError" in r.getMessage() for r in caplog.records)


def test_redis_cache_reuses_one_client() -> None:
    backend = ResilientRedisCache("redis://127.0.0.1:9/0", {})

    assert backend._cache.get_client() is backend._cache.get_client()
    assert backend._cache.get_client(write=True) is backend._cache.get_client()
