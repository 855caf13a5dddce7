"""Subscribing: signed links, double opt-in, unsubscribing."""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from common.exceptions import InvalidInput
from common.links import read_signed_token
from common.queue import enqueue_after_commit
from common.validators import validate_no_control_characters
from contributors import services as members
from newsletter import emails
from newsletter.enums import DeliveryStatus, SubscriberStatus
from newsletter.models import Delivery, Subscriber, Suppression, new_unsubscribe_key
from publications.models import Publication

#: The name the module had before it became a package, which operators filter on.
logger = logging.getLogger("newsletter.services")

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
