"""Reads of the paper catalogue, with the prefetching their pages need."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from papers.identifiers import Identifier
from papers.models import Authorship, Paper, PaperInstitution, Topic


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
