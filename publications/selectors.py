"""Reads of publications, their teams and their topics."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Count, QuerySet

from publications.enums import TeamRole
from publications.models import (
    Membership,
    Publication,
    PublicationStyle,
    PublicationUpload,
    Topic,
)
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


def style_of(publication: Publication) -> PublicationStyle:
    """How ``publication``'s issues are written: its style, or the defaults (unsaved) when its
    editors never set one. Read once per publication object."""
    cached = publication.__dict__.get("_style")
    if cached is None:
        cached = PublicationStyle.objects.filter(publication=publication).first()
        cached = cached or PublicationStyle(publication=publication)
        publication.__dict__["_style"] = cached
    return cached


def styles_of(publication_ids: list[int]) -> dict[int, PublicationStyle]:
    """Publication id → its style (the defaults where none is set), in one query."""
    found = {
        s.publication_id: s
        for s in PublicationStyle.objects.filter(publication_id__in=publication_ids)
    }
    return {pk: found.get(pk) or PublicationStyle(publication_id=pk) for pk in publication_ids}


def uploads_of(publication: Publication) -> QuerySet[PublicationUpload]:
    return PublicationUpload.objects.filter(publication=publication).order_by("-created_at", "-id")


def topics(publication: Publication | int | None = None) -> QuerySet[Topic]:
    """The topics of ``publication`` (a row or its id), or of every publication, in their order
    (a publication's topics together), each with its publication."""
    queryset = Topic.objects.select_related("publication")
    if publication is None:
        return queryset.order_by("publication__name", "publication_id", "position", "name_en")
    return queryset.filter(publication=publication).order_by("position", "name_en", "pk")


def topics_with_uses(publication: Publication) -> QuerySet[Topic]:
    """``publication``'s topics, in their order, each with ``uses``: how many rows of the apps
    built on this one (the recommendations) are filed under it, through the relations they
    declared on Topic."""
    relations = [relation.name for relation in Topic._meta.related_objects]
    counts = {f"uses_{name}": Count(name, distinct=True) for name in relations}
    queryset = topics(publication).annotate(**counts)
    total = sum((models.F(alias) for alias in counts), models.Value(0))
    return queryset.annotate(uses=total)
