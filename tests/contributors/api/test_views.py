"""The token endpoints: obtain, revoke, and the login throttle."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.api.helpers import API, _error, _token_header
from tests.factories import (
    TEST_PASSWORD,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_token_obtain_valid_credentials_answers_a_working_token(contributor: Any) -> None:
    api = APIClient()

    first = api.post(f"{API}/auth/token/", {"username": "contributor", "password": TEST_PASSWORD})
    again = api.post(f"{API}/auth/token/", {"username": "contributor", "password": TEST_PASSWORD})

    assert first.status_code == 200
    key = first.json()["token"]
    assert again.json() == {"token": key}
    assert Token.objects.get(user=contributor).key == key
    me = api.get(f"{API}/me/", **_token_header(key))
    assert me.status_code == 200
    assert me.json()["username"] == "contributor"


def test_token_obtain_wrong_password_is_invalid_credentials(contributor: Any) -> None:
    response = APIClient().post(
        f"{API}/auth/token/", {"username": "contributor", "password": "not-the-password"}
    )

    error = _error(response, 400, "invalid_credentials")
    assert error["message"] == "The user name or the password is wrong."
    assert error["fields"] == {}
    assert not Token.objects.exists()


def test_token_obtain_inactive_user_is_invalid_credentials(db: None) -> None:
    UserFactory(username="gone", is_active=False)

    response = APIClient().post(
        f"{API}/auth/token/", {"username": "gone", "password": TEST_PASSWORD}
    )

    _error(response, 400, "invalid_credentials")
    assert not Token.objects.exists()


def test_token_obtain_missing_password_names_the_field(contributor: Any) -> None:
    response = APIClient().post(f"{API}/auth/token/", {"username": "contributor"})

    error = _error(response, 400, "invalid")
    assert list(error["fields"]) == ["password"]


def test_token_revoke_token_stops_working(contributor: Any) -> None:
    api = APIClient()
    key = api.post(
        f"{API}/auth/token/", {"username": "contributor", "password": TEST_PASSWORD}
    ).json()["token"]

    revoked = api.delete(f"{API}/auth/token/", **_token_header(key))
    after = api.get(f"{API}/me/", **_token_header(key))

    assert revoked.status_code == 204
    assert not Token.objects.filter(user=contributor).exists()
    _error(after, 401, "not_authenticated")
    assert after.headers["WWW-Authenticate"] == "Token"


def test_token_revoke_anonymous_is_401(db: None) -> None:
    _error(APIClient().delete(f"{API}/auth/token/"), 401, "not_authenticated")


def test_token_obtain_throttled_after_login_rate(
    contributor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login", "2/minute")
    api = APIClient()
    wrong = {"username": "contributor", "password": "guess"}
    statuses = [api.post(f"{API}/auth/token/", wrong).status_code for _ in range(3)]

    assert statuses == [400, 400, 429]
