"""Tests for issues.models: every database constraint of the editorial work refuses bad rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from issues.enums import IssueStatus
from issues.models import Issue, IssueEntry, IssueTransition
from publications.enums import TeamRole
from publications.models import Membership, Publication
from recommendations.enums import RecommendationKind, RecommendationStatus
from recommendations.models import Recommendation, Review, Transition
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    MembershipFactory,
    PaperFactory,
    RecommendationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _refused(insert: Callable[[], Any]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        insert()


# ================================================================ publications and teams


def test_publication_approvals_required_positive() -> None:
    _refused(lambda: Publication.objects.create(slug="x", name="X", approvals_required=0))
    assert not Publication.objects.exists()


def test_publication_slug_unique(publication: Publication) -> None:
    _refused(lambda: Publication.objects.create(slug=publication.slug, name="Again"))
    assert Publication.objects.count() == 1


def test_membership_unique_user_per_publication(publication: Publication, reviewer: Any) -> None:
    _refused(
        lambda: Membership.objects.create(
            publication=publication, user=reviewer, role=TeamRole.EDITOR
        )
    )
    assert list(Membership.objects.values_list("role", flat=True)) == [TeamRole.REVIEWER]


def test_membership_same_user_in_two_publications_is_fine(
    publication: Publication, other_publication: Publication, reviewer: Any
) -> None:
    MembershipFactory(publication=other_publication, user=reviewer, role=TeamRole.EDITOR)
    assert Membership.objects.filter(user=reviewer).count() == 2


def test_membership_role_valid(publication: Publication, contributor: Any) -> None:
    _refused(
        lambda: Membership.objects.create(publication=publication, user=contributor, role="owner")
    )
    assert not Membership.objects.exists()


# ================================================================ recommendations and reviews


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"kind": RecommendationKind.PAPER, "paper": None}, id="paper-without-paper"),
        pytest.param(
            {"kind": RecommendationKind.NEWS, "news_title": "T", "news_url": "https://e.org"},
            id="news-with-paper",
        ),
        pytest.param(
            {"kind": RecommendationKind.NEWS, "paper": None, "news_url": "https://e.org"},
            id="news-without-title",
        ),
        pytest.param(
            {"kind": RecommendationKind.NEWS, "paper": None, "news_title": "T"},
            id="news-without-url",
        ),
        pytest.param({"kind": "video"}, id="unknown-kind"),
    ],
)
def test_recommendation_kind_fields(
    publication: Publication, contributor: Any, fields: dict[str, Any]
) -> None:
    values = {"paper": PaperFactory(), **fields}
    _refused(
        lambda: Recommendation.objects.create(
            publication=publication, submitter=contributor, summary="S.", **values
        )
    )
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": RecommendationKind.PAPER},
        {
            "kind": RecommendationKind.NEWS,
            "paper": None,
            "news_title": "T",
            "news_url": "https://e.org",
        },
    ],
)
def test_recommendation_kind_fields_accept_valid_rows(
    publication: Publication, contributor: Any, fields: dict[str, Any]
) -> None:
    values = {"paper": PaperFactory(), **fields}
    recommendation = Recommendation.objects.create(
        publication=publication, submitter=contributor, summary="S.", **values
    )
    assert recommendation.status == RecommendationStatus.DRAFT


def test_recommendation_status_valid(publication: Publication, contributor: Any) -> None:
    _refused(
        lambda: RecommendationFactory(publication=publication, submitter=contributor, status="lost")
    )
    assert not Recommendation.objects.exists()


def test_review_verdict_valid(reviewer: Any) -> None:
    recommendation = RecommendationFactory()
    _refused(
        lambda: Review.objects.create(
            recommendation=recommendation, reviewer=reviewer, verdict="maybe"
        )
    )
    assert not Review.objects.exists()


# ================================================================ issues


def test_issue_number_unique_per_publication(publication: Publication) -> None:
    IssueFactory(publication=publication, published=True, number=1)
    _refused(lambda: IssueFactory(publication=publication, published=True, number=1))
    assert Issue.objects.count() == 1


def test_issue_same_number_in_two_publications_is_fine(
    publication: Publication, other_publication: Publication
) -> None:
    IssueFactory(publication=publication, published=True, number=1)
    IssueFactory(publication=other_publication, published=True, number=1)
    assert sorted(Issue.objects.values_list("publication__slug", "number")) == [
        ("pretraining-weekly", 1),
        ("rl-weekly", 1),
    ]


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"status": IssueStatus.PUBLISHED, "number": None}, id="published-no-number"),
        pytest.param(
            {"status": IssueStatus.PUBLISHED, "number": 1, "published_at": None},
            id="published-no-time",
        ),
        pytest.param({"status": IssueStatus.DRAFT, "number": 1}, id="draft-with-number"),
        pytest.param(
            {"status": IssueStatus.DRAFT, "published_at": "now"}, id="draft-with-published-at"
        ),
        pytest.param(
            {"status": IssueStatus.SCHEDULED, "publish_at": "now", "number": 2},
            id="scheduled-with-number",
        ),
    ],
)
def test_issue_number_iff_published(publication: Publication, fields: dict[str, Any]) -> None:
    values = {"published_at": "now", **fields}
    for name in ("published_at", "publish_at"):
        if values.get(name) == "now":
            values[name] = timezone.now()
    _refused(lambda: Issue.objects.create(publication=publication, **values))
    assert not Issue.objects.exists()


def test_issue_scheduled_has_time(publication: Publication) -> None:
    _refused(
        lambda: Issue.objects.create(
            publication=publication, status=IssueStatus.SCHEDULED, publish_at=None
        )
    )
    assert not Issue.objects.exists()


def test_issue_number_positive(publication: Publication) -> None:
    _refused(
        lambda: Issue.objects.create(
            publication=publication,
            status=IssueStatus.PUBLISHED,
            number=0,
            published_at=timezone.now(),
        )
    )
    assert not Issue.objects.exists()


def test_issueentry_unique_paper_per_issue(publication: Publication) -> None:
    issue = IssueFactory(publication=publication)
    entry = IssueEntryFactory(issue=issue)
    again = RecommendationFactory(publication=publication, paper=entry.paper, status="scheduled")
    _refused(
        lambda: IssueEntry.objects.create(
            issue=issue, recommendation=again, paper=entry.paper, section="papers", position=2
        )
    )
    assert issue.entries.count() == 1


def test_issueentry_same_paper_in_two_issues_and_many_news_are_fine(
    publication: Publication,
) -> None:
    paper = PaperFactory()
    first, second = IssueFactory(publication=publication), IssueFactory(publication=publication)
    IssueEntryFactory(issue=first, recommendation__paper=paper)
    IssueEntryFactory(issue=second, recommendation__paper=paper)
    IssueEntryFactory(issue=first, recommendation__news=True)
    IssueEntryFactory(issue=first, recommendation__news=True)
    assert IssueEntry.objects.filter(paper=paper).count() == 2
    assert first.entries.filter(paper__isnull=True).count() == 2


def test_issueentry_one_entry_per_recommendation(publication: Publication) -> None:
    entry = IssueEntryFactory(issue=IssueFactory(publication=publication))
    other_issue = IssueFactory(publication=publication)
    _refused(
        lambda: IssueEntry.objects.create(
            issue=other_issue,
            recommendation=entry.recommendation,
            paper=None,
            section="papers",
            position=1,
        )
    )
    assert IssueEntry.objects.count() == 1


# ================================================================ the audit log


@pytest.mark.parametrize("model", [Transition, IssueTransition])
def test_transition_needs_its_subject(model: type) -> None:
    """Each audit trail row names what moved: a recommendation's, or an issue's."""
    _refused(
        lambda: model.objects.create(
            actor=UserFactory(), action="edit", from_status="draft", to_status="draft"
        )
    )
    assert not model.objects.exists()


def test_issue_str_and_url(publication: Publication) -> None:
    draft = IssueFactory(publication=publication, title="Scaling")
    published = IssueFactory(publication=publication, published=True, number=7, title="Retrieval")
    assert str(draft) == "Pretraining Weekly (Draft): Scaling"
    assert str(published) == "Pretraining Weekly #7: Retrieval"
    assert published.get_absolute_url() == "/en/p/pretraining-weekly/7/"
    assert draft.get_absolute_url() == f"/en/issues/{draft.pk}/preview/"
