"""Tests for issues.selectors: who sees what, in which order, at a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from issues.enums import IssueStatus
from issues.models import Issue
from issues.selectors import (
    issue_contents,
    issue_contributors,
    issues_for_editor,
    latest_issue_per_publication,
    published_issue,
    published_issues,
)
from publications.enums import TeamRole
from publications.models import Publication
from recommendations import services
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation
from recommendations.places import with_places
from recommendations.selectors import (
    accepted_recommendations,
    changes_since,
    earlier_recommendations_of_paper,
    recommendations_of,
    review_queue,
    visible_recommendations,
)
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    MembershipFactory,
    PaperFactory,
    RecommendationFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Rec = RecommendationStatus


def _ago(hours: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


# ================================================================ review queue


def test_review_queue_oldest_first_and_only_submitted(
    publication: Publication, contributor: Any, reviewer: Any
) -> None:
    newest = RecommendationFactory(publication=publication, submitted_at=_ago(1))
    oldest = RecommendationFactory(publication=publication, submitted_at=_ago(3))
    middle = RecommendationFactory(publication=publication, submitted_at=_ago(2))
    for status in (Rec.DRAFT, Rec.CHANGES_REQUESTED, Rec.ACCEPTED, Rec.REJECTED, Rec.WITHDRAWN):
        RecommendationFactory(publication=publication, status=status, submitted_at=_ago(5))

    assert list(review_queue(reviewer)) == [oldest, middle, newest]


def test_review_queue_never_contains_own_submission(
    publication: Publication, reviewer: Any
) -> None:
    RecommendationFactory(publication=publication, submitter=reviewer)
    others = RecommendationFactory(publication=publication)
    assert list(review_queue(reviewer)) == [others]


def test_review_queue_only_reviewed_publications(
    publication: Publication, other_publication: Publication, reviewer: Any, editor: Any
) -> None:
    mine = RecommendationFactory(publication=publication)
    RecommendationFactory(publication=other_publication)
    assert list(review_queue(reviewer)) == [mine]
    assert list(review_queue(editor)) == [mine]


def test_review_queue_superuser_sees_every_publication_but_not_own(
    publication: Publication, other_publication: Publication, admin_user: Any
) -> None:
    first = RecommendationFactory(publication=publication, submitted_at=_ago(2))
    second = RecommendationFactory(publication=other_publication, submitted_at=_ago(1))
    RecommendationFactory(publication=publication, submitter=admin_user)
    assert list(review_queue(admin_user)) == [first, second]


def test_review_queue_filters_by_publication_and_topic(
    publication: Publication, other_publication: Publication, admin_user: Any, topic: Any
) -> None:
    on_topic = RecommendationFactory(publication=publication, topic=topic, submitted_at=_ago(2))
    off_topic = RecommendationFactory(
        publication=publication, topic=TopicFactory(publication=publication)
    )
    # Another publication's topic of the same slug: the queue filters by the slug.
    elsewhere = RecommendationFactory(
        publication=other_publication,
        topic=TopicFactory(publication=other_publication, slug=topic.slug),
    )

    assert list(review_queue(admin_user, topic=topic.slug)) == [on_topic, elsewhere]
    assert list(review_queue(admin_user, publication=publication)) == [
        on_topic,
        off_topic,
    ]
    assert list(review_queue(admin_user, publication=publication, topic=topic.slug)) == [on_topic]


def test_review_queue_member_without_team_role_is_empty(
    publication: Publication, contributor: Any
) -> None:
    RecommendationFactory(publication=publication)
    assert list(review_queue(contributor)) == []


def test_review_queue_anonymous_is_empty(publication: Publication) -> None:
    RecommendationFactory(publication=publication)
    assert list(review_queue(AnonymousUser())) == []


def test_review_queue_query_count_is_fixed(
    publication: Publication,
    reviewer: Any,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    for _ in range(5):
        RecommendationFactory(publication=publication, topic=TopicFactory())
    reviewer.refresh_from_db()
    # The reviewer's publications, then the queue with everything a row shows.
    with django_assert_num_queries(2):
        rows = [
            (r.publication.name, r.paper.title, r.topic.name_en, r.submitter.public_name)
            for r in review_queue(reviewer)
        ]
    assert len(rows) == 5


# ================================================================ visible recommendations


@pytest.fixture
def visibility_world(
    publication: Publication,
    other_publication: Publication,
    contributor: Any,
    other_contributor: Any,
) -> dict[str, Recommendation]:
    return {
        "published": RecommendationFactory(publication=publication, status=Rec.PUBLISHED),
        "own_submitted": RecommendationFactory(publication=publication, submitter=contributor),
        "own_rejected_elsewhere": RecommendationFactory(
            publication=other_publication, submitter=contributor, status=Rec.REJECTED
        ),
        "others_draft": RecommendationFactory(
            publication=publication, submitter=other_contributor, status=Rec.DRAFT
        ),
        "elsewhere_submitted": RecommendationFactory(
            publication=other_publication, submitter=other_contributor
        ),
    }


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("anonymous", {"published"}),
        ("contributor", {"published", "own_submitted", "own_rejected_elsewhere"}),
        ("other_contributor", {"published", "others_draft", "elsewhere_submitted"}),
        ("reviewer", {"published", "own_submitted", "others_draft"}),
        ("editor", {"published", "own_submitted", "others_draft"}),
        ("other_editor", {"published", "own_rejected_elsewhere", "elsewhere_submitted"}),
        (
            "admin_user",
            {
                "published",
                "own_submitted",
                "own_rejected_elsewhere",
                "others_draft",
                "elsewhere_submitted",
            },
        ),
        ("inactive", {"published"}),
    ],
)
def test_visible_recommendations_per_role(
    visibility_world: dict[str, Recommendation],
    other_publication: Publication,
    request: pytest.FixtureRequest,
    role: str,
    visible: set[str],
) -> None:
    if role == "anonymous":
        user: Any = AnonymousUser()
    elif role == "other_editor":
        user = UserFactory()
        MembershipFactory(publication=other_publication, user=user, role=TeamRole.EDITOR)
    elif role == "inactive":
        user = UserFactory(is_active=False)
        MembershipFactory(publication=other_publication, user=user, role=TeamRole.EDITOR)
    else:
        user = request.getfixturevalue(role)
    names = {rec.pk: name for name, rec in visibility_world.items()}
    assert {names[rec.pk] for rec in visible_recommendations(user)} == visible


def test_recommendations_of_own_newest_first(
    publication: Publication, contributor: Any, other_contributor: Any
) -> None:
    first = RecommendationFactory(publication=publication, submitter=contributor)
    second = RecommendationFactory(publication=publication, submitter=contributor, status="draft")
    RecommendationFactory(publication=publication, submitter=other_contributor)
    assert list(recommendations_of(contributor)) == [second, first]
    assert list(recommendations_of(AnonymousUser())) == []


# ================================================================ accepted recommendations


def test_accepted_recommendations_oldest_decision_first_of_one_publication(
    publication: Publication, other_publication: Publication
) -> None:
    later = RecommendationFactory(publication=publication, status=Rec.ACCEPTED, decided_at=_ago(1))
    earlier = RecommendationFactory(
        publication=publication, status=Rec.ACCEPTED, decided_at=_ago(2)
    )
    RecommendationFactory(publication=other_publication, status=Rec.ACCEPTED, decided_at=_ago(3))
    for status in (Rec.SUBMITTED, Rec.SCHEDULED, Rec.PUBLISHED, Rec.REJECTED):
        RecommendationFactory(publication=publication, status=status, decided_at=_ago(4))

    assert list(accepted_recommendations(publication)) == [earlier, later]


# ================================================================ issues


def test_published_issues_newest_first_and_only_published(
    publication: Publication, other_publication: Publication
) -> None:
    old = IssueFactory(publication=publication, published=True, published_at=_ago(48))
    new = IssueFactory(publication=publication, published=True, published_at=_ago(1))
    other = IssueFactory(publication=other_publication, published=True, published_at=_ago(24))
    IssueFactory(publication=publication)
    IssueFactory(publication=publication, scheduled=True)

    assert list(published_issues()) == [new, other, old]
    assert list(published_issues(publication)) == [new, old]
    assert list(published_issues(other_publication)) == [other]


def test_published_issue_by_slug_and_number(
    publication: Publication, other_publication: Publication
) -> None:
    mine = IssueFactory(publication=publication, published=True, number=3)
    IssueFactory(publication=other_publication, published=True, number=3)
    assert published_issue("pretraining-weekly", 3) == mine
    assert published_issue("pretraining-weekly", 4) is None


def test_latest_issue_per_publication_in_two_queries(
    publication: Publication,
    other_publication: Publication,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    IssueFactory(publication=publication, published=True, published_at=_ago(48))
    latest = IssueFactory(publication=publication, published=True, published_at=_ago(1))
    IssueFactory(publication=publication)
    IssueFactory(publication=other_publication)

    with django_assert_num_queries(2):
        result = latest_issue_per_publication()

    assert result == [(publication, latest), (other_publication, None)]


def test_issues_for_editor_all_for_editor_published_for_others(
    publication: Publication, editor: Any, reviewer: Any
) -> None:
    draft = IssueFactory(publication=publication)
    published = IssueFactory(publication=publication, published=True)
    assert set(issues_for_editor(editor, publication)) == {draft, published}
    assert list(issues_for_editor(reviewer, publication)) == [published]


# ================================================================ earlier recommendations


def test_earlier_recommendations_of_paper_with_issue_where_it_appeared(
    publication: Publication,
    other_publication: Publication,
    editor: Any,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    paper = PaperFactory()
    entry = IssueEntryFactory(
        issue=IssueFactory(publication=other_publication, published=True, number=4),
        recommendation__paper=paper,
    )
    submitted = RecommendationFactory(publication=publication, paper=paper)
    RecommendationFactory(publication=publication, paper=paper, status=Rec.DRAFT)
    RecommendationFactory(publication=publication, paper=paper, status=Rec.WITHDRAWN)
    rejected = RecommendationFactory(publication=publication, paper=paper, status=Rec.REJECTED)
    RecommendationFactory(publication=publication)  # another paper
    current = RecommendationFactory(publication=publication, paper=paper)

    editor.refresh_from_db()
    # The editor's publications, the recommendations with everything the warning shows, then
    # the issues that hold them, with the co-recommendations credited on their entries (told by
    # this app through ``recommendations.places``).
    with django_assert_num_queries(4):
        earlier = with_places(earlier_recommendations_of_paper(paper, user=editor, exclude=current))
        issues = [
            (rec.submitter.username, rec.place.number if rec.place else None) for rec in earlier
        ]

    assert earlier == [entry.recommendation, submitted, rejected]
    assert issues[0] == (entry.recommendation.submitter.username, 4)
    assert [number for _name, number in issues[1:]] == [None, None]
    assert current in earlier_recommendations_of_paper(paper, user=editor)


@pytest.mark.parametrize(
    ("role", "told"),
    [
        ("anonymous", {"published"}),
        ("contributor", {"published", "own_rejected_elsewhere"}),
        ("other_contributor", {"published", "others_rejected", "elsewhere_submitted"}),
        ("reviewer", {"published", "others_rejected"}),
        ("other_editor", {"published", "own_rejected_elsewhere", "elsewhere_submitted"}),
        (
            "admin_user",
            {"published", "own_rejected_elsewhere", "others_rejected", "elsewhere_submitted"},
        ),
    ],
)
def test_earlier_recommendations_of_paper_only_what_the_user_may_see(
    publication: Publication,
    other_publication: Publication,
    contributor: Any,
    other_contributor: Any,
    request: pytest.FixtureRequest,
    role: str,
    told: set[str],
) -> None:
    paper = PaperFactory()
    world = {
        "published": IssueEntryFactory(
            issue=IssueFactory(publication=other_publication, published=True),
            recommendation__paper=paper,
        ).recommendation,
        "own_rejected_elsewhere": RecommendationFactory(
            publication=other_publication, paper=paper, submitter=contributor, status=Rec.REJECTED
        ),
        "others_rejected": RecommendationFactory(
            publication=publication, paper=paper, submitter=other_contributor, status=Rec.REJECTED
        ),
        "elsewhere_submitted": RecommendationFactory(
            publication=other_publication, paper=paper, submitter=other_contributor
        ),
        "own_withdrawn": RecommendationFactory(
            publication=publication, paper=paper, submitter=contributor, status=Rec.WITHDRAWN
        ),
    }
    if role == "anonymous":
        user: Any = AnonymousUser()
    elif role == "other_editor":
        user = UserFactory()
        MembershipFactory(publication=other_publication, user=user, role=TeamRole.EDITOR)
    else:
        user = request.getfixturevalue(role)
    names = {rec.pk: name for name, rec in world.items()}

    earlier = earlier_recommendations_of_paper(paper, user=user)

    assert {names[rec.pk] for rec in earlier} == told


# ================================================================ issue contents


def _issue_with_entries(publication: Publication, count: int, *, published: bool) -> Issue:
    issue = IssueFactory(publication=publication, published=published)
    for position in range(1, count + 1):
        paper = PaperFactory(
            authors=[f"Author {position}a", f"Author {position}b"],
            institutions=[f"Institution {position}"],
        )
        IssueEntryFactory(
            issue=issue,
            position=position,
            recommendation__paper=paper,
            recommendation__topic=TopicFactory(),
            shown_title=f"Shown {position}",
        )
    IssueEntryFactory(issue=issue, recommendation__news=True, position=1)
    return issue


def _render(issue: Issue) -> int:
    """Build the issue's contents and touch everything a rendered entry shows."""
    contents = issue_contents(issue)
    for content in contents:
        _ = (content.contributor.public_name, content.topic and content.topic.name_en)
    return len(contents)


