"""Shared test setup: markers that need real services, and the role fixtures."""

from __future__ import annotations

import pytest
from django.conf import settings


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    no_broker = not settings.CELERY_BROKER_URL
    for item in items:
        if on_sqlite and item.get_closest_marker("postgres"):
            item.add_marker(
                pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… (CI does)")
            )
        if no_broker and item.get_closest_marker("worker"):
            item.add_marker(
                pytest.mark.skip(reason="needs Redis and a Celery worker: set REDIS_URL (CI does)")
            )
