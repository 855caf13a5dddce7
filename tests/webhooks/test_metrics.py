"""The webhooks' deliveries by status and their switched-off endpoints in /metrics
(webhooks.metrics)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from publications.models import Publication
from tests.factories import IssueFactory
from tests.webhooks.conftest import make_endpoint
from webhooks.enums import DeliveryStatus
from webhooks.metrics import WebhookCollector
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


def _deliveries(endpoint: Endpoint, *statuses: str) -> None:
    issue = IssueFactory(publication=endpoint.publication, published=True, number=1)
    for n, status in enumerate(statuses):
        event = Event.objects.create(
            publication=endpoint.publication,
            type="issue.published",
            key=f"issue.published:{issue.pk}:{n}",
            issue=issue,
            payload="{}",
        )
        Delivery.objects.create(event=event, endpoint=endpoint, status=status)


def test_deliveries_and_disabled_endpoints_are_counted_in_two_queries(
    publication: Publication, editor: Any
) -> None:
    on = make_endpoint(publication, editor, "https://a.example.org/")
    off = make_endpoint(publication, editor, "https://b.example.org/")
    Endpoint.objects.filter(pk=off.pk).update(is_active=False)
    _deliveries(on, DeliveryStatus.DELIVERED, DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)
    with CaptureQueriesContext(connection) as queries:
        deliveries, endpoints = WebhookCollector().collect()
    assert len(queries) == 2
    counts = {sample.labels["status"]: sample.value for sample in deliveries.samples}
    assert counts == {"pending": 0, "delivered": 2, "failed": 1}
    assert [sample.value for sample in endpoints.samples] == [1]


def test_the_scrape_shows_them(
    client: Client, settings: Any, publication: Publication, editor: Any
) -> None:
    settings.METRICS_TOKEN = "scrape-me"
    _deliveries(make_endpoint(publication, editor, "https://a.example.org/"), "pending")
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me")
    assert b'weekly_webhook_deliveries{status="pending"} 1.0' in response.content
    assert b"weekly_webhook_endpoints_disabled 0.0" in response.content
