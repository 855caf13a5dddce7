"""The cache backend of a deployment: Django's Redis cache, which outlives Redis.

The cache holds nothing that cannot be lost: throttle counters and short-lived markers. Redis is
also the broker, so when it is down a member's submission must still be saved (its metadata is
fetched once Redis is back, by the periodic sweep). Django's backend raises on every call when it
cannot reach Redis, and a throttle that raises turns every API request into a server error. Here
the reads answer "nothing cached" and the writes are dropped, each logged: the throttles let
requests through until Redis is back, which is the lesser harm than refusing every member. The
readiness probe (``/healthz``) still reports the cache as failing, since a value it stores does not
come back.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import RedisError

logger = logging.getLogger("weekly.cache")


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per connection pool instead of building one
    for every command: building it costs about three times the round trip of a GET on loopback,
    and the cache is read on every throttled or cached request. The object is thread-safe (each
    command takes a connection from the pool) and the pool reconnects in a forked process; Django
    keeps one cache object, so one client, per thread anyway."""

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """``RedisCache`` whose reads and writes survive an unreachable Redis (``decr`` and ``clear``
    still raise: nothing here relies on them)."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def _unavailable(self, operation: str, error: RedisError) -> None:
        logger.warning("cache %s skipped, Redis unavailable: %s", operation, type(error).__name__)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # The log-in lockout counts failures with incr: while Redis is down it counts nothing,
        # like the throttles, instead of turning every failed log-in into an error.
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            self._unavailable("incr", error)
            return 0

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except RedisError as error:
            self._unavailable("get", error)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            self._unavailable("get_many", error)
            return {}

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except RedisError as error:
            self._unavailable("has_key", error)
            return False

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            self._unavailable("set", error)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            self._unavailable("add", error)
            return False

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except RedisError as error:
            self._unavailable("set_many", error)
            return list(data)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except RedisError as error:
            self._unavailable("touch", error)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except RedisError as error:
            self._unavailable("delete", error)
            return False

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except RedisError as error:
            self._unavailable("delete_many", error)
