"""The newsletter's reads."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from issues.enums import IssueStatus
from issues.models import Issue
from newsletter.enums import DeliveryStatus, SubscriberStatus
from newsletter.models import Delivery, Subscriber


def issues_awaiting_newsletter(*, within: dt.timedelta | None = None) -> list[int]:
    """Ids of issues with deliveries still queued, and of issues published lately that were never
    queued although their publication has subscribers (the broker was down at publication)."""
    within = within or dt.timedelta(seconds=settings.NEWSLETTER_CATCH_UP)
    queued = set(
        Delivery.objects.filter(status=DeliveryStatus.QUEUED)
        .values_list("issue_id", flat=True)
        .distinct()
    )
    never_queued = set(
        Issue.objects.filter(
            status=IssueStatus.PUBLISHED,
            published_at__gte=timezone.now() - within,
            deliveries__isnull=True,
            publication__subscribers__status=SubscriberStatus.CONFIRMED,
        ).values_list("pk", flat=True)
    )
    return sorted(queued | never_queued)


def language_of_address(email: str) -> str | None:
    """The language last chosen for a newsletter subscription of ``email``, if any."""
    if not email:
        return None
    return (
        Subscriber.objects.filter(email__iexact=email)
        .order_by("-created_at", "-pk")
        .values_list("language", flat=True)
        .first()
    )


def delivery_counts() -> dict[str, int]:
    """Deliveries of every issue by status, every status present (0 when none): one query."""
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    rows = Delivery.objects.order_by().values_list("status").annotate(count=Count("id"))
    counts.update(dict(rows))
    return counts
