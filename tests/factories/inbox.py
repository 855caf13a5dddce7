"""Factories of the candidate inbox."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

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
