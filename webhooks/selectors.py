"""The webhooks' reads: what an editor may see, the delivery log, an issue's deliveries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count as DbCount
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from issues.desk import DeskLink
from issues.models import Issue
from issues.progress import Count, Line, Progress
from publications.models import Publication
from publications.permissions import can, edited_publications, is_member
from webhooks.enums import DeliveryStatus
from webhooks.models import Attempt, Delivery, Endpoint

#: How many calls an endpoint's page shows, newest first.
LOG_LENGTH = 50


def endpoints_of(publication: Publication) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(publication=publication).order_by("id")


def endpoints_for(user: Any) -> QuerySet[Endpoint]:
    """The endpoints ``user`` may manage: those of the publications they edit."""
    if not is_member(user):
        return Endpoint.objects.none()
    found = Endpoint.objects.select_related("publication")
    return (
        found if user.is_superuser else found.filter(publication_id__in=edited_publications(user))
    )


def endpoint_for(user: Any, pk: int) -> Endpoint | None:
    return endpoints_for(user).filter(pk=pk).first()


def delivery_log(endpoint: Endpoint) -> QuerySet[Attempt]:
    """The endpoint's calls, newest first, each with its delivery and event."""
    return (
        Attempt.objects.filter(delivery__endpoint=endpoint)
        .select_related("delivery__event")
        .order_by("-started_at", "-id")
    )


def issue_webhook_progress(issue: Issue) -> Progress | None:
    """The webhooks' deliveries of an issue's events (its publication, its corrections), for
    the editor's after-publishing panel (``issues.progress``). None when the publication has no
    endpoint. Two queries."""
    if not Endpoint.objects.filter(publication_id=issue.publication_id).exists():
        return None
    deliveries = list(
        Delivery.objects.filter(event__issue=issue)
        .select_related("event", "endpoint")
        .prefetch_related("log")
        .order_by("created_at", "id")
    )
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    lines = []
    for delivery in deliveries:
        counts[delivery.status] += 1
        last = max(delivery.log.all(), key=lambda a: a.number, default=None)
        detail = delivery.get_status_display()
        if last is not None:
            detail += " · " + (
                str(last.status_code) if last.status_code is not None else last.error[:120]
            )
            detail += " · " + gettext("attempt %(n)s") % {"n": delivery.attempts}
        lines.append(
            Line(
                label=f"{delivery.event.type} → {delivery.endpoint.url}",
                state=delivery.status,
                detail=detail,
            )
        )
    return Progress(
        key="webhooks",
        title=gettext("Webhooks"),
        counts=[
            Count("delivered", gettext("Delivered"), counts[DeliveryStatus.DELIVERED]),
            Count("failed", gettext("Failed"), counts[DeliveryStatus.FAILED]),
            Count("pending", gettext("Pending"), counts[DeliveryStatus.PENDING]),
        ],
        lines=lines,
        done=counts[DeliveryStatus.PENDING] == 0,
        url=reverse("webhooks:endpoint-list", args=[issue.publication.slug]),
    )


def desk_link(publication: Publication, user: Any) -> DeskLink | None:
    """The editor's home links each publication's webhooks for those who may manage them."""
    if not can(user, "webhooks.manage_webhooks", publication):
        return None
    return DeskLink(
        label=gettext("Webhooks"),
        url=reverse("webhooks:endpoint-list", args=[publication.slug]),
    )


def delivery_counts() -> tuple[dict[str, int], int]:
    """Deliveries of every event by status, every status present (0 when none), and the number of
    endpoints switched off (by an editor, or after failing): two queries."""
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    rows = Delivery.objects.order_by().values_list("status").annotate(count=DbCount("id"))
    counts.update(dict(rows))
    disabled = Endpoint.objects.filter(is_active=False).count()
    return counts, disabled
