"""Writes to members' accounts and profiles."""

from __future__ import annotations

import logging
import math
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from common.exceptions import NotAllowed
from common.links import read_signed_token
from contributors import lockout

User = get_user_model()

logger = logging.getLogger("weekly.security")

PROFILE_FIELDS = (
    "display_name",
    "affiliation",
    "bio",
    "homepage_url",
    "github_username",
    "orcid",
    "notify_by_email",
)


def create_member(*, username: str, email: str, password: str, **profile: Any) -> Any:
    """Sign up a member. Every member is a contributor.

    Raises ``ValidationError`` (field → messages) for a taken name or a weak password.

    Side effects: inserts a User.
    """
    user = User(username=username, email=email, **profile)
    user.set_unusable_password()
    user.full_clean()
    validate_password(password, user)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [gettext("This user name is taken.")]})
    user.set_password(password)
    user.save()
    return user


def set_mail_language(email: str, *, language: str) -> int:
    """Write from now on in ``language`` to the members whose address is ``email`` (in any
    case): the language they last chose for mail from this site.

    Side effects: updates those Users. Returns how many.
    """
    return User.objects.filter(email__iexact=email).update(mail_language=language)


def update_profile(user: Any, *, by: Any, **fields: Any) -> Any:
    """Change a member's public profile; members edit only their own.

    Side effects: updates the User.
    """
    if by.pk != user.pk and not by.is_superuser:
        raise PermissionDenied(gettext("Members edit only their own profile."))
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(
            gettext("These fields cannot be edited: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    for name, value in fields.items():
        setattr(user, name, value.strip() if isinstance(value, str) else value)
    user.full_clean(exclude=["password", "username", "email"])
    user.save(update_fields=list(fields))
    return user


def get_api_token(user: Any) -> Token:
    """``user``'s API token, created on first use (one per member).

    Side effects: may insert a Token.
    """
    try:
        with transaction.atomic():
            token, _created = Token.objects.get_or_create(user=user)
    except IntegrityError:  # created by a concurrent request meanwhile
        token = Token.objects.get(user=user)
    return token


@transaction.atomic
def rotate_api_token(user: Any) -> Token:
    """A new API token for ``user``; the old one, if any, stops working at once.

    Side effects: deletes and inserts a Token.
    """
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def revoke_api_token(user: Any) -> bool:
    """Remove ``user``'s API token. Returns whether there was one.

    Side effects: deletes a Token.
    """
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)


NOTIFICATIONS_OFF_SALT = "contributors.notifications-off"


def notifications_off_token(user: Any) -> str:
    """The signed token of the "stop these e-mails" link in every notification (no expiry)."""
    return signing.dumps({"u": user.pk}, salt=NOTIFICATIONS_OFF_SALT)


def member_from_notifications_off_token(token: str) -> Any:
    """The member a "stop these e-mails" link names; ``ValidationError`` for a bad link."""
    refusal = ValidationError(
        gettext("This link is not valid. Copy the whole link from the e-mail."), code="bad_link"
    )
    try:
        payload = read_signed_token(token, salt=NOTIFICATIONS_OFF_SALT)
    except signing.BadSignature:
        raise refusal from None
    user = User.objects.filter(pk=payload.get("u")).first()
    if user is None:
        raise refusal
    return user


def turn_off_notifications(user: Any) -> Any:
    """Stop e-mail notifications to ``user`` (the one-click link; the profile turns them on).

    Side effects: updates the User.
    """
    User.objects.filter(pk=user.pk).update(notify_by_email=False)
    user.notify_by_email = False
    return user


def unlock_login(user: Any, *, by: Any | None) -> int:
    """Lift the log-in lockout of ``user``'s name (``contributors.lockout``): the member, or
    whoever knows their name, may try again at once, the failures forgotten.

    ``by`` is the staff member acting in the admin; ``None`` for the operator's command
    (``unlock_login``), whose authority is the shell.

    Side effects: clears the failure count (the cache); writes a line to the ``weekly.security``
    log and, for a staff member, an entry in the admin's log. Returns the seconds the lockout
    still had to run (0: it was not locked out).
    """
    if by is not None and not by.has_perm("contributors.change_user"):
        raise NotAllowed(gettext("Only staff who may change members may lift a lockout."))
    remaining = lockout.seconds_locked(user.username)
    lockout.reset_login_failures(user.username)
    logger.info(
        "log-in lockout of %s lifted by %s (%d s left)",
        user.username,
        by.username if by is not None else "the unlock_login command",
        remaining,
    )
    if by is not None:
        from django.contrib.admin.models import CHANGE, LogEntry

        minutes = math.ceil(remaining / 60)
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=[user],
            action_flag=CHANGE,
            change_message=(
                f"Lifted the log-in lockout ({minutes} min left)."
                if remaining
                else "Cleared the failed log-ins (not locked out)."
            ),
            single_object=True,
        )
    return remaining
