"""Tests for issues.services: every transition of the two tables through its service, with its
audit row and side effects; every refused transition; capability and input refusals; races."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from common.exceptions import Conflict, InvalidInput, InvalidTransition, NotAllowed
from issues import selectors, services
from issues.enums import (
    ISSUE_TRANSITIONS,
    RECOMMENDATION_TRANSITIONS,
    IssueAction,
    IssueStatus,
    RecommendationAction,
    RecommendationKind,
    RecommendationStatus,
    Section,
    TeamRole,
    Verdict,
)
from issues.models import (
    Correction,
    Issue,
    IssueEntry,
    Membership,
    Publication,
    Recommendation,
    Review,
    Transition,
)
from issues.permissions import can
from papers.enums import MetadataStatus
from papers.models import Paper
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
Act = RecommendationAction


def _audit(subject: Recommendation | Issue) -> list[tuple[Any, str, str, str, str]]:
    """The subject's audit rows as (actor, action, from, to, note), oldest first."""
    return [
        (t.actor, t.action, t.from_status, t.to_status, t.note)
        for t in subject.transitions.select_related("actor").order_by("created_at", "id")
    ]


def _in_an_hour(hours: float = 1) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


@dataclass
class Team:
    publication: Publication
    contributor: Any
    reviewer: Any
    editor: Any
    issue: Issue

    def recommendation(self, status: str, **fields: Any) -> Recommendation:
        """A recommendation by ``contributor`` in ``status``, built directly."""
        return RecommendationFactory(
            publication=self.publication, submitter=self.contributor, status=status, **fields
        )


@pytest.fixture
def team(publication: Publication, contributor: Any, reviewer: Any, editor: Any) -> Team:
    return Team(publication, contributor, reviewer, editor, IssueFactory(publication=publication))


# ================================================================ recommendations: the table


# action -> (who performs it, the service call, the note its audit row carries)
RECOMMENDATION_CALLS: dict[str, tuple[str, Callable[[Team, Recommendation], Any], Any]] = {
    Act.SUBMIT: (
        "contributor",
        lambda t, r: services.submit_recommendation(r, by=t.contributor, note="Ready now."),
        "Ready now.",
    ),
    Act.EDIT: (
        "contributor",
        lambda t, r: services.edit_recommendation(
            r, by=t.contributor, summary="A clearer summary of the paper."
        ),
        "Changed: summary",
    ),
    Act.WITHDRAW: (
        "contributor",
        lambda t, r: services.withdraw_recommendation(r, by=t.contributor, note="Not ready."),
        "Not ready.",
    ),
    Act.APPROVE: (
        "reviewer",
        lambda t, r: services.review_recommendation(
            r, by=t.reviewer, verdict=Verdict.APPROVE, comment="Solid work."
        ),
        "Solid work.",
    ),
    Act.REQUEST_CHANGES: (
        "reviewer",
        lambda t, r: services.review_recommendation(
            r, by=t.reviewer, verdict=Verdict.REQUEST_CHANGES, comment="Name the datasets."
        ),
        "Name the datasets.",
    ),
    Act.REJECT: (
        "reviewer",
        lambda t, r: services.review_recommendation(
            r, by=t.reviewer, verdict=Verdict.REJECT, comment="Off topic."
        ),
        "Off topic.",
    ),
    Act.ACCEPT: (
        "editor",
        lambda t, r: services.accept_recommendation(r, by=t.editor, note="Lead item."),
        "Lead item.",
    ),
    Act.SCHEDULE: (
        "editor",
        lambda t, r: services.schedule_recommendation(r, issue=t.issue, by=t.editor),
        lambda t: f"Into issue {t.issue.pk}",
    ),
    Act.UNSCHEDULE: (
        "editor",
        lambda t, r: services.unschedule_recommendation(r.entry, by=t.editor),
        lambda t: f"Out of issue {t.issue.pk}",
    ),
    Act.PUBLISH: (
        "editor",
        lambda t, r: services.publish_issue(t.issue, by=t.editor),
        "In issue #1",
    ),
}
#: Notes that depend on the state: an edit of a submitted recommendation starts a new round.
_NOTES_FROM = {(Act.EDIT, Rec.SUBMITTED): "Changed: summary. Review round 2 begins."}
#: Actions performed on a recommendation that is already an entry of the team's issue.
_NEEDS_ENTRY = {Act.UNSCHEDULE, Act.PUBLISH}
#: The code of the InvalidTransition each action raises from a wrong state.
_REVIEW_ACTIONS = {Act.APPROVE, Act.REQUEST_CHANGES, Act.REJECT}
_REFUSAL_CODES = {
    action: "cannot_review" if action in _REVIEW_ACTIONS else f"cannot_{action}"
    for action in RECOMMENDATION_TRANSITIONS
}


def _allowed(table: dict[str, tuple[frozenset[str], str | None]]) -> list[Any]:
    return [
        pytest.param(action, state, id=f"{action}-from-{state}")
        for action, (allowed, _to) in table.items()
        for state in sorted(allowed)
    ]


def _refused(table: dict[str, tuple[frozenset[str], str | None]], states: list[str]) -> list[Any]:
    return [
        pytest.param(action, state, id=f"{action}-from-{state}")
        for action, (allowed, _to) in table.items()
        for state in states
        if state not in allowed
    ]


def test_recommendation_calls_cover_the_whole_table() -> None:
    assert set(RECOMMENDATION_CALLS) == set(RECOMMENDATION_TRANSITIONS)
    assert set(ISSUE_CALLS) == set(ISSUE_TRANSITIONS)


def _prepare(team: Team, action: str, state: str) -> Recommendation:
    recommendation = team.recommendation(state)
    if action in _NEEDS_ENTRY:
        IssueEntryFactory(issue=team.issue, recommendation=recommendation)
    return recommendation


@pytest.mark.parametrize(("action", "from_state"), _allowed(RECOMMENDATION_TRANSITIONS))
def test_recommendation_transition_allowed_moves_and_records(
    team: Team, action: str, from_state: str
) -> None:
    recommendation = _prepare(team, action, from_state)
    role, call, note = RECOMMENDATION_CALLS[action]
    call(team, recommendation)

    to_state = RECOMMENDATION_TRANSITIONS[action][1] or from_state
    recommendation.refresh_from_db()
    assert recommendation.status == to_state
    expected_note = note(team) if callable(note) else note
    expected_note = _NOTES_FROM.get((action, from_state), expected_note)
    assert _audit(recommendation) == [
        (getattr(team, role), action, from_state, to_state, expected_note)
    ]


