"""The newsletter's admin: subscribers are unsubscribed (never confirmed) there, and failed
deliveries are queued again by an operator's decision."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse

from issues.models import Issue
from newsletter import services
from newsletter.enums import DeliveryStatus, SubscriberStatus
from newsletter.models import Delivery
from publications.models import Publication
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def test_admin_unsubscribe_action(admin_client: Any, publication: Publication) -> None:
    leaving, staying = SubscriberFactory.create_batch(2, publication=publication)

    response = admin_client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "unsubscribe", ACTION_CHECKBOX_NAME: [leaving.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "1 address unsubscribed." in response.content.decode()
    leaving.refresh_from_db()
    staying.refresh_from_db()
    assert leaving.status == SubscriberStatus.UNSUBSCRIBED
    assert staying.status == SubscriberStatus.CONFIRMED


def test_admin_requeue_action_sends_a_failed_delivery(
    admin_client: Any,
    publication: Publication,
    publish: Callable[..., Issue],
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscriber = SubscriberFactory(publication=publication)
    issue = publish()
    services.queue_issue_newsletter(issue)
    Delivery.objects.update(status=DeliveryStatus.FAILED, attempts=5, error="451 later")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:newsletter_delivery_changelist"),
            {"action": "requeue", ACTION_CHECKBOX_NAME: [Delivery.objects.get().pk]},
            follow=True,
        )

    assert "1 delivery queued again." in response.content.decode()
    assert Delivery.objects.get().status == DeliveryStatus.SENT
    assert [m.to for m in mail.outbox if m.subject.startswith(publication.name)] == [
        [subscriber.email]
    ]


def test_admin_shows_why_an_address_is_suppressed_and_lifts_it(
    admin_client: Any, publication: Publication
) -> None:
    from newsletter.enums import SuppressionReason
    from newsletter.models import Suppression

    subscriber = SubscriberFactory(publication=publication, email="gone@example.org")
    services.suppress_address(
        "gone@example.org",
        reason=SuppressionReason.BOUNCE,
        source="smtp",
        detail="550 5.1.1 No such mailbox",
    )
    listing = admin_client.get(reverse("admin:newsletter_suppression_changelist"))
    html = listing.content.decode()
    assert "gone@example.org" in html
    assert "Hard bounce: the address does not exist" in html
    assert "550 5.1.1 No such mailbox" in html
    subscribers = admin_client.get(reverse("admin:newsletter_subscriber_changelist"))
    assert "Suppressed (bounced or complained)" in subscribers.content.decode()

    response = admin_client.post(
        reverse("admin:newsletter_suppression_changelist"),
        {"action": "lift", ACTION_CHECKBOX_NAME: [Suppression.objects.get().pk]},
        follow=True,
    )

    assert "1 address may be mailed again once it subscribes again." in response.content.decode()
    assert not Suppression.objects.exists()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
