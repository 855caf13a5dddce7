"""Tests of issues.services.publishing: scheduling an issue, publishing it (numbers, frozen
entries, refusals, stale copies) and publishing the issues that are due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from common.exceptions import Conflict, InvalidInput, InvalidTransition, NotAllowed
from issues import selectors, services
from issues.enums import IssueAction, IssueStatus
from issues.models import Issue, IssueEntry, IssueTransition
from publications.enums import TeamRole
from publications.models import Publication
from recommendations.models import Recommendation, Transition
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    MembershipFactory,
    PaperFactory,
    UserFactory,
)
from tests.workflow import Act, Rec, Team, audit, issue_in

pytestmark = pytest.mark.django_db


def _in_an_hour(hours: float = 1) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


# ================================================================ schedule, unschedule


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
    issue = issue_in(team, IssueStatus.SCHEDULED)
    services.unschedule_issue(issue, by=team.editor)
    issue.refresh_from_db()
    assert (issue.status, issue.publish_at) == (IssueStatus.DRAFT, None)


def test_unschedule_issue_by_reviewer_is_not_allowed(team: Team) -> None:
    issue = issue_in(team, IssueStatus.SCHEDULED)
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
        # Frozen in both languages, as the glossary names them.
        "普林斯顿 | Princeton\n高丽大学 | Korea University",
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
        assert audit(recommendation)[-1] == (
            team.editor,
            Act.PUBLISH,
            Rec.SCHEDULED,
            Rec.PUBLISHED,
            "In issue #1",
        )
    assert audit(team.issue)[-1] == (
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
    due = issue_in(team, IssueStatus.SCHEDULED)
    later = issue_in(team, IssueStatus.SCHEDULED)
    draft = issue_in(team, IssueStatus.DRAFT)
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
    assert audit(due) == [
        (
            None,
            IssueAction.PUBLISH,
            IssueStatus.SCHEDULED,
            IssueStatus.PUBLISHED,
            "Published at its scheduled time",
        )
    ]
    assert Transition.objects.filter(action=Act.PUBLISH).count() == 1


def test_publish_due_issues_leaves_unpublishable_issue_scheduled(
    team: Team, caplog: pytest.LogCaptureFixture
) -> None:
    empty = IssueFactory(publication=team.publication, scheduled=True, publish_at=timezone.now())
    assert services.publish_due_issues() == []
    empty.refresh_from_db()
    assert empty.status == IssueStatus.SCHEDULED
    assert f"Scheduled issue {empty.pk} was not published" in caplog.text


# ================================================================ races: stale objects


def test_publish_issue_stale_copy_conflicts_with_one_number(team: Team) -> None:
    IssueEntryFactory(issue=team.issue)
    stale = Issue.objects.get(pk=team.issue.pk)
    services.publish_issue(team.issue, by=team.editor)

    with pytest.raises(Conflict):
        services.publish_issue(stale, by=team.editor)

    assert list(Issue.objects.values_list("status", "number")) == [(IssueStatus.PUBLISHED, 1)]
    assert IssueTransition.objects.filter(issue=team.issue).count() == 1
