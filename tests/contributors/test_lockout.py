"""Tests of contributors.lockout: failed log-ins counted per account, whichever door they come
through (the log-in page, the admin's log-in, the API's token endpoint), refused past the limit
until the window ends, and the same answer for a name that belongs to nobody."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories.contributors import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("contributors:login")
ADMIN_LOGIN_URL = reverse("admin:login")
TOKEN_URL = "/api/v1/auth/token/"
LOCKED = "Too many failed log-ins for this user name. Please try again in 15 minutes."


def _session_user_id(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


@pytest.fixture
def three_failures(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A limit of 3 failures in the default window; the per-address throttles out of the way,
    so what refuses is the per-account count alone."""
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_WINDOW = 900
    # DRF copies the rates into the throttle class when it is imported; change them there.
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "web_login", None)
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login", None)


def _web_login(username: str, password: str, address: str = "192.0.2.1") -> tuple[Any, Client]:
    client = Client()
    response = client.post(
        LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return response, client


def _api_login(username: str, password: str, address: str = "192.0.2.1") -> Any:
    return APIClient().post(
        TOKEN_URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def test_login_lockout_web_after_limit_refuses_even_the_right_password(
    contributor: Any, three_failures: None
) -> None:
    # Three guesses, each from another address: the count is per account, not per address.
    statuses = [
        _web_login("contributor", f"guess-{n}", address=f"198.51.100.{n}")[0].status_code
        for n in range(3)
    ]

    response, client = _web_login("contributor", TEST_PASSWORD, address="203.0.113.5")

    assert statuses == [200, 200, 200]
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 900
    assert LOCKED in response.content.decode()
    assert _session_user_id(client) is None


def test_login_lockout_is_shared_by_the_site_the_api_and_the_admin(
    contributor: Any, three_failures: None
) -> None:
    contributor.is_staff = True
    contributor.save(update_fields=["is_staff"])
    _web_login("contributor", "guess-1")
    _api_login("contributor", "guess-2")
    Client().post(ADMIN_LOGIN_URL, {"username": "contributor", "password": "guess-3"})

    api = _api_login("contributor", TEST_PASSWORD)
    web, web_client = _web_login("contributor", TEST_PASSWORD)
    admin_client = Client()
    admin = admin_client.post(
        ADMIN_LOGIN_URL, {"username": "contributor", "password": TEST_PASSWORD}
    )

    assert api.status_code == 429
    assert api.json() == {"error": {"code": "login_locked", "message": LOCKED, "fields": {}}}
    assert 0 < int(api["Retry-After"]) <= 900
    assert web.status_code == 429
    assert LOCKED in admin.content.decode()
    assert _session_user_id(web_client) is None
    assert _session_user_id(admin_client) is None
    assert not Token.objects.filter(user=contributor).exists()


def test_login_lockout_count_resets_on_success(contributor: Any, three_failures: None) -> None:
    for n in range(2):
        _api_login("contributor", f"guess-{n}")
    assert _api_login("contributor", TEST_PASSWORD).status_code == 200
    # The count starts again: two more failures do not lock the account out.
    for n in range(2):
        _web_login("contributor", f"guess-{n}")

    response, client = _web_login("contributor", TEST_PASSWORD)

    assert response.status_code == 302
    assert _session_user_id(client) == contributor.pk


def test_login_lockout_answers_the_same_for_a_name_nobody_has(
    contributor: Any, three_failures: None
) -> None:
    for username in ("contributor", "nobody-by-this-name"):
        for n in range(3):
            first = _api_login(username, f"guess-{n}")
            assert first.json()["error"]["code"] == "invalid_credentials"

    member_api = _api_login("contributor", "guess")
    nobody_api = _api_login("nobody-by-this-name", "guess")
    member_web, _client = _web_login("contributor", "guess")
    nobody_web, _client = _web_login("nobody-by-this-name", "guess")

    assert (member_api.status_code, member_api.json()) == (
        nobody_api.status_code,
        nobody_api.json(),
    )
    assert member_api.status_code == 429
    assert member_web.status_code == nobody_web.status_code == 429
    for page in (member_web, nobody_web):
        assert LOCKED in page.content.decode()


def test_login_lockout_counts_a_name_whatever_its_case(
    contributor: Any, three_failures: None
) -> None:
    for username in ("Contributor", "CONTRIBUTOR", "contributor"):
        _api_login(username, "guess")

    assert _api_login("contributor", TEST_PASSWORD).status_code == 429


def test_login_lockout_leaves_other_accounts_alone(
    contributor: Any, other_contributor: Any, three_failures: None
) -> None:
    for n in range(3):
        _api_login("contributor", f"guess-{n}")

    assert _api_login("other-contributor", TEST_PASSWORD).status_code == 200
    # The lockout did engage, for the name that failed.
    assert _api_login("contributor", TEST_PASSWORD).status_code == 429


def test_login_lockout_ends_with_its_window(
    settings: Any, contributor: Any, three_failures: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cache whose clock the test moves: the local-memory one reads time.time() for expiry
    # (CI's Redis keeps its own clock).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    for n in range(3):
        _api_login("contributor", f"guess-{n}")
    assert _api_login("contributor", TEST_PASSWORD).status_code == 429

    monkeypatch.setattr(time, "time", lambda: now + 899)
    late = _api_login("contributor", TEST_PASSWORD)
    monkeypatch.setattr(time, "time", lambda: now + 901)
    after = _api_login("contributor", TEST_PASSWORD)

    assert (late.status_code, late["Retry-After"]) == (429, "1")
    assert after.status_code == 200
    assert set(after.json()) == {"token"}


def test_login_lockout_off_when_the_limit_is_zero(
    settings: Any, contributor: Any, three_failures: None
) -> None:
    settings.LOGIN_FAILURE_LIMIT = 0
    for n in range(5):
        _api_login("contributor", f"guess-{n}")

    assert _api_login("contributor", TEST_PASSWORD).status_code == 200
