"""The catalogue's rows: one paper per identifier, and the metadata stored on it.

Whichever source the metadata comes from (arXiv, AMiner, Crossref, a hand entry), it is stored
here, cut to the catalogue's limits, with the paper's authors and institutions in order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from papers.enums import MetadataSource, MetadataStatus
from papers.identifiers import Identifier, InvalidIdentifier, parse_identifier
from papers.models import (
    IDENTIFIER_FIELDS,
    Author,
    Authorship,
    Institution,
    Paper,
    PaperInstitution,
    PossibleDuplicate,
)
from papers.services.institutions import institutions_by_name


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
    year: int | None = None
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
    #: An institution's Chinese name as the source gives it (AMiner's ``org_zh``), by the name
    #: in ``institutions``: it fills the institution's Chinese name where it has none.
    institution_names_zh: Mapping[str, str] = field(default_factory=dict)
    #: Another identifier of the paper the source named (AMiner links arXiv): it fills the
    #: row's, or links the row to the one that holds it (``link_identifiers``).
    arxiv_id: str | None = None
    acl_id: str | None = None


#: The prefix of the DOIs the ACL Anthology registers, ``10.18653/v1/<Anthology id>``.
ACL_DOI_PREFIX = "10.18653/v1/"


def _lookup(identifier: Identifier) -> dict[str, str]:
    return {IDENTIFIER_FIELDS[identifier.scheme]: identifier.value}


def _also_known_as(identifier: Identifier) -> dict[str, str]:
    """The column and value under which another identifier names the same paper: an ACL
    Anthology paper's DOI is ``10.18653/v1/<its id>``."""
    if identifier.scheme == "acl":
        return {"doi": f"{ACL_DOI_PREFIX}{identifier.value.lower()}"}
    if identifier.scheme == "doi" and identifier.value.startswith(ACL_DOI_PREFIX):
        try:
            acl = parse_identifier(f"acl:{identifier.value.removeprefix(ACL_DOI_PREFIX)}")
        except InvalidIdentifier:
            return {}
        return {"acl_id": acl.value}
    return {}


def get_or_create_paper(identifier: Identifier) -> tuple[Paper, bool]:
    """The catalogue row for ``identifier``, created ``pending`` if it is new.

    A row known under another identifier of the same paper (an ACL Anthology paper by its DOI)
    is that paper: it takes this identifier too, so that both find it from then on.
    Concurrent calls for one paper end in one row: the unique constraint decides, and the loser
    of the race reads the winner's row.

    Side effects: may insert a Paper, or set an identifier on one.
    """
    lookup = _lookup(identifier)
    paper = Paper.objects.filter(**lookup).first()
    if paper is not None:
        return paper, False
    alias = _also_known_as(identifier)
    paper = Paper.objects.filter(**alias).first() if alias else None
    if paper is not None:
        [(field_name, value)] = lookup.items()
        # Compare-and-set: a row that took another value meanwhile keeps it.
        if Paper.objects.filter(pk=paper.pk, **{f"{field_name}__isnull": True}).update(**lookup):
            setattr(paper, field_name, value)
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


#: The most of each text the catalogue keeps of a paper's metadata, whatever its source; hand
#: entry (the form, the API and the service) is held to the same title and abstract limits. Real
#: titles are under 500 characters, abstracts under 10,000, and the longest author lists (the LHC
#: collaborations') hold a few thousand names, while positions are smallints. More is cut, and
#: the paper's metadata error says so.
TITLE_MAX_LENGTH = 1000
ABSTRACT_MAX_LENGTH = 20_000
COMMENT_MAX_LENGTH = 2000
AUTHORS_MAX = 10_000
INSTITUTIONS_MAX = 1000
CATEGORIES_MAX = 100


