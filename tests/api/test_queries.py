"""Every list and detail GET of the API costs the same number of queries with 5 items as with 50.

Each case builds its items (issue entries, papers with their authors and institutions,
recommendations, reviews, …) inside a savepoint, sends the request once to warm up, measures the
second identical request, and rolls the savepoint back before the next size is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from issues.models import Issue
from issues.services import correct_issue, create_issue, publish_issue, schedule_recommendation
from papers.models import Paper
from publications.models import Publication, Topic
from recommendations.enums import RecommendationStatus, Verdict
from recommendations.services import create_recommendation
from tests.conftest import client_for
from tests.factories import (
    IssueFactory,
    PaperFactory,
    PublicationFactory,
    RecommendationFactory,
    ReviewFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

User = get_user_model()

API = "/api/v1"


@dataclass
class World:
    publication: Publication
    contributor: Any
    reviewer: Any
    editor: Any
    topic: Topic


@pytest.fixture
def world(
    publication: Publication, contributor: Any, reviewer: Any, editor: Any, topic: Topic
) -> World:
    # Lists of 50 of one member's recommendations: beyond the weekly quota of a publication.
    publication.weekly_submission_quota = None
    publication.save(update_fields=["weekly_submission_quota"])
    return World(publication, contributor, reviewer, editor, topic)


# --- builders: each makes ``size`` items and answers the URL to read --------------------------


def _paper(label: str, names: int = 2) -> Paper:
    return PaperFactory(
        authors=[f"Author {label}-{n}" for n in range(names)],
        institutions=[f"Institution {label}-{n}" for n in range(names)],
        code_url=f"https://github.com/example/{label}",
    )


def _filled_issue(w: World, size: int) -> Issue:
    """A draft issue with ``size`` paper entries (each by another member) and one news item."""
    issue = create_issue(w.publication, by=w.editor, title=f"Issue of {size}")
    for n in range(size):
        recommendation = RecommendationFactory(
            publication=w.publication,
            paper=_paper(f"{size}-{n}"),
            topic=w.topic,
            submitter=UserFactory(),
            status=RecommendationStatus.ACCEPTED,
            decided_at=timezone.now(),
        )
        schedule_recommendation(recommendation, issue=issue, by=w.editor)
    news = RecommendationFactory(
        news=True, publication=w.publication, status=RecommendationStatus.ACCEPTED
    )
    schedule_recommendation(news, issue=issue, by=w.editor)
    return issue


def _published_issue(w: World, size: int) -> Issue:
    """``_filled_issue`` published (its entries frozen), with ``size`` corrections."""
    issue = publish_issue(_filled_issue(w, size), by=w.editor)
    for n in range(size):
        correct_issue(
            issue, by=w.editor, note=f"Erratum {n}.", fields={"title": f"Corrected title {n}"}
        )
    return issue


def _submitted(w: World, size: int) -> list[Any]:
    """``size`` recommendations submitted by ``contributor`` through the service."""
    return [
        create_recommendation(
            by=w.contributor,
            publication=w.publication,
            identifier=_paper(f"{size}-{n}").arxiv_id,
            summary=f"Why paper {n} matters.",
            topic=w.topic,
        )
        for n in range(size)
    ]


def _publications(w: World, size: int) -> str:
    for _ in range(size - 1):  # with the ``publication`` fixture: ``size`` of them
        PublicationFactory()
    return f"{API}/publications/"


def _publication_detail(w: World, size: int) -> str:
    _published_issue(w, size)
    return f"{API}/publications/{w.publication.slug}/"


def _issue_list(w: World, size: int) -> str:
    for n in range(size):
        IssueFactory(publication=w.publication, published=True, number=n + 1)
    return f"{API}/publications/{w.publication.slug}/issues/"


def _published_by_number(w: World, size: int) -> str:
    issue = _published_issue(w, size)
    return f"{API}/publications/{w.publication.slug}/issues/{issue.number}/"


def _issue_by_id(w: World, size: int) -> str:
    return f"{API}/issues/{_published_issue(w, size).pk}/"


def _draft_issue_by_id(w: World, size: int) -> str:
    return f"{API}/issues/{_filled_issue(w, size).pk}/"


def _entries(w: World, size: int) -> str:
    return f"{API}/issues/{_published_issue(w, size).pk}/entries/"


def _draft_entries(w: World, size: int) -> str:
    return f"{API}/issues/{_filled_issue(w, size).pk}/entries/"


def _corrections(w: World, size: int) -> str:
    return f"{API}/issues/{_published_issue(w, size).pk}/corrections/"


def _papers(query: str) -> Callable[[World, int], str]:
    def build(w: World, size: int) -> str:
        _published_issue(w, size)
        return f"{API}/papers/{query}"

    return build


def _paper_detail(w: World, size: int) -> str:
    return f"{API}/papers/{_paper(str(size), names=size).pk}/"


def _topics(w: World, size: int) -> str:
    for _ in range(size - 1):  # with the ``topic`` fixture
        TopicFactory()
    return f"{API}/topics/"


def _published_recommendations(w: World, size: int) -> str:
    _published_issue(w, size)
    return f"{API}/recommendations/"


def _recommendations(w: World, size: int) -> str:
    _submitted(w, size)
    return f"{API}/recommendations/"


def _recommendation_detail(w: World, size: int) -> str:
    recommendation = create_recommendation(
        by=w.contributor,
        publication=w.publication,
        identifier=_paper(str(size), names=size).arxiv_id,
        summary="Why it matters.",
    )
    return f"{API}/recommendations/{recommendation.pk}/"


def _queue(query: str = "") -> Callable[[World, int], str]:
    def build(w: World, size: int) -> str:
        _submitted(w, size)
        return f"{API}/recommendations/queue/{query}"

    return build


def _reviews(w: World, size: int) -> str:
    [recommendation] = _submitted(w, 1)
    for n in range(size):
        ReviewFactory(
            recommendation=recommendation,
            reviewer=UserFactory(),
            verdict=Verdict.REQUEST_CHANGES,
            comment=f"Point {n} needs work.",
        )
    return f"{API}/recommendations/{recommendation.pk}/reviews/"


def _contributor(w: World, size: int) -> str:
    _submitted(w, size)
    return f"{API}/contributors/{w.contributor.username}/"


def _me(w: World, size: int) -> str:
    _submitted(w, size)
    return f"{API}/me/"


# --- the cases ------------------------------------------------------------------------------


def _listed(data: Any) -> int:
    assert len(data["results"]) == min(data["count"], 50)
    return data["count"]


def _entries_of(data: Any) -> int:
    return len(data["entries"])


def _corrections_of(data: Any) -> int:
    return len(data["corrections"])


def _authors_of(data: Any) -> int:
    assert len(data["institutions"]) == len(data["authors"])
    return len(data["authors"])


@dataclass(frozen=True)
class Case:
    build: Callable[[World, int], str]
    user: str | None  # a World attribute, None for anonymous
    items: Callable[[Any], int]  # how many items the answer holds
    expected: Callable[[int], int] = lambda size: size


def _plus_news(size: int) -> int:
    return size + 1


def _one(size: int) -> int:
    return 1


def _is(key: str, value: str) -> Callable[[Any], int]:
    """One object, the expected one."""
    return lambda data: int(data[key] == value)


CASES: dict[str, Case] = {
    "publications": Case(_publications, None, _listed),
    "publication": Case(_publication_detail, None, _is("slug", "pretraining-weekly"), _one),
    "issues": Case(_issue_list, None, _listed),
    "issues-as-editor": Case(_issue_list, "editor", _listed),
    "published-issue": Case(_published_by_number, None, _entries_of, _plus_news),
    "published-issue-corrections": Case(_published_by_number, None, _corrections_of),
    "issue": Case(_issue_by_id, None, _entries_of, _plus_news),
    "issue-as-editor": Case(_issue_by_id, "editor", _entries_of, _plus_news),
    "draft-issue": Case(_draft_issue_by_id, "editor", _entries_of, _plus_news),
    "entries": Case(_entries, None, len, _plus_news),
    "draft-entries": Case(_draft_entries, "editor", len, _plus_news),
    "corrections": Case(_corrections, None, len),
    "papers": Case(_papers(""), None, _listed),
    "papers-q": Case(_papers("?q=Pretraining"), None, _listed),
    "papers-topic": Case(_papers("?topic=language-models"), None, _listed),
    "papers-category": Case(_papers("?category=cs.CL"), None, _listed),
    "papers-featured": Case(_papers("?featured=true"), None, _listed),
    "paper": Case(_paper_detail, None, _authors_of),
    "topics": Case(_topics, None, _listed),
    "recommendations-anonymous": Case(_published_recommendations, None, _listed, _plus_news),
    "recommendations-submitter": Case(_recommendations, "contributor", _listed),
    "recommendations-editor": Case(_recommendations, "editor", _listed),
    "recommendation": Case(_recommendation_detail, "contributor", _is("status", "submitted"), _one),
    "recommendation-authors": Case(
        _recommendation_detail, "editor", lambda d: len(d["paper"]["authors"])
    ),
    "queue": Case(_queue(), "reviewer", _listed),
    "queue-of-publication": Case(_queue("?publication=pretraining-weekly"), "editor", _listed),
    "reviews-as-submitter": Case(_reviews, "contributor", len),
    "reviews-as-editor": Case(_reviews, "editor", len),
    "contributor": Case(_contributor, None, _is("username", "contributor"), _one),
    "me": Case(_me, "contributor", _is("email", "contributor@example.org"), _one),
}


class _Rollback(Exception):
    """Raised to undo one size's items."""


def _client(user: Any | None) -> Any:
    # A fresh user object per request, as in production: roles are cached on the object. It is
    # loaded before measuring, where token authentication would load it (forced one does not).
    return client_for(User.objects.get(pk=user.pk) if user is not None else None)


def _queries(w: World, case: Case, size: int) -> int:
    """The queries of the case's request with ``size`` items, after one warm-up request."""
    user = getattr(w, case.user) if case.user else None
    try:
        with transaction.atomic():
            url = case.build(w, size)
            _client(user).get(url)
            client = _client(user)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, response.content
            assert case.items(response.json()) == case.expected(size)
            raise _Rollback
    except _Rollback:
        pass
    return len(queries)


@pytest.mark.parametrize("name", list(CASES))
def test_api_get_queries_same_with_5_and_50_items(world: World, name: str) -> None:
    case = CASES[name]
    small = _queries(world, case, 5)
    large = _queries(world, case, 50)
    assert small == large, f"{name}: {small} queries with 5 items, {large} with 50"


def test_api_get_queries_builders_leave_nothing_behind(world: World) -> None:
    """The savepoint is undone: a second size starts from the same rows as the first."""
    _queries(world, CASES["papers"], 5)
    assert not Paper.objects.exists()
    assert not Issue.objects.exists()
