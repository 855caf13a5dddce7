"""Publications and their teams."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from common.exceptions import InvalidInput
from publications.enums import TeamRole
from publications.models import Membership, Publication
from publications.permissions import require


def create_publication(
    *, slug: str, name: str, name_zh: str = "", description: str = ""
) -> Publication:
    """A new publication, with no team yet (operators only: ``create_publication``).

    Side effects: inserts a Publication.
    """
    publication = Publication(
        slug=slug, name=name.strip(), name_zh=name_zh.strip(), description=description.strip()
    )
    try:
        publication.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise InvalidInput(f"{field}: {' '.join(messages)}", field=field) from None
    publication.save()
    return publication


CONTRIBUTOR = "contributor"


def grant_role(user: Any, *, role: str, publication: Publication | None, by: Any = None) -> str:
    """Make ``user`` a contributor, or a reviewer or editor of ``publication``.

    ``contributor`` is every active member's role: granting it (re)activates the account and,
    with a publication, removes the member's team role there. ``by`` is None for an operator at
    the command line, who is trusted; otherwise it must be an administrator.

    Side effects: may activate the user; inserts, updates or deletes a Membership. Returns a
    sentence describing what changed.
    """
    if by is not None:
        require(by, "publications.manage_team")
    if role not in (CONTRIBUTOR, *TeamRole.values):
        raise InvalidInput(
            f"Unknown role {role!r}: choose contributor, reviewer or editor.", field="role"
        )
    if role != CONTRIBUTOR and publication is None:
        raise InvalidInput("A reviewer or editor belongs to a publication.", field="publication")
    with transaction.atomic():
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        user.__dict__.pop("_weekly_roles", None)
        if role == CONTRIBUTOR:
            if publication is None:
                return f"{user.username} is a contributor."
            removed, _ = Membership.objects.filter(user=user, publication=publication).delete()
            suffix = " (team role removed)" if removed else ""
            return f"{user.username} is a contributor of {publication.slug}{suffix}."
        Membership.objects.update_or_create(
            user=user, publication=publication, defaults={"role": role}
        )
        return f"{user.username} is now {role} of {publication.slug}."
