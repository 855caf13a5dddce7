"""Two catalogue rows that are one paper become one: the catalogue's own part of a merge.

The editorial service (``recommendations.services.merging.merge_papers``) checks the editor's
capability, locks both rows and runs the other apps' steps (``papers.merging``); then
``absorb_paper`` moves what the catalogue holds, removes the row and writes the record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q

from papers.enums import MetadataStatus
from papers.models import MetadataEntry, Paper, PaperMerge, PossibleDuplicate

IDENTIFIERS = ("arxiv_id", "aminer_id", "doi", "acl_id", "openreview_id", "s2_id")

#: The fields of a paper's metadata that the kept row takes from the removed one when it has
#: none: a row known only by its AMiner link may have the Chinese title the arXiv row lacks.
_FILLED = (
    "title",
    "title_zh",
    "abstract",
    "published_on",
    "revised_on",
    "year",
    "arxiv_version",
    "primary_category",
    "categories",
    "journal_ref",
    "comment",
    "code_url",
    "pdf_url",
)


def snapshot(paper: Paper) -> dict[str, Any]:
    """Everything the row holds, as JSON: its fields, its authors and its institutions."""
    data: dict[str, Any] = {}
    for field in Paper._meta.concrete_fields:
        value = getattr(paper, field.attname)
        if isinstance(value, dt.date | dt.datetime):
            value = DjangoJSONEncoder().default(value)
        data[field.attname] = value
    data["authors"] = [
        {"name": a.author.name, "position": a.position, "affiliation": a.affiliation}
        for a in paper.authorships.select_related("author")
    ]
    data["institutions"] = [
        pi.institution.name for pi in paper.paper_institutions.select_related("institution")
    ]
    return data


def absorb_paper(
    into: Paper, other: Paper, *, by: Any, moved: dict[str, Any], note: str = ""
) -> PaperMerge:
    """Make ``other`` part of ``into`` and remove it. Call inside the merge's transaction, with
    both rows locked and every row of the other apps moved (``papers.merging``).

    The kept row takes the identifiers it lacks and the metadata it has none of; its authors
    and institutions stay, or are the removed row's when it has none. Hand entries and earlier
    merge records follow; possible duplicates between the two are settled, others follow.

    Side effects: updates ``into``; moves MetadataEntry, PaperMerge and PossibleDuplicate rows
    and, when ``into`` has none, Authorship and PaperInstitution rows; deletes ``other``;
    inserts a PaperMerge.
    """
    removed = snapshot(other)
    identifiers = {name: getattr(other, name) for name in IDENTIFIERS}
    catalogue_moved: dict[str, Any] = {}
    if not into.authorships.exists():
        catalogue_moved["authorships"] = other.authorships.update(paper=into)
    if not into.paper_institutions.exists():
        catalogue_moved["institutions"] = other.paper_institutions.update(paper=into)
    catalogue_moved["metadata_entries"] = list(
        MetadataEntry.objects.filter(paper=other).values_list("pk", flat=True)
    )
    MetadataEntry.objects.filter(paper=other).update(paper=into)
    catalogue_moved["merges"] = list(other.merges.values_list("pk", flat=True))
    other.merges.update(into=into)
    _move_possible_duplicates(into, other)

    took_metadata = into.metadata_status != MetadataStatus.OK and other.has_metadata
    for name in _FILLED:
        if took_metadata or not getattr(into, name):
            value = getattr(other, name)
            if value not in (None, "", []):
                setattr(into, name, value)
    if took_metadata:
        for name in ("metadata_status", "metadata_source", "metadata_fetched_at", "metadata_kept"):
            setattr(into, name, getattr(other, name))
        into.metadata_error = ""
    other_pk = other.pk
    # The removed row goes first: the identifiers are unique, and it holds them until then.
    other.delete()
    for name, value in identifiers.items():
        if value and not getattr(into, name):
            setattr(into, name, value)
    into.save()
    return PaperMerge.objects.create(
        into=into,
        removed_id=other_pk,
        removed_identifiers=identifiers,
        removed=removed,
        moved={"papers": catalogue_moved, **moved},
        note=note,
        merged_by=by if getattr(by, "pk", None) else None,
    )


def _move_possible_duplicates(into: Paper, other: Paper) -> None:
    PossibleDuplicate.objects.filter(
        Q(paper=into, duplicate=other) | Q(paper=other, duplicate=into)
    ).delete()
    for found in PossibleDuplicate.objects.filter(Q(paper=other) | Q(duplicate=other)):
        pair = {
            "paper": into if found.paper_id == other.pk else found.paper,
            "duplicate": into if found.duplicate_id == other.pk else found.duplicate,
        }
        PossibleDuplicate.objects.get_or_create(
            **pair, defaults={"identifier": found.identifier, "source": found.source}
        )
        found.delete()
