"""What the published issues add up to (``issues.statistics``): the numbers against a small
world, with drafts, scheduled issues, refused recommendations and inactive members left out, in
a bounded number of queries, and retired with the published pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from issues import statistics
from issues.caching import renew_published_version
from issues.enums import IssueStatus, Section
from issues.models import CoRecommendation, Issue, IssueEntry
from publications.models import Publication, Topic
from recommendations.enums import RecommendationStatus
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    PaperFactory,
    PublicationFactory,
    RecommendationFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def months_ago(n: int, day: int = 10) -> dt.datetime:
    """Noon on ``day`` of the month ``n`` months before this one."""
    today = timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - n, 12)
    return timezone.make_aware(dt.datetime(year, month + 1, day, 12))


def month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


class World:
    """Two publications' published issues, and everything that must not count."""

    def __init__(self) -> None:
        self.publication = PublicationFactory(slug="stats-weekly", name="Stats Weekly")
        self.other = PublicationFactory(slug="other-weekly", name="Other Weekly")
        self.vision = TopicFactory(publication=self.publication, slug="vision", name_en="Vision")
        self.language = TopicFactory(
            publication=self.publication, slug="language", name_en="Language", name_zh="语言"
        )
        self.alice = UserFactory(username="alice", display_name="Alice")
        self.bob = UserFactory(username="bob", display_name="Bob")
        self.carol = UserFactory(username="carol", display_name="Carol")
        self.gone = UserFactory(username="gone", display_name="Gone", is_active=False)
        self.hidden = UserFactory(username="hidden", display_name="Hidden")

        self.first = self.issue(self.publication, months_ago(2))
        self.entry(self.first, self.alice, self.vision, waited=10)
        self.entry(self.first, self.bob, self.language, waited=20)
        self.entry(self.first, self.alice, None, news=True, waited=3)
        self.second = self.issue(self.publication, months_ago(0, day=1))
        shared = self.entry(self.second, self.alice, self.vision, waited=40)
        self.entry(self.second, self.gone, self.vision, waited=2)
        CoRecommendation.objects.create(
            entry=shared,
            recommendation=RecommendationFactory(
                publication=self.publication,
                paper=shared.paper,
                submitter=self.carol,
                status=RecommendationStatus.PUBLISHED,
            ),
        )
        self.elsewhere = self.issue(self.other, months_ago(1))
        self.entry(self.elsewhere, self.bob, None, waited=5)

        # None of these counts: a draft's and a scheduled issue's entries, refused and
        # pending recommendations.
        for status in (IssueStatus.DRAFT, IssueStatus.SCHEDULED):
            unpublished = IssueFactory(
                publication=self.publication,
                status=status,
                publish_at=timezone.now() + dt.timedelta(days=3),
            )
            IssueEntryFactory(
                issue=unpublished,
                recommendation__submitter=self.hidden,
                recommendation__topic=self.language,
            )
        for status in (RecommendationStatus.REJECTED, RecommendationStatus.ACCEPTED):
            RecommendationFactory(
                publication=self.publication, submitter=self.hidden, status=status
            )

    def issue(self, publication: Publication, published_at: dt.datetime) -> Issue:
        return IssueFactory(publication=publication, published=True, published_at=published_at)

    def entry(
        self,
        issue: Issue,
        member: Any,
        topic: Topic | None,
        *,
        waited: int,
        news: bool = False,
    ) -> IssueEntry:
        return IssueEntryFactory(
            issue=issue,
            recommendation__submitter=member,
            recommendation__topic=topic,
            recommendation__news=news,
            recommendation__submitted_at=issue.published_at - dt.timedelta(days=waited),
        )


@pytest.fixture
def world() -> World:
    return World()


def test_publication_statistics_count_only_published_issues(world: World) -> None:
    figures = statistics.compute_statistics(world.publication)

    assert (figures.total_issues, figures.total_papers, figures.total_news) == (2, 4, 1)
    assert [month.month for month in figures.months] == [
        month_of(months_ago(2)),
        month_of(months_ago(1)),
        month_of(months_ago(0)),
    ]
    assert [(m.issues, m.papers, m.news) for m in figures.months] == [
        (1, 2, 1),
        (0, 0, 0),
        (1, 2, 0),
    ]


def test_publication_statistics_rank_active_contributors_with_co_recommendations(
    world: World,
) -> None:
    figures = statistics.compute_statistics(world.publication)

    # Alice: two papers and a news item; Bob's paper elsewhere counts on the other publication;
    # Carol's co-recommendation counts; the inactive member's entry counts as a paper only.
    assert [(c.username, c.public_name, c.count) for c in figures.contributors] == [
        ("alice", "Alice", 3),
        ("bob", "Bob", 1),
        ("carol", "Carol", 1),
    ]
    assert figures.total_contributors == 3


def test_publication_statistics_draw_topics_by_month(world: World) -> None:
    figures = statistics.compute_statistics(world.publication)

    assert not figures.by_quarter
    assert figures.topic_period_labels == [m.label for m in figures.months]
    assert [(t.slug, t.counts, t.name_for("en")) for t in figures.topics] == [
        ("vision", (1, 0, 2), "Vision"),
        ("language", (1, 0, 0), "Language"),
    ]
    assert figures.topics[1].name_for("zh-hans") == "语言"


