"""Credentials no token or session can have (a NUL above all, which PostgreSQL refuses in a query)
are refused like any unknown one, without a query: a 401 for a token, an anonymous request for a
session cookie."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from common.api.authentication import TokenAuthentication
from contributors.services import get_api_token

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
UNKNOWN_KEY = "0123456789abcdef0123456789abcdef01234567"
#: Characters in no key: controls (NUL first), punctuation, and a non-ASCII letter as WSGI hands
#: over its UTF-8 bytes (which DRF decodes to "é").
FOREIGN = ["\x00", "\x07", "\x1f", "\x7f", "-", "\xc3\xa9"]


def _me_with_token(key: str) -> Any:
    return APIClient().get(ME, HTTP_AUTHORIZATION=f"Token {key}")


def _me_with_session_cookie(value: str | None) -> Any:
    cookie = {} if value is None else {"HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={value}"}
    return APIClient().get(ME, **cookie)


# ================================================================ tokens


def test_token_unknown_key_is_401_invalid_token(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        response = _me_with_token(UNKNOWN_KEY)

    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "not_authenticated", "message": "Invalid token.", "fields": {}}
    }
    assert response.headers["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    "foreign", FOREIGN, ids=[f"U+{ord(c):04X}" for c in FOREIGN[:-1]] + ["e-acute"]
)
def test_token_key_with_foreign_character_is_refused_as_unknown_without_a_query(
    contributor: Any, django_assert_num_queries: Any, foreign: str
) -> None:
    # A member's real key with the character inside: no lookup could match it anyway.
    key = get_api_token(contributor).key
    unknown = _me_with_token(UNKNOWN_KEY)

    with django_assert_num_queries(0):
        response = _me_with_token(key[:20] + foreign + key[20:])

    assert response.status_code == unknown.status_code == 401
    assert response.json() == unknown.json()
    assert response.headers["WWW-Authenticate"] == unknown.headers["WWW-Authenticate"]


def test_token_key_ending_in_nul_is_refused_without_a_query(
    contributor: Any, django_assert_num_queries: Any
) -> None:
    key = get_api_token(contributor).key

    with django_assert_num_queries(0):
        response = _me_with_token(key + "\x00")

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Invalid token."


def test_token_valid_key_authenticates(contributor: Any) -> None:
    response = _me_with_token(get_api_token(contributor).key)

    assert response.status_code == 200
    assert response.json()["username"] == "contributor"


def test_token_key_set_by_hand_in_upper_case_authenticates(contributor: Any) -> None:
    Token.objects.create(user=contributor, key=UNKNOWN_KEY.upper())

    response = _me_with_token(UNKNOWN_KEY.upper())

    assert response.status_code == 200
    assert response.json()["username"] == "contributor"


def test_token_authenticate_credentials_foreign_key_raises_invalid_token(
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(0), pytest.raises(exceptions.AuthenticationFailed) as refused:
        TokenAuthentication().authenticate_credentials("0123\x00456789")

    assert refused.value.detail == "Invalid token."
    assert refused.value.detail.code == "authentication_failed"


def test_token_authentication_is_the_configured_one() -> None:
    configured = api_settings.DEFAULT_AUTHENTICATION_CLASSES

    assert configured == [TokenAuthentication, SessionAuthentication]


def test_schema_security_schemes_are_drf_spectacular_s_for_token_and_session() -> None:
    # drf-spectacular describes subclasses of DRF's TokenAuthentication as DRF's own.
    schema = SchemaGenerator().get_schema(request=None, public=True)

    assert schema["components"]["securitySchemes"] == {
        "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
        "tokenAuth": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token"',
        },
    }
    assert schema["paths"]["/api/v1/me/"]["get"]["security"] == [
        {"tokenAuth": []},
        {"cookieAuth": []},
    ]


# ================================================================ sessions


def test_session_cookie_with_nul_is_anonymous_without_a_query(
    contributor: Any, django_assert_num_queries: Any
) -> None:
    # A live session's own key with a NUL after it: it must not be looked up at all.
    api = APIClient()
    api.force_login(contributor)
    key = api.cookies[settings.SESSION_COOKIE_NAME].value
    anonymous = _me_with_session_cookie(None)

    with django_assert_num_queries(0):
        response = _me_with_session_cookie(key + "\x00")

    assert response.status_code == anonymous.status_code == 401
    assert response.json() == anonymous.json()
    assert response.json()["error"]["message"] == "Authentication credentials were not provided."


@pytest.mark.parametrize("value", ["abcdefgh\x00ijklmnop", "\x00" * 32, "ABCDEFGHIJKLMNOP"])
def test_session_cookie_no_key_can_match_is_anonymous(
    django_assert_num_queries: Any, value: str
) -> None:
    anonymous = _me_with_session_cookie(None)

    with django_assert_num_queries(0):
        response = _me_with_session_cookie(value)

    assert (response.status_code, response.json()) == (anonymous.status_code, anonymous.json())


def test_session_valid_cookie_authenticates(contributor: Any) -> None:
    api = APIClient()
    api.force_login(contributor)

    response = api.get(ME)

    assert response.status_code == 200
    assert response.json()["username"] == "contributor"


# ================================================================ CSRF


def test_session_post_without_csrf_token_is_refused_and_a_token_needs_none(
    contributor: Any,
) -> None:
    """A page on another site cannot make a signed-in member's browser write through the API;
    a client with an API token sends no cookie, so it has no CSRF token to send."""
    from recommendations.models import Recommendation
    from tests.factories import PublicationFactory

    PublicationFactory(slug="pretraining-weekly")
    body = {"publication": "pretraining-weekly", "identifier": "2305.14314", "summary": "Read."}
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(contributor)

    refused = browser.post("/api/v1/recommendations/", body, format="json")
    with_token = APIClient(enforce_csrf_checks=True).post(
        "/api/v1/recommendations/",
        body,
        format="json",
        HTTP_AUTHORIZATION=f"Token {get_api_token(contributor).key}",
    )

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    assert with_token.status_code == 201, with_token.content
    assert Recommendation.objects.count() == 1
