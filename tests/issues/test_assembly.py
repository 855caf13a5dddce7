"""Tests of assembling an issue: issues.services.assemble_issue and issues.drafting."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from common.exceptions import InvalidTransition, NotAllowed
from issues import services
from issues.drafting import INVITATION_EN, INVITATION_ZH
from issues.enums import IssueStatus, RecommendationStatus, Section
from issues.models import Issue, Publication, Recommendation
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    PaperFactory,
    RecommendationFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

_A = RecommendationStatus.ACCEPTED


def _accepted(publication: Publication, minutes_ago: int, **kwargs: Any) -> Recommendation:
    return RecommendationFactory(
        publication=publication,
        status=_A,
        decided_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        **kwargs,
    )


def _order(issue: Issue) -> list[tuple[str, int, int]]:
    return [
        (e.section, e.position, e.recommendation_id)
        for e in issue.entries.order_by("section", "position")
    ]


@pytest.fixture
def draft(publication: Publication) -> Issue:
    return IssueFactory(publication=publication, title="")


def test_assemble_issue_groups_papers_by_topic_then_decision_and_news_last(
    publication: Publication, editor: Any, draft: Issue
) -> None:
    first = TopicFactory(slug="retrieval", name_en="Retrieval", name_zh="检索", position=1)
    second = TopicFactory(slug="vision", name_en="Vision", name_zh="视觉", position=2)
    untopical = _accepted(publication, 50)
    later_second = _accepted(publication, 10, topic=second)
    early_second = _accepted(publication, 40, topic=second)
    only_first = _accepted(publication, 5, topic=first)
    news = _accepted(publication, 30, news=True)

    added = services.assemble_issue(draft, by=editor)

    assert len(added) == 5
    paper, news_section = Section.PAPERS, Section.NEWS
    assert sorted(_order(draft)) == sorted(
        [
            (paper, 1, only_first.pk),
            (paper, 2, early_second.pk),
            (paper, 3, later_second.pk),
            (paper, 4, untopical.pk),
            (news_section, 1, news.pk),
        ]
    )
    statuses = set(
        Recommendation.objects.filter(entry__issue=draft).values_list("status", flat=True)
    )
    assert statuses == {RecommendationStatus.SCHEDULED}


def test_assemble_issue_drafts_empty_texts_in_the_digest_form(
    publication: Publication, editor: Any, draft: Issue
) -> None:
    topic = TopicFactory(slug="retrieval", name_en="Retrieval", name_zh="检索", position=1)
    ada = UserFactory(display_name="Ada")
    lead = _accepted(
        publication,
        20,
        topic=topic,
        submitter=ada,
        title_zh="稠密检索",
        paper=PaperFactory(title="Dense Retrieval"),
    )
    _accepted(publication, 10, topic=topic, submitter=ada)
    _accepted(publication, 5, news=True, news_title="Reading group opens")
    draft.intro_en = "Written by the editor."
    draft.save(update_fields=["intro_en"])

    services.assemble_issue(draft, by=editor)
    draft.refresh_from_db()

    assert draft.title.startswith(lead.title_zh + "、Reading group opens")
    assert draft.intro_zh == (
        "本期周刊，我们选择了2篇论文，涉及检索。此外，在研究动态方面，我们选择了1条资讯，"
        "介绍Reading group opens。\n\n" + INVITATION_ZH
    )
    assert draft.intro_en == "Written by the editor."  # an editor's text is kept
    assert draft.credits.startswith("Ada ")
    assert draft.transitions.filter(note__contains="intro_zh").exists()


def test_assemble_issue_with_nothing_accepted_adds_and_drafts_nothing(
    publication: Publication, editor: Any, draft: Issue
) -> None:
    RecommendationFactory(publication=publication)  # submitted, not accepted

    assert services.assemble_issue(draft, by=editor) == []

    draft.refresh_from_db()
    assert (draft.entries.count(), draft.title, draft.intro_zh, draft.intro_en) == (0, "", "", "")


def test_assemble_issue_leaves_out_papers_featured_before_and_later_acceptances_wait(
    publication: Publication, editor: Any, draft: Issue
) -> None:
    old = IssueEntryFactory(issue=IssueFactory(publication=publication, published=True))
    again = _accepted(publication, 30, paper=old.recommendation.paper)
    fresh = _accepted(publication, 20)

    services.assemble_issue(draft, by=editor)
    late = _accepted(publication, 0)

    assert [r for _s, _p, r in _order(draft)] == [fresh.pk]
    again.refresh_from_db()
    late.refresh_from_db()
    assert (again.status, late.status) == (_A, _A)

    services.assemble_issue(draft, by=editor)
    assert [r for _s, _p, r in _order(draft)] == [fresh.pk, late.pk]


def test_assemble_issue_of_another_publication_takes_only_its_own(
    publication: Publication, other_publication: Publication, editor: Any, draft: Issue
) -> None:
    mine = _accepted(publication, 10)
    theirs = _accepted(other_publication, 10)

    services.assemble_issue(draft, by=editor)

    assert [r for _s, _p, r in _order(draft)] == [mine.pk]
    theirs.refresh_from_db()
    assert theirs.status == _A


@pytest.mark.parametrize("who", ["contributor", "reviewer"])
def test_assemble_issue_by_non_editor_is_refused_and_changes_nothing(
    request: pytest.FixtureRequest, publication: Publication, draft: Issue, who: str
) -> None:
    waiting = _accepted(publication, 10)
    with pytest.raises(NotAllowed):
        services.assemble_issue(draft, by=request.getfixturevalue(who))
    waiting.refresh_from_db()
    assert (waiting.status, draft.entries.count()) == (_A, 0)


def test_assemble_issue_published_is_refused(publication: Publication, editor: Any) -> None:
    issue = IssueFactory(publication=publication, published=True)
    waiting = _accepted(publication, 10)
    with pytest.raises(InvalidTransition):
        services.assemble_issue(issue, by=editor)
    waiting.refresh_from_db()
    assert (waiting.status, issue.status) == (_A, IssueStatus.PUBLISHED)


def test_draft_intro_in_english_names_topics_and_news(
    publication: Publication, editor: Any, draft: Issue
) -> None:
    first = TopicFactory(slug="retrieval", name_en="Retrieval", position=1)
    second = TopicFactory(slug="vision", name_en="Vision", position=2)
    _accepted(publication, 30, topic=first)
    _accepted(publication, 20, topic=second)
    _accepted(publication, 10, news=True, news_title="A")
    _accepted(publication, 5, news=True, news_title="B")

    services.assemble_issue(draft, by=editor)
    draft.refresh_from_db()

    assert draft.intro_en == (
        "This issue picks 2 papers, on retrieval and vision. In research news we picked 2 "
        "items: A and B.\n\n" + INVITATION_EN
    )
