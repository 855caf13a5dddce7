"""Tests for the newsletter's pages: the subscription form, the confirmation and the
unsubscribe links (a GET changes nothing; the button, or the mail client's POST, does)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from newsletter import services
from newsletter.enums import SubscriberStatus
from newsletter.models import Subscriber
from publications.models import Publication
from tests.factories import SubscriberFactory
from tests.languages import in_chinese

pytestmark = pytest.mark.django_db


def _subscribe_url(publication: Publication) -> str:
    return reverse("newsletter:subscribe", args=[publication.slug])


def test_publication_page_offers_the_subscription_form(
    client: Client, publication: Publication
) -> None:
    response = client.get(reverse("issues:publication-detail", args=[publication.slug]))

    assert response.status_code == 200
    assert f'action="{_subscribe_url(publication)}"'.encode() in response.content
    assert b'name="email"' in response.content


def test_subscribe_form_sends_the_confirmation(
    client: Client, publication: Publication, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_subscribe_url(publication), {"email": "reader@example.org"})

    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING
    assert [m.to for m in mail.outbox] == [["reader@example.org"]]


def test_subscribe_form_in_chinese_subscribes_in_chinese(
    client: Client, publication: Publication, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            in_chinese(_subscribe_url(publication)),
            {"email": "lin@example.org"},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert Subscriber.objects.get().language == "zh-hans"


def test_subscribe_form_answers_the_same_for_a_confirmed_address(
    client: Client, publication: Publication
) -> None:
    SubscriberFactory(publication=publication, email="reader@example.org")

    response = client.post(_subscribe_url(publication), {"email": "reader@example.org"})

    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not an address"}, "Enter a valid email address."),
        ({"email": ""}, "This field is required."),
        (
            {"email": "bot@example.org", "website": "http://spam.example"},
            "This form looks filled in by a program.",
        ),
    ],
)
def test_subscribe_form_refuses_bad_input(
    client: Client, publication: Publication, data: dict[str, str], message: str
) -> None:
    response = client.post(_subscribe_url(publication), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscriber.objects.exists()


def test_subscribe_form_is_throttled_per_client(
    client: Client, publication: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DRF copies the rates into the throttle class when it is imported; change them there.
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "newsletter", "2/hour")
    for n in range(2):
        response = client.post(_subscribe_url(publication), {"email": f"r{n}@example.org"})
        assert response.status_code == 200
    response = client.post(_subscribe_url(publication), {"email": "r9@example.org"})

    assert response.status_code == 429
    assert "Too many subscriptions from your address" in response.content.decode()
    assert Subscriber.objects.count() == 2


def test_subscribe_to_an_unknown_publication_is_404(client: Client, db: None) -> None:
    response = client.post("/en/p/no-such-weekly/subscribe/", {"email": "reader@example.org"})

    assert response.status_code == 404
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_subscribe_form_refuses_a_forged_post_without_csrf(publication: Publication) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(_subscribe_url(publication), {"email": "reader@example.org"})

    assert response.status_code == 403
    assert not Subscriber.objects.exists()


def test_confirmation_link_asks_before_it_confirms(
    client: Client, publication: Publication
) -> None:
    subscriber = SubscriberFactory(publication=publication, pending=True)
    url = reverse("newsletter:confirm", args=[services.confirmation_token(subscriber)])

    page = client.get(url)
    subscriber.refresh_from_db()
    assert page.status_code == 200
    assert subscriber.status == SubscriberStatus.PENDING  # a link scanner confirms nothing
    assert "Confirm my subscription" in page.content.decode()

    done = client.post(url)
    subscriber.refresh_from_db()
    assert done.status_code == 200
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert subscriber.email in done.content.decode()


@pytest.mark.parametrize("name", ["newsletter:confirm", "newsletter:unsubscribe"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_link_gets_a_clear_400(
    client: Client, publication: Publication, name: str, method: str
) -> None:
    subscriber = SubscriberFactory(publication=publication, pending=True)

    response = getattr(client, method)(reverse(name, args=["eyJzIjoxfQ:forged:signature"]))

    assert response.status_code == 400
    assert "link is not valid. Copy the whole link from the e-mail." in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING


def test_unsubscribe_link_asks_and_the_one_click_post_needs_no_csrf(
    publication: Publication,
) -> None:
    subscriber = SubscriberFactory(publication=publication)
    url = reverse("newsletter:unsubscribe", args=[services.unsubscribe_token(subscriber)])
    client = Client(enforce_csrf_checks=True)

    page = client.get(url)
    subscriber.refresh_from_db()
    assert page.status_code == 200
    assert subscriber.status == SubscriberStatus.CONFIRMED

    done = client.post(url, "List-Unsubscribe=One-Click", content_type="text/plain")
    subscriber.refresh_from_db()
    assert done.status_code == 200
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert "will receive no more issues" in done.content.decode()
