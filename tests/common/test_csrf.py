"""The forms of cached pages, protected by where the browser says they were posted from
(``common.csrf``): the language switch and the newsletter's subscription, through the site."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from newsletter.models import Subscriber
from publications.models import Publication

pytestmark = pytest.mark.django_db

OWN = "http://testserver"
#: (case, headers, with a valid token, taken): what a browser or another client may send.
CASES = [
    ("same-origin, both headers", {"ORIGIN": OWN, "SEC_FETCH_SITE": "same-origin"}, False, True),
    ("same origin, plain HTTP (no fetch metadata)", {"ORIGIN": OWN}, False, True),
    ("fetch metadata alone", {"SEC_FETCH_SITE": "same-origin"}, False, True),
    ("typed by the reader", {"SEC_FETCH_SITE": "none"}, False, True),
    ("another site", {"ORIGIN": "https://evil.example"}, False, False),
    ("another site, with a token", {"ORIGIN": "https://evil.example"}, True, False),
    ("another port", {"ORIGIN": "http://testserver:8080"}, False, False),
    ("opaque origin (a sandboxed frame)", {"ORIGIN": "null"}, False, False),
    ("cross-site fetch", {"SEC_FETCH_SITE": "cross-site"}, False, False),
    ("a sibling subdomain", {"SEC_FETCH_SITE": "same-site"}, False, False),
    ("headers that disagree", {"ORIGIN": OWN, "SEC_FETCH_SITE": "cross-site"}, False, False),
    ("no header, no token", {}, False, False),
    ("no header, a valid token (not a browser)", {}, True, True),
]
IDS = [case[0] for case in CASES]


def _client(with_token: bool) -> tuple[Client, dict[str, str]]:
    client = Client(enforce_csrf_checks=True)
    if not with_token:
        return client, {}
    # A token and its cookie, as Django's own check wants them.
    client.get(reverse("contributors:login"))
    return client, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}


def _meta(headers: dict[str, str]) -> dict[str, str]:
    return {f"HTTP_{name}": value for name, value in headers.items()}


@pytest.mark.parametrize(("case", "headers", "with_token", "taken"), CASES, ids=IDS)
def test_language_switch(case: str, headers: dict[str, str], with_token: bool, taken: bool) -> None:
    client, token = _client(with_token)

    response = client.post(
        reverse("set_language"), {"language": "zh-hans", "next": "/", **token}, **_meta(headers)
    )

    if taken:
        assert response.status_code == 302
        assert client.cookies["django_language"].value == "zh-hans"
    else:
        assert response.status_code == 403
        assert "django_language" not in client.cookies


@pytest.mark.parametrize(("case", "headers", "with_token", "taken"), CASES, ids=IDS)
def test_newsletter_subscription(
    publication: Publication,
    case: str,
    headers: dict[str, str],
    with_token: bool,
    taken: bool,
) -> None:
    client, token = _client(with_token)

    response = client.post(
        reverse("newsletter:subscribe", args=[publication.slug]),
        {"email": "reader@example.org", **token},
        **_meta(headers),
    )

    assert response.status_code == (200 if taken else 403)
    assert Subscriber.objects.filter(email="reader@example.org").exists() == taken


def test_trusted_origin_is_this_site(settings: Any) -> None:
    settings.CSRF_TRUSTED_ORIGINS = ["https://weekly.example.org"]
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("set_language"),
        {"language": "zh-hans", "next": "/"},
        HTTP_ORIGIN="https://weekly.example.org",
    )

    assert response.status_code == 302


def test_every_other_form_still_wants_its_token() -> None:
    """The browser's word stands for a token only on the views that ask for it: a sign-up
    posted from this very site without one is refused."""
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("contributors:signup"),
        {"username": "mallory", "email": "m@example.org"},
        HTTP_ORIGIN=OWN,
        HTTP_SEC_FETCH_SITE="same-origin",
    )

    assert response.status_code == 403
