"""Factories of the candidate inbox."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from inbox import services
from inbox.enums import CandidateState
from inbox.models import Candidate, Watch
from tests.factories.contributors import UserFactory
from tests.factories.papers import PaperFactory
from tests.factories.publications import PublicationFactory


class WatchFactory(DjangoModelFactory):
    class Meta:
        model = Watch

    publication = factory.SubFactory(PublicationFactory)
    name = factory.Sequence(lambda n: f"Watch {n}")
    categories = "cs.CL"
    query = "abs:pretrain*"


class CandidateFactory(DjangoModelFactory):
    """A new candidate; the ``claimed`` and ``dismissed`` traits put it in those states, by a
    member of their own unless ``claimed_by`` / ``dismissed_by`` is given."""

    class Meta:
        model = Candidate

    publication = factory.SubFactory(PublicationFactory)
    paper = factory.SubFactory(PaperFactory)
    score = 0.5
    state = CandidateState.NEW

    class Params:
        claimed = factory.Trait(
            state=CandidateState.CLAIMED,
            claimed_by=factory.SubFactory(UserFactory),
            claimed_at=factory.LazyFunction(timezone.now),
        )
        dismissed = factory.Trait(
            state=CandidateState.DISMISSED,
            dismissed_by=factory.SubFactory(UserFactory),
            dismissed_at=factory.LazyFunction(timezone.now),
            dismiss_reason="Off topic.",
        )


def inbox_rows(publication: Any, *, editor: Any, member: Any) -> list[Candidate]:
    """Rows of every inbox model, made through the services: the publication's settings and a
    watch set by ``editor``; three candidates it found, one claimed by ``member``, one dismissed
    and restored, one dismissed, with ``member``'s interest; ``member``'s digest."""
    services.update_inbox_settings(publication, by=editor, claim_days=5)
    watch = services.save_watch(
        publication,
        by=editor,
        name="Pretraining 预训练",
        categories="cs.CL cs.LG",
        query="abs:pretrain*",
    )
    papers = [PaperFactory(arxiv_id=f"2412.{n:05d}") for n in (101, 102, 103)]
    found = services.add_candidates(
        publication,
        [(paper, timezone.now()) for paper in papers],
        watch=watch,
        scores={paper.pk: 0.3 + 0.2 * n for n, paper in enumerate(papers)},
    )
    claimed, restored, dismissed = found
    services.claim_candidate(claimed, by=member)
    services.mark_interest(claimed, by=editor)
    services.dismiss_candidate(restored, by=member, reason="Seen it 看过了.")
    services.restore_candidate(restored, by=editor)
    services.dismiss_candidate(dismissed, by=member, reason="Off topic.")
    services.subscribe_digest(member, publication)
    return found
