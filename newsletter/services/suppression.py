"""Bounces and complaints: addresses never mailed again, and lifting that."""

from __future__ import annotations

import datetime as dt
import logging
import re
import smtplib

from django.contrib.auth.base_user import BaseUserManager
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from common.exceptions import InvalidInput
from newsletter.enums import DeliveryStatus, SubscriberStatus, SuppressionReason
from newsletter.models import Delivery, SoftBounce, Subscriber, Suppression

# --- bounces and complaints ----------------------------------------------------------------------


logger = logging.getLogger("newsletter.services")
#: Soft bounces (passing refusals, each message counted once) of one address within
#: SOFT_BOUNCE_WINDOW that suppress it: with a weekly issue, three issues in a row refused.
SOFT_BOUNCE_LIMIT = 3
SOFT_BOUNCE_WINDOW = dt.timedelta(days=30)
#: An enhanced status code (RFC 3463) at the start of an SMTP reply: class.subject.detail.
_ENHANCED_STATUS = re.compile(rb"\s*([245])\.(\d{1,3})\.(\d{1,3})\b")


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


def address_refused_for_good(error: Exception) -> bool:
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


def address_deferred(error: Exception) -> bool:
    """The server refused the recipient for now (a 4xx to RCPT TO: a full mailbox, a mailbox
    busy or greylisted), not the message or the connection: a soft bounce of that address."""
    if not isinstance(error, smtplib.SMTPRecipientsRefused) or not error.recipients:
        return False
    return all(400 <= code < 500 for code, _reply in error.recipients.values())


def refusal_words(error: Exception) -> str:
    """The server's reply to a refused recipient as it wrote it ("451 4.3.0 Try again later")."""
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        return "; ".join(
            f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
            for code, reply in error.recipients.values()
        )
    return str(error)


def record_soft_bounce(email: str, *, message: str, source: str, detail: str = "") -> bool:
    """Count a passing refusal of ``message`` to ``email``; the SOFT_BOUNCE_LIMIT-th within
    SOFT_BOUNCE_WINDOW suppresses the address (reason "Soft bounces"), its detail listing them.
    The same message refused again (retried by our batches or the provider) counts once.

    Side effects: inserts a SoftBounce; then, at the limit, those of ``suppress_address``.
    Returns whether the address is now suppressed by this bounce.
    """
    email = BaseUserManager.normalize_email((email or "").strip())
    if not email or not message:
        raise InvalidInput(gettext("An address and the refused message are needed."))
    with transaction.atomic():
        if Suppression.objects.filter(email__iexact=email).exists():
            return False
        try:
            with transaction.atomic():
                SoftBounce.objects.create(
                    email=email, message=message[:255], source=source[:32], detail=detail[:2000]
                )
        except IntegrityError:  # this message was counted already
            return False
        recent = list(
            SoftBounce.objects.filter(
                email__iexact=email, created_at__gte=timezone.now() - SOFT_BOUNCE_WINDOW
            ).order_by("created_at")
        )
        if len(recent) < SOFT_BOUNCE_LIMIT:
            return False
        listed = "\n".join(
            f"{bounce.created_at:%Y-%m-%d %H:%M} {bounce.source} {bounce.message}: "
            f"{bounce.detail[:300]}"
            for bounce in recent
        )
        suppress_address(
            email,
            reason=SuppressionReason.SOFT_BOUNCES,
            source=source,
            detail=f"{len(recent)} soft bounces within {SOFT_BOUNCE_WINDOW.days} days:\n{listed}",
        )
    return True
