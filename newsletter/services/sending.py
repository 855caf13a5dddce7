"""Sending a published issue to its subscribers, in batches that survive workers that die."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from common.queue import enqueue_after_commit
from issues.enums import IssueStatus
from issues.models import Issue
from newsletter import emails
from newsletter.enums import DeliveryStatus, SubscriberStatus, SuppressionReason
from newsletter.models import Delivery, Subscriber
from newsletter.services.subscription import unsubscribe_token
from newsletter.services.suppression import (
    address_deferred,
    address_refused_for_good,
    record_soft_bounce,
    refusal_words,
    suppress_address,
)

# --- sending an issue -----------------------------------------------------------------------------


logger = logging.getLogger("newsletter.services")


def request_issue_newsletter(issue: Issue) -> None:
    """Have a worker mail the just-published issue to its subscribers once this transaction
    commits (on the signal of publishing, ``issues.signals.issue_published``).

    Side effects: enqueues ``task_send_issue_newsletter`` after commit.
    """
    from newsletter.tasks import task_send_issue_newsletter

    enqueue_after_commit(task_send_issue_newsletter, issue.pk)


def queue_issue_newsletter(issue: Issue) -> int:
    """Record one queued delivery of the published issue for each subscriber confirmed by the
    time it was published. Running it again adds none twice.

    Side effects: inserts Delivery rows. Returns how many deliveries the issue has to send.
    """
    if issue.status != IssueStatus.PUBLISHED:
        return 0
    subscribers = (
        Subscriber.objects.filter(
            publication_id=issue.publication_id,
            status=SubscriberStatus.CONFIRMED,
            confirmed_at__lte=issue.published_at,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Delivery.objects.bulk_create(
        (Delivery(issue=issue, subscriber_id=pk) for pk in subscribers.iterator()),
        batch_size=1000,
        ignore_conflicts=True,
    )
    return Delivery.objects.filter(issue=issue, status=DeliveryStatus.QUEUED).count()


@dataclass
class BatchOutcome:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    requeued: int = 0
    #: A passing fault (server down, 4xx): try again later.
    retry: bool = False
    errors: list[str] = field(default_factory=list)


def _claim(issue: Issue, size: int) -> list[Delivery]:
    claim, now = uuid.uuid4(), timezone.now()
    with transaction.atomic():
        # skip_locked lets concurrent batches on PostgreSQL take different rows instead of
        # waiting on each other; the compare-and-set on status is what guarantees it anywhere.
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(issue=issue, status=DeliveryStatus.QUEUED)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SENDING, claim=claim, claimed_at=now
        )
    return list(
        Delivery.objects.filter(claim=claim, status=DeliveryStatus.SENDING)
        .select_related("subscriber")
        .order_by("pk")
    )


def _finish(delivery: Delivery, **values: object) -> None:
    """Move a claimed delivery on, only if this batch still holds it."""
    values.setdefault("claim", None)
    Delivery.objects.filter(
        pk=delivery.pk, claim=delivery.claim, status=DeliveryStatus.SENDING
    ).update(**values)


def _is_permanent(error: Exception) -> bool:
    """A refusal the server will repeat (5xx for this recipient or message)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused):
        return False  # our own sender address: a configuration fault, not the recipient's
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def send_newsletter_batch(issue: Issue, *, size: int | None = None) -> BatchOutcome:
    """Send up to ``size`` of the issue's queued deliveries over one SMTP connection.

    Side effects: sends e-mail; deliveries → sent, failed (a permanent refusal, or too many
    attempts), skipped (unsubscribed meanwhile) or back to queued (a passing fault).
    """
    size = size or settings.NEWSLETTER_BATCH_SIZE
    outcome = BatchOutcome()
    deliveries = _claim(issue, size)
    if not deliveries:
        return outcome
    mail = emails.IssueMail.of(issue)
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("The SMTP server is unreachable (%s); the batch waits.", error)
        for delivery in deliveries:
            _finish(delivery, status=DeliveryStatus.QUEUED, error=f"SMTP unreachable: {error}")
        outcome.requeued, outcome.retry = len(deliveries), True
        outcome.errors.append(str(error))
        return outcome
    try:
        for index, delivery in enumerate(deliveries):
            subscriber = delivery.subscriber
            if not subscriber.is_confirmed:
                _finish(delivery, status=DeliveryStatus.SKIPPED)
                outcome.skipped += 1
                continue
            message = mail.message_for(subscriber, unsubscribe_token(subscriber))
            message.connection = connection
            attempted = timezone.now()
            Delivery.objects.filter(pk=delivery.pk, claim=delivery.claim).update(
                attempted_at=attempted, attempts=delivery.attempts + 1
            )
            try:
                message.send()
            except (OSError, smtplib.SMTPException) as error:
                attempts = delivery.attempts + 1
                if address_deferred(error) and record_soft_bounce(
                    subscriber.email,
                    message=f"issue:{issue.pk}",
                    source="smtp",
                    detail=refusal_words(error),
                ):
                    # Refused once too often: suppressed now, so this one is not tried again;
                    # the refusal concerned this address only, so the batch goes on.
                    _finish(delivery, status=DeliveryStatus.FAILED, error=str(error)[:2000])
                    outcome.failed += 1
                    continue
                if _is_permanent(error) or attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
                    _finish(delivery, status=DeliveryStatus.FAILED, error=str(error)[:2000])
                    outcome.failed += 1
                    if address_refused_for_good(error):
                        suppress_address(
                            subscriber.email,
                            reason=SuppressionReason.BOUNCE,
                            source="smtp",
                            detail=str(error),
                        )
                    if _is_permanent(error):
                        continue
                else:
                    _finish(delivery, status=DeliveryStatus.QUEUED, error=str(error)[:2000])
                    outcome.requeued += 1
                # A passing fault (or a server that keeps failing) ends the batch: the rest go
                # back to the queue untouched, for a later try.
                for rest in deliveries[index + 1 :]:
                    _finish(rest, status=DeliveryStatus.QUEUED)
                    outcome.requeued += 1
                outcome.retry = True
                outcome.errors.append(str(error))
                return outcome
            _finish(delivery, status=DeliveryStatus.SENT, sent_at=timezone.now(), error="")
            outcome.sent += 1
    finally:
        connection.close()
    return outcome


