"""Writes to the paper catalogue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from papers.enums import MetadataSource, MetadataStatus
from papers.identifiers import Identifier
from papers.models import Author, Authorship, Institution, Paper, PaperInstitution


@dataclass(frozen=True)
class AuthorData:
    name: str
    affiliation: str = ""


@dataclass(frozen=True)
class PaperMetadata:
    """Everything known about a paper, whichever source it came from."""

    title: str
    abstract: str = ""
    authors: Sequence[AuthorData] = ()
    institutions: Sequence[str] = ()
    published_on: dt.date | None = None
    revised_on: dt.date | None = None
    arxiv_version: int | None = None
    primary_category: str = ""
    categories: Sequence[str] = field(default_factory=tuple)
    doi: str | None = None
    journal_ref: str = ""
    comment: str = ""
    code_url: str = ""
    pdf_url: str = ""
    title_zh: str = ""


def _lookup(identifier: Identifier) -> dict[str, str]:
    if identifier.scheme == "arxiv":
        return {"arxiv_id": identifier.value}
    return {"aminer_id": identifier.value}


def get_or_create_paper(identifier: Identifier) -> tuple[Paper, bool]:
    """The catalogue row for ``identifier``, created ``pending`` if it is new.

    Concurrent calls for one paper end in one row: the unique constraint decides, and the loser
    of the race reads the winner's row.

    Side effects: may insert a Paper.
    """
    lookup = _lookup(identifier)
    paper = Paper.objects.filter(**lookup).first()
    if paper is not None:
        return paper, False
    if identifier.scheme == "arxiv" and identifier.version:
        lookup["arxiv_version"] = identifier.version
    try:
        # A savepoint, so that a lost race does not break the caller's transaction.
        with transaction.atomic():
            return Paper.objects.create(**lookup), True
    except IntegrityError:
        return Paper.objects.get(**_lookup(identifier)), False


def _normalize_doi(doi: str | None) -> str | None:
    doi = (doi or "").strip().lower()
    return doi or None


@transaction.atomic
def apply_paper_metadata(paper: Paper, metadata: PaperMetadata, *, source: str) -> Paper:
    """Store ``metadata`` on ``paper`` and mark its metadata ``ok``.

    Authors and institutions are replaced in the order given. A DOI already held by another paper
    is not taken over (the other row keeps it), so that a refresh never breaks the catalogue's
    uniqueness.

    Side effects: updates the Paper; replaces its Authorship and PaperInstitution rows; may insert
    Author and Institution rows.
    """
    if source not in MetadataSource.values:
        raise ValueError(f"Unknown metadata source {source!r}")
    paper.title = metadata.title.strip()
    paper.abstract = metadata.abstract.strip()
    paper.published_on = metadata.published_on
    paper.revised_on = metadata.revised_on
    if metadata.arxiv_version:
        paper.arxiv_version = metadata.arxiv_version
    paper.primary_category = metadata.primary_category
    paper.categories = list(metadata.categories)
    paper.journal_ref = metadata.journal_ref
    paper.comment = metadata.comment
    if metadata.code_url:
        paper.code_url = metadata.code_url
    paper.pdf_url = metadata.pdf_url
    if metadata.title_zh:
        paper.title_zh = metadata.title_zh
    doi = _normalize_doi(metadata.doi)
    if doi and not Paper.objects.filter(doi=doi).exclude(pk=paper.pk).exists():
        paper.doi = doi
    paper.metadata_status = MetadataStatus.OK
    paper.metadata_source = source
    paper.metadata_error = ""
    paper.metadata_fetched_at = timezone.now()
    paper.save()
    _replace_authors(paper, metadata.authors)
    _replace_institutions(paper, metadata.institutions)
    return paper


def _get_or_create_named(model: type[Author] | type[Institution], names: list[str]) -> dict:
    """{name: row} for ``names``, creating the missing rows in one statement."""
    existing = {row.name: row for row in model.objects.filter(name__in=names)}
    missing = [model(name=name) for name in dict.fromkeys(names) if name not in existing]
    if missing:
        model.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {row.name: row for row in model.objects.filter(name__in=names)}
    return existing


def _replace_authors(paper: Paper, authors: Sequence[AuthorData]) -> None:
    paper.authorships.all().delete()
    names = [a.name.strip()[:300] for a in authors if a.name.strip()]
    rows = _get_or_create_named(Author, names)
    affiliations = {a.name.strip()[:300]: a.affiliation for a in authors}
    Authorship.objects.bulk_create(
        Authorship(
            paper=paper,
            author=rows[name],
            position=position,
            affiliation=affiliations.get(name, "")[:500],
        )
        for position, name in enumerate(dict.fromkeys(names), start=1)
    )


def _replace_institutions(paper: Paper, institutions: Sequence[str]) -> None:
    paper.paper_institutions.all().delete()
    names = list(dict.fromkeys(n.strip()[:300] for n in institutions if n.strip()))
    rows = _get_or_create_named(Institution, names)
    PaperInstitution.objects.bulk_create(
        PaperInstitution(paper=paper, institution=rows[name], position=position)
        for position, name in enumerate(names, start=1)
    )


def fill_missing_title_zh(paper: Paper, title_zh: str) -> None:
    """Give the paper a Chinese title from a recommendation when it has none yet.

    Side effects: updates ``Paper.title_zh``.
    """
    title_zh = title_zh.strip()
    if title_zh and not paper.title_zh:
        Paper.objects.filter(pk=paper.pk, title_zh="").update(title_zh=title_zh[:500])
        paper.title_zh = title_zh[:500]
