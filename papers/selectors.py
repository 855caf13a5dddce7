"""Reads of the paper catalogue, with the prefetching their pages need."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from papers.enums import MetadataSource, MetadataStatus
from papers.identifiers import Identifier
from papers.models import Authorship, Paper, PaperInstitution, Topic

#: A pending paper younger than this is still on its way to a worker.
PENDING_GRACE = dt.timedelta(minutes=2)
#: A paper "fetching" for longer than this lost its worker.
FETCHING_STUCK = dt.timedelta(minutes=15)


def papers_with_details() -> QuerySet[Paper]:
    """Papers with their ordered authors and institutions, in a fixed number of queries."""
    return Paper.objects.prefetch_related(
        Prefetch("authorships", queryset=Authorship.objects.select_related("author")),
        Prefetch(
            "paper_institutions", queryset=PaperInstitution.objects.select_related("institution")
        ),
    )


def paper_for_identifier(identifier: Identifier) -> Paper | None:
    if identifier.scheme == "arxiv":
        return Paper.objects.filter(arxiv_id=identifier.value).first()
    return Paper.objects.filter(aminer_id=identifier.value).first()


def author_names(paper: Paper) -> list[str]:
    """Author names in order; uses the prefetch of ``papers_with_details`` when present."""
    return [a.author.name for a in paper.authorships.all()]


def institution_names(paper: Paper) -> list[str]:
    return [pi.institution.name for pi in paper.paper_institutions.all()]


def topics() -> QuerySet[Topic]:
    return Topic.objects.all()


def papers_awaiting_fetch(*, limit: int = 1000, grace: bool = True) -> list[int]:
    """Papers left pending, or stuck fetching, for longer than a task would take to start.

    AMiner papers wait only when a token is configured: without one, retrying cannot help.
    """
    now = timezone.now() + (dt.timedelta(0) if grace else FETCHING_STUCK)
    waiting = Paper.objects.filter(
        Q(metadata_status=MetadataStatus.PENDING, updated_at__lt=now - PENDING_GRACE)
        | Q(metadata_status=MetadataStatus.FETCHING, updated_at__lt=now - FETCHING_STUCK)
    )
    if not settings.AMINER_API_TOKEN:
        waiting = waiting.exclude(arxiv_id__isnull=True)
    return list(waiting.order_by("updated_at").values_list("pk", flat=True)[:limit])


def papers_due_for_refresh(*, limit: int = 1000) -> list[int]:
    """arXiv papers fetched longer ago than ``ARXIV_REFRESH_AFTER``, oldest first."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.ARXIV_REFRESH_AFTER)
    return list(
        Paper.objects.filter(
            metadata_status=MetadataStatus.OK,
            metadata_source=MetadataSource.ARXIV,
            metadata_fetched_at__lt=cutoff,
        )
        .order_by("metadata_fetched_at")
        .values_list("pk", flat=True)[:limit]
    )


def published_appearances(paper: Paper) -> list[Any]:
    """The published issue entries that featured ``paper`` (read through the reverse relation)."""
    return list(
        paper.issue_entries.filter(issue__status="published")
        .select_related("issue__publication", "recommendation__submitter")
        .order_by("issue__published_at")
    )
