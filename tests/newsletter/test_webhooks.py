"""Mailgun's bounce and complaint webhook (newsletter.views.mailgun_webhook, read by
django-anymail), with payloads written from Mailgun's documented shape
(tests/fixtures/mailgun/README.md) and signed as Mailgun signs its calls."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from newsletter.enums import SubscriberStatus, SuppressionReason
from newsletter.models import SoftBounce, Suppression
from publications.models import Publication
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mailgun"
URL = "/newsletter/webhooks/mailgun/"
KEY = "key-of-the-tests-0123456789abcdef"


@pytest.fixture(autouse=True)
def signing_key(settings: Any) -> None:
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}


def _payload(name: str, *, key: str = KEY) -> dict[str, Any]:
    payload = json.loads((FIXTURES / name).read_text())
    signature = payload["signature"]
    signature["signature"] = hmac.new(
        key.encode(), (signature["timestamp"] + signature["token"]).encode(), hashlib.sha256
    ).hexdigest()
    return payload


def _post(payload: dict[str, Any]) -> Any:
    return Client(enforce_csrf_checks=True).post(
        URL, json.dumps(payload), content_type="application/json"
    )


def test_a_permanent_failure_suppresses_the_address(publication: Publication) -> None:
    subscriber = SubscriberFactory(publication=publication, email="gone@example.org")

    response = _post(_payload("failed-permanent.json"))

    assert response.status_code == 200
    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.reason, suppression.source) == (
        "gone@example.org",
        SuppressionReason.BOUNCE,
        "mailgun",
    )
    assert "5.1.1" in suppression.detail
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.SUPPRESSED


def test_a_complaint_suppresses_the_address_whatever_its_case(publication: Publication) -> None:
    subscriber = SubscriberFactory(publication=publication, email="annoyed@example.org")

    assert _post(_payload("complained.json")).status_code == 200

    assert Suppression.objects.get().reason == SuppressionReason.COMPLAINT
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.SUPPRESSED


def test_a_temporary_failure_counts_as_one_soft_bounce(publication: Publication) -> None:
    subscriber = SubscriberFactory(publication=publication, email="busy@example.org")

    assert _post(_payload("failed-temporary.json")).status_code == 200
    assert _post(_payload("failed-temporary.json")).status_code == 200  # Mailgun's next retry

    bounce = SoftBounce.objects.get()
    assert (bounce.email, bounce.source) == ("busy@example.org", "mailgun")
    assert bounce.message == "mailgun:<20261207041500.1.weekly@mg.example.org>"
    assert "4.2.2" in bounce.detail
    assert not Suppression.objects.exists()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED


def test_temporary_failures_of_three_messages_suppress_the_address(
    publication: Publication,
) -> None:
    subscriber = SubscriberFactory(publication=publication, email="busy@example.org")
    for number in (12, 13, 14):
        payload = _payload("failed-temporary.json")
        headers = payload["event-data"]["message"]["headers"]
        headers["message-id"] = f"2026120{number}.1.weekly@mg.example.org"
        assert _post(payload).status_code == 200

    suppression = Suppression.objects.get()
    assert (suppression.reason, suppression.source) == (SuppressionReason.SOFT_BOUNCES, "mailgun")
    assert suppression.detail.count("over quota") == 3
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.SUPPRESSED


def _signed_with_another_key() -> dict[str, Any]:
    return _payload("failed-permanent.json", key="another-key-0123456789abcdef")


def _forged() -> dict[str, Any]:
    payload = _payload("failed-permanent.json")
    payload["signature"]["signature"] = "0" * 64
    return payload


def _unsigned() -> dict[str, Any]:
    payload = _payload("failed-permanent.json")
    del payload["signature"]
    return payload


@pytest.mark.parametrize("make", [_signed_with_another_key, _forged, _unsigned])
def test_an_unsigned_or_forged_call_is_refused(publication: Publication, make: Any) -> None:
    subscriber = SubscriberFactory(publication=publication, email="gone@example.org")

    response = _post(make())

    assert response.status_code == 400
    assert not Suppression.objects.exists()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED


def test_without_a_signing_key_the_site_takes_no_webhook(settings: Any) -> None:
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": ""}
    assert _post(_payload("failed-permanent.json")).status_code == 404
    assert not Suppression.objects.exists()
