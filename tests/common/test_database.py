"""The PostgreSQL backend that health-checks a kept connection only after it sat idle
(``common.database``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections

from common.database import base

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def kept(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A connection of its own, kept between requests as in production, with a clock and a
    count of its health checks."""
    wrapper = connections.create_connection("default")
    wrapper.settings_dict = {**wrapper.settings_dict, "CONN_MAX_AGE": 600}
    wrapper.checks = 0
    wrapper.clock = [1000.0]
    usable = wrapper.is_usable

    def counted() -> bool:
        wrapper.checks += 1
        return usable()

    monkeypatch.setattr(wrapper, "is_usable", counted)
    monkeypatch.setattr(base.time, "monotonic", lambda: wrapper.clock[0])
    yield wrapper
    wrapper.close()


def _request(wrapper: Any) -> None:
    """What a request does with it: Django's start and end of request, one query between."""
    wrapper.close_if_unusable_or_obsolete()
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT 2")
    wrapper.close_if_unusable_or_obsolete()


def test_connection_that_just_answered_is_not_checked(kept: Any) -> None:
    _request(kept)  # a new connection: healthy
    for _ in range(5):
        kept.clock[0] += 0.1
        _request(kept)

    assert kept.checks == 0
    assert kept.vendor == "postgresql"


def test_connection_idle_for_longer_is_checked_and_replaced_when_broken(kept: Any) -> None:
    _request(kept)
    first = kept.connection
    kept.clock[0] += base.HEALTHY_FOR + 0.5
    _request(kept)
    assert kept.checks == 1
    assert kept.connection is first

    kept.clock[0] += base.HEALTHY_FOR + 0.5
    first.close()  # the database went away meanwhile
    _request(kept)

    assert kept.checks == 2
    assert kept.connection is not first
    assert not kept.connection.closed
