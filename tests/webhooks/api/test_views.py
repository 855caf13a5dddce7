"""The webhook API (``webhooks/api/views.py``): permissions, the secret once, the log."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from publications.models import Publication
from tests.webhooks.conftest import make_endpoint
from webhooks.models import Attempt, Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


def _client(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("who", "list_status", "detail_status"),
    [("anonymous", 401, 404), ("contributor", 403, 404), ("reviewer", 403, 404)],
)
def test_only_editors_reach_the_webhook_api(
    who: str,
    list_status: int,
    detail_status: int,
    publication: Publication,
    editor: Any,
    contributor: Any,
    reviewer: Any,
) -> None:
    endpoint = make_endpoint(publication, editor, "https://hooks.example.org/in")
    client = _client({"anonymous": None, "contributor": contributor, "reviewer": reviewer}[who])
    base = f"/api/v1/publications/{publication.slug}/webhooks/"
    assert client.get(base).status_code in (list_status, 403)
    created = client.post(
        base, {"url": "https://x.example.org/", "events": ["issue.published"]}, format="json"
    )
    assert created.status_code in (list_status, 403)
    for method in ("get", "patch", "delete"):
        response = getattr(client, method)(f"/api/v1/webhooks/{endpoint.pk}/", {}, format="json")
        assert response.status_code in (detail_status, 401), (method, response.status_code)
    assert client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").status_code in (
        detail_status,
        401,
    )
    assert list(Endpoint.objects.values_list("url", flat=True)) == ["https://hooks.example.org/in"]


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
