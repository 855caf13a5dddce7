"""What the published issues add up to: issues and papers per month, topics over time, the
contributors ranked, and how long a recommendation waits from submission to publication.

Only what readers can see counts: entries of published issues and the recommendations they (and
their co-recommendations) publish, credited to active members. Drafts, scheduled issues and the
recommendations that never reached one count nowhere.

Each figure is one aggregate query (``TruncMonth`` and ``Count``), so a publication's statistics
cost eight queries at most whatever its history, on SQLite as on PostgreSQL, and no query names
a list of ids that grows with it; the median is taken in Python from at most ``WAITING_SAMPLE``
durations. The results hold plain values and are kept in the cache
under the published version (``issues.caching``): publishing or correcting an issue retires them
with the pages.
"""

from __future__ import annotations

import datetime as dt
import statistics as stats
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from common.release import render_generation
from issues import caching
from issues.enums import IssueStatus, Section
from issues.models import CoRecommendation, Issue, IssueEntry
from publications.models import Publication, Topic

#: The latest months the charts and tables show (totals count every month): ten years.
MONTHS_SHOWN = 120
#: From this many months on, topics are counted by quarter rather than by month.
QUARTERS_FROM = 13
#: Topics drawn over time: the most published ones.
TOPICS_SHOWN = 6
#: Contributors in a ranking.
CONTRIBUTORS_SHOWN = 20
#: The latest published entries whose wait is measured.
WAITING_SAMPLE = 5000
#: The upper bounds, in days, of the wait histogram's bins (the last bin is open).
WAITING_BINS = (7, 14, 21, 28, 56)
CACHE_PREFIX = "published:statistics:"

User = get_user_model()

T = TypeVar("T")


# --- what the figures hold ----------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    """One calendar month: issues published in it, and the papers and news items they carried."""

    month: dt.date
    issues: int = 0
    papers: int = 0
    news: int = 0

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")


@dataclass(frozen=True)
class TopicSeries:
    """A topic's published papers per period (the periods of ``Statistics.topic_periods``).
    On the site's figures, every publication's topics of the slug (``publication_slug`` empty).
    """

    slug: str
    publication_slug: str
    name_en: str
    name_zh: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)

    def name_for(self, language: str) -> str:
        if language.startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name_en


@dataclass(frozen=True)
class ContributorCount:
    """A member and how many of their recommendations were published."""

    username: str
    public_name: str
    count: int


@dataclass(frozen=True)
class WaitingBin:
    """Recommendations published between ``low`` and ``high`` days after their submission
    (``high`` None: from ``low`` on)."""

    low: int
    high: int | None
    count: int


@dataclass(frozen=True)
class Waiting:
    """How long recommendations waited from submission to publication, in days."""

    measured: int = 0
    median_days: float | None = None
    bins: tuple[WaitingBin, ...] = ()
    #: (month of publication, median wait in days of that month's recommendations)
    median_by_month: tuple[tuple[dt.date, float], ...] = ()


@dataclass(frozen=True)
class Statistics:
    """A publication's figures, or the whole site's (``publication_slug`` empty)."""

    publication_slug: str
    months: tuple[Month, ...]
    total_issues: int
    total_papers: int
    total_news: int
    total_contributors: int
    #: The first day of each period topics are counted by: months, or quarters on long histories.
    topic_periods: tuple[dt.date, ...]
    by_quarter: bool
    topics: tuple[TopicSeries, ...]
    contributors: tuple[ContributorCount, ...]
    waiting: Waiting = field(default_factory=Waiting)

    @property
    def is_empty(self) -> bool:
        return self.total_issues == 0

    def period_label(self, period: dt.date) -> str:
        if self.by_quarter:
            return f"{period.year} Q{(period.month - 1) // 3 + 1}"
        return period.strftime("%Y-%m")

    @property
    def topic_period_labels(self) -> list[str]:
        return [self.period_label(period) for period in self.topic_periods]