@pytest.mark.parametrize(
    ("action", "state"), _refused(RECOMMENDATION_TRANSITIONS, list(RecommendationStatus.values))
)
def test_recommendation_transition_refused_changes_nothing(
    team: Team, action: str, state: str
) -> None:
    recommendation = _prepare(team, action, state)
    before = Recommendation.objects.filter(pk=recommendation.pk).values().get()
    entries_before = list(IssueEntry.objects.values_list("pk", "position", "shown_title"))
    _role, call, _note = RECOMMENDATION_CALLS[action]

    with pytest.raises(InvalidTransition) as refused:
        call(team, recommendation)

    assert refused.value.code == _REFUSAL_CODES[action]
    assert Recommendation.objects.filter(pk=recommendation.pk).values().get() == before
    assert not Transition.objects.exists()
    assert not Review.objects.exists()
    assert list(IssueEntry.objects.values_list("pk", "position", "shown_title")) == entries_before
    team.issue.refresh_from_db()
    assert (team.issue.status, team.issue.number) == (IssueStatus.DRAFT, None)


# ================================================================ issues: the table


def _issue_in(team: Team, state: str) -> Issue:
    issue = IssueFactory(
        publication=team.publication,
        scheduled=state == IssueStatus.SCHEDULED,
        published=state == IssueStatus.PUBLISHED,
    )
    IssueEntryFactory(issue=issue, shown_title="Shown title")
    return issue


SCHEDULE_TIME = dt.datetime(2100, 1, 4, 8, 0, tzinfo=dt.UTC)

# action -> (the service call by the editor, the audit note)
ISSUE_CALLS: dict[str, tuple[Callable[[Team, Issue], Any], str]] = {
    IssueAction.EDIT: (
        lambda t, i: services.update_issue(i, by=t.editor, title="Scaling and retrieval"),
        "Changed: title",
    ),
    IssueAction.SCHEDULE: (
        lambda t, i: services.schedule_issue(i, by=t.editor, publish_at=SCHEDULE_TIME),
        f"For {SCHEDULE_TIME.isoformat()}",
    ),
    IssueAction.UNSCHEDULE: (lambda t, i: services.unschedule_issue(i, by=t.editor), ""),
    IssueAction.PUBLISH: (lambda t, i: services.publish_issue(i, by=t.editor), ""),
    IssueAction.CORRECT: (
        lambda t, i: services.correct_issue(
            i, by=t.editor, note="Fixed the title.", fields={"title": "Corrected title"}
        ),
        "Fixed the title.",
    ),
}


@pytest.mark.parametrize(("action", "from_state"), _allowed(ISSUE_TRANSITIONS))
def test_issue_transition_allowed_moves_and_records(
    team: Team, action: str, from_state: str
) -> None:
    issue = _issue_in(team, from_state)
    call, note = ISSUE_CALLS[action]
    call(team, issue)

    to_state = ISSUE_TRANSITIONS[action][1] or from_state
    issue.refresh_from_db()
    assert issue.status == to_state
    assert _audit(issue) == [(team.editor, action, from_state, to_state, note)]


@pytest.mark.parametrize(("action", "state"), _refused(ISSUE_TRANSITIONS, list(IssueStatus.values)))
def test_issue_transition_refused_changes_nothing(team: Team, action: str, state: str) -> None:
    issue = _issue_in(team, state)
    before = Issue.objects.filter(pk=issue.pk).values().get()
    call, _note = ISSUE_CALLS[action]

    with pytest.raises(InvalidTransition) as refused:
        call(team, issue)

    assert refused.value.code == f"cannot_{action}"
    assert Issue.objects.filter(pk=issue.pk).values().get() == before
    assert not Transition.objects.exists()
    assert not Correction.objects.exists()
    assert list(IssueEntry.objects.values_list("shown_title", flat=True)) == ["Shown title"]


def test_publish_issue_already_published_news_only_is_invalid_transition(team: Team) -> None:
    issue = IssueFactory(publication=team.publication, published=True)
    IssueEntryFactory(issue=issue, recommendation__news=True)
    with pytest.raises(InvalidTransition) as refused:
        services.publish_issue(issue, by=team.editor)
    assert refused.value.code == "cannot_publish"


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
    assert _audit(recommendation) == [
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
    assert _audit(recommendation) == [(contributor, Act.CREATE, "", Rec.DRAFT, "")]


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
            by=contributor, publication=publication, identifier="doi:10.1000/xyz", summary="S."
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
    assert refused.value.capability == "issues.submit_recommendation"
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
    topic = TopicFactory()
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
    assert _audit(recommendation) == [
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
    assert refused.value.capability == "issues.edit_recommendation"
    assert Recommendation.objects.get().summary == recommendation.summary


@pytest.mark.parametrize(
    ("service", "capability"),
    [
        (services.submit_recommendation, "issues.edit_recommendation"),
        (services.withdraw_recommendation, "issues.withdraw_recommendation"),
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


# ================================================================ reviews


@pytest.mark.parametrize(
    ("verdict", "status"),
    [
        (Verdict.APPROVE, Rec.ACCEPTED),
        (Verdict.REQUEST_CHANGES, Rec.CHANGES_REQUESTED),
        (Verdict.REJECT, Rec.REJECTED),
    ],
)
def test_review_recommendation_records_review_and_moves(
    team: Team, verdict: str, status: str
) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    review = services.review_recommendation(
        recommendation, by=team.reviewer, verdict=verdict, comment="  Reasoned comment.  "
    )
    assert list(Review.objects.values_list("pk", "reviewer", "verdict", "comment")) == [
        (review.pk, team.reviewer.pk, verdict, "Reasoned comment.")
    ]
    recommendation.refresh_from_db()
    assert recommendation.status == status
    assert (recommendation.decided_at is not None) == (status != Rec.CHANGES_REQUESTED)


@pytest.mark.parametrize("verdict", [Verdict.REQUEST_CHANGES, Verdict.REJECT])
def test_review_recommendation_without_comment_is_refused(team: Team, verdict: str) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    with pytest.raises(InvalidInput) as refused:
        services.review_recommendation(recommendation, by=team.reviewer, verdict=verdict)
    assert refused.value.field == "comment"
    assert not Review.objects.exists()
    assert Recommendation.objects.get().status == Rec.SUBMITTED


@pytest.mark.parametrize(
    ("verdict", "comment", "field"),
    [
        ("accept", "", "verdict"),
        (Verdict.APPROVE, "x" * 5001, "comment"),
        ("approve", "\x00", "comment"),
    ],
)
def test_review_recommendation_invalid_input_is_refused(
    team: Team, verdict: str, comment: str, field: str
) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    with pytest.raises(InvalidInput) as refused:
        services.review_recommendation(
            recommendation, by=team.reviewer, verdict=verdict, comment=comment
        )
    assert refused.value.field == field
    assert not Review.objects.exists()


@pytest.mark.parametrize("who", ["contributor", "other_contributor", "other_publication_reviewer"])
def test_review_recommendation_without_capability_is_not_allowed(
    team: Team, other_contributor: Any, other_publication: Publication, who: str
) -> None:
    outsider = UserFactory()
    MembershipFactory(publication=other_publication, user=outsider, role=TeamRole.REVIEWER)
    users = {
        "contributor": team.contributor,
        "other_contributor": other_contributor,
        "other_publication_reviewer": outsider,
    }
    recommendation = team.recommendation(Rec.SUBMITTED)
    with pytest.raises(NotAllowed) as refused:
        services.review_recommendation(recommendation, by=users[who], verdict=Verdict.APPROVE)
    assert refused.value.capability == "issues.review_recommendation"
    assert not Review.objects.exists()


def test_review_recommendation_own_submission_by_a_reviewer_is_not_allowed(team: Team) -> None:
    recommendation = RecommendationFactory(publication=team.publication, submitter=team.reviewer)
    with pytest.raises(NotAllowed):
        services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)
    assert Recommendation.objects.get().status == Rec.SUBMITTED


def test_review_recommendation_quorum_of_two_needs_two_reviewers(team: Team) -> None:
    team.publication.approvals_required = 2
    team.publication.save()
    second = UserFactory()
    MembershipFactory(publication=team.publication, user=second, role=TeamRole.REVIEWER)
    recommendation = team.recommendation(Rec.SUBMITTED)

    services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)
    recommendation.refresh_from_db()
    assert recommendation.status == Rec.SUBMITTED
    assert not Transition.objects.exists()

    with pytest.raises(InvalidTransition) as twice:
        services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)
    assert twice.value.code == "already_reviewed"
    assert Review.objects.count() == 1
    recommendation.refresh_from_db()
    assert recommendation.status == Rec.SUBMITTED

    services.review_recommendation(
        recommendation, by=second, verdict=Verdict.APPROVE, comment="Agreed."
    )
    recommendation.refresh_from_db()
    assert recommendation.status == Rec.ACCEPTED
    assert _audit(recommendation) == [(second, Act.APPROVE, Rec.SUBMITTED, Rec.ACCEPTED, "Agreed.")]
    assert list(Review.objects.values_list("reviewer", "verdict")) == [
        (team.reviewer.pk, Verdict.APPROVE),
        (second.pk, Verdict.APPROVE),
    ]


def test_may_review_is_false_once_the_reviewer_reviewed_this_round(team: Team) -> None:
    team.publication.approvals_required = 2
    team.publication.save()
    recommendation = team.recommendation(Rec.SUBMITTED)
    assert services.may_review(recommendation, by=team.reviewer) is True

    services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)
    reviews = list(recommendation.reviews.all())

    assert services.reviewed_this_round(recommendation, team.reviewer) is True
    assert services.reviewed_this_round(recommendation, team.reviewer, reviews=reviews) is True
    assert services.may_review(recommendation, by=team.reviewer) is False
    assert services.may_review(recommendation, by=team.reviewer, reviews=reviews) is False
    assert services.may_review(recommendation, by=team.editor) is True
    assert services.may_review(recommendation, by=team.contributor) is False


