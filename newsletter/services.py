"""The newsletter's state changes: subscribing (double opt-in), unsubscribing, and sending an
issue to its subscribers, each exactly once.

Sending is split in three so that a retried, duplicated or killed task never mails anyone twice:

1. ``queue_issue_newsletter`` records one ``queued`` Delivery per confirmed subscriber; the unique
   (issue, subscriber) constraint makes a second run add nothing.
2. ``send_newsletter_batch`` claims up to a batch of queued deliveries with a compare-and-set
   (``queued`` → ``sending`` under a fresh claim id), so two batches never hold the same row, and
   sends them over one SMTP connection, marking each ``sent`` as soon as the server took it.
3. ``release_stale_deliveries`` hands back what a dead worker held: a delivery not yet attempted
   goes back to the queue; one whose message may have reached the server is marked ``failed``
   rather than risk a second copy.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import smtplib
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from common.exceptions import InvalidInput
from common.links import read_signed_token
from common.queue import enqueue_after_commit
from common.validators import validate_no_control_characters
from contributors import services as members
from issues.enums import IssueStatus
from issues.models import Issue
from newsletter import emails
from newsletter.enums import DeliveryStatus, SubscriberStatus, SuppressionReason
from newsletter.models import Delivery, Subscriber, Suppression, new_unsubscribe_key
from publications.models import Publication

logger = logging.getLogger(__name__)

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"


# --- signed links ---------------------------------------------------------------------------------


def confirmation_token(subscriber: Subscriber) -> str:
    """The signed token of the confirmation link; it expires after NEWSLETTER_CONFIRM_MAX_AGE."""
    return signing.dumps({"s": subscriber.pk, "e": subscriber.email.lower()}, salt=CONFIRM_SALT)


def unsubscribe_token(subscriber: Subscriber) -> str:
    """The token of the unsubscribe link: the subscriber's own random key, stored with it.

    Not signed with SECRET_KEY, so rotating that key breaks no link in any mail already sent,
    and it never expires: a reader may find an old issue years later, and the link only ever
    unsubscribes its own address (RFC 8058's one click). A row from before the keys gets its key
    here, once.

    Side effects: may store the subscriber's key.
    """
    if not subscriber.unsubscribe_key:
        Subscriber.objects.filter(pk=subscriber.pk, unsubscribe_key__isnull=True).update(
            unsubscribe_key=new_unsubscribe_key()
        )
        subscriber.refresh_from_db(fields=["unsubscribe_key"])
    return subscriber.unsubscribe_key


#: What ``new_unsubscribe_key`` makes; a signed token (of the links mailed before) has a colon.
_UNSUBSCRIBE_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


_BAD_LINK = {
    "confirmation": gettext_noop(
        "This confirmation link is not valid. Copy the whole link from the e-mail."
    ),
    "unsubscribe": gettext_noop(
        "This unsubscribe link is not valid. Copy the whole link from the e-mail."
    ),
}
_GONE_LINK = {
    "confirmation": gettext_noop(
        "This confirmation link belongs to a subscription that no longer exists."
    ),
    "unsubscribe": gettext_noop(
        "This unsubscribe link belongs to a subscription that no longer exists."
    ),
}


def _subscriber_of(token: str, *, salt: str, max_age: int | None, what: str) -> Subscriber:
    try:
        payload = read_signed_token(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidInput(
            gettext("This confirmation link has expired. Subscribe again to get a new one."),
            code="expired",
        ) from None
    except signing.BadSignature:
        raise InvalidInput(
            gettext(_BAD_LINK[what]),
            code="bad_link",
        ) from None
    subscriber = (
        Subscriber.objects.select_related("publication").filter(pk=payload.get("s")).first()
    )
    # A confirmation link also names the address it was sent to.
    if subscriber is None or payload.get("e", subscriber.email.lower()) != subscriber.email.lower():
        raise InvalidInput(
            gettext(_GONE_LINK[what]),
            code="bad_link",
        )
    return subscriber


# --- subscribing ----------------------------------------------------------------------------------

_email_validator = EmailValidator(message=gettext_lazy("Enter a valid e-mail address."))


def _clean_email(email: str) -> str:
    email = BaseUserManager.normalize_email((email or "").strip())
    try:
        if not email:
            raise ValidationError(gettext("Enter your e-mail address."))
        if len(email) > 254:
            raise ValidationError(gettext("An e-mail address has at most 254 characters."))
        validate_no_control_characters(email)
        _email_validator(email)
    except ValidationError as error:
        raise InvalidInput(error.messages[0], field="email") from None
    return email


def subscribe(publication: Publication, *, email: str, language: str = "en") -> Subscriber:
    """Subscribe ``email`` to the publication's newsletter, pending its confirmation.

    The answer is the same whether the address was new, waiting or already confirmed, so the
    form tells no one who subscribes. A confirmation mail goes out at most once per
    NEWSLETTER_CONFIRM_COOLDOWN seconds per address, so the form cannot flood a mailbox.

    Side effects: creates or updates a Subscriber (an unsubscribed one waits for confirmation
    again); sets the mail language of the members of that address; sends the confirmation mail
    after commit.
    """
    email = _clean_email(email)
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    now = timezone.now()
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update()
            .filter(publication=publication, email__iexact=email)
            .first()
        )
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(
                        publication=publication, email=email, language=language
                    )
            except IntegrityError:  # the same address at the same moment: one row wins
                subscriber = Subscriber.objects.select_for_update().get(
                    publication=publication, email__iexact=email
                )
        if subscriber.is_confirmed:
            return subscriber
        # An address that bounced for good or complained gets no mail at all, a confirmation
        # included; the form's answer is the same, so it tells no one.
        if Suppression.objects.filter(email__iexact=email).exists():
            if subscriber.status != SubscriberStatus.SUPPRESSED:
                subscriber.status = SubscriberStatus.SUPPRESSED
                subscriber.save(update_fields=["status"])
            return subscriber
        cooldown = dt.timedelta(seconds=settings.NEWSLETTER_CONFIRM_COOLDOWN)
        last_sent = subscriber.confirmation_sent_at
        recently = last_sent is not None and now - last_sent < cooldown
        subscriber.status = SubscriberStatus.PENDING
        subscriber.language = language
        if not recently:
            subscriber.confirmation_sent_at = now
        subscriber.save(update_fields=["status", "language", "confirmation_sent_at"])
        # The language chosen here is the one the site writes to a member of this address in.
        members.set_mail_language(email, language=language)
        if not recently:
            from newsletter.tasks import task_send_subscription_confirmation

            enqueue_after_commit(task_send_subscription_confirmation, subscriber.pk)
    return subscriber


def send_subscription_confirmation(subscriber: Subscriber) -> bool:
    """Mail the confirmation link to a subscriber still waiting for it.

    Side effects: sends one e-mail. Returns whether it did.
    """
    if subscriber.status != SubscriberStatus.PENDING:
        return False
    emails.confirmation_message(subscriber, confirmation_token(subscriber)).send()
    return True


def subscriber_from_confirmation_token(token: str) -> Subscriber:
    """The subscriber a confirmation link names (for the page that asks to confirm)."""
    return _subscriber_of(
        token,
        salt=CONFIRM_SALT,
        max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE,
        what="confirmation",
    )


def confirm_subscription(token: str) -> Subscriber:
    """Confirm the subscription the signed link names. Confirming twice changes nothing.

    Side effects: status → confirmed, with its time.
    """
    subscriber = subscriber_from_confirmation_token(token)
    if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        raise InvalidInput(
            gettext(
                "This address was unsubscribed after the link was sent. Subscribe again to get a "
                "new link."
            ),
            code="unsubscribed",
        )
    now = timezone.now()
    Subscriber.objects.filter(pk=subscriber.pk, status=SubscriberStatus.PENDING).update(
        status=SubscriberStatus.CONFIRMED, confirmed_at=now
    )
    subscriber.refresh_from_db()
    return subscriber


def subscriber_from_unsubscribe_token(token: str) -> Subscriber:
    """The subscriber an unsubscribe link names (for the page that asks to confirm).

    The token is the subscriber's key; or, in a mail sent before the keys, a token signed with
    SECRET_KEY, still read while the key that signed it is SECRET_KEY or in SECRET_KEY_FALLBACKS.
    """
    if token and ":" not in token:
        subscriber = None
        if _UNSUBSCRIBE_KEY.fullmatch(token):
            subscriber = (
                Subscriber.objects.select_related("publication")
                .filter(unsubscribe_key=token)
                .first()
            )
        if subscriber is None:
            raise InvalidInput(gettext(_BAD_LINK["unsubscribe"]), code="bad_link")
        return subscriber
    return _subscriber_of(token, salt=UNSUBSCRIBE_SALT, max_age=None, what="unsubscribe")


def unsubscribe(token: str) -> Subscriber:
    """Unsubscribe the address the signed link names, in one step (RFC 8058)."""
    return unsubscribe_subscriber(subscriber_from_unsubscribe_token(token))


def unsubscribe_subscriber(subscriber: Subscriber) -> Subscriber:
    """Unsubscribe one address (the link's service, and the admin's action). Idempotent.

    Side effects: status → unsubscribed, with its time; queued deliveries to it are skipped.
    """
    now = timezone.now()
    with transaction.atomic():
        Subscriber.objects.filter(pk=subscriber.pk).exclude(
            status=SubscriberStatus.UNSUBSCRIBED
        ).update(status=SubscriberStatus.UNSUBSCRIBED, unsubscribed_at=now)
        Delivery.objects.filter(subscriber=subscriber, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SKIPPED
        )
    subscriber.refresh_from_db()
    return subscriber


# --- bounces and complaints ----------------------------------------------------------------------


def suppress_address(email: str, *, reason: str, source: str, detail: str = "") -> int:
    """Never mail ``email`` again, in any publication: it bounced for good, or its owner
    complained (docs/DEPLOY.md, Bounces and complaints, states the rule). Idempotent: a second
    report of the same address keeps the first one's reason.

    Side effects: inserts a Suppression; the address's subscriptions → suppressed; their queued
    deliveries → skipped. Returns how many subscriptions it suppressed.
    """
    email = BaseUserManager.normalize_email((email or "").strip())
    if not email or reason not in SuppressionReason.values:
        raise InvalidInput(gettext("An address and a known reason are needed to suppress."))
    with transaction.atomic():
        if not Suppression.objects.filter(email__iexact=email).exists():
            try:
                with transaction.atomic():
                    Suppression.objects.create(
                        email=email, reason=reason, source=source[:32], detail=detail[:2000]
                    )
            except IntegrityError:  # the same address reported at the same moment
                pass
        count = (
            Subscriber.objects.filter(email__iexact=email)
            .exclude(status=SubscriberStatus.SUPPRESSED)
            .update(status=SubscriberStatus.SUPPRESSED)
        )
        Delivery.objects.filter(
            subscriber__email__iexact=email, status=DeliveryStatus.QUEUED
        ).update(status=DeliveryStatus.SKIPPED)
    logger.info("suppressed %s (%s from %s): %s", email, reason, source, detail[:200])
    return count


def lift_suppression(suppression: Suppression) -> int:
    """Take an address off the suppression list (its owner fixed the mailbox, say). Its
    subscriptions become unsubscribed: mail starts again only after a new double opt-in.

    Side effects: deletes the Suppression; suppressed subscriptions of the address →
    unsubscribed. Returns how many.
    """
    now = timezone.now()
    with transaction.atomic():
        count = Subscriber.objects.filter(
            email__iexact=suppression.email, status=SubscriberStatus.SUPPRESSED
        ).update(status=SubscriberStatus.UNSUBSCRIBED, unsubscribed_at=now)
        suppression.delete()
    return count


#: An enhanced status code (RFC 3463) at the start of an SMTP reply: class.subject.detail.
_ENHANCED_STATUS = re.compile(rb"\s*([245])\.(\d{1,3})\.(\d{1,3})\b")


def _address_refused_for_good(error: Exception) -> bool:
    """The server refused the recipient's address itself, for good: a 5xx to RCPT TO whose
    enhanced code is 5.1.x (bad mailbox or domain), or a bare 550, 551 or 553. A refusal of the
    message (content, policy 5.7.x, a full mailbox 5.2.x) fails the delivery but suppresses no
    address: it says nothing about the address, and may hit every subscriber alike."""
    if not isinstance(error, smtplib.SMTPRecipientsRefused) or not error.recipients:
        return False
    for code, reply in error.recipients.values():
        raw = reply if isinstance(reply, bytes) else str(reply).encode()
        enhanced = _ENHANCED_STATUS.match(raw)
        if code < 500:
            return False
        if enhanced and enhanced.group(2) != b"1":
            return False
        if not enhanced and code not in (550, 551, 553):
            return False
    return True


# --- sending an issue -----------------------------------------------------------------------------


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
                if _is_permanent(error) or attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
                    _finish(delivery, status=DeliveryStatus.FAILED, error=str(error)[:2000])
                    outcome.failed += 1
                    if _address_refused_for_good(error):
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