@pytest.mark.parametrize(
    "published",
    [
        pytest.param(True, id="published"),
        pytest.param(False, id="draft"),
    ],
)
def test_issue_contents_query_count_does_not_grow_with_entries(
    publication: Publication,
    published: bool,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    small = _issue_with_entries(publication, 2, published=published)
    large = _issue_with_entries(publication, 10, published=published)
    with CaptureQueriesContext(connection) as small_queries:
        assert _render(small) == 3

    with django_assert_num_queries(len(small_queries)):
        assert _render(large) == 11


def test_issue_contents_published_shows_frozen_fields_in_order(publication: Publication) -> None:
    issue = IssueFactory(publication=publication, published=True)
    second = IssueEntryFactory(
        issue=issue,
        position=2,
        shown_title="Second",
        shown_authors="B One\n\nB Two\n",
        shown_institutions="Inst B",
    )
    first = IssueEntryFactory(issue=issue, position=1, shown_title="First")
    news = IssueEntryFactory(issue=issue, position=1, recommendation__news=True, shown_title="N")

    contents = issue_contents(issue)

    # Papers first, then news, as readers see them.
    assert [(c.entry, c.title, c.is_news) for c in contents] == [
        (first, "First", False),
        (second, "Second", False),
        (news, "N", True),
    ]
    assert (contents[1].authors, contents[1].institutions) == (["B One", "B Two"], ["Inst B"])
    assert issue_contributors(contents) == [
        first.recommendation.submitter,
        second.recommendation.submitter,
        news.recommendation.submitter,
    ]


def test_issue_contents_draft_shows_live_paper(publication: Publication) -> None:
    paper = PaperFactory(
        title="Live Title", title_zh="论文", code_url="https://github.com/p/c", authors=["A", "B"]
    )
    issue = IssueFactory(publication=publication)
    IssueEntryFactory(issue=issue, recommendation__paper=paper, shown_title="ignored")

    [content] = issue_contents(issue)

    assert (content.title, content.title_zh, content.authors, content.code_url, content.url) == (
        "Live Title",
        "论文",
        ["A", "B"],
        "https://github.com/p/c",
        f"https://arxiv.org/abs/{paper.arxiv_id}",
    )
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.DRAFT


def test_changes_since_reads_the_edits_after_a_review_and_drops_what_came_back(db: None) -> None:
    recommendation = RecommendationFactory(
        summary="A careful benchmark.", code_url="https://github.com/org/repo"
    )
    submitter = recommendation.submitter
    before_the_review = timezone.now() - dt.timedelta(minutes=1)
    services.edit_recommendation(recommendation, by=submitter, summary="Buy our product.")
    services.edit_recommendation(
        recommendation,
        by=submitter,
        summary="A careful benchmark.",
        code_url="https://example.com/payload",
    )
    history = list(recommendation.transitions.order_by("created_at", "id"))

    assert changes_since(history, before_the_review) == [
        {
            "label": "Code",
            "old": "https://github.com/org/repo",
            "new": "https://example.com/payload",
        }
    ]
    assert changes_since(history, timezone.now()) == []


# ======================================================== the search page's matches (PostgreSQL)


#: Papers for the plans, one in seven of them featured: enough for the planner to weigh reading
#: the table against the indexes, as it did at 100,000 papers.
PLANNED_PAPERS = 30_000


@pytest.fixture
def featured_catalogue(db: None) -> None:
    """``PLANNED_PAPERS`` papers whose title holds "paper" and, for one in 500, "topic7"; one in
    seven with a published part of its document (``search_extra``, as publishing writes it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO papers_paper (arxiv_id, title, title_zh, abstract, published_on,
                primary_category, categories, journal_ref, comment, code_url, pdf_url,
                metadata_status, metadata_source, metadata_error, metadata_attempts,
                metadata_kept, created_at, updated_at)
            SELECT '2301.' || i, 'Paper ' || i || ' on topic' || i %% 500, '第' || i || '篇论文',
                   'Words.', date '2020-01-01' + i %% 2000, 'cs.CL', '["cs.CL"]', '', '', '',
                   '', 'ok', 'arxiv', '', 0, false, now() - i * interval '1 minute', now()
              FROM generate_series(1, %s) AS i
            """,
            [PLANNED_PAPERS],
        )
        # What publishing writes (migration 0002), without the issues: the page's own join to
        # them finds none, which leaves the matches to test, and the plans.
        cursor.execute(
            "UPDATE papers_paper SET search_extra = to_tsvector('simple', '摘要') "
            "WHERE arxiv_id LIKE '2301.%' AND substr(arxiv_id, 6)::int % 7 = 0"
        )
        # Rows wait in a GIN index's pending list until (auto)vacuum merges them, which a test
        # transaction cannot run: merged here, as in a live index.
        for index in ("paper_search_vector_idx", "paper_featured_search_idx"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE papers_paper")


def _papers_read_whole() -> int:
    """Sequential scans of papers_paper so far in this transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 'papers_paper'"
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ("paper", 1000),  # in every paper: the newest 1,000 featured ones
        ("论文", 1000),
        ("topic7", 9),  # rare: 60 papers hold it, 9 of them featured
        ("nowhere", 0),
    ],
    ids=["common-en", "common-zh", "rare", "none"],
)
def test_search_page_picks_the_newest_featured_matches_without_reading_the_table(
    featured_catalogue: None, query: str, matches: int
) -> None:
    from django.test import Client

    from issues.selectors import featured_matches

    before = _papers_read_whole()
    picked = featured_matches(query)
    page = Client().get("/en/search/", {"q": query})

    assert page.status_code == 200
    assert _papers_read_whole() == before
    assert len(picked) == pytest.approx(matches, abs=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM papers_paper WHERE search_extra IS NOT NULL AND search_vector @@ "
            "(plainto_tsquery('english', %s) || plainto_tsquery('simple', %s)) "
            "ORDER BY created_at DESC, id DESC LIMIT 1000",
            [query, query],
        )
        assert picked == [row[0] for row in cursor.fetchall()]


@pytest.mark.postgres
def test_search_page_matches_are_planned_without_sequential_scans(db: None) -> None:
    """Whatever the statistics say of a word, the planner may not read the papers table for the
    search page's matches: the function that picks them turns sequential scans off for itself."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = 'issues_featured_matches'")
        [(config,)] = cursor.fetchall()

    assert "enable_seqscan=off" in config
