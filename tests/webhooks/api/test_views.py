"""The webhook API (``webhooks/api/views.py``): the secret once, the log. Who may call each
operation, and that a refusal writes nothing: the API's matrix, tests/api/test_permissions.py."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from publications.models import Publication
from webhooks.models import Attempt, Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


def _client(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_an_editor_manages_endpoints_and_reads_the_log(
    publication: Publication, editor: Any
) -> None:
    client = _client(editor)
    base = f"/api/v1/publications/{publication.slug}/webhooks/"
    created = client.post(
        base, {"url": "https://hooks.example.org/in", "events": ["issue.published"]}, format="json"
    )
    assert created.status_code == 201
    endpoint = Endpoint.objects.get()
    assert created.json()["secret"] == endpoint.secret
    listed = client.get(base).json()
    assert [e["id"] for e in listed] == [endpoint.pk]
    assert "secret" not in listed[0]
    refused = client.post(
        base, {"url": "http://hooks.example.org/in", "events": ["issue.published"]}, format="json"
    )
    assert refused.status_code == 400
    assert Endpoint.objects.count() == 1

    changed = client.patch(
        f"/api/v1/webhooks/{endpoint.pk}/",
        {"active": False, "events": ["issue.corrected"]},
        format="json",
    )
    assert changed.status_code == 200
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.events) == (False, ["issue.corrected"])

    event = Event.objects.create(
        publication=publication, type="issue.corrected", key="k", payload="{}"
    )
    delivery = Delivery.objects.create(event=event, endpoint=endpoint, status="failed", attempts=1)
    Attempt.objects.create(
        delivery=delivery,
        number=1,
        started_at=event.created_at,
        status_code=500,
        duration_ms=12,
        error="The endpoint answered 500.",
        response_body="oops",
    )
    log = client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()
    row = log["results"][0]
    assert (row["event_type"], row["status_code"], row["duration_ms"], row["response_body"]) == (
        "issue.corrected",
        500,
        12,
        "oops",
    )
    assert client.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204
    assert Endpoint.objects.count() == 0
