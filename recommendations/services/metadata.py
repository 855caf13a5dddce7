"""The catalogue, for editors and submitters: fetching a paper's metadata again, or entering it
by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from common.exceptions import InvalidInput, InvalidTransition
from common.validators import check_field, max_length
from papers import selectors as paper_selectors
from papers import services as paper_services
from papers.models import Paper
from publications.permissions import is_member, require


def refetch_paper_metadata(paper: Paper, *, by: Any) -> Paper:
    """An editor's "fetch again": the paper's metadata is fetched anew by a worker, a hand entry
    included. Refused when it would change nothing: an editor kept the hand entry, or no source
    can be asked.

    Side effects: those of ``papers.services.refetch_metadata``.
    """
    require(by, "recommendations.refetch_paper_metadata", paper)
    if paper.metadata_kept:
        raise InvalidTransition(
            gettext(
                "An editor kept this paper's hand-entered metadata over the source's, so fetching "
                "it again would change nothing. To have it fetched, save the hand entry again "
                "without keeping it."
            )
        )
    unavailable = paper_selectors.source_unavailable(paper)
    if unavailable:
        raise InvalidTransition(unavailable)
    with transaction.atomic():
        paper_services.refetch_metadata(paper)
    return paper


def check_paper_metadata_entry(paper: Paper, *, by: Any) -> None:
    """Raise unless ``by`` may fill in ``paper``'s metadata by hand now.

    The paper's state first, so that a member is told why (its fetch is still under way, or the
    source gave it), then the capability.
    """
    if is_member(by):
        refused = paper_selectors.hand_entry_refusal(paper)
        if refused:
            raise InvalidTransition(refused)
    require(by, "recommendations.enter_paper_metadata", paper)


def enter_paper_metadata(
    paper: Paper,
    *,
    by: Any,
    title: str,
    authors: Sequence[str] = (),
    institutions: Sequence[str] = (),
    abstract: str = "",
    year: int | None = None,
    title_zh: str = "",
    keep: bool = False,
) -> Paper:
    """Fill in a paper's metadata by hand, when no source could (``source=manual``).

    Only once its fetch ended ``failed`` or ``not_found``, or when no source can be asked; by a
    member whose recommendation of it stands, or an editor of a publication where it is
    recommended, who may also correct a hand entry (``recommendations.enter_paper_metadata``).
    A later fetch from the source replaces the entry unless an editor ``keep``s it.

    Side effects: those of ``papers.services.enter_metadata_by_hand`` (rewrites the Paper's
    metadata, authors and institutions; records a MetadataEntry).
    """
    check_paper_metadata_entry(paper, by=by)
    if keep:
        require(by, "recommendations.keep_paper_metadata", paper)
    title = check_field("title", (title or "").strip(), max_length(paper_services.TITLE_MAX_LENGTH))
    if not title:
        raise InvalidInput(gettext("Give the paper's title."), field="title")
    names = {"authors": list(authors), "institutions": list(institutions)}
    for field, values in names.items():
        cleaned = [check_field(field, v.strip(), max_length(300)) for v in values if v.strip()]
        if len(cleaned) > 500:
            raise InvalidInput(gettext("At most 500 names, please."), field=field)
        names[field] = cleaned
    abstract = check_field(
        "abstract", (abstract or "").strip(), max_length(paper_services.ABSTRACT_MAX_LENGTH)
    )
    title_zh = check_field("title_zh", (title_zh or "").strip(), max_length(500))
    if year is not None and not 1900 <= year <= timezone.now().year + 1:
        raise InvalidInput(gettext("Give the year the paper appeared."), field="year")
    with transaction.atomic():
        # The row is locked and checked again: a worker may have fetched the paper meanwhile,
        # and a hand entry never replaces a source's metadata.
        paper = Paper.objects.select_for_update().get(pk=paper.pk)
        check_paper_metadata_entry(paper, by=by)
        return paper_services.enter_metadata_by_hand(
            paper,
            paper_services.PaperMetadata(
                title=title,
                title_zh=title_zh,
                abstract=abstract,
                authors=[paper_services.AuthorData(name) for name in names["authors"]],
                institutions=names["institutions"],
                year=year,
                # What the form does not show is kept as it is.
                published_on=paper.published_on,
                revised_on=paper.revised_on,
                arxiv_version=paper.arxiv_version,
                primary_category=paper.primary_category,
                categories=paper.categories,
                doi=paper.doi,
                journal_ref=paper.journal_ref,
                comment=paper.comment,
                code_url=paper.code_url,
                pdf_url=paper.pdf_url,
            ),
            by=by,
            keep=keep,
        )