def release_stale_deliveries(*, older_than: dt.timedelta | None = None) -> tuple[int, int]:
    """Hand back deliveries claimed by a batch that died (a killed worker, a lost connection).

    Not yet attempted → queued again. Attempted → failed: the server may have taken the
    message, and a second copy is worse than a missing one; the admin shows them.

    Side effects: updates Delivery rows. Returns (requeued, failed).
    """
    older_than = older_than or dt.timedelta(seconds=settings.NEWSLETTER_CLAIM_TIMEOUT)
    cutoff = timezone.now() - older_than
    stale = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=cutoff)
    requeued = stale.filter(attempted_at__isnull=True).update(
        status=DeliveryStatus.QUEUED, claim=None
    )
    failed = stale.filter(attempted_at__isnull=False).update(
        status=DeliveryStatus.FAILED,
        claim=None,
        error="Interrupted while sending: it may have been sent, so it is not sent again.",
    )
    return requeued, failed


def requeue_failed_deliveries(deliveries: QuerySet[Delivery]) -> int:
    """Queue failed deliveries again (an operator's decision after an SMTP outage, say), for
    subscribers still confirmed.

    Side effects: failed → queued with attempts reset; enqueues the sending after commit.
    """
    with transaction.atomic():
        failed = deliveries.filter(
            status=DeliveryStatus.FAILED, subscriber__status=SubscriberStatus.CONFIRMED
        )
        issue_ids = sorted(set(failed.values_list("issue_id", flat=True)))
        count = failed.update(status=DeliveryStatus.QUEUED, attempts=0, attempted_at=None)
        from newsletter.tasks import task_send_issue_newsletter

        for issue_id in issue_ids:
            enqueue_after_commit(task_send_issue_newsletter, issue_id)
    return count
