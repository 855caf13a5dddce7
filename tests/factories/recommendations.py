"""Factories of recommendations and reviews."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from recommendations.enums import RecommendationKind, RecommendationStatus, Verdict
from recommendations.models import Recommendation, Review
from tests.factories.contributors import UserFactory
from tests.factories.papers import PaperFactory
from tests.factories.publications import PublicationFactory


class RecommendationFactory(DjangoModelFactory):
    """A submitted paper recommendation; the ``news`` trait makes it a news item."""

    class Meta:
        model = Recommendation

    publication = factory.SubFactory(PublicationFactory)
    kind = RecommendationKind.PAPER
    paper = factory.SubFactory(PaperFactory)
    summary = factory.Sequence(lambda n: f"Summary {n}: what the paper does and why it matters.")
    submitter = factory.SubFactory(UserFactory)
    status = RecommendationStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)

    class Params:
        news = factory.Trait(
            kind=RecommendationKind.NEWS,
            paper=None,
            news_title=factory.Sequence(lambda n: f"Research news {n}"),
            news_url=factory.Sequence(lambda n: f"https://news.example.org/items/{n}"),
        )


class ReviewFactory(DjangoModelFactory):
    class Meta:
        model = Review

    recommendation = factory.SubFactory(RecommendationFactory)
    reviewer = factory.SubFactory(UserFactory)
    verdict = Verdict.APPROVE
    comment = ""
    round = factory.LazyAttribute(lambda review: review.recommendation.review_round)