@pytest.mark.parametrize("status", list(Rec.values))
def test_submitter_actions_follow_the_transition_table(team: Team, status: str) -> None:
    recommendation = team.recommendation(status)
    expected = {
        action: status in RECOMMENDATION_TRANSITIONS[action][0]
        for action in (Act.EDIT, Act.SUBMIT, Act.WITHDRAW)
    }

    assert services.submitter_actions(recommendation, by=team.contributor) == expected
    assert services.submitter_actions(recommendation, by=team.reviewer) == dict.fromkeys(
        expected, False
    )


@pytest.mark.parametrize("status", list(Rec.values))
def test_may_accept_follows_the_transition_table(team: Team, status: str) -> None:
    recommendation = team.recommendation(status)
    acceptable = status in RECOMMENDATION_TRANSITIONS[Act.ACCEPT][0]

    assert services.may_accept(recommendation, by=team.editor) is acceptable
    assert services.may_accept(recommendation, by=team.reviewer) is False


def test_review_recommendation_resubmission_starts_a_new_round(team: Team) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    services.review_recommendation(
        recommendation, by=team.reviewer, verdict=Verdict.REQUEST_CHANGES, comment="Shorter."
    )
    services.edit_recommendation(recommendation, by=team.contributor, summary="Short.")
    services.submit_recommendation(recommendation, by=team.contributor)
    services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)

    recommendation.refresh_from_db()
    assert recommendation.status == Rec.ACCEPTED
    assert [row[1:4] for row in _audit(recommendation)] == [
        (Act.REQUEST_CHANGES, Rec.SUBMITTED, Rec.CHANGES_REQUESTED),
        (Act.EDIT, Rec.CHANGES_REQUESTED, Rec.CHANGES_REQUESTED),
        (Act.SUBMIT, Rec.CHANGES_REQUESTED, Rec.SUBMITTED),
        (Act.APPROVE, Rec.SUBMITTED, Rec.ACCEPTED),
    ]
    assert Review.objects.count() == 2


def test_review_recommendation_earlier_round_approval_does_not_count(team: Team) -> None:
    team.publication.approvals_required = 2
    team.publication.save()
    recommendation = team.recommendation(Rec.SUBMITTED)
    second = UserFactory()
    MembershipFactory(publication=team.publication, user=second, role=TeamRole.REVIEWER)
    services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)
    services.review_recommendation(
        recommendation, by=second, verdict=Verdict.REQUEST_CHANGES, comment="One fix."
    )
    services.submit_recommendation(recommendation, by=team.contributor)
    services.review_recommendation(recommendation, by=second, verdict=Verdict.APPROVE)
    recommendation.refresh_from_db()
    assert recommendation.status == Rec.SUBMITTED


# ================================================================ an edit after reviews


def _two_approvals_needed(team: Team) -> Any:
    """The publication needs two approvals; returns a second reviewer of it."""
    team.publication.approvals_required = 2
    team.publication.save()
    second = UserFactory(username="second-reviewer")
    MembershipFactory(publication=team.publication, user=second, role=TeamRole.REVIEWER)
    return second


def test_edit_recommendation_after_an_approval_starts_a_new_round(team: Team) -> None:
    second = _two_approvals_needed(team)
    recommendation = team.recommendation(
        Rec.SUBMITTED, summary="A careful benchmark.", code_url="https://github.com/org/repo"
    )
    services.review_recommendation(
        recommendation, by=team.reviewer, verdict=Verdict.APPROVE, comment="Sound."
    )

    # The attack: the submitter changes what the first reviewer approved, then a second
    # approval arrives for a text the first reviewer never saw.
    services.edit_recommendation(
        recommendation,
        by=team.contributor,
        summary="Buy our product.",
        code_url="https://example.com/payload",
    )
    services.review_recommendation(recommendation, by=second, verdict=Verdict.APPROVE)

    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.review_round) == (Rec.SUBMITTED, 2)
    assert recommendation.decided_at is None
    assert list(
        Review.objects.order_by("created_at", "id").values_list("reviewer", "verdict", "round")
    ) == [(team.reviewer.pk, Verdict.APPROVE, 1), (second.pk, Verdict.APPROVE, 2)]
    assert _audit(recommendation) == [
        (
            team.contributor,
            Act.EDIT,
            Rec.SUBMITTED,
            Rec.SUBMITTED,
            "Changed: code_url, summary. Review round 2 begins; the approval of round 1 by "
            "reviewer no longer counts.",
        )
    ]
    assert Transition.objects.get().changes == [
        {
            "field": "code_url",
            "old": "https://github.com/org/repo",
            "new": "https://example.com/payload",
        },
        {"field": "summary", "old": "A careful benchmark.", "new": "Buy our product."},
    ]

    # The first reviewer may judge the new version; two approvals of it accept it.
    services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)
    recommendation.refresh_from_db()
    assert recommendation.status == Rec.ACCEPTED
    assert [row[1:4] for row in _audit(recommendation)][-1] == (
        Act.APPROVE,
        Rec.SUBMITTED,
        Rec.ACCEPTED,
    )


