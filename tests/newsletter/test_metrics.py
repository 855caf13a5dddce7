"""The newsletter's deliveries by status in /metrics (newsletter.metrics)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletter.enums import DeliveryStatus
from newsletter.metrics import DeliveryCollector
from newsletter.models import Delivery
from tests.factories.issues import IssueFactory
from tests.factories.newsletter import SubscriberFactory

pytestmark = pytest.mark.django_db


def _deliveries(status: str, count: int) -> None:
    issue = IssueFactory()
    for _ in range(count):
        Delivery.objects.create(
            issue=issue,
            subscriber=SubscriberFactory(publication=issue.publication),
            status=status,
            sent_at=timezone.now() if status == DeliveryStatus.SENT else None,
        )


def test_deliveries_are_counted_by_status_in_one_query() -> None:
    _deliveries(DeliveryStatus.SENT, 3)
    _deliveries(DeliveryStatus.FAILED, 1)
    with CaptureQueriesContext(connection) as queries:
        [family] = DeliveryCollector().collect()
    assert len(queries) == 1
    counts = {sample.labels["status"]: sample.value for sample in family.samples}
    assert counts == {"queued": 0, "sending": 0, "sent": 3, "failed": 1, "skipped": 0}


def test_the_scrape_shows_them(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = "scrape-me"
    _deliveries(DeliveryStatus.QUEUED, 2)
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me")
    assert b'weekly_newsletter_deliveries{status="queued"} 2.0' in response.content
