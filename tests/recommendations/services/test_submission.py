"""Tests of recommendations.services.submission: creating, editing, submitting and withdrawing a
recommendation, with the refusals of capability, input and stale copies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from common.exceptions import Conflict, InvalidInput, NotAllowed
from papers.enums import MetadataStatus
from papers.models import Paper
from publications.models import Publication
from recommendations import services
from recommendations.enums import RecommendationKind
from recommendations.models import Recommendation, Transition
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    PaperFactory,
    RecommendationFactory,
    TopicFactory,
    UserFactory,
)
from tests.workflow import Act, Rec, Team, audit

pytestmark = pytest.mark.django_db


# ================================================================ create_recommendation


def test_create_recommendation_new_paper_is_submitted_with_pending_metadata(
    publication: Publication, contributor: Any, topic: Any
) -> None:
    recommendation = services.create_recommendation(
        by=contributor,
        publication=publication,
        identifier="https://arxiv.org/abs/2109.08133v2",
        summary="  Phrase retrieval learns phrase representations.  ",
        title_zh="短语检索",
        code_url="https://github.com/princeton-nlp/DensePhrases",
        topic=topic,
    )

    paper = Paper.objects.get()
    assert (paper.arxiv_id, paper.arxiv_version, paper.metadata_status) == (
        "2109.08133",
        2,
        MetadataStatus.PENDING,
    )
    recommendation.refresh_from_db()
    assert recommendation.paper == paper
    assert recommendation.kind == RecommendationKind.PAPER
    assert recommendation.status == Rec.SUBMITTED
    assert recommendation.summary == "Phrase retrieval learns phrase representations."
    assert (recommendation.title_zh, recommendation.topic) == ("短语检索", topic)
    assert recommendation.submitted_at is not None
    assert audit(recommendation) == [
        (contributor, Act.CREATE, "", Rec.DRAFT, ""),
        (contributor, Act.SUBMIT, Rec.DRAFT, Rec.SUBMITTED, ""),
    ]


def test_create_recommendation_as_draft_stays_draft(
    publication: Publication, contributor: Any
) -> None:
    recommendation = services.create_recommendation(
        by=contributor, publication=publication, identifier="2109.08133", summary="S.", draft=True
    )
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.submitted_at) == (Rec.DRAFT, None)
    assert audit(recommendation) == [(contributor, Act.CREATE, "", Rec.DRAFT, "")]


def test_create_recommendation_takes_its_publication_s_topic_by_slug(
    publication: Publication, other_publication: Publication, contributor: Any, topic: Any
) -> None:
    TopicFactory(publication=other_publication, slug=topic.slug)

    recommendation = services.create_recommendation(
        by=contributor,
        publication=publication,
        identifier="2109.08133",
        summary="S.",
        topic=topic.slug,
    )

    assert recommendation.topic == topic


def test_create_recommendation_refuses_a_topic_of_another_publication(
    publication: Publication, other_publication: Publication, contributor: Any
) -> None:
    elsewhere = TopicFactory(publication=other_publication, name_en="Elsewhere")

    with pytest.raises(InvalidInput) as refused:
        services.create_recommendation(
            by=contributor,
            publication=publication,
            identifier="2109.08133",
            summary="S.",
            topic=elsewhere,
        )

    assert refused.value.field == "topic"
    assert refused.value.message == (
        f"“Elsewhere” is a topic of another publication: choose one of {publication.name}'s."
    )
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize(
    "identifier",
    [
        "1706.03762",
        "arXiv:1706.03762v5",
        "https://arxiv.org/abs/1706.03762",
        "https://arxiv.org/pdf/1706.03762v2.pdf",
        "10.48550/arXiv.1706.03762",
    ],
)
def test_create_recommendation_existing_paper_is_linked_not_duplicated(
    publication: Publication, contributor: Any, identifier: str
) -> None:
    paper = PaperFactory(arxiv_id="1706.03762", title="Attention Is All You Need")
    recommendation = services.create_recommendation(
        by=contributor, publication=publication, identifier=identifier, summary="Transformers."
    )
    assert recommendation.paper == paper
    assert Paper.objects.count() == 1
    paper.refresh_from_db()
    assert (paper.title, paper.metadata_status) == ("Attention Is All You Need", MetadataStatus.OK)


@pytest.mark.parametrize(
    ("identifier", "lookup"),
    [
        ("https://arxiv.org/abs/hep-th/9901001", {"arxiv_id": "hep-th/9901001"}),
        (
            "https://www.aminer.cn/pub/614407b25244ab9dcbd29c5c",
            {"aminer_id": "614407b25244ab9dcbd29c5c"},
        ),
    ],
)
def test_create_recommendation_other_identifier_forms_find_the_paper_row(
    publication: Publication, contributor: Any, identifier: str, lookup: dict[str, str]
) -> None:
    recommendation = services.create_recommendation(
        by=contributor, publication=publication, identifier=identifier, summary="Summary."
    )
    assert recommendation.paper == Paper.objects.get(**lookup)


@pytest.mark.parametrize(
    "identifier", ["2109.08133", "https://www.aminer.cn/pub/614407b25244ab9dcbd29c5c"]
)
def test_create_recommendation_by_any_identifier_of_a_row_finds_that_row(
    publication: Publication, contributor: Any, other_contributor: Any, identifier: str
) -> None:
    # Recommended first by its AMiner link; AMiner's metadata named its arXiv id.
    paper = PaperFactory(arxiv_id="2109.08133", aminer_id="614407b25244ab9dcbd29c5c")
    RecommendationFactory(publication=publication, submitter=other_contributor, paper=paper)

    recommendation = services.create_recommendation(
        by=contributor, publication=publication, identifier=identifier, summary="Summary."
    )

    assert recommendation.paper == paper
    assert Paper.objects.count() == 1


def test_create_recommendation_news_item_has_no_paper(
    publication: Publication, contributor: Any
) -> None:
    recommendation = services.create_recommendation(
        by=contributor,
        publication=publication,
        kind=RecommendationKind.NEWS,
        news_title="  A new open pretraining corpus  ",
        news_url="https://news.example.org/corpus",
        summary="A corpus of 5T tokens was released.",
    )
    recommendation.refresh_from_db()
    assert recommendation.paper is None
    assert (recommendation.kind, recommendation.news_title, recommendation.news_url) == (
        RecommendationKind.NEWS,
        "A new open pretraining corpus",
        "https://news.example.org/corpus",
    )
    assert recommendation.status == Rec.SUBMITTED
    assert not Paper.objects.exists()


_NEWS = {"kind": RecommendationKind.NEWS, "news_title": "News", "news_url": "https://e.org/n"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"summary": ""}, "summary", id="summary-empty"),
        pytest.param({"summary": " \n\t "}, "summary", id="summary-blank"),
        pytest.param({"summary": "x" * 10_001}, "summary", id="summary-too-long"),
        pytest.param({"summary": "Fine\x00text"}, "summary", id="summary-nul"),
        pytest.param({"summary": "Bell\x07"}, "summary", id="summary-control"),
        pytest.param({"summary": "Del\x7f"}, "summary", id="summary-delete"),
        pytest.param({"code_url": "ftp://example.org/code"}, "code_url", id="code-ftp"),
        pytest.param({"code_url": "javascript:alert(1)"}, "code_url", id="code-javascript"),
        pytest.param({"code_url": "github.com/a/b"}, "code_url", id="code-no-scheme"),
        pytest.param({"code_url": "https://e.org/" + "a" * 500}, "code_url", id="code-too-long"),
        pytest.param({"title_zh": "标" * 501}, "title_zh", id="title-zh-too-long"),
        pytest.param({"title_zh": "标题\x1b[31m"}, "title_zh", id="title-zh-escape"),
        pytest.param({"identifier": ""}, "identifier", id="identifier-empty"),
        pytest.param({"identifier": "attention paper"}, "identifier", id="identifier-words"),
        pytest.param(
            {"identifier": "https://example.org/abs/2109.08133"}, "identifier", id="identifier-host"
        ),
        pytest.param({"identifier": "2113.08133"}, "identifier", id="identifier-month-13"),
        pytest.param({"kind": "video"}, "kind", id="kind-unknown"),
        pytest.param({"topic": "language-models"}, "topic", id="topic-not-a-topic"),
        pytest.param({**_NEWS, "news_title": ""}, "news_title", id="news-title-empty"),
        pytest.param({**_NEWS, "news_title": "t" * 301}, "news_title", id="news-title-long"),
        pytest.param({**_NEWS, "news_title": "Vertical\x0btab"}, "news_title", id="news-title-vt"),
        pytest.param({**_NEWS, "news_url": ""}, "news_url", id="news-url-empty"),
        pytest.param({**_NEWS, "news_url": "not a link"}, "news_url", id="news-url-invalid"),
        pytest.param({**_NEWS, "news_url": "data:text/html,x"}, "news_url", id="news-url-data"),
    ],
)
def test_create_recommendation_invalid_input_names_field_and_keeps_nothing(
    publication: Publication, contributor: Any, fields: dict[str, Any], field: str
) -> None:
    arguments = {"identifier": "2109.08133", "summary": "A good summary.", **fields}
    with pytest.raises(InvalidInput) as refused:
        services.create_recommendation(by=contributor, publication=publication, **arguments)
    assert refused.value.field == field
    assert str(refused.value)
    assert not Paper.objects.exists()
    assert not Recommendation.objects.exists()
    assert not Transition.objects.exists()


def test_create_recommendation_invalid_identifier_message_lists_accepted_forms(
    publication: Publication, contributor: Any
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.create_recommendation(
            by=contributor, publication=publication, identifier="doi:10.1/xyz", summary="S."
        )
    assert refused.value.code == "invalid_identifier"
    assert "Accepted forms:" in refused.value.message
    assert "arXiv" in refused.value.message


@pytest.mark.parametrize("who", ["anonymous", "inactive"])
def test_create_recommendation_without_active_account_is_not_allowed(
    publication: Publication, who: str
) -> None:
    user = AnonymousUser() if who == "anonymous" else UserFactory(is_active=False)
    with pytest.raises(NotAllowed) as refused:
        services.create_recommendation(
            by=user, publication=publication, identifier="2109.08133", summary="S."
        )
    assert refused.value.capability == "recommendations.submit_recommendation"
    assert not Paper.objects.exists()
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize(
    "first_status",
    [
        Rec.DRAFT,
        Rec.SUBMITTED,
        Rec.CHANGES_REQUESTED,
        Rec.ACCEPTED,
        Rec.SCHEDULED,
    ],
)
def test_create_recommendation_same_member_paper_and_publication_is_refused(
    publication: Publication, contributor: Any, first_status: str
) -> None:
    paper = PaperFactory(arxiv_id="2109.08133")
    first = RecommendationFactory(
        publication=publication, submitter=contributor, paper=paper, status=first_status
    )
    with pytest.raises(InvalidInput) as refused:
        services.create_recommendation(
            by=contributor, publication=publication, identifier="2109.08133v3", summary="Again."
        )
    assert (refused.value.code, refused.value.field) == ("duplicate", "identifier")
    assert list(Recommendation.objects.all()) == [first]
    assert not Transition.objects.exists()


@pytest.mark.parametrize("first_status", [Rec.WITHDRAWN, Rec.REJECTED])
def test_create_recommendation_after_own_closed_one_is_allowed(
    publication: Publication, contributor: Any, first_status: str
) -> None:
    paper = PaperFactory(arxiv_id="2109.08133")
    RecommendationFactory(
        publication=publication, submitter=contributor, paper=paper, status=first_status
    )
    again = services.create_recommendation(
        by=contributor, publication=publication, identifier="2109.08133", summary="Again."
    )
    assert (again.paper, again.status) == (paper, Rec.SUBMITTED)


def test_create_recommendation_same_paper_by_another_member_or_publication_is_allowed(
    publication: Publication,
    other_publication: Publication,
    contributor: Any,
    other_contributor: Any,
) -> None:
    paper = PaperFactory(arxiv_id="2109.08133")
    RecommendationFactory(publication=publication, submitter=contributor, paper=paper)
    by_other = services.create_recommendation(
        by=other_contributor, publication=publication, identifier="2109.08133", summary="Me too."
    )
    elsewhere = services.create_recommendation(
        by=contributor, publication=other_publication, identifier="2109.08133", summary="There."
    )
    assert (by_other.paper, elsewhere.paper) == (paper, paper)
    assert Recommendation.objects.filter(paper=paper).count() == 3


def test_create_recommendation_paper_featured_in_published_issue_is_refused(
    publication: Publication, other_contributor: Any
) -> None:
    paper = PaperFactory(arxiv_id="2109.08133")
    issue = IssueFactory(publication=publication, published=True, number=7)
    IssueEntryFactory(issue=issue, recommendation__paper=paper)

    with pytest.raises(InvalidInput) as refused:
        services.create_recommendation(
            by=other_contributor, publication=publication, identifier="2109.08133", summary="S."
        )
    assert (refused.value.code, refused.value.field) == ("already_featured", "identifier")
    assert "issue #7" in refused.value.message
    assert Recommendation.objects.count() == 1


def test_create_recommendation_paper_featured_in_another_publication_is_allowed(
    publication: Publication, other_publication: Publication, contributor: Any
) -> None:
    paper = PaperFactory(arxiv_id="2109.08133")
    IssueEntryFactory(
        issue=IssueFactory(publication=other_publication, published=True),
        recommendation__paper=paper,
    )
    recommendation = services.create_recommendation(
        by=contributor, publication=publication, identifier="2109.08133", summary="S."
    )
    assert (recommendation.paper, recommendation.status) == (paper, Rec.SUBMITTED)


# ================================================================ edit, submit, withdraw


def test_edit_recommendation_changes_fields_and_names_them(team: Team) -> None:
    recommendation = team.recommendation(Rec.CHANGES_REQUESTED, title_zh="旧标题")
    topic = TopicFactory(publication=team.publication)
    services.edit_recommendation(
        recommendation,
        by=team.contributor,
        summary=recommendation.summary,
        title_zh="新标题",
        topic=topic,
        code_url="https://github.com/org/repo",
    )
    recommendation.refresh_from_db()
    assert (recommendation.title_zh, recommendation.topic, recommendation.code_url) == (
        "新标题",
        topic,
        "https://github.com/org/repo",
    )
    assert recommendation.status == Rec.CHANGES_REQUESTED
    assert audit(recommendation) == [
        (
            team.contributor,
            Act.EDIT,
            Rec.CHANGES_REQUESTED,
            Rec.CHANGES_REQUESTED,
            "Changed: code_url, title_zh, topic",
        )
    ]


def test_edit_recommendation_unknown_field_is_refused(team: Team) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    with pytest.raises(InvalidInput, match="cannot be edited: status"):
        services.edit_recommendation(recommendation, by=team.contributor, status=Rec.ACCEPTED)
    recommendation.refresh_from_db()
    assert recommendation.status == Rec.SUBMITTED
    assert not Transition.objects.exists()


def test_edit_recommendation_news_fields_on_a_paper_are_refused(team: Team) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    with pytest.raises(InvalidInput) as refused:
        services.edit_recommendation(recommendation, by=team.contributor, news_title="News")
    assert refused.value.field == "news_title"
    assert not Transition.objects.exists()


def test_edit_recommendation_news_title_emptied_is_refused(team: Team) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED, news=True)
    with pytest.raises(InvalidInput) as refused:
        services.edit_recommendation(recommendation, by=team.contributor, news_title="  ")
    assert refused.value.field == "news_title"
    assert Recommendation.objects.get().news_title == recommendation.news_title


@pytest.mark.parametrize("who", ["other_contributor", "reviewer", "editor", "admin_user"])
def test_edit_recommendation_by_anyone_but_the_submitter_is_not_allowed(
    team: Team, who: str, request: pytest.FixtureRequest
) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    with pytest.raises(NotAllowed) as refused:
        services.edit_recommendation(
            recommendation, by=request.getfixturevalue(who), summary="Hijacked."
        )
    assert refused.value.capability == "recommendations.edit_recommendation"
    assert Recommendation.objects.get().summary == recommendation.summary


@pytest.mark.parametrize(
    ("service", "capability"),
    [
        (services.submit_recommendation, "recommendations.edit_recommendation"),
        (services.withdraw_recommendation, "recommendations.withdraw_recommendation"),
    ],
)
def test_submit_and_withdraw_by_another_member_are_not_allowed(
    team: Team, other_contributor: Any, service: Callable[..., Any], capability: str
) -> None:
    recommendation = team.recommendation(Rec.DRAFT)
    with pytest.raises(NotAllowed) as refused:
        service(recommendation, by=other_contributor)
    assert refused.value.capability == capability
    assert Recommendation.objects.get().status == Rec.DRAFT


def test_submit_recommendation_sets_submitted_at(team: Team) -> None:
    recommendation = team.recommendation(Rec.DRAFT, submitted_at=None)
    before = timezone.now()
    services.submit_recommendation(recommendation, by=team.contributor)
    recommendation.refresh_from_db()
    assert recommendation.submitted_at is not None
    assert recommendation.submitted_at >= before


def test_withdraw_recommendation_sets_decided_at(team: Team) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    services.withdraw_recommendation(recommendation, by=team.contributor)
    recommendation.refresh_from_db()
    assert recommendation.status == Rec.WITHDRAWN
    assert recommendation.decided_at is not None


# ================================================================ races: stale objects


def test_withdraw_recommendation_stale_copy_conflicts_with_one_audit_row(team: Team) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    stale = Recommendation.objects.get(pk=recommendation.pk)
    services.withdraw_recommendation(recommendation, by=team.contributor)

    with pytest.raises(Conflict):
        services.withdraw_recommendation(stale, by=team.contributor)

    assert Transition.objects.filter(recommendation=recommendation).count() == 1
    assert Recommendation.objects.get().status == Rec.WITHDRAWN