@dataclass(frozen=True)
class MemberHistory:
    """A member's published recommendations per month, from their first to this one (at most
    the ``MONTHS_SHOWN`` latest)."""

    months: tuple[tuple[dt.date, int], ...]
    total: int
    #: The month of their first published recommendation (the chart shows the latest months).
    first: dt.date | None = None

    @property
    def labels(self) -> list[str]:
        return [month.strftime("%Y-%m") for month, _count in self.months]

    @property
    def counts(self) -> list[int]:
        return [count for _month, count in self.months]


# --- months -------------------------------------------------------------------------------------


def _month_of(value: dt.datetime | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return value.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_range(first: dt.date, last: dt.date, *, limit: int = MONTHS_SHOWN) -> list[dt.date]:
    """Every month from ``first`` to ``last`` (first days), at most the ``limit`` latest."""
    months = []
    month = _month_of(first)
    last = _month_of(last)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months[-limit:]


def _quarter_of(month: dt.date) -> dt.date:
    return month.replace(month=(month.month - 1) // 3 * 3 + 1, day=1)


# --- the queries --------------------------------------------------------------------------------


def _published_issues(publication: Publication | None) -> QuerySet[Issue]:
    issues = Issue.objects.filter(status=IssueStatus.PUBLISHED)
    return issues if publication is None else issues.filter(publication=publication)


def _published_entries(publication: Publication | None) -> QuerySet[IssueEntry]:
    entries = IssueEntry.objects.filter(issue__status=IssueStatus.PUBLISHED)
    return entries if publication is None else entries.filter(issue__publication=publication)


def _published_co_recommendations(publication: Publication | None) -> QuerySet[CoRecommendation]:
    rows = CoRecommendation.objects.filter(entry__issue__status=IssueStatus.PUBLISHED)
    return rows if publication is None else rows.filter(entry__issue__publication=publication)


def _months(publication: Publication | None) -> tuple[list[Month], dict[str, int]]:
    """Every month with an issue, and the totals: two queries."""
    issues = Counter[dt.date]()
    for row in (
        _published_issues(publication)
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    ):
        issues[_month_of(row["month"])] += row["n"]
    entries: dict[str, Counter[dt.date]] = {Section.PAPERS: Counter(), Section.NEWS: Counter()}
    for row in (
        _published_entries(publication)
        .annotate(month=TruncMonth("issue__published_at"))
        .values("month", "section")
        .annotate(n=Count("id"))
        .order_by()
    ):
        entries.setdefault(row["section"], Counter())[_month_of(row["month"])] += row["n"]
    totals = {
        "issues": sum(issues.values()),
        "papers": sum(entries[Section.PAPERS].values()),
        "news": sum(entries[Section.NEWS].values()),
    }
    if not issues:
        return [], totals
    months = [
        Month(
            month=month,
            issues=issues[month],
            papers=entries[Section.PAPERS][month],
            news=entries[Section.NEWS][month],
        )
        for month in month_range(min(issues), max(max(issues), _month_of(timezone.now())))
    ]
    return months, totals


def _topics(
    publication: Publication | None, months: Sequence[Month]
) -> tuple[list[dt.date], bool, list[TopicSeries]]:
    """The most published topics' papers per period over the months shown: two queries.

    Across the site, the topics of one slug count together: each publication has its own
    copy of a subject (``publications.Topic``), and the site's page follows the subject.
    """
    if not months:
        return [], False, []
    by_quarter = len(months) >= QUARTERS_FROM
    period_of = _quarter_of if by_quarter else (lambda month: month)
    periods = sorted({period_of(m.month) for m in months})
    index = {period: i for i, period in enumerate(periods)}
    # An imported entry has a topic of its own and no recommendation (``issues.importing``).
    if publication:
        key = Coalesce("topic_id", "recommendation__topic_id")
    else:
        key = Coalesce("topic__slug", "recommendation__topic__slug")
    counts: dict[Any, list[int]] = defaultdict(lambda: [0] * len(periods))
    for row in (
        _published_entries(publication)
        .filter(
            Q(topic__isnull=False) | Q(recommendation__topic__isnull=False),
            section=Section.PAPERS,
            issue__published_at__gte=_aware(months[0].month),
        )
        .annotate(month=TruncMonth("issue__published_at"), topic_key=key)
        .values("month", "topic_key")
        .annotate(n=Count("id"))
        .order_by()
    ):
        period = period_of(_month_of(row["month"]))
        if period in index:
            counts[row["topic_key"]][index[period]] += row["n"]
    top = sorted(counts, key=lambda k: (-sum(counts[k]), k))[:TOPICS_SHOWN]
    if publication:
        found = Topic.objects.filter(pk__in=top)
        topics = {topic.pk: topic for topic in found}
    else:
        # Named as the first publication (by name) that has the slug names it.
        found = Topic.objects.filter(slug__in=top).order_by("-publication__name", "-pk")
        topics = {topic.slug: topic for topic in found}
    series = [
        TopicSeries(
            slug=topics[k].slug,
            publication_slug=publication.slug if publication else "",
            name_en=topics[k].name_en,
            name_zh=topics[k].name_zh,
            counts=tuple(counts[k]),
        )
        for k in top
        if k in topics
    ]
    return periods, by_quarter, series


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


#: An entry of an imported issue counts for each name its issue credits that a member was
#: confirmed to be (``CreditedName``), as a co-credited entry counts for each of its members.
_CREDITED_MEMBER = "issue__credited_names__member"


def _entries_of_member(queryset: QuerySet[IssueEntry], member: Any) -> QuerySet[IssueEntry]:
    """The entries of ``queryset`` that ``member`` (a member, or an ``OuterRef``) recommended,
    or that an imported issue credits to a name confirmed to be theirs."""
    return queryset.filter(
        Q(recommendation__submitter=member)
        | Q(recommendation__isnull=True, **{_CREDITED_MEMBER: member})
    )


def _entries_of_active_members(queryset: QuerySet[IssueEntry]) -> QuerySet[IssueEntry]:
    return queryset.filter(
        Q(recommendation__submitter__is_active=True)
        | Q(recommendation__isnull=True, **{f"{_CREDITED_MEMBER}__is_active": True})
    )


def _counts_by_member(publication: Publication | None) -> Counter[int]:
    """How many recommendations of each active member were published, as an entry's or
    credited on one (an imported entry: by its issue's credited names): two queries."""
    counts = Counter[int]()
    for row in (
        _entries_of_active_members(_published_entries(publication))
        .values(member=Coalesce("recommendation__submitter", _CREDITED_MEMBER))
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["member"]] += row["n"]
    for row in (
        _published_co_recommendations(publication)
        .filter(recommendation__submitter__is_active=True)
        .values("recommendation__submitter")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["recommendation__submitter"]] += row["n"]
    return counts


def _contributors(publication: Publication | None) -> tuple[list[ContributorCount], int]:
    """The members with the most published recommendations, and how many have any: three
    queries."""
    counts = _counts_by_member(publication)
    shown = sorted(counts, key=lambda pk: (-counts[pk], pk))[:CONTRIBUTORS_SHOWN]
    members = {user.pk: user for user in User.objects.filter(pk__in=shown)}
    return [
        ContributorCount(
            username=members[pk].username, public_name=members[pk].public_name, count=counts[pk]
        )
        for pk in shown
        if pk in members
    ], len(counts)


def _waiting(publication: Publication | None) -> Waiting:
    """The days from submission to publication of the latest ``WAITING_SAMPLE`` entries: one
    query; the median and the bins are counted here, alike on every database."""
    rows = list(
        _published_entries(publication)
        .filter(recommendation__submitted_at__isnull=False)
        .order_by("-issue__published_at", "-id")
        .values_list("recommendation__submitted_at", "issue__published_at")[:WAITING_SAMPLE]
    )
    if not rows:
        return Waiting()
    days = [max((done - sent).total_seconds(), 0) / 86400 for sent, done in rows]
    bins = []
    low = 0
    for high in (*WAITING_BINS, None):
        count = sum(1 for d in days if d >= low and (high is None or d < high))
        bins.append(WaitingBin(low=low, high=high, count=count))
        low = high or low
    by_month: dict[dt.date, list[float]] = defaultdict(list)
    for (_submitted, published), waited in zip(rows, days, strict=True):
        by_month[_month_of(published)].append(waited)
    return Waiting(
        measured=len(days),
        median_days=round(stats.median(days), 1),
        bins=tuple(bins),
        median_by_month=tuple(
            (month, round(stats.median(by_month[month]), 1))
            for month in sorted(by_month)[-MONTHS_SHOWN:]
        ),
    )


# --- the figures, cached ------------------------------------------------------------------------


def _cached(key: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept under the published version: a publication or correction retires
    it, as it retires the published pages."""
    version = caching.published_version()
    full_key = f"{CACHE_PREFIX}{key}:{render_generation()}:{version.token}"
    found = cache.get(full_key)
    if found is None:
        found = compute()
        cache.set(full_key, found, caching.lifetime())
    return found


def compute_statistics(publication: Publication | None = None) -> Statistics:
    """The figures of ``publication``'s published issues, or of every publication's: eight
    queries at most, whatever the history."""
    months, totals = _months(publication)
    periods, by_quarter, topics = _topics(publication, months)
    contributors, total_contributors = _contributors(publication)
    return Statistics(
        publication_slug=publication.slug if publication else "",
        months=tuple(months),
        total_issues=totals["issues"],
        total_papers=totals["papers"],
        total_news=totals["news"],
        total_contributors=total_contributors,
        topic_periods=tuple(periods),
        by_quarter=by_quarter,
        topics=tuple(topics),
        contributors=tuple(contributors),
        waiting=_waiting(publication),
    )


def publication_statistics(publication: Publication) -> Statistics:
    """``compute_statistics(publication)``, from the cache while nothing was published."""
    return _cached(f"publication:{publication.pk}", lambda: compute_statistics(publication))


def site_statistics() -> Statistics:
    """``compute_statistics()`` for every publication, from the cache while nothing was
    published."""
    return _cached("site", compute_statistics)


# --- contributors -------------------------------------------------------------------------------


def contributor_counts() -> list[ContributorCount]:
    """Every active member with a published recommendation, the most published first (then by
    name), with their counts: three queries, whatever the number of members, kept in the cache
    under the published version."""

    def compute() -> list[ContributorCount]:
        counts = _counts_by_member(None)
        # The members themselves by the same filters, not by a list of every id counted.
        members = User.objects.filter(is_active=True).filter(
            Exists(_entries_of_member(_published_entries(None), OuterRef("pk")))
            | Exists(
                _published_co_recommendations(None).filter(recommendation__submitter=OuterRef("pk"))
            )
        )
        found = [
            ContributorCount(
                username=user.username, public_name=user.public_name, count=counts[user.pk]
            )
            for user in members
        ]
        return sorted(found, key=lambda c: (-c.count, c.public_name.casefold(), c.username))

    return _cached("contributors", compute)


def member_history(member: Any) -> MemberHistory:
    """``member``'s published recommendations per month (an entry's or credited on one), from
    the month of their first to this month: two queries."""
    counts = Counter[dt.date]()
    for queryset, published_at in (
        (
            _entries_of_member(_published_entries(None), member),
            "issue__published_at",
        ),
        (
            _published_co_recommendations(None).filter(recommendation__submitter=member),
            "entry__issue__published_at",
        ),
    ):
        for row in (
            queryset.annotate(month=TruncMonth(published_at))
            .values("month")
            .annotate(n=Count("id"))
            .order_by()
        ):
            counts[_month_of(row["month"])] += row["n"]
    if not counts:
        return MemberHistory(months=(), total=0)
    months = month_range(min(counts), max(max(counts), _month_of(timezone.now())))
    return MemberHistory(
        months=tuple((month, counts[month]) for month in months),
        total=sum(counts.values()),
        first=min(counts),
    )