def test_edit_recommendation_of_any_judged_field_names_every_lapsed_approval(
    team: Team, editor: Any
) -> None:
    team.publication.approvals_required = 3
    team.publication.save()
    recommendation = team.recommendation(Rec.SUBMITTED)
    for member in (team.reviewer, editor):
        services.review_recommendation(recommendation, by=member, verdict=Verdict.APPROVE)

    services.edit_recommendation(recommendation, by=team.contributor, topic=TopicFactory())

    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.review_round) == (Rec.SUBMITTED, 2)
    assert Transition.objects.get().note == (
        "Changed: topic. Review round 2 begins; the approvals of round 1 by reviewer, editor no "
        "longer count."
    )


def test_edit_recommendation_that_changes_nothing_keeps_the_round(team: Team) -> None:
    second = _two_approvals_needed(team)
    recommendation = team.recommendation(Rec.SUBMITTED, code_url="https://github.com/org/repo")
    services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)

    services.edit_recommendation(
        recommendation,
        by=team.contributor,
        summary=f"  {recommendation.summary}  ",
        code_url="https://github.com/org/repo",
        topic=None,
    )
    services.review_recommendation(recommendation, by=second, verdict=Verdict.APPROVE)

    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.review_round) == (Rec.ACCEPTED, 1)
    assert [row[1:] for row in _audit(recommendation)] == [
        (Act.EDIT, Rec.SUBMITTED, Rec.SUBMITTED, "Changed: nothing"),
        (Act.APPROVE, Rec.SUBMITTED, Rec.ACCEPTED, ""),
    ]


def test_edit_recommendation_stale_copy_cannot_bring_back_a_lapsed_round(team: Team) -> None:
    second = _two_approvals_needed(team)
    recommendation = team.recommendation(Rec.SUBMITTED)
    stale = Recommendation.objects.get(pk=recommendation.pk)
    services.review_recommendation(recommendation, by=team.reviewer, verdict=Verdict.APPROVE)
    services.edit_recommendation(recommendation, by=team.contributor, summary="Second text.")

    services.edit_recommendation(stale, by=team.contributor, summary="Third text.")
    services.review_recommendation(recommendation, by=second, verdict=Verdict.APPROVE)

    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.review_round) == (Rec.SUBMITTED, 3)
    assert recommendation.summary == "Third text."


def test_review_recommendation_of_the_round_before_an_edit_is_refused(team: Team) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED, summary="What the reviewer reads.")
    read = recommendation.review_round  # the reviewer opens the page
    services.edit_recommendation(recommendation, by=team.contributor, summary="Another text.")

    with pytest.raises(Conflict) as refused:
        services.review_recommendation(
            recommendation, by=team.reviewer, verdict=Verdict.APPROVE, review_round=read
        )

    assert refused.value.code == "changed_since_read"
    assert str(refused.value) == (
        "The recommendation has changed since you opened it; it is now in review round 2. "
        "Read this version, then review it."
    )
    assert not Review.objects.exists()
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.review_round) == (Rec.SUBMITTED, 2)

    services.review_recommendation(
        recommendation, by=team.reviewer, verdict=Verdict.APPROVE, review_round=2
    )
    recommendation.refresh_from_db()
    assert recommendation.status == Rec.ACCEPTED


# ================================================================ accept


@pytest.mark.parametrize("who", ["reviewer", "other_contributor"])
def test_accept_recommendation_by_non_editor_is_not_allowed(
    team: Team, who: str, request: pytest.FixtureRequest
) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    with pytest.raises(NotAllowed) as refused:
        services.accept_recommendation(recommendation, by=request.getfixturevalue(who))
    assert refused.value.capability == "issues.accept_recommendation"
    assert Recommendation.objects.get().status == Rec.SUBMITTED


def test_accept_recommendation_own_by_editor_is_not_allowed(team: Team) -> None:
    recommendation = RecommendationFactory(publication=team.publication, submitter=team.editor)
    with pytest.raises(NotAllowed):
        services.accept_recommendation(recommendation, by=team.editor)
    assert Recommendation.objects.get().status == Rec.SUBMITTED


def test_accept_recommendation_sets_decided_at(team: Team) -> None:
    recommendation = team.recommendation(Rec.CHANGES_REQUESTED)
    services.accept_recommendation(recommendation, by=team.editor)
    recommendation.refresh_from_db()
    assert recommendation.decided_at is not None


# ================================================================ schedule, unschedule, reorder


def test_schedule_recommendation_appends_to_its_section(team: Team) -> None:
    first = team.recommendation(Rec.ACCEPTED)
    second = team.recommendation(Rec.ACCEPTED)
    news = team.recommendation(Rec.ACCEPTED, news=True)

    entries = [
        services.schedule_recommendation(rec, issue=team.issue, by=team.editor)
        for rec in (first, news, second)
    ]

    assert [(e.recommendation, e.section, e.position, e.paper) for e in entries] == [
        (first, Section.PAPERS, 1, first.paper),
        (news, Section.NEWS, 1, None),
        (second, Section.PAPERS, 2, second.paper),
    ]
    assert set(Recommendation.objects.values_list("status", flat=True)) == {Rec.SCHEDULED}


def test_schedule_recommendation_of_another_publication_is_refused(
    team: Team, other_publication: Publication
) -> None:
    foreign = RecommendationFactory(publication=other_publication, status=Rec.ACCEPTED)
    with pytest.raises(InvalidInput, match="another publication"):
        services.schedule_recommendation(foreign, issue=team.issue, by=team.editor)
    assert Recommendation.objects.get().status == Rec.ACCEPTED
    assert not IssueEntry.objects.exists()


def test_schedule_recommendation_into_published_issue_is_refused(team: Team) -> None:
    issue = IssueFactory(publication=team.publication, published=True)
    recommendation = team.recommendation(Rec.ACCEPTED)
    with pytest.raises(InvalidTransition) as refused:
        services.schedule_recommendation(recommendation, issue=issue, by=team.editor)
    assert refused.value.code == "issue_published"
    assert Recommendation.objects.get().status == Rec.ACCEPTED


def test_schedule_recommendation_by_reviewer_is_not_allowed(team: Team) -> None:
    recommendation = team.recommendation(Rec.ACCEPTED)
    with pytest.raises(NotAllowed) as refused:
        services.schedule_recommendation(recommendation, issue=team.issue, by=team.reviewer)
    assert refused.value.capability == "issues.schedule_recommendation"
    assert Recommendation.objects.get().status == Rec.ACCEPTED


