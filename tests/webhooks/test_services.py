"""Webhook endpoints and deliveries (``webhooks/services.py``), against a local receiver: the
events of publishing, correcting and accepting, signatures, retries, disabling and the mail."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from common.exceptions import InvalidInput, NotAllowed
from issues import services as issue_services
from issues.models import Issue
from publications.models import Publication
from recommendations import services as recommendation_services
from recommendations.enums import RecommendationStatus
from tests.factories import PaperFactory, RecommendationFactory
from tests.servers.webhooks import receiver
from tests.webhooks.conftest import make_endpoint
from webhooks import services, signing
from webhooks.enums import DeliveryStatus
from webhooks.models import Attempt, Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


def _publish(publication: Publication, editor: Any) -> Issue:
    issue = issue_services.create_issue(publication, by=editor, title="Scaling, revisited")
    recommendation = RecommendationFactory(
        publication=publication,
        paper=PaperFactory(title="A paper"),
        status=RecommendationStatus.ACCEPTED,
    )
    issue_services.schedule_recommendation(recommendation, issue=issue, by=editor)
    return issue_services.publish_issue(issue, by=editor)


def _disabled_mails() -> list[Any]:
    return [m for m in mail.outbox if m.subject.startswith("Webhook disabled")]


# --- registering --------------------------------------------------------------------------------


def test_create_endpoint_gives_a_secret_and_keeps_the_events_in_order(
    publication: Publication, editor: Any, local_hooks: Any
) -> None:
    endpoint = services.create_endpoint(
        publication,
        by=editor,
        url="https://hooks.example.org/weekly",
        events=["recommendation.accepted", "issue.published"],
    )
    assert endpoint.secret.startswith("whsec_")
    assert len(endpoint.secret) > 40
    assert endpoint.events == ["issue.published", "recommendation.accepted"]
    assert endpoint.created_by == editor


@pytest.mark.parametrize(
    ("url", "events", "field"),
    [
        ("http://hooks.example.org/x", ["issue.published"], "url"),
        ("https://10.0.0.1/x", ["issue.published"], "url"),
        ("https://hooks.example.org/x", [], "events"),
        ("https://hooks.example.org/x", ["issue.deleted"], "events"),
        ("", ["issue.published"], "url"),
    ],
)
def test_create_endpoint_refuses_bad_input_and_stores_nothing(
    publication: Publication, editor: Any, url: str, events: list[str], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.create_endpoint(publication, by=editor, url=url, events=events)
    assert refused.value.field == field
    assert Endpoint.objects.count() == 0


def test_only_editors_register_endpoints(publication: Publication, reviewer: Any) -> None:
    with pytest.raises(NotAllowed):
        services.create_endpoint(
            publication, by=reviewer, url="https://hooks.example.org/", events=["issue.published"]
        )
    assert Endpoint.objects.count() == 0


# --- delivering ---------------------------------------------------------------------------------


def test_publishing_calls_the_endpoint_with_a_signed_payload(
    publication: Publication, editor: Any, hooks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint = make_endpoint(publication, editor, hooks.url)
    with django_capture_on_commit_callbacks(execute=True):
        issue = _publish(publication, editor)
    assert len(hooks.calls) == 1
    call = hooks.calls[0]
    assert signing.verify(endpoint.secret, call.headers["Weekly-Signature"], call.body)
    payload = json.loads(call.body)
    event = Event.objects.get()
    assert payload["id"] == str(event.id) == call.headers["Weekly-Event-Id"]
    assert payload["type"] == "issue.published" == call.headers["Weekly-Event"]
    assert payload["publication"] == publication.slug
    assert payload["data"]["object"]["id"] == issue.pk
    assert payload["data"]["object"]["number"] == issue.number
    assert payload["data"]["object"]["url"].startswith("http")
    assert payload["data"]["object"]["entries"][0]["title"] == "A paper"
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    attempt = Attempt.objects.get()
    assert (attempt.number, attempt.status_code, attempt.retry_in) == (1, 200, None)
    assert attempt.response_body == '{"ok": true}'


def test_an_endpoint_hears_only_its_events_and_a_disabled_one_nothing(
    publication: Publication, editor: Any, hooks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_endpoint(publication, editor, hooks.url, ["recommendation.accepted"])
    off = make_endpoint(publication, editor, hooks.url + "/off", ["issue.published"])
    services.update_endpoint(off, by=editor, active=False)
    with django_capture_on_commit_callbacks(execute=True):
        _publish(publication, editor)
    assert hooks.calls == []
    assert Event.objects.count() == 0


def test_correcting_and_accepting_send_their_events(
    publication: Publication, editor: Any, hooks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    issue = _publish(publication, editor)
    make_endpoint(publication, editor, hooks.url)
    recommendation = RecommendationFactory(
        publication=publication, status=RecommendationStatus.SUBMITTED
    )
    with django_capture_on_commit_callbacks(execute=True):
        issue_services.correct_issue(issue, by=editor, note="Typo", fields={"title": "Fixed"})
    with django_capture_on_commit_callbacks(execute=True):
        recommendation_services.accept_recommendation(recommendation, by=editor)
    types = [json.loads(c.body)["type"] for c in hooks.calls]
    assert types == ["issue.corrected", "recommendation.accepted"]
    corrected = json.loads(hooks.calls[0].body)["data"]
    assert corrected["object"]["title"] == "Fixed"
    assert corrected["correction"]["note"] == "Typo"
    assert json.loads(hooks.calls[1].body)["data"]["object"]["id"] == recommendation.pk


def test_a_failing_endpoint_is_retried_with_growing_waits_then_delivered(
    publication: Publication, editor: Any, local_hooks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    local_hooks.WEBHOOK_RETRY_BACKOFF = 10.0
    with receiver(statuses=[500, 503, 404, 200]) as server:
        make_endpoint(publication, editor, server.url)
        with django_capture_on_commit_callbacks(execute=True):
            _publish(publication, editor)
    assert len(server.calls) == 4
    # Every attempt carries the same event, freshly signed.
    assert len({c.body for c in server.calls}) == 1
    log = list(Attempt.objects.order_by("number").values_list("number", "status_code", "retry_in"))
    assert log == [(1, 500, 10), (2, 503, 20), (3, 404, 40), (4, 200, None)]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 4)
    assert Endpoint.objects.get().consecutive_failures == 0


def test_retry_delay_doubles_up_to_the_cap(settings: Any) -> None:
    settings.WEBHOOK_RETRY_BACKOFF = 10.0
    assert [services.retry_delay(n) for n in range(1, 7)] == [10, 20, 40, 80, 120, 120]


def test_an_endpoint_is_disabled_after_failed_events_in_a_row_and_editors_are_mailed(
    publication: Publication, editor: Any, local_hooks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    local_hooks.WEBHOOK_MAX_ATTEMPTS = 2
    local_hooks.WEBHOOK_DISABLE_AFTER = 2
    with receiver(statuses=[500]) as server:
        endpoint = make_endpoint(publication, editor, server.url)
        with django_capture_on_commit_callbacks(execute=True):
            first = _publish(publication, editor)
        endpoint.refresh_from_db()
        assert (endpoint.is_active, endpoint.consecutive_failures) == (True, 1)
        assert _disabled_mails() == []
        with django_capture_on_commit_callbacks(execute=True):
            issue_services.correct_issue(first, by=editor, note="Typo", fields={"title": "New"})
        endpoint.refresh_from_db()
        assert (endpoint.is_active, endpoint.consecutive_failures) == (False, 2)
        assert endpoint.disabled_at is not None
        assert len(server.calls) == 4  # two events, two attempts each
        # A disabled endpoint is called no more.
        with django_capture_on_commit_callbacks(execute=True):
            issue_services.correct_issue(first, by=editor, note="Again", fields={"title": "Newer"})
        assert len(server.calls) == 4
    assert list(Delivery.objects.order_by("id").values_list("status", flat=True)) == [
        DeliveryStatus.FAILED,
        DeliveryStatus.FAILED,
    ]
    assert len(_disabled_mails()) == 1
    message = _disabled_mails()[0]
    assert message.to == [editor.email]
    assert server.url in message.subject
    assert "disabled" in message.body
    # Switched on again by an editor, it counts from zero.
    services.update_endpoint(endpoint, by=editor, active=True)
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures, endpoint.disabled_at) == (
        True,
        0,
        None,
    )


def test_a_private_address_is_refused_at_delivery_without_a_call(
    publication: Publication,
    editor: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Registered while its name was public, the name now resolves to 10.0.0.7 (rebinding)."""
    from webhooks import network

    settings.WEBHOOK_ALLOWED_HOSTS = []
    make_endpoint(publication, editor, "https://hooks.example.org/in")
    monkeypatch.setattr(
        network.socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [(2, 1, 6, "", ("10.0.0.7", port))],
    )
    posted: list[Any] = []
    monkeypatch.setattr(network, "post", lambda *args: posted.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        _publish(publication, editor)
    assert posted == []
    attempt = Attempt.objects.get()
    assert attempt.status_code is None
    assert "10.0.0.7" in attempt.error
    assert "not a public address" in attempt.error
    assert Delivery.objects.get().status == DeliveryStatus.FAILED


def test_emit_event_records_an_event_once(
    publication: Publication, editor: Any, local_hooks: Any
) -> None:
    make_endpoint(publication, editor, "http://127.0.0.1:9/x")
    first = services.emit_event("issue.published", publication.pk, key="k", obj={})
    again = services.emit_event("issue.published", publication.pk, key="k", obj={})
    assert first is not None
    assert again is None
    assert Event.objects.count() == 1
    assert Delivery.objects.count() == 1
    assert timezone.now() >= first.created_at
