"""The recommendations and drafting assistance: what the drafting app asks of them, registered
when this app is ready (``drafting.examples``: a publication's best past entries as examples of
its style, and the publications an entry of a paper is being written for), and the drafts
offered on the forms of an entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models.functions import Length
from django.forms import Form
from django.urls import reverse
from django.utils.http import urlencode

from drafting import offers
from drafting.examples import Example
from drafting.offers import DraftOffer, accepted_from
from drafting.services.drafts import drafting_on
from papers import selectors as paper_selectors
from papers.identifiers import MAX_INPUT_LENGTH, InvalidIdentifier, parse_identifier
from recommendations.enums import STANDING_STATES, RecommendationKind, RecommendationStatus
from recommendations.models import Recommendation

#: An example's summary: long enough to show the house style, short enough for a prompt.
EXAMPLE_SUMMARY_LENGTH = (120, 600)


def past_entries(publication: Any, count: int) -> list[Example]:
    """The publication's published paper entries with a Chinese title and a summary of a
    usual length, newest first: what its editors let readers see lately is its best voice."""
    shortest, longest = EXAMPLE_SUMMARY_LENGTH
    rows = (
        Recommendation.objects.filter(
            publication=publication,
            kind=RecommendationKind.PAPER,
            status=RecommendationStatus.PUBLISHED,
        )
        .exclude(title_zh="")
        .annotate(summary_length=Length("summary"))
        .filter(summary_length__gte=shortest, summary_length__lte=longest)
        .select_related("paper")
        .order_by("-decided_at", "-pk")[: max(0, count)]
    )
    return [
        Example(
            title=row.paper.title if row.paper else "", title_zh=row.title_zh, summary=row.summary
        )
        for row in rows
    ]


def publications_writing(paper_id: int) -> list[int]:
    """The publications with a recommendation of the paper that stands and is not published."""
    open_states = STANDING_STATES - {RecommendationStatus.PUBLISHED}
    return list(
        Recommendation.objects.filter(paper_id=paper_id, status__in=open_states)
        .values_list("publication_id", flat=True)
        .distinct()
    )


def writes_up(user_id: int, publication_id: int, paper_id: int) -> bool:
    """Whether the member's recommendation of the paper to the publication stands."""
    return Recommendation.objects.filter(
        submitter_id=user_id,
        publication_id=publication_id,
        paper_id=paper_id,
        status__in=STANDING_STATES,
    ).exists()


def offer_drafts(form: Form, recommendation: Recommendation) -> DraftOffer | None:
    """The drafts offered on a form of ``recommendation``'s entry: none for a news item."""
    if recommendation.is_news:
        return None
    return offers.offer_drafts(form, recommendation.publication, recommendation.paper)


@dataclass
class NewEntryDrafts:
    """What the recommend form offers of drafts for the paper its identifier names."""

    #: The drafts panel, when the catalogue has the paper with its metadata.
    offer: DraftOffer | None = None
    #: The paper is not in the catalogue, or its metadata has not arrived: drafts come later,
    #: on the recommendation's edit page.
    later: bool = False


def drafts_for_new_entry(
    form: Form, publication: Any, identifier: str, *, user: Any
) -> NewEntryDrafts | None:
    """The drafts offered on the recommend ``form`` for the paper ``identifier`` names, in
    ``publication``; None where nothing is said of drafts (no publication chosen, drafting off
    for it, no identifier or a malformed one).

    The entry does not exist yet, so only a draft ``user`` may see is offered (the one they
    asked for, or one of their publication's team): another member's draft of the same paper
    tells that somebody writes it up, and is offered as if there were none. Asking for drafts
    comes back to this form, opened with the publication and the identifier."""
    identifier = (identifier or "").strip()[:MAX_INPUT_LENGTH]
    if publication is None or not identifier or not drafting_on(publication):
        return None
    try:
        parsed = parse_identifier(identifier)
    except InvalidIdentifier:
        return None
    paper = paper_selectors.paper_for_identifier(parsed)
    if paper is None or not paper.title:
        return NewEntryDrafts(later=True)
    back = (
        reverse("recommendations:paper-create")
        + "?"
        + urlencode({"publication": publication.slug, "identifier": identifier})
    )
    return NewEntryDrafts(
        offer=offers.offer_drafts(form, publication, paper, user=user, next_url=back)
    )


__all__ = [
    "NewEntryDrafts",
    "accepted_from",
    "drafts_for_new_entry",
    "offer_drafts",
    "past_entries",
    "publications_writing",
    "writes_up",
]
