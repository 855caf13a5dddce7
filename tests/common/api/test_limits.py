"""The API's throttles: each request counted once, anonymous ones by address, members' by
member (``common.api.limits``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = "127.0.0.1"


def _counts() -> dict[str, Any]:
    return {
        scope: cache.get(key)
        for scope, key in (
            ("anon", f"throttle_anon_{ADDRESS}"),
            ("user-by-address", f"throttle_user_{ADDRESS}"),
        )
    }


def test_anonymous_request_is_counted_once_by_its_address() -> None:
    APIClient().get("/api/v1/papers/")

    counts = _counts()
    assert len(counts["anon"]) == 1
    assert counts["user-by-address"] is None


def test_member_request_is_counted_by_member_only() -> None:
    member = UserFactory()
    client = APIClient()
    client.force_authenticate(member)

    client.get("/api/v1/papers/")
    client.get("/api/v1/papers/")

    assert len(cache.get(f"throttle_user_{member.pk}")) == 2
    assert _counts() == {"anon": None, "user-by-address": None}


def test_member_rate_still_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/minute")
    client = APIClient()
    client.force_authenticate(UserFactory())

    statuses = [client.get("/api/v1/papers/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
