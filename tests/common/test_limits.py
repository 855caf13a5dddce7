"""Tests of common.limits: request bodies that are too large, hold too many fields or carry a
file are refused with a page that says why (the API's error shape under ``/api/``), and nothing
is stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from publications.models import Publication
from recommendations.models import Recommendation

pytestmark = pytest.mark.django_db

User = get_user_model()

TOKEN_URL = "/api/v1/auth/token/"
PAPER_URL = reverse("recommendations:paper-create")
SIGNUP_URL = reverse("contributors:signup")


@pytest.fixture
def member(client: Client, contributor: Any) -> Client:
    client.force_login(contributor)
    return client


TOO_LARGE_PAGE = "What you sent is too large: the limit is 1.0\xa0MB."


def test_body_over_the_limit_on_a_web_form_is_a_readable_413(
    member: Client, publication: Publication
) -> None:
    data = {
        "publication": "pretraining-weekly",
        "identifier": "2305.14314",
        "summary": "x" * (1024 * 1024 + 1),
        "action": "submit",
    }

    response = member.post(PAPER_URL, data)

    assert response.status_code == 413
    html = response.content.decode()
    assert TOO_LARGE_PAGE in html
    assert "Nothing was saved." in html
    assert "Content-Security-Policy" in response.headers  # answered through the middleware
    assert not Recommendation.objects.exists()


def test_body_over_the_limit_on_sign_up_stores_nobody(client: Client) -> None:
    data = {
        "username": "lin",
        "email": "lin@example.org",
        "display_name": "林" * 600_000,
        "password1": "a-long-passphrase-42",
        "password2": "a-long-passphrase-42",
    }

    response = client.post(SIGNUP_URL, data)

    assert response.status_code == 413
    assert TOO_LARGE_PAGE in response.content.decode()
    assert not User.objects.filter(username="lin").exists()


def test_body_over_the_limit_on_the_api_token_endpoint_is_json_413(contributor: Any) -> None:
    body = {"username": "contributor", "password": "p" * (1024 * 1024)}

    response = APIClient().post(TOKEN_URL, body, format="json")

    assert response.status_code == 413
    assert response.json() == {
        "error": {"code": "too_large", "message": "The request body is too large.", "fields": {}}
    }
    assert not Token.objects.filter(user=contributor).exists()


def test_body_over_the_limit_read_by_django_itself_is_still_a_readable_413(
    settings: Any, member: Client, publication: Publication
) -> None:
    # Without the middleware, Django refuses while reading the form (RequestDataTooBig): the
    # site's 400 handler turns that into the same page.
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "common.limits.RequestSizeMiddleware"
    ]
    data = {"publication": "pretraining-weekly", "summary": "x" * (1024 * 1024 + 1)}

    response = member.post(PAPER_URL, data, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 413
    assert TOO_LARGE_PAGE in response.content.decode()
    assert not Recommendation.objects.exists()


def test_form_with_too_many_fields_is_a_readable_400(
    member: Client, publication: Publication
) -> None:
    data = {
        "publication": "pretraining-weekly",
        "identifier": "2305.14314",
        "summary": "Fine.",
        "action": "submit",
        **{f"extra{n}": "x" for n in range(600)},
    }

    response = member.post(PAPER_URL, data)

    assert response.status_code == 400
    assert "The form you sent has too many fields (more than 500)." in response.content.decode()
    assert not Recommendation.objects.exists()


def test_form_with_a_file_is_refused(member: Client, publication: Publication) -> None:
    data = {
        "publication": "pretraining-weekly",
        "identifier": "2305.14314",
        "summary": "Fine.",
        "action": "submit",
        "attachment": SimpleUploadedFile("paper.pdf", b"%PDF-1.4 " * 100),
    }

    response = member.post(PAPER_URL, data)

    assert response.status_code == 400
    assert "This site takes no files." in response.content.decode()
    assert not Recommendation.objects.exists()
