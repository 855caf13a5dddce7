"""Webhook endpoints and the calls that tell them what happened: the only code that writes here.

An event (``emit_event``) is recorded once with its payload, then delivered to each active
endpoint of its publication that listens to its type, one task per delivery
(``tasks.task_deliver_webhook``), each call logged (``Attempt``). A delivery that keeps failing is
retried with exponential backoff, then given up; an endpoint whose events fail
``WEBHOOK_DISABLE_AFTER`` times in a row is disabled and the publication's editors are told.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from common.exceptions import InvalidInput
from common.queue import enqueue_after_commit
from common.retry import BACKOFF_CAP
from common.validators import check_field, max_length
from publications.enums import TeamRole
from publications.models import Publication
from publications.permissions import require
from webhooks import mail, network, signing
from webhooks.enums import DeliveryStatus, EventType
from webhooks.models import Attempt, Delivery, Endpoint, Event

logger = logging.getLogger("weekly.webhooks")

USER_AGENT = "Weekly-Webhooks/1"


# --- endpoints ----------------------------------------------------------------------------------


def clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise InvalidInput(gettext("Give the endpoint's address."), field="url")
    check_field("url", url, max_length(500))
    try:
        return network.check_url(url)
    except network.RefusedAddress as refusal:
        raise InvalidInput(refusal.message, field="url") from None


def clean_events(events: Any) -> list[str]:
    chosen = [str(e) for e in (events or [])]
    unknown = sorted(set(chosen) - set(EventType.values))
    if unknown:
        raise InvalidInput(
            gettext("Unknown events: %(events)s. Choose among %(known)s.")
            % {"events": ", ".join(unknown), "known": ", ".join(EventType.values)},
            field="events",
        )
    if not chosen:
        raise InvalidInput(gettext("Choose at least one event."), field="events")
    return [e for e in EventType.values if e in chosen]


def create_endpoint(
    publication: Publication, *, by: Any, url: str, events: list[str], description: str = ""
) -> Endpoint:
    """Register an endpoint of ``publication``, with a new secret (``endpoint.secret``, to show
    the editor this once).

    Side effects: inserts an Endpoint.
    """
    require(by, "webhooks.manage_webhooks", publication)
    url = clean_url(url)
    events = clean_events(events)
    description = check_field("description", (description or "").strip(), max_length(200))
    return Endpoint.objects.create(
        publication=publication, url=url, events=events, description=description, created_by=by
    )


def update_endpoint(
    endpoint: Endpoint,
    *,
    by: Any,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    active: bool | None = None,
) -> Endpoint:
    """Change an endpoint's address, events, description, or switch it on or off; switching a
    disabled one on again counts its failures from zero.

    Side effects: updates the Endpoint.
    """
    require(by, "webhooks.manage_webhooks", endpoint)
    fields: list[str] = []
    if url is not None:
        endpoint.url = clean_url(url)
        fields.append("url")
    if events is not None:
        endpoint.events = clean_events(events)
        fields.append("events")
    if description is not None:
        endpoint.description = check_field("description", description.strip(), max_length(200))
        fields.append("description")
    if active is not None and active != endpoint.is_active:
        endpoint.is_active = active
        endpoint.disabled_at = None if active else timezone.now()
        endpoint.consecutive_failures = 0
        fields += ["is_active", "disabled_at", "consecutive_failures"]
    if fields:
        endpoint.save(update_fields=[*fields, "updated_at"])
    return endpoint


def delete_endpoint(endpoint: Endpoint, *, by: Any) -> None:
    """Remove an endpoint and its delivery log.

    Side effects: deletes the Endpoint, its Deliveries and Attempts.
    """
    require(by, "webhooks.manage_webhooks", endpoint)
    endpoint.delete()


# --- events -------------------------------------------------------------------------------------


def emit_event(
    event_type: str, publication_id: int, *, key: str, obj: dict[str, Any], **links: Any
) -> Event | None:
    """Record that ``event_type`` happened (once per ``key``) and queue a delivery to each
    active endpoint of the publication that listens to it. Returns None when no endpoint
    listens, or the event was recorded already.

    ``obj`` is the object as the API shows it; ``links`` are ``issue`` / ``recommendation``.

    Side effects: inserts an Event and its Deliveries; queues one task per delivery.
    """
    endpoints = [
        e
        for e in Endpoint.objects.filter(publication_id=publication_id, is_active=True)
        if event_type in e.events
    ]
    if not endpoints:
        return None
    event = Event(publication_id=publication_id, type=event_type, key=key, **links)
    event.payload = json.dumps(
        {
            "id": str(event.id),
            "type": event_type,
            "created": timezone.now().isoformat().replace("+00:00", "Z"),
            "publication": Publication.objects.values_list("slug", flat=True).get(
                pk=publication_id
            ),
            "data": obj,
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    try:
        with transaction.atomic():
            event.save(force_insert=True)
            deliveries = Delivery.objects.bulk_create(
                [Delivery(event=event, endpoint=endpoint) for endpoint in endpoints]
            )
    except IntegrityError:
        return None  # recorded by an earlier run of the same task
    from webhooks.tasks import task_deliver_webhook

    for delivery in deliveries:
        enqueue_after_commit(task_deliver_webhook, delivery.pk)
    return event


# --- delivering ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str
    #: Seconds until the next attempt; None when there is none.
    retry_in: int | None = None


def retry_delay(attempt: int) -> int:
    """Seconds to wait after failed attempt number ``attempt``: ``WEBHOOK_RETRY_BACKOFF`` doubled
    at each attempt, never more than ``common.retry.BACKOFF_CAP`` (a waiting task must stay
    below the broker's visibility timeout)."""
    return int(min(BACKOFF_CAP, settings.WEBHOOK_RETRY_BACKOFF * 2 ** (attempt - 1)))


def headers_for(delivery: Delivery, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Weekly-Event": delivery.event.type,
        "Weekly-Event-Id": str(delivery.event_id),
        "Weekly-Delivery": str(delivery.pk),
        signing.HEADER: signing.sign(delivery.endpoint.secret, body),
    }


def attempt_delivery(delivery: Delivery) -> Outcome:
    """Call the delivery's endpoint once, log the call, and say what comes next.

    A 2xx answer delivers it. Anything else (another status, a redirect, a timeout, a refused
    connection) is retried after ``retry_delay`` until ``WEBHOOK_MAX_ATTEMPTS`` calls, then the
    delivery fails; an address that is not public fails it at once. A failed delivery counts one
    more failed event of its endpoint (``_count_failure``).

    Side effects: inserts an Attempt; updates the Delivery and its Endpoint; may mail the
    publication's editors.
    """
    if delivery.status != DeliveryStatus.PENDING:
        return Outcome(delivery.status)
    endpoint = delivery.endpoint
    number = delivery.attempts + 1
    started = timezone.now()
    if not endpoint.is_active:
        return _finish(
            delivery,
            number=number,
            started=started,
            answer=network.Answer(None, "", 0, gettext("The endpoint is disabled.")),
            final=True,
            count=False,
        )
    body = delivery.event.payload.encode()
    began = time.monotonic()
    try:
        target = network.resolve(endpoint.url)
    except network.RefusedAddress as refusal:
        answer = network.Answer(None, "", int((time.monotonic() - began) * 1000), refusal.message)
        return _finish(delivery, number=number, started=started, answer=answer, final=True)
    answer = network.post(target, body, headers_for(delivery, body))
    final = number >= settings.WEBHOOK_MAX_ATTEMPTS
    return _finish(delivery, number=number, started=started, answer=answer, final=final)


def _finish(
    delivery: Delivery,
    *,
    number: int,
    started: Any,
    answer: network.Answer,
    final: bool,
    count: bool = True,
) -> Outcome:
    ok = answer.status_code is not None and 200 <= answer.status_code < 300
    error = answer.error
    if not ok and not error and answer.status_code is not None:
        error = gettext("The endpoint answered %(status)s.") % {"status": answer.status_code}
    retry_in = None if ok or final else retry_delay(number)
    now = timezone.now()
    with transaction.atomic():
        Attempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=started,
            status_code=answer.status_code,
            duration_ms=answer.duration_ms,
            error=error,
            response_body=answer.body,
            retry_in=retry_in,
        )
        delivery.attempts = number
        if ok:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = (
                DeliveryStatus.DELIVERED,
                now,
                None,
            )
            Endpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=0)
        elif retry_in is None:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = (
                DeliveryStatus.FAILED,
                now,
                None,
            )
            if count:
                _count_failure(delivery.endpoint)
        else:
            delivery.next_attempt_at = now + dt.timedelta(seconds=retry_in)
        delivery.save(update_fields=["status", "attempts", "finished_at", "next_attempt_at"])
    logger.info(
        "Webhook %s to endpoint %s, attempt %s: %s",
        delivery.event.type,
        delivery.endpoint_id,
        number,
        answer.status_code or error,
    )
    return Outcome(delivery.status, retry_in)


def _count_failure(endpoint: Endpoint) -> None:
    """One more event failed for good: past ``WEBHOOK_DISABLE_AFTER`` in a row, the endpoint is
    disabled (once: a compare-and-set on ``is_active``) and its editors are mailed."""
    Endpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    failures = Endpoint.objects.values_list("consecutive_failures", flat=True).get(pk=endpoint.pk)
    if failures < settings.WEBHOOK_DISABLE_AFTER:
        return
    disabled = Endpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=timezone.now()
    )
    if disabled:
        endpoint.refresh_from_db()
        logger.warning("Webhook endpoint %s disabled after %s failures.", endpoint.pk, failures)
        transaction.on_commit(lambda: tell_editors_disabled(endpoint))


def tell_editors_disabled(endpoint: Endpoint) -> int:
    """Mail each editor of the endpoint's publication that it was disabled, in their language.

    Side effects: sends one e-mail per editor with an address. Returns how many.
    """
    editors = (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__publication_id=endpoint.publication_id,
            memberships__role=TeamRole.EDITOR,
        )
        .exclude(email="")
    )
    sent = 0
    for editor in editors:
        mail.disabled_message(editor, endpoint).send()
        sent += 1
    return sent