def test_schedule_recommendation_same_paper_twice_in_one_issue_is_refused(
    team: Team, other_contributor: Any
) -> None:
    paper = PaperFactory()
    first = team.recommendation(Rec.ACCEPTED, paper=paper)
    second = RecommendationFactory(
        publication=team.publication, submitter=other_contributor, paper=paper, status=Rec.ACCEPTED
    )
    services.schedule_recommendation(first, issue=team.issue, by=team.editor)
    with pytest.raises(InvalidInput) as refused:
        services.schedule_recommendation(second, issue=team.issue, by=team.editor)
    assert refused.value.code == "already_in_issue"
    second.refresh_from_db()
    assert second.status == Rec.ACCEPTED
    assert list(IssueEntry.objects.values_list("recommendation", flat=True)) == [first.pk]
    assert not second.transitions.exists()


def test_schedule_recommendation_of_featured_paper_is_refused(
    team: Team, other_contributor: Any
) -> None:
    paper = PaperFactory()
    IssueEntryFactory(
        issue=IssueFactory(publication=team.publication, published=True, number=3),
        recommendation__paper=paper,
    )
    recommendation = team.recommendation(Rec.ACCEPTED, paper=paper)
    with pytest.raises(InvalidInput) as refused:
        services.schedule_recommendation(recommendation, issue=team.issue, by=team.editor)
    assert refused.value.code == "already_featured"
    assert "#3" in refused.value.message
    recommendation.refresh_from_db()
    assert recommendation.status == Rec.ACCEPTED


def test_unschedule_recommendation_removes_entry_and_keeps_other_positions(team: Team) -> None:
    entries = [IssueEntryFactory(issue=team.issue, position=p) for p in (1, 2, 3)]
    recommendation = services.unschedule_recommendation(entries[1], by=team.editor, note="Later.")

    assert recommendation.status == Rec.ACCEPTED
    assert list(team.issue.entries.values_list("pk", "position")) == [
        (entries[0].pk, 1),
        (entries[2].pk, 3),
    ]
    assert _audit(recommendation) == [
        (team.editor, Act.UNSCHEDULE, Rec.SCHEDULED, Rec.ACCEPTED, "Later.")
    ]
    assert recommendation in selectors.accepted_recommendations(team.publication)


def test_unschedule_recommendation_from_published_issue_is_refused(team: Team) -> None:
    entry = IssueEntryFactory(issue=IssueFactory(publication=team.publication, published=True))
    with pytest.raises(InvalidTransition) as refused:
        services.unschedule_recommendation(entry, by=team.editor)
    assert refused.value.code == "issue_published"
    assert IssueEntry.objects.filter(pk=entry.pk).exists()
    assert Recommendation.objects.get().status == Rec.PUBLISHED


def test_reorder_issue_entries_sets_positions_per_section(team: Team) -> None:
    a, b, c = (IssueEntryFactory(issue=team.issue, position=p) for p in (1, 2, 3))
    news_1, news_2 = (
        IssueEntryFactory(issue=team.issue, recommendation__news=True, position=p) for p in (1, 2)
    )

    services.reorder_issue_entries(
        team.issue, by=team.editor, entry_ids=[news_2.pk, c.pk, a.pk, news_1.pk, b.pk]
    )

    assert list(team.issue.entries.values_list("section", "pk", "position")) == [
        (Section.NEWS, news_2.pk, 1),
        (Section.NEWS, news_1.pk, 2),
        (Section.PAPERS, c.pk, 1),
        (Section.PAPERS, a.pk, 2),
        (Section.PAPERS, b.pk, 3),
    ]
    assert _audit(team.issue) == [
        (team.editor, IssueAction.EDIT, IssueStatus.DRAFT, IssueStatus.DRAFT, "Reordered entries")
    ]


@pytest.mark.parametrize("order", ["missing", "repeated", "foreign"])
def test_reorder_issue_entries_incomplete_list_is_refused(team: Team, order: str) -> None:
    a, b = (IssueEntryFactory(issue=team.issue, position=p) for p in (1, 2))
    foreign = IssueEntryFactory()
    entry_ids = {
        "missing": [b.pk],
        "repeated": [b.pk, a.pk, a.pk],
        "foreign": [b.pk, a.pk, foreign.pk],
    }[order]
    with pytest.raises(InvalidInput) as refused:
        services.reorder_issue_entries(team.issue, by=team.editor, entry_ids=entry_ids)
    assert (refused.value.field, refused.value.code) == ("entries", "bad_order")
    assert list(team.issue.entries.values_list("pk", "position")) == [(a.pk, 1), (b.pk, 2)]
    assert not Transition.objects.exists()


def test_reorder_issue_entries_by_reviewer_is_not_allowed(team: Team) -> None:
    a = IssueEntryFactory(issue=team.issue, position=1)
    with pytest.raises(NotAllowed):
        services.reorder_issue_entries(team.issue, by=team.reviewer, entry_ids=[a.pk])


# ================================================================ issues: create, edit, schedule


def test_create_issue_is_a_numberless_draft(team: Team) -> None:
    issue = services.create_issue(team.publication, by=team.editor, title="  Scaling  ")
    issue.refresh_from_db()
    assert (issue.status, issue.number, issue.title, issue.created_by) == (
        IssueStatus.DRAFT,
        None,
        "Scaling",
        team.editor,
    )
    assert _audit(issue) == [(team.editor, IssueAction.CREATE, "", IssueStatus.DRAFT, "")]


