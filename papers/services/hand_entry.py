"""Metadata entered by hand, and the audit of who entered what."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from papers.enums import MetadataSource
from papers.models import MetadataEntry, Paper
from papers.services.catalogue import PaperMetadata, apply_paper_metadata
from papers.signals import send_metadata_arrived


def _hand_fields(paper: Paper) -> dict[str, Any]:
    """The fields a hand entry writes, as stored."""
    return {
        "title": paper.title,
        "title_zh": paper.title_zh,
        "abstract": paper.abstract,
        "year": paper.year,
        "authors": [a.author.name for a in paper.authorships.select_related("author")],
        "institutions": [
            i.institution.name for i in paper.paper_institutions.select_related("institution")
        ],
        "status": paper.metadata_status,
        "source": paper.metadata_source,
    }


@transaction.atomic
def enter_metadata_by_hand(
    paper: Paper, metadata: PaperMetadata, *, by: Any, keep: bool = False
) -> Paper:
    """Store metadata entered by hand (source ``manual``) and record who entered what.

    A later fetch from the source replaces it, unless ``keep``: then fetches leave the paper alone
    until a hand entry without ``keep``. Who may do this is the caller's business.

    Side effects: those of ``apply_paper_metadata``; sets ``Paper.metadata_kept``; clears where
    the affiliations came from; inserts a MetadataEntry with the values entered and those they
    replaced; sends ``paper_metadata_arrived`` after commit.
    """
    previous = _hand_fields(paper)
    paper.metadata_kept = keep
    # The institutions and affiliations are the hand entry's now, not a source's: the paper's
    # page must not say "from OpenAlex" of them.
    paper.affiliations_source, paper.affiliations_fetched_at, paper.affiliations_error = (
        "",
        None,
        "",
    )
    apply_paper_metadata(paper, metadata, source=MetadataSource.MANUAL)
    MetadataEntry.objects.create(
        paper=paper,
        entered_by=by,
        values=_hand_fields(paper),
        previous=previous,
        kept=keep,
    )
    send_metadata_arrived([paper.pk])
    return paper
