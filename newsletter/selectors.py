"""The newsletter's reads."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from issues.enums import IssueStatus
from issues.models import Issue
from issues.progress import Count as ProgressCount
from issues.progress import Progress
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


def issue_mailing_progress(issue: Issue) -> Progress | None:
    """How far the newsletter has come with a published issue, for the editor's after-publishing
    panel (``issues.progress``): its deliveries sent, failed, still pending and skipped, and the
    publication's suppressed addresses, which are never mailed. None when the publication has no
    subscriber and the issue no delivery. Two queries."""
    by_status = dict(
        Delivery.objects.filter(issue=issue)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    suppressed = Subscriber.objects.filter(
        publication_id=issue.publication_id, status=SubscriberStatus.SUPPRESSED
    ).count()
    if not by_status and not suppressed:
        confirmed = Subscriber.objects.filter(
            publication_id=issue.publication_id, status=SubscriberStatus.CONFIRMED
        ).exists()
        if not confirmed:
            return None
    pending = by_status.get(DeliveryStatus.QUEUED, 0) + by_status.get(DeliveryStatus.SENDING, 0)
    counts = [
        ProgressCount("sent", gettext("Sent"), by_status.get(DeliveryStatus.SENT, 0)),
        ProgressCount("failed", gettext("Failed"), by_status.get(DeliveryStatus.FAILED, 0)),
        ProgressCount("pending", gettext("Pending"), pending),
        ProgressCount(
            "skipped", gettext("Skipped (unsubscribed)"), by_status.get(DeliveryStatus.SKIPPED, 0)
        ),
        ProgressCount("suppressed", gettext("Suppressed addresses"), suppressed),
    ]
    return Progress(
        key="newsletter",
        title=gettext("Newsletter"),
        counts=counts,
        # Not done while deliveries wait, nor before the mailing has queued any.
        done=bool(by_status) and pending == 0,
    )


def delivery_counts() -> dict[str, int]:
    """Deliveries of every issue by status, every status present (0 when none): one query."""
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    rows = Delivery.objects.order_by().values_list("status").annotate(count=Count("id"))
    counts.update(dict(rows))
    return counts
