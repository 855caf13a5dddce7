"""Merging two catalogue rows that are one paper, as an editor confirms it.

The catalogue links rows by the identifiers their metadata names (``PossibleDuplicate``); an
editor merges them here. Every app's rows follow the kept row: the recommendations here, the
issue entries through the step the issues app registers (``papers.merging``), the catalogue's
own rows last (``papers.services.merging.absorb_paper``), and the merge is recorded whole.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from common.exceptions import InvalidInput
from papers import merging
from papers.models import Paper, PaperMerge
from papers.services.merging import absorb_paper
from publications.permissions import require
from recommendations.models import Recommendation


def merge_papers(
    into: Paper,
    other: Paper,
    *,
    by: Any,
    keep_published_entries: bool = False,
    note: str = "",
) -> PaperMerge:
    """Make ``other`` part of ``into``, the row kept, and remove it.

    Refused for a paper and itself, and for two papers that one published issue shows both,
    unless ``keep_published_entries``: that issue then keeps both entries as readers saw them,
    the second no longer linked to the catalogue (an issue holds a paper once). Every
    recommendation of ``other`` follows; so do its issue entries (in an unpublished issue that
    holds both, its entry joins ``into``'s, its recommendation credited there), its hand
    entries and earlier merges. The merge record keeps the removed row whole.

    Side effects: updates recommendations, issue entries and catalogue rows; deletes ``other``;
    inserts a PaperMerge.
    """
    if into.pk == other.pk:
        raise InvalidInput(gettext("A paper cannot be merged with itself."), code="same_paper")
    for paper in (into, other):
        require(by, "recommendations.merge_papers", paper)
    with transaction.atomic():
        # Locked in the order of their ids, so that two merges of one pair never deadlock.
        locked = {
            p.pk: p
            for p in Paper.objects.select_for_update()
            .filter(pk__in=[into.pk, other.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise InvalidInput(
                gettext("One of these papers has just been merged into another."),
                code="paper_gone",
            )
        into, other = locked[into.pk], locked[other.pk]
        moved_recommendations = list(
            Recommendation.objects.filter(paper=other).order_by("pk").values_list("pk", flat=True)
        )
        Recommendation.objects.filter(paper=other).update(paper=into)
        moved = merging.run_steps(
            into, other, decisions={"keep_published_entries": keep_published_entries}
        )
        moved["recommendations"] = {"recommendations": moved_recommendations}
        return absorb_paper(into, other, by=by, moved=moved, note=note.strip())
