"""Tests for common/i18n.py: the language in every page's address (``/zh/…``, ``/en/…``), the
redirect of an address without one, the alternates of every page and the language switch."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from common.i18n import hreflang, language_of_path, strip_language, url_prefix
from issues.models import Issue
from newsletter import services
from newsletter.enums import SubscriberStatus
from tests.factories import IssueFactory, SubscriberFactory
from tests.languages import in_chinese, reverse_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(publication: Any) -> Issue:
    return IssueFactory(publication=publication, published=True, number=1)


def test_prefixes_and_tags_of_the_languages() -> None:
    assert [url_prefix(code) for code, _name in settings.LANGUAGES] == ["en", "zh"]
    assert [hreflang(code) for code, _name in settings.LANGUAGES] == ["en", "zh-Hans"]
    assert language_of_path("/zh/search/") == "zh-hans"
    assert language_of_path("/en/") == "en"
    assert language_of_path("/zh-hans/search/") is None
    assert language_of_path("/api/v1/") is None
    assert strip_language("/zh/p/weekly/1/") == "/p/weekly/1/"
    assert strip_language("/en/") == "/"


def test_every_reader_page_has_its_language_in_the_address() -> None:
    assert reverse("papers:search") == "/en/search/"
    assert reverse_in("zh-hans", "papers:search") == "/zh/search/"
    # What stays where it is.
    assert reverse("api:docs").startswith("/api/v1/")
    assert reverse("admin:index") == "/admin/"
    assert reverse("robots-txt") == "/robots.txt"
    assert reverse("sitemap-index") == "/sitemap.xml"
    assert reverse("uploads:upload", args=["a" * 32, "png"]).startswith("/media/publications/")
    assert reverse("newsletter-hooks:mailgun") == "/newsletter/webhooks/mailgun/"


def test_chinese_link_shared_opens_in_chinese_for_an_english_reader(issue: Issue) -> None:
    """The "Done when" of the languages in addresses: a reader who shares a Chinese page's
    address gives it in Chinese to a reader whose browser and cookie both say English."""
    shared = in_chinese(issue.get_absolute_url())
    other = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = other.get(shared)

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "第 1 期" in page


@pytest.mark.parametrize(
    ("accept", "cookie", "expected"),
    [
        ("zh-CN,zh;q=0.9", None, "/zh/"),
        ("en-GB", None, "/en/"),
        ("", None, "/en/"),
        ("de", None, "/en/"),
        ("en", "zh-hans", "/zh/"),
        ("zh-CN", "en", "/en/"),
    ],
    ids=["accept-chinese", "accept-english", "none", "unknown", "cookie-wins", "cookie-english"],
)
def test_address_without_a_language_goes_to_the_readers_choice(
    issue: Issue, accept: str, cookie: str | None, expected: str
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=accept)
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie

    response = client.get("/p/pretraining-weekly/1/?utm_source=feed")

    assert response.status_code == 302
    assert response["Location"] == f"{expected}p/pretraining-weekly/1/?utm_source=feed"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


def test_unknown_address_and_unknown_prefix_are_not_found(db: None) -> None:
    client = Client()
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/zh-hans/search/").status_code == 404
    assert client.get("/fr/search/").status_code == 404


def test_post_to_an_address_without_a_language_is_answered_where_it_is(publication: Any) -> None:
    """A one-click unsubscribe of a mail sent before addresses had a language posts to the old
    address, and follows no redirect: it is answered there."""
    subscriber = SubscriberFactory(publication=publication)
    token = services.unsubscribe_token(subscriber)
    old = "/" + reverse("newsletter:unsubscribe", args=[token]).removeprefix("/en/")

    response = Client(enforce_csrf_checks=True).post(
        old, "List-Unsubscribe=One-Click", content_type="text/plain"
    )

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


def test_every_page_names_its_alternates(issue: Issue, settings: Any) -> None:
    settings.SITE_URL = "https://weekly.example.org"
    page = Client().get(in_chinese(issue.get_absolute_url())).content.decode()
    head = page.split("</head>", 1)[0]
    site = "https://weekly.example.org"
    assert f'<link rel="alternate" hreflang="en" href="{site}/en/p/pretraining-weekly/1/">' in head
    assert (
        f'<link rel="alternate" hreflang="zh-Hans" href="{site}/zh/p/pretraining-weekly/1/">'
        in head
    )
    assert (
        f'<link rel="alternate" hreflang="x-default" href="{site}/p/pretraining-weekly/1/">' in head
    )


def test_a_page_outside_the_languages_names_no_alternates(db: None) -> None:
    page = Client().get("/no-such-page/").content.decode()
    assert "hreflang" not in page


@pytest.mark.parametrize("next_page", ["papers:search", "issues:statistics"])
def test_language_switch_keeps_the_page_whatever_the_cookie(db: None, next_page: str) -> None:
    reader = Client()
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    chinese = reverse_in("zh-hans", next_page)

    response = reader.post(
        reverse("set_language"),
        {"language": "en", "next": chinese + "?q=retrieval"},
        HTTP_ORIGIN="http://testserver",
    )

    assert response.status_code == 302
    assert response["Location"] == reverse_in("en", next_page) + "?q=retrieval"
