"""Factories of issues and their entries."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from issues.enums import IssueStatus, Section
from issues.models import Issue, IssueEntry
from recommendations.enums import RecommendationStatus
from tests.factories.publications import PublicationFactory
from tests.factories.recommendations import RecommendationFactory


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
