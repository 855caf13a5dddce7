"""Reads of publications and their teams."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from publications.enums import TeamRole
from publications.models import Membership, Publication
from publications.permissions import can


def reviewed_publication_ids(user: Any) -> list[int] | None:
    """The publications ``user`` reviews or edits; None means all of them (a superuser)."""
    if not (user.is_authenticated and user.is_active):
        return []
    if user.is_superuser:
        return None
    return list(
        Membership.objects.filter(
            user=user, role__in=[TeamRole.REVIEWER, TeamRole.EDITOR]
        ).values_list("publication_id", flat=True)
    )


def publications() -> QuerySet[Publication]:
    return Publication.objects.order_by("name", "pk")


def publications_where(user: Any, capability: str) -> list[int]:
    """The publications on which ``user`` holds ``capability``."""
    return [p.pk for p in Publication.objects.all() if can(user, capability, p)]
