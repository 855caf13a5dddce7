"""Factories of the editorial work. They build state directly, for setup; tests of transitions
go through ``issues.services``."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from issues.enums import IssueStatus, Section
from issues.models import Issue, IssueEntry
from publications.enums import TeamRole
from publications.models import Membership, Publication
from recommendations.enums import RecommendationKind, RecommendationStatus, Verdict
from recommendations.models import Recommendation, Review
from tests.factories.contributors import UserFactory
from tests.factories.papers import PaperFactory


class PublicationFactory(DjangoModelFactory):
    class Meta:
        model = Publication
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"weekly-{n}")
    name = factory.Sequence(lambda n: f"Weekly {n}")
    name_zh = factory.Sequence(lambda n: f"周刊{n}")
    approvals_required = 1


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    publication = factory.SubFactory(PublicationFactory)
    user = factory.SubFactory(UserFactory)
    role = TeamRole.REVIEWER


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


class IssueFactory(DjangoModelFactory):
    """A draft issue; the ``scheduled`` and ``published`` traits set the fields those need."""

    class Meta:
        model = Issue

    publication = factory.SubFactory(PublicationFactory)
    status = IssueStatus.DRAFT
    title = factory.Sequence(lambda n: f"Issue title {n}")

    class Params:
        scheduled = factory.Trait(
            status=IssueStatus.SCHEDULED,
            publish_at=factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1)),
        )
        published = factory.Trait(
            status=IssueStatus.PUBLISHED,
            number=factory.Sequence(lambda n: n + 1),
            published_at=factory.LazyFunction(timezone.now),
        )


def _recommendation_status_for(issue: Issue) -> str:
    if issue.status == IssueStatus.PUBLISHED:
        return RecommendationStatus.PUBLISHED
    return RecommendationStatus.SCHEDULED


class IssueEntryFactory(DjangoModelFactory):
    """An entry of an issue, with a recommendation of the issue's publication in the matching
    state (scheduled, or published in a published issue)."""

    class Meta:
        model = IssueEntry

    issue = factory.SubFactory(IssueFactory)
    recommendation = factory.SubFactory(
        RecommendationFactory,
        publication=factory.SelfAttribute("..issue.publication"),
        status=factory.LazyAttribute(
            lambda rec: _recommendation_status_for(rec.factory_parent.issue)
        ),
    )
    paper = factory.SelfAttribute("recommendation.paper")
    section = factory.LazyAttribute(
        lambda entry: Section.NEWS if entry.recommendation.is_news else Section.PAPERS
    )
    position = factory.Sequence(lambda n: n + 1)