def test_topics_over_time_count_imported_entries_by_their_own_topic(world: World) -> None:
    # An imported past issue: its entries name their topic and have no recommendation.
    past = world.issue(world.publication, months_ago(2))
    for _ in range(2):
        IssueEntryFactory(
            issue=past,
            recommendation=None,
            topic=world.language,
            paper=PaperFactory(),
            section=Section.PAPERS,
        )

    figures = statistics.compute_statistics(world.publication)
    site = statistics.compute_statistics()

    # Three papers each: the older topic first.
    assert [(t.slug, t.counts) for t in figures.topics] == [
        ("vision", (1, 0, 2)),
        ("language", (3, 0, 0)),
    ]
    assert ("language", (3, 0, 0)) in [(t.slug, t.counts) for t in site.topics]


def test_publication_statistics_measure_the_wait(world: World) -> None:
    waiting = statistics.compute_statistics(world.publication).waiting

    assert waiting.measured == 5
    assert waiting.median_days == 10
    assert [(b.low, b.high, b.count) for b in waiting.bins] == [
        (0, 7, 2),
        (7, 14, 1),
        (14, 21, 1),
        (21, 28, 0),
        (28, 56, 1),
        (56, None, 0),
    ]
    assert waiting.median_by_month == (
        (month_of(months_ago(2)), 10.0),
        (month_of(months_ago(0)), 21.0),
    )


def test_site_statistics_add_every_publication(world: World) -> None:
    figures = statistics.compute_statistics()

    assert (figures.total_issues, figures.total_papers, figures.total_news) == (3, 5, 1)
    assert [(m.issues, m.papers) for m in figures.months] == [(1, 2), (1, 1), (1, 2)]
    assert [(c.username, c.count) for c in figures.contributors] == [
        ("alice", 3),
        ("bob", 2),
        ("carol", 1),
    ]


def test_statistics_of_a_publication_without_issues_are_empty(db: None) -> None:
    figures = statistics.compute_statistics(PublicationFactory())

    assert figures.is_empty
    assert figures.months == figures.topics == figures.contributors == ()
    assert figures.waiting.measured == 0
    assert figures.waiting.median_days is None


def test_long_histories_count_topics_by_quarter(world: World) -> None:
    old = world.issue(world.publication, months_ago(20))
    world.entry(old, world.bob, world.language, waited=1)

    figures = statistics.compute_statistics(world.publication)

    assert figures.by_quarter
    assert len(figures.months) == 21
    assert all(period.month in (1, 4, 7, 10) for period in figures.topic_periods)
    assert figures.topic_period_labels[0] == (
        f"{figures.topic_periods[0].year} Q{(figures.topic_periods[0].month - 1) // 3 + 1}"
    )
    language = next(t for t in figures.topics if t.slug == "language")
    assert sum(language.counts) == 2


def test_statistics_cost_the_same_queries_whatever_the_history(
    world: World, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(8):
        statistics.compute_statistics(world.publication)
    for n in range(3, 15):
        issue = world.issue(world.publication, months_ago(n))
        for member in (world.alice, world.bob, UserFactory()):
            world.entry(issue, member, TopicFactory(publication=world.publication), waited=n)
    with django_assert_max_num_queries(8):
        statistics.compute_statistics(world.publication)
    with django_assert_max_num_queries(8):
        statistics.compute_statistics()


def test_statistics_are_cached_until_an_issue_is_published(
    world: World, django_assert_num_queries: Any
) -> None:
    before = statistics.publication_statistics(world.publication)
    with django_assert_num_queries(0):
        assert statistics.publication_statistics(world.publication) == before

    world.entry(world.issue(world.publication, months_ago(0, day=2)), world.bob, None, waited=1)
    renew_published_version()  # what publishing does

    assert statistics.publication_statistics(world.publication).total_issues == 3


def test_contributor_counts_list_active_members_most_published_first(world: World) -> None:
    assert [(c.username, c.count) for c in statistics.contributor_counts()] == [
        ("alice", 3),
        ("bob", 2),
        ("carol", 1),
    ]


def test_member_history_counts_entries_and_co_recommendations_by_month(world: World) -> None:
    alice = statistics.member_history(world.alice)
    carol = statistics.member_history(world.carol)

    assert alice.total == 3
    assert alice.months == (
        (month_of(months_ago(2)), 2),
        (month_of(months_ago(1)), 0),
        (month_of(months_ago(0)), 1),
    )
    assert carol.months == ((month_of(months_ago(0)), 1),)
    assert statistics.member_history(world.hidden) == statistics.MemberHistory((), 0)


def test_month_range_keeps_the_latest_months() -> None:
    months = statistics.month_range(dt.date(2020, 11, 5), dt.date(2021, 2, 1), limit=3)

    assert months == [dt.date(2020, 12, 1), dt.date(2021, 1, 1), dt.date(2021, 2, 1)]