@transaction.atomic
def apply_paper_metadata(paper: Paper, metadata: PaperMetadata, *, source: str) -> Paper:
    """Store ``metadata`` on ``paper`` and mark its metadata ``ok``.

    Authors and institutions are replaced in the order given. A DOI already held by another paper
    is not taken over (the other row keeps it), so that a refresh never breaks the catalogue's
    uniqueness. Texts and lists beyond the catalogue's limits (``TITLE_MAX_LENGTH`` and the
    others above) are cut, and ``metadata_error`` names what was cut. Metadata from a source
    replaces a hand entry whole (its Chinese title too); the hand entry stays in its
    ``MetadataEntry``, marked replaced.

    Side effects: updates the Paper; replaces its Authorship and PaperInstitution rows; may insert
    Author and Institution rows; may mark MetadataEntry rows replaced.
    """
    if source not in MetadataSource.values:
        raise ValueError(f"Unknown metadata source {source!r}")
    replacing_hand_entry = (
        paper.metadata_source == MetadataSource.MANUAL and source != MetadataSource.MANUAL
    )
    cut: list[str] = []
    paper.title = _cut_text(metadata.title.strip(), TITLE_MAX_LENGTH, "the title", cut)
    paper.abstract = _cut_text(metadata.abstract.strip(), ABSTRACT_MAX_LENGTH, "the abstract", cut)
    authors = _cut_list(metadata.authors, AUTHORS_MAX, "the authors", cut)
    institutions = _cut_list(
        list(dict.fromkeys(n.strip()[:300] for n in metadata.institutions if n.strip())),
        INSTITUTIONS_MAX,
        "the institutions",
        cut,
    )
    categories = _cut_list(metadata.categories, CATEGORIES_MAX, "the categories", cut)
    paper.published_on = metadata.published_on
    paper.year = metadata.year or (metadata.published_on.year if metadata.published_on else None)
    paper.revised_on = metadata.revised_on
    if metadata.arxiv_version:
        paper.arxiv_version = metadata.arxiv_version
    # The sources' texts may be longer than the columns (PostgreSQL would refuse the row): texts
    # are cut, and a link too long to keep is no link at all.
    paper.primary_category = _fit("primary_category", metadata.primary_category)
    paper.categories = list(categories)
    paper.journal_ref = _fit("journal_ref", metadata.journal_ref)
    paper.comment = _cut_text(metadata.comment, COMMENT_MAX_LENGTH, "the comment", cut)
    if metadata.code_url and _fits("code_url", metadata.code_url):
        paper.code_url = metadata.code_url
    paper.pdf_url = metadata.pdf_url if _fits("pdf_url", metadata.pdf_url) else ""
    if metadata.title_zh or replacing_hand_entry:
        paper.title_zh = _fit("title_zh", metadata.title_zh.strip())
    doi = _normalize_doi(metadata.doi)
    if doi and not _fits("doi", doi):
        doi = None
    link_identifiers(
        paper,
        {"doi": doi, "arxiv_id": metadata.arxiv_id, "acl_id": metadata.acl_id},
        source=source,
    )
    paper.metadata_status = MetadataStatus.OK
    paper.metadata_source = source
    paper.metadata_error = f"Cut to the catalogue's limits: {'; '.join(cut)}." if cut else ""
    paper.metadata_fetched_at = timezone.now()
    if source != MetadataSource.MANUAL:
        paper.metadata_kept = False
    paper.save()
    _replace_authors(paper, authors)
    _replace_institutions(paper, institutions, metadata.institution_names_zh)
    if replacing_hand_entry:
        paper.metadata_entries.filter(replaced_at__isnull=True).update(
            replaced_at=paper.metadata_fetched_at, replaced_by=source
        )
    return paper


def link_identifiers(paper: Paper, found: dict[str, str | None], *, source: str) -> None:
    """Give ``paper`` the identifiers a source named for it (``{"doi": …, "arxiv_id": …}``).

    One the row lacks and no other row holds is taken (the caller saves the row). One that
    another row holds means both rows are one paper: a ``PossibleDuplicate`` is recorded for an
    editor to merge, and the other row keeps it, so that the catalogue's uniqueness holds. One
    that differs from the row's own is left alone: the row's was given by a member or a
    source before.

    Side effects: sets identifiers on ``paper`` (unsaved); may insert PossibleDuplicate rows.
    """
    for field_name, value in found.items():
        if not value or not _fits(field_name, value):
            continue
        holder = Paper.objects.filter(**{field_name: value}).exclude(pk=paper.pk).first()
        if holder is not None:
            PossibleDuplicate.objects.get_or_create(
                paper=paper,
                duplicate=holder,
                defaults={"identifier": _identifier_text(field_name, value), "source": source},
            )
        elif not getattr(paper, field_name):
            setattr(paper, field_name, value)


_IDENTIFIER_PREFIXES = {
    "arxiv_id": "arXiv:",
    "doi": "doi:",
    "acl_id": "acl:",
    "openreview_id": "openreview:",
    "s2_id": "s2:",
}


def _identifier_text(field_name: str, value: str) -> str:
    return f"{_IDENTIFIER_PREFIXES[field_name]}{value}"


def _cut_text(text: str, limit: int, name: str, cut: list[str]) -> str:
    if len(text) <= limit:
        return text
    cut.append(f"{name} ({len(text)} characters, {limit} kept)")
    return text[:limit].rstrip()


def _cut_list(items: Sequence[Any], limit: int, name: str, cut: list[str]) -> Sequence[Any]:
    if len(items) <= limit:
        return items
    cut.append(f"{name} ({len(items)}, the first {limit} kept)")
    return items[:limit]


def _fits(field_name: str, value: str) -> bool:
    return len(value) <= Paper._meta.get_field(field_name).max_length


def _fit(field_name: str, value: str) -> str:
    return value[: Paper._meta.get_field(field_name).max_length]


def _get_or_create_named(model: type[Author], names: list[str]) -> dict:
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


def _replace_institutions(
    paper: Paper, institutions: Sequence[str], names_zh: Mapping[str, str] | None = None
) -> None:
    """The paper's institutions in order, each found through the glossary and the rows that
    exist before a row is made (``institutions_by_name``): 斯坦福 is Stanford University. A
    Chinese name the source gives (``names_zh``) fills that of an institution without one."""
    paper.paper_institutions.all().delete()
    by_name = institutions_by_name(institutions)
    rows = list({row.pk: row for row in by_name.values()}.values())
    for name, name_zh in (names_zh or {}).items():
        row = by_name.get(name.strip()[:300])
        name_zh = name_zh.strip()[:300]
        if row is not None and name_zh and not row.name_zh and name_zh != row.name:
            Institution.objects.filter(pk=row.pk, name_zh="").update(name_zh=name_zh)
    PaperInstitution.objects.bulk_create(
        PaperInstitution(paper=paper, institution=row, position=position)
        for position, row in enumerate(rows, start=1)
    )


def fill_missing_title_zh(paper: Paper, title_zh: str) -> None:
    """Give the paper a Chinese title from a recommendation when it has none yet.

    Side effects: updates ``Paper.title_zh``.
    """
    title_zh = title_zh.strip()
    if title_zh and not paper.title_zh:
        Paper.objects.filter(pk=paper.pk, title_zh="").update(title_zh=title_zh[:500])
        paper.title_zh = title_zh[:500]
