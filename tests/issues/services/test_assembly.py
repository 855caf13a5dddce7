"""Tests of issues.services.assembly: creating and editing an issue, scheduling, unscheduling and
reordering its entries, and assembling it (assemble_issue with the texts of issues.drafting)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from common.exceptions import Conflict, InvalidInput, InvalidTransition, NotAllowed
from issues import services
from issues.drafting import INVITATION_EN, INVITATION_ZH
from issues.enums import IssueAction, IssueStatus, Section
from issues.models import CoRecommendation, Issue, IssueEntry, IssueTransition
from issues.selectors import issue_contents
from issues.services import publish_issue
from publications.enums import TeamRole
from publications.models import Publication
from recommendations import selectors
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation, Transition
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    MembershipFactory,
    PaperFactory,
    RecommendationFactory,
    TopicFactory,
    UserFactory,
)
from tests.workflow import Act, Rec, Team, audit

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
    assert draft.transitions.filter(note__contains="introduction (Chinese)").exists()


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
    assert refused.value.capability == "recommendations.schedule_recommendation"
    assert Recommendation.objects.get().status == Rec.ACCEPTED


def test_schedule_recommendation_same_paper_twice_credits_both_on_one_entry(
    team: Team, other_contributor: Any
) -> None:
    paper = PaperFactory()
    first = team.recommendation(Rec.ACCEPTED, paper=paper)
    second = RecommendationFactory(
        publication=team.publication, submitter=other_contributor, paper=paper, status=Rec.ACCEPTED
    )
    entry = services.schedule_recommendation(first, issue=team.issue, by=team.editor)

    joined = services.schedule_recommendation(second, issue=team.issue, by=team.editor)

    assert joined == entry
    assert list(IssueEntry.objects.values_list("recommendation", flat=True)) == [first.pk]
    assert list(CoRecommendation.objects.values_list("entry", "recommendation")) == [
        (entry.pk, second.pk)
    ]
    second.refresh_from_db()
    assert second.status == Rec.SCHEDULED
    assert audit(second)[-1] == (
        team.editor,
        Act.SCHEDULE,
        Rec.ACCEPTED,
        Rec.SCHEDULED,
        f"Into issue {team.issue.pk}, credited on entry {entry.pk}",
    )
    content = issue_contents(team.issue)[0]
    assert (content.contributor, content.co_contributors) == (
        team.contributor,
        (other_contributor,),
    )


def test_unschedule_recommendation_returns_the_co_recommendations_too(
    team: Team, other_contributor: Any
) -> None:
    paper = PaperFactory()
    first = team.recommendation(Rec.ACCEPTED, paper=paper)
    second = RecommendationFactory(
        publication=team.publication, submitter=other_contributor, paper=paper, status=Rec.ACCEPTED
    )
    entry = services.schedule_recommendation(first, issue=team.issue, by=team.editor)
    services.schedule_recommendation(second, issue=team.issue, by=team.editor)

    services.unschedule_recommendation(entry, by=team.editor)

    assert not IssueEntry.objects.exists()
    assert not CoRecommendation.objects.exists()
    assert list(Recommendation.objects.order_by("pk").values_list("status", flat=True)) == [
        Rec.ACCEPTED,
        Rec.ACCEPTED,
    ]


def test_assemble_issue_makes_one_entry_crediting_every_recommender_of_a_paper(
    team: Team, other_contributor: Any
) -> None:
    paper = PaperFactory()
    first = _accepted(team.publication, 30, paper=paper, submitter=team.contributor)
    second = _accepted(team.publication, 20, paper=paper, submitter=other_contributor)

    added = services.assemble_issue(team.issue, by=team.editor)

    assert [entry.recommendation for entry in added] == [first]
    assert CoRecommendation.objects.get().recommendation == second
    team.issue.refresh_from_db()
    names = [team.contributor.public_name, other_contributor.public_name]
    assert team.issue.credits == " ".join(names)

    publish_issue(team.issue, by=team.editor)

    assert set(Recommendation.objects.values_list("status", flat=True)) == {Rec.PUBLISHED}
    assert audit(second)[-1][1:4] == (Act.PUBLISH, Rec.SCHEDULED, Rec.PUBLISHED)


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
    assert audit(recommendation) == [
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
    assert audit(team.issue) == [
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


# ================================================================ issues: create, edit


def test_create_issue_is_a_numberless_draft(team: Team) -> None:
    issue = services.create_issue(team.publication, by=team.editor, title="  Scaling  ")
    issue.refresh_from_db()
    assert (issue.status, issue.number, issue.title, issue.created_by) == (
        IssueStatus.DRAFT,
        None,
        "Scaling",
        team.editor,
    )
    assert audit(issue) == [(team.editor, IssueAction.CREATE, "", IssueStatus.DRAFT, "")]


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
    assert audit(team.issue)[0][4] == "Changed: introduction (Chinese), contributor credit line"


def test_update_issue_text_sent_back_with_crlf_is_no_change(team: Team) -> None:
    services.update_issue(team.issue, by=team.editor, intro_en="Two papers.\n\nRead them.")
    # A browser sends the textarea back with CRLF line breaks, and a paste adds blanks.
    services.update_issue(
        team.issue, by=team.editor, intro_en="Two papers.  \r\n\r\nRead them.\r\n"
    )
    assert len(audit(team.issue)) == 1
    services.update_issue(team.issue, by=team.editor, intro_en="Three papers.\r\nRead them.")
    team.issue.refresh_from_db()
    assert team.issue.intro_en == "Three papers.\nRead them."
    assert [row[4] for row in audit(team.issue)] == [
        "Changed: introduction (English)",
        "Changed: introduction (English)",
    ]


# ================================================================ races: stale objects


def test_update_issue_stale_copy_after_publication_conflicts(team: Team) -> None:
    IssueEntryFactory(issue=team.issue)
    stale = Issue.objects.get(pk=team.issue.pk)
    services.publish_issue(team.issue, by=team.editor)
    with pytest.raises(Conflict):
        services.update_issue(stale, by=team.editor, title="Sneaky")
    assert Issue.objects.get().title == team.issue.title
    assert IssueTransition.objects.filter(issue=team.issue).count() == 1


# ================================================================ the lead items


def _assembled(team: Team) -> list[IssueEntry]:
    Issue.objects.filter(pk=team.issue.pk).update(title="")
    team.issue.refresh_from_db()
    for title in ("Phrase retrieval", "Folded DNN", "Scale efficiently"):
        team.recommendation(Rec.ACCEPTED, paper__title=title, title_zh="")
    team.recommendation(Rec.ACCEPTED, news=True, news_title="BERT-X trained")
    services.assemble_issue(team.issue, by=team.editor)
    team.issue.refresh_from_db()
    return list(team.issue.entries.order_by("section", "position"))


def test_the_headline_names_the_first_of_each_section_until_the_editor_picks(
    team: Team,
) -> None:
    entries = _assembled(team)
    assert team.issue.title == "Phrase retrieval、BERT-X trained"

    scale = next(e for e in entries if e.paper is not None and e.paper.title == "Scale efficiently")
    news = next(e for e in entries if e.section == Section.NEWS)
    services.choose_lead_items(team.issue, by=team.editor, entry_ids=[scale.pk, news.pk])

    team.issue.refresh_from_db()
    assert team.issue.title == "Scale efficiently、BERT-X trained"
    assert set(team.issue.entries.filter(is_lead=True).values_list("pk", flat=True)) == {
        scale.pk,
        news.pk,
    }
    row = IssueTransition.objects.filter(issue=team.issue).latest("id")
    assert (row.action, row.actor) == (IssueAction.EDIT, team.editor)
    low, high = sorted([scale.pk, news.pk])
    assert row.note == f"Lead items: entry {low}, entry {high}"

    services.choose_lead_items(team.issue, by=team.editor, entry_ids=[])
    team.issue.refresh_from_db()
    assert team.issue.title == "Phrase retrieval、BERT-X trained"


def test_publishing_an_object_loaded_before_the_pick_shows_the_new_headline(team: Team) -> None:
    entries = _assembled(team)
    stale = Issue.objects.get(pk=team.issue.pk)
    services.choose_lead_items(team.issue, by=team.editor, entry_ids=[entries[2].pk])

    assert Issue.objects.get(pk=stale.pk).title == "Folded DNN"

    published = services.publish_issue(stale, by=team.editor)

    assert published.title == "Folded DNN"
    assert Issue.objects.get(pk=stale.pk).title == "Folded DNN"
    assert (published.status, published.number) == (IssueStatus.PUBLISHED, 1)


def test_a_headline_the_editor_wrote_stays_when_the_pick_changes(team: Team) -> None:
    entries = _assembled(team)
    services.update_issue(team.issue, by=team.editor, title="有效扩展：预训练的见解")
    services.choose_lead_items(team.issue, by=team.editor, entry_ids=[entries[1].pk])
    team.issue.refresh_from_db()
    assert team.issue.title == "有效扩展：预训练的见解"
    assert team.issue.entries.get(is_lead=True) == entries[1]


def test_lead_items_of_another_issue_or_by_a_reviewer_are_refused(
    team: Team, publication: Publication
) -> None:
    entries = _assembled(team)
    stranger = IssueEntryFactory(issue=IssueFactory(publication=publication))
    with pytest.raises(InvalidInput) as refused:
        services.choose_lead_items(team.issue, by=team.editor, entry_ids=[stranger.pk])
    assert refused.value.field == "entries"
    with pytest.raises(NotAllowed):
        services.choose_lead_items(team.issue, by=team.reviewer, entry_ids=[entries[0].pk])
    assert not IssueEntry.objects.filter(is_lead=True).exists()


def test_lead_items_of_a_published_issue_are_refused(team: Team) -> None:
    entries = _assembled(team)
    services.publish_issue(team.issue, by=team.editor)
    with pytest.raises(InvalidTransition):
        services.choose_lead_items(team.issue, by=team.editor, entry_ids=[entries[1].pk])
    assert not IssueEntry.objects.filter(is_lead=True).exists()
