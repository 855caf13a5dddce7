"""The issues' part of merging two catalogue rows that are one paper (``papers.merging``).

An issue holds a paper once (``issueentry_unique_paper``). The removed row's entries move to the
kept row; where one issue holds both, an unpublished issue keeps one entry that credits both
recommendations, and a published one is left as readers saw it only on the editor's word.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from common.exceptions import InvalidInput
from issues.models import CoRecommendation, IssueEntry
from papers.models import Paper


def move_entries(into: Paper, other: Paper, *, decisions: dict[str, Any]) -> dict[str, Any]:
    """Point ``other``'s issue entries at ``into``. Runs inside the merge's transaction.

    In an unpublished issue that holds both papers, ``other``'s entry is folded into
    ``into``'s: its recommendation, and those credited on it, become co-recommendations there.
    A published issue that holds both is refused (``same_published_issue``) unless
    ``decisions["keep_published_entries"]``: the issue then keeps both entries as published,
    ``other``'s no longer linked to the catalogue.

    Side effects: updates IssueEntry rows; may delete entries and insert CoRecommendations.
    """
    kept = dict(IssueEntry.objects.filter(paper=into).values_list("issue_id", "pk"))
    summary: dict[str, list[int]] = {"entries": [], "folded": [], "detached": []}
    entries = IssueEntry.objects.filter(paper=other).select_related("issue").order_by("pk")
    for entry in entries:
        shared = kept.get(entry.issue_id)
        if shared is None:
            summary["entries"].append(entry.pk)
        elif entry.issue.is_published:
            if not decisions.get("keep_published_entries"):
                raise InvalidInput(
                    gettext(
                        "Issue #%(number)s shows both papers. Merge them only if that issue may "
                        "keep both entries as published, the second no longer linked to the "
                        "paper."
                    )
                    % {"number": entry.issue.number},
                    code="same_published_issue",
                )
            summary["detached"].append(entry.pk)
        else:
            CoRecommendation.objects.filter(entry=entry).update(entry_id=shared)
            CoRecommendation.objects.create(entry_id=shared, recommendation=entry.recommendation)
            summary["folded"].append(entry.pk)
    IssueEntry.objects.filter(pk__in=summary["detached"]).update(paper=None)
    IssueEntry.objects.filter(pk__in=summary["folded"]).delete()
    IssueEntry.objects.filter(pk__in=summary["entries"]).update(paper=into)
    return summary