@pytest.mark.parametrize("who", ["reviewer", "contributor", "other_publication_editor"])
def test_create_issue_by_non_editor_is_not_allowed(
    team: Team, other_publication: Publication, who: str
) -> None:
    outsider = UserFactory()
    MembershipFactory(publication=other_publication, user=outsider, role=TeamRole.EDITOR)
    user = {"reviewer": team.reviewer, "contributor": team.contributor}.get(who, outsider)
    with pytest.raises(NotAllowed) as refused:
        services.create_issue(team.publication, by=user)
    assert refused.value.capability == "issues.create_issue"
    assert Issue.objects.count() == 1  # the team's own


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"title": "t" * 301}, "title"), ({"credits": "a\x00b"}, "credits")],
)
def test_update_issue_invalid_fields_are_refused(
    team: Team, fields: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.update_issue(team.issue, by=team.editor, **fields)
    assert refused.value.field == field
    assert not Transition.objects.exists()


def test_update_issue_unknown_field_is_refused(team: Team) -> None:
    with pytest.raises(InvalidInput, match="cannot be edited: number"):
        services.update_issue(team.issue, by=team.editor, number="4")
    team.issue.refresh_from_db()
    assert team.issue.number is None


def test_update_issue_changes_fields(team: Team) -> None:
    services.update_issue(
        team.issue, by=team.editor, intro_zh="本期精选 2 篇论文。", credits="张三 李四"
    )
    team.issue.refresh_from_db()
    assert (team.issue.intro_zh, team.issue.credits) == ("本期精选 2 篇论文。", "张三 李四")
    assert _audit(team.issue)[0][4] == "Changed: credits, intro_zh"


def test_schedule_issue_sets_publish_at(team: Team) -> None:
    IssueEntryFactory(issue=team.issue)
    when = _in_an_hour(5)
    services.schedule_issue(team.issue, by=team.editor, publish_at=when)
    team.issue.refresh_from_db()
    assert (team.issue.status, team.issue.publish_at, team.issue.number) == (
        IssueStatus.SCHEDULED,
        when,
        None,
    )


@pytest.mark.parametrize(
    ("when", "code"),
    [
        pytest.param(lambda: timezone.now() - dt.timedelta(minutes=1), "invalid", id="past"),
        pytest.param(
            lambda: dt.datetime(2100, 1, 1, 8, 0),
            "invalid",
            id="naive",
        ),
    ],
)
def test_schedule_issue_bad_time_is_refused(
    team: Team, when: Callable[[], dt.datetime], code: str
) -> None:
    IssueEntryFactory(issue=team.issue)
    with pytest.raises(InvalidInput) as refused:
        services.schedule_issue(team.issue, by=team.editor, publish_at=when())
    assert (refused.value.field, refused.value.code) == ("publish_at", code)
    team.issue.refresh_from_db()
    assert (team.issue.status, team.issue.publish_at) == (IssueStatus.DRAFT, None)


def test_schedule_issue_without_entries_is_refused(team: Team) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.schedule_issue(team.issue, by=team.editor, publish_at=_in_an_hour())
    assert refused.value.code == "empty"
    assert Issue.objects.get().status == IssueStatus.DRAFT


def test_unschedule_issue_clears_publish_at(team: Team) -> None:
    issue = _issue_in(team, IssueStatus.SCHEDULED)
    services.unschedule_issue(issue, by=team.editor)
    issue.refresh_from_db()
    assert (issue.status, issue.publish_at) == (IssueStatus.DRAFT, None)


def test_unschedule_issue_by_reviewer_is_not_allowed(team: Team) -> None:
    issue = _issue_in(team, IssueStatus.SCHEDULED)
    with pytest.raises(NotAllowed) as refused:
        services.unschedule_issue(issue, by=team.reviewer)
    assert refused.value.capability == "issues.schedule_issue"
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SCHEDULED


# ================================================================ publish


def test_publish_issue_freezes_entries_and_publishes_recommendations(team: Team) -> None:
    paper = PaperFactory(
        arxiv_id="2109.08133",
        title="Phrase Retrieval Learns Passage Retrieval, Too",
        code_url="https://github.com/paper/own-code",
        authors=["Jinhyuk Lee", "Alexander Wettig", "Danqi Chen"],
        institutions=["Princeton University", "Korea University"],
    )
    rec = team.recommendation(
        Rec.ACCEPTED, paper=paper, title_zh="短语检索也能做段落检索", summary="Phrases."
    )
    news = team.recommendation(Rec.ACCEPTED, news=True, summary="Corpus released.")
    services.schedule_recommendation(rec, issue=team.issue, by=team.editor)
    services.schedule_recommendation(news, issue=team.issue, by=team.editor)

    before = timezone.now()
    services.publish_issue(team.issue, by=team.editor)

    assert team.issue.status == IssueStatus.PUBLISHED
    assert team.issue.number == 1
    assert team.issue.published_at >= before
    fresh = Issue.objects.get()
    assert (fresh.status, fresh.number, fresh.published_at) == (
        IssueStatus.PUBLISHED,
        1,
        team.issue.published_at,
    )
    paper_entry, news_entry = (
        IssueEntry.objects.get(recommendation=rec),
        IssueEntry.objects.get(recommendation=news),
    )
    assert (
        paper_entry.shown_title,
        paper_entry.shown_title_zh,
        paper_entry.shown_authors,
        paper_entry.shown_institutions,
        paper_entry.shown_summary,
        paper_entry.shown_code_url,
        paper_entry.shown_url,
    ) == (
        "Phrase Retrieval Learns Passage Retrieval, Too",
        "短语检索也能做段落检索",
        "Jinhyuk Lee\nAlexander Wettig\nDanqi Chen",
        "Princeton University\nKorea University",
        "Phrases.",
        "https://github.com/paper/own-code",
        "https://arxiv.org/abs/2109.08133",
    )
    assert (news_entry.shown_title, news_entry.shown_url, news_entry.shown_summary) == (
        news.news_title,
        news.news_url,
        "Corpus released.",
    )
    assert set(Recommendation.objects.values_list("status", flat=True)) == {Rec.PUBLISHED}
    for recommendation in (rec, news):
        assert _audit(recommendation)[-1] == (
            team.editor,
            Act.PUBLISH,
            Rec.SCHEDULED,
            Rec.PUBLISHED,
            "In issue #1",
        )
    assert _audit(team.issue)[-1] == (
        team.editor,
        IssueAction.PUBLISH,
        IssueStatus.DRAFT,
        IssueStatus.PUBLISHED,
        "",
    )


def test_publish_issue_fills_missing_paper_title_zh_only(team: Team) -> None:
    untitled = PaperFactory(title_zh="")
    titled = PaperFactory(title_zh="已有中文标题")
    IssueEntryFactory(
        issue=team.issue, recommendation__paper=untitled, recommendation__title_zh="新"
    )
    IssueEntryFactory(issue=team.issue, recommendation__paper=titled, recommendation__title_zh="别")
    services.publish_issue(team.issue, by=team.editor)
    untitled.refresh_from_db()
    titled.refresh_from_db()
    assert (untitled.title_zh, titled.title_zh) == ("新", "已有中文标题")


def test_publish_issue_content_stays_when_paper_changes_later(team: Team) -> None:
    paper = PaperFactory(title="Original Title", authors=["Ada Lovelace"])
    IssueEntryFactory(issue=team.issue, recommendation__paper=paper)
    services.publish_issue(team.issue, by=team.editor)

    paper.title = "Retitled in v2"
    paper.save()
    paper.authorships.all().delete()

    [content] = selectors.issue_contents(Issue.objects.get())
    assert (content.title, content.authors) == ("Original Title", ["Ada Lovelace"])


def test_publish_issue_numbers_per_publication_independently(
    publication: Publication, other_publication: Publication, editor: Any
) -> None:
    MembershipFactory(publication=other_publication, user=editor, role=TeamRole.EDITOR)
    editor.__dict__.pop("_weekly_roles", None)
    published: list[tuple[str, int | None]] = []
    for pub in (publication, other_publication, publication, publication, other_publication):
        issue = IssueFactory(publication=pub)
        IssueEntryFactory(issue=issue)
        services.publish_issue(issue, by=editor)
        published.append((pub.slug, issue.number))
    assert published == [
        ("pretraining-weekly", 1),
        ("rl-weekly", 1),
        ("pretraining-weekly", 2),
        ("pretraining-weekly", 3),
        ("rl-weekly", 2),
    ]


def test_publish_issue_number_is_never_reused_after_a_gap(team: Team) -> None:
    IssueFactory(publication=team.publication, published=True, number=41)
    IssueEntryFactory(issue=team.issue)
    services.publish_issue(team.issue, by=team.editor)
    assert Issue.objects.get(pk=team.issue.pk).number == 42


def test_publish_issue_empty_is_refused(team: Team) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.publish_issue(team.issue, by=team.editor)
    assert refused.value.code == "empty"
    assert Issue.objects.get().status == IssueStatus.DRAFT


def test_publish_issue_with_featured_paper_is_refused_whole(team: Team) -> None:
    paper = PaperFactory()
    IssueEntryFactory(
        issue=IssueFactory(publication=team.publication, published=True, number=5),
        recommendation__paper=paper,
    )
    IssueEntryFactory(issue=team.issue)
    IssueEntryFactory(issue=team.issue, recommendation__paper=paper)

    with pytest.raises(InvalidInput) as refused:
        services.publish_issue(team.issue, by=team.editor)

    assert refused.value.code == "already_featured"
    assert "#5" in refused.value.message
    team.issue.refresh_from_db()
    assert (team.issue.status, team.issue.number) == (IssueStatus.DRAFT, None)
    assert set(team.issue.entries.values_list("recommendation__status", flat=True)) == {
        Rec.SCHEDULED
    }


def test_publish_issue_one_bad_entry_rolls_back_everything(team: Team) -> None:
    good = IssueEntryFactory(issue=team.issue, position=1)
    IssueEntryFactory(issue=team.issue, position=2, recommendation__status=Rec.ACCEPTED)

    with pytest.raises(InvalidTransition):
        services.publish_issue(team.issue, by=team.editor)

    team.issue.refresh_from_db()
    good.refresh_from_db()
    assert (team.issue.status, team.issue.number, team.issue.published_at) == (
        IssueStatus.DRAFT,
        None,
        None,
    )
    assert good.shown_title == ""
    assert good.recommendation.status == Rec.SCHEDULED
    assert Recommendation.objects.get(pk=good.recommendation.pk).status == Rec.SCHEDULED
    assert not Transition.objects.exists()


@pytest.mark.parametrize("who", ["reviewer", "other_publication_editor"])
def test_publish_issue_by_non_editor_is_not_allowed(
    team: Team, other_publication: Publication, who: str
) -> None:
    outsider = UserFactory()
    MembershipFactory(publication=other_publication, user=outsider, role=TeamRole.EDITOR)
    IssueEntryFactory(issue=team.issue)
    with pytest.raises(NotAllowed) as refused:
        services.publish_issue(team.issue, by=team.reviewer if who == "reviewer" else outsider)
    assert refused.value.capability == "issues.publish_issue"
    assert Issue.objects.get().status == IssueStatus.DRAFT


def test_publish_issue_by_superuser_is_allowed(team: Team, admin_user: Any) -> None:
    IssueEntryFactory(issue=team.issue)
    services.publish_issue(team.issue, by=admin_user)
    assert Issue.objects.get().number == 1


def test_publish_due_issues_publishes_due_scheduled_issues_once(team: Team) -> None:
    due = _issue_in(team, IssueStatus.SCHEDULED)
    later = _issue_in(team, IssueStatus.SCHEDULED)
    draft = _issue_in(team, IssueStatus.DRAFT)
    Issue.objects.filter(pk=due.pk).update(publish_at=timezone.now() + dt.timedelta(hours=1))
    Issue.objects.filter(pk=later.pk).update(publish_at=timezone.now() + dt.timedelta(hours=3))
    now = timezone.now() + dt.timedelta(hours=2)

    first = services.publish_due_issues(now=now)
    second = services.publish_due_issues(now=now)

    assert [issue.pk for issue in first] == [due.pk]
    assert second == []
    statuses = dict(Issue.objects.values_list("pk", "status"))
    assert statuses == {
        team.issue.pk: IssueStatus.DRAFT,
        due.pk: IssueStatus.PUBLISHED,
        later.pk: IssueStatus.SCHEDULED,
        draft.pk: IssueStatus.DRAFT,
    }
    assert Issue.objects.get(pk=due.pk).number == 1
    assert _audit(due) == [
        (
            None,
            IssueAction.PUBLISH,
            IssueStatus.SCHEDULED,
            IssueStatus.PUBLISHED,
            "Published at its scheduled time",
        )
    ]
    assert Transition.objects.filter(issue__isnull=True, action=Act.PUBLISH).count() == 1


def test_publish_due_issues_leaves_unpublishable_issue_scheduled(
    team: Team, caplog: pytest.LogCaptureFixture
) -> None:
    empty = IssueFactory(publication=team.publication, scheduled=True, publish_at=timezone.now())
    assert services.publish_due_issues() == []
    empty.refresh_from_db()
    assert empty.status == IssueStatus.SCHEDULED
    assert f"Scheduled issue {empty.pk} was not published" in caplog.text


# ================================================================ correct


def test_correct_issue_records_correction_and_changes_shown_fields(team: Team) -> None:
    issue = IssueFactory(publication=team.publication, published=True, title="Old headline")
    entry = IssueEntryFactory(issue=issue, shown_summary="Tpyo.", shown_code_url="")

    correction = services.correct_issue(
        issue,
        by=team.editor,
        note="  Fixed a typo and added the code link.  ",
        fields={"title": "New headline"},
        entries={entry.pk: {"shown_summary": "Typo.", "shown_code_url": "https://github.com/o/r"}},
    )

    correction.refresh_from_db()
    assert (correction.issue, correction.author, correction.note) == (
        issue,
        team.editor,
        "Fixed a typo and added the code link.",
    )
    assert correction.changes == [
        {"field": "title", "old": "Old headline", "new": "New headline"},
        {"entry": entry.pk, "field": "shown_summary", "old": "Tpyo.", "new": "Typo."},
        {"entry": entry.pk, "field": "shown_code_url", "old": "", "new": "https://github.com/o/r"},
    ]
    issue.refresh_from_db()
    entry.refresh_from_db()
    assert (issue.title, issue.status) == ("New headline", IssueStatus.PUBLISHED)
    assert (entry.shown_summary, entry.shown_code_url) == ("Typo.", "https://github.com/o/r")
    assert _audit(issue) == [
        (
            team.editor,
            IssueAction.CORRECT,
            IssueStatus.PUBLISHED,
            IssueStatus.PUBLISHED,
            "Fixed a typo and added the code link.",
        )
    ]
    [content] = selectors.issue_contents(issue)
    assert content.summary == "Typo."


@pytest.mark.parametrize(
    ("note", "fields", "entries", "field"),
    [
        pytest.param("  ", {"title": "X"}, None, "note", id="no-note"),
        pytest.param("Fix", None, {"ENTRY": {"shown_url": "javascript:x"}}, "shown_url", id="url"),
        pytest.param("Fix", None, {"ENTRY": {"position": "9"}}, "entries", id="not-correctable"),
        pytest.param("Fix", None, {0: {"shown_title": "X"}}, "entries", id="foreign-entry"),
        pytest.param("Fix", {"number": "9"}, None, None, id="issue-field"),
    ],
)
def test_correct_issue_invalid_input_is_refused(
    team: Team, note: str, fields: Any, entries: Any, field: str | None
) -> None:
    issue = IssueFactory(publication=team.publication, published=True)
    entry = IssueEntryFactory(issue=issue, shown_title="Shown", shown_url="https://e.org/p")
    if entries is not None:
        entries = {entry.pk if key == "ENTRY" else key: value for key, value in entries.items()}
    with pytest.raises(InvalidInput) as refused:
        services.correct_issue(issue, by=team.editor, note=note, fields=fields, entries=entries)
    assert refused.value.field == field
    assert not Correction.objects.exists()
    assert not Transition.objects.exists()
    entry.refresh_from_db()
    assert (entry.shown_title, entry.shown_url) == ("Shown", "https://e.org/p")


def test_correct_issue_without_changes_is_refused(team: Team) -> None:
    issue = IssueFactory(publication=team.publication, published=True, title="Same")
    with pytest.raises(InvalidInput) as refused:
        services.correct_issue(issue, by=team.editor, note="Nothing.", fields={"title": "Same"})
    assert refused.value.code == "no_changes"
    assert not Correction.objects.exists()


def test_correct_issue_by_reviewer_is_not_allowed(team: Team) -> None:
    issue = IssueFactory(publication=team.publication, published=True, title="Same")
    with pytest.raises(NotAllowed) as refused:
        services.correct_issue(issue, by=team.reviewer, note="Mine.", fields={"title": "Other"})
    assert refused.value.capability == "issues.correct_issue"
    assert Issue.objects.get(pk=issue.pk).title == "Same"


# ================================================================ races: stale objects


def test_withdraw_recommendation_stale_copy_conflicts_with_one_audit_row(team: Team) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    stale = Recommendation.objects.get(pk=recommendation.pk)
    services.withdraw_recommendation(recommendation, by=team.contributor)

    with pytest.raises(Conflict):
        services.withdraw_recommendation(stale, by=team.contributor)

    assert Transition.objects.filter(recommendation=recommendation).count() == 1
    assert Recommendation.objects.get().status == Rec.WITHDRAWN


def test_review_recommendation_stale_copy_conflicts_and_keeps_no_review(
    team: Team, editor: Any
) -> None:
    recommendation = team.recommendation(Rec.SUBMITTED)
    stale = Recommendation.objects.get(pk=recommendation.pk)
    services.review_recommendation(
        recommendation, by=team.reviewer, verdict=Verdict.REJECT, comment="Off topic."
    )

    with pytest.raises(Conflict):
        services.review_recommendation(stale, by=editor, verdict=Verdict.APPROVE)

    assert list(Review.objects.values_list("reviewer", flat=True)) == [team.reviewer.pk]
    assert Transition.objects.count() == 1
    assert Recommendation.objects.get().status == Rec.REJECTED


def test_publish_issue_stale_copy_conflicts_with_one_number(team: Team) -> None:
    IssueEntryFactory(issue=team.issue)
    stale = Issue.objects.get(pk=team.issue.pk)
    services.publish_issue(team.issue, by=team.editor)

    with pytest.raises(Conflict):
        services.publish_issue(stale, by=team.editor)

    assert list(Issue.objects.values_list("status", "number")) == [(IssueStatus.PUBLISHED, 1)]
    assert Transition.objects.filter(issue=team.issue).count() == 1


def test_update_issue_stale_copy_after_publication_conflicts(team: Team) -> None:
    IssueEntryFactory(issue=team.issue)
    stale = Issue.objects.get(pk=team.issue.pk)
    services.publish_issue(team.issue, by=team.editor)
    with pytest.raises(Conflict):
        services.update_issue(stale, by=team.editor, title="Sneaky")
    assert Issue.objects.get().title == team.issue.title
    assert Transition.objects.filter(issue=team.issue).count() == 1


# ================================================================ teams


def test_grant_role_by_admin_makes_reviewer_then_editor(
    publication: Publication, contributor: Any, admin_user: Any
) -> None:
    recommendation = RecommendationFactory(publication=publication)
    assert not can(contributor, "issues.review_recommendation", recommendation)

    outcome = services.grant_role(
        contributor, role=TeamRole.REVIEWER, publication=publication, by=admin_user
    )
    assert outcome == "contributor is now reviewer of pretraining-weekly."
    assert can(contributor, "issues.review_recommendation", recommendation)
    assert not can(contributor, "issues.accept_recommendation", recommendation)

    services.grant_role(contributor, role=TeamRole.EDITOR, publication=publication, by=admin_user)
    assert list(Membership.objects.values_list("user", "publication", "role")) == [
        (contributor.pk, publication.pk, TeamRole.EDITOR)
    ]
    assert can(contributor, "issues.accept_recommendation", recommendation)


def test_grant_role_contributor_removes_team_role_and_reactivates(
    publication: Publication, editor: Any
) -> None:
    editor.is_active = False
    editor.save()
    outcome = services.grant_role(editor, role=services.CONTRIBUTOR, publication=publication)
    assert outcome == "editor is a contributor of pretraining-weekly (team role removed)."
    editor.refresh_from_db()
    assert editor.is_active is True
    assert not Membership.objects.exists()


def test_grant_role_contributor_without_publication_keeps_team_roles(editor: Any) -> None:
    outcome = services.grant_role(editor, role=services.CONTRIBUTOR, publication=None)
    assert outcome == "editor is a contributor."
    assert Membership.objects.count() == 1


@pytest.mark.parametrize("who", ["editor", "reviewer", "contributor"])
def test_grant_role_by_non_admin_is_not_allowed(
    publication: Publication, other_contributor: Any, who: str, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(NotAllowed) as refused:
        services.grant_role(
            other_contributor,
            role=TeamRole.EDITOR,
            publication=publication,
            by=request.getfixturevalue(who),
        )
    assert refused.value.capability == "issues.manage_team"
    assert not Membership.objects.filter(user=other_contributor).exists()


@pytest.mark.parametrize(
    ("role", "with_publication", "field"),
    [("overlord", True, "role"), (TeamRole.REVIEWER, False, "publication")],
)
def test_grant_role_invalid_is_refused(
    publication: Publication, contributor: Any, role: str, with_publication: bool, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.grant_role(
            contributor, role=role, publication=publication if with_publication else None
        )
    assert refused.value.field == field
    assert not Membership.objects.exists()


def test_create_publication_refuses_bad_slug() -> None:
    with pytest.raises(InvalidInput) as refused:
        services.create_publication(slug="not a slug", name="X")
    assert refused.value.field == "slug"
    assert not Publication.objects.exists()


def test_create_publication_strips_names() -> None:
    publication = services.create_publication(
        slug="nlp-weekly", name=" NLP Weekly ", name_zh=" 自然语言处理周刊 "
    )
    assert (publication.name, publication.name_zh) == ("NLP Weekly", "自然语言处理周刊")
    assert Publication.objects.get().slug == "nlp-weekly"
