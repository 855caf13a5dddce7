"""Tests of recommendations.services.revision: the publication's team polishes what an entry will
show, from submission until publication; each edit is recorded, told to the submitter, and is
what the issue publishes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from common.exceptions import InvalidInput, InvalidTransition, NotAllowed
from issues.exports import issue_markdown
from issues.selectors import issue_contents
from issues.services import create_issue, publish_issue, schedule_recommendation
from notifications import tasks
from notifications.models import Notification
from publications.models import Publication, Topic
from recommendations.enums import RecommendationAction, RecommendationStatus, Verdict
from recommendations.models import Recommendation, Transition
from recommendations.services import (
    accept_recommendation,
    may_revise,
    review_recommendation,
    revise_recommendation,
)
from tests.factories import (
    AuthorFactory,
    MembershipFactory,
    PaperFactory,
    RecommendationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Rec = RecommendationStatus
Run = Callable[..., Any]


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks: Run) -> Run:
    def run(service: Run, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return service(*args, **kwargs)

    return run


@pytest.fixture
def submitted(publication: Publication, contributor: Any) -> Recommendation:
    paper = PaperFactory(title="Dense Passage Retrieval")
    for position, name in enumerate(["Vladimir Karpukhin", "Barlas Oğuz", "Sewon Min"]):
        paper.authorships.create(author=AuthorFactory(name=name), position=position)
    return RecommendationFactory(publication=publication, submitter=contributor, paper=paper)


def _audit(recommendation: Recommendation) -> list[Transition]:
    return list(recommendation.transitions.filter(action=RecommendationAction.REVISE))


def test_a_reviewer_polishes_the_entry_and_each_change_is_recorded(
    submitted: Recommendation, reviewer: Any
) -> None:
    old_summary = submitted.summary
    revise_recommendation(
        submitted,
        by=reviewer,
        summary="  提出稠密段落检索。\r\n\r\nIt beats BM25.  ",
        shown_authors="Vladimir Karpukhin \r\n\r\n  Barlas Oğuz\r\n",
        subject_zh="段落检索",
        subject_en="passage retrieval",
        paper_url="https://www.aminer.cn/pub/5e8d92b69fced0a24b5d3a30",
    )

    submitted.refresh_from_db()
    assert submitted.summary == "提出稠密段落检索。\n\nIt beats BM25."
    assert submitted.shown_authors == "Vladimir Karpukhin\nBarlas Oğuz"
    assert (submitted.subject_zh, submitted.subject_en) == ("段落检索", "passage retrieval")
    assert submitted.status == Rec.SUBMITTED
    assert submitted.review_round == 1
    (row,) = _audit(submitted)
    assert (row.actor, row.from_status, row.to_status) == (reviewer, Rec.SUBMITTED, Rec.SUBMITTED)
    assert {change["field"] for change in row.changes} == {
        "summary",
        "shown_authors",
        "subject_zh",
        "subject_en",
        "paper_url",
    }
    summary_change = next(c for c in row.changes if c["field"] == "summary")
    assert summary_change == {
        "field": "summary",
        "old": old_summary,
        "new": "提出稠密段落检索。\n\nIt beats BM25.",
    }


def test_an_edit_of_the_team_keeps_the_round_and_its_approvals(
    publication: Publication, submitted: Recommendation, reviewer: Any
) -> None:
    publication.approvals_required = 2
    publication.save()
    review_recommendation(submitted, by=reviewer, verdict=Verdict.APPROVE, review_round=1)
    other = UserFactory()
    MembershipFactory(publication=publication, user=other, role="reviewer")

    revise_recommendation(submitted, by=other, summary="A clearer summary by the team.")
    review_recommendation(submitted, by=other, verdict=Verdict.APPROVE, review_round=1)

    submitted.refresh_from_db()
    assert submitted.review_round == 1
    assert submitted.status == Rec.ACCEPTED


@pytest.mark.parametrize("status", [Rec.SUBMITTED, Rec.CHANGES_REQUESTED, Rec.ACCEPTED])
def test_the_team_may_edit_from_submission_until_publication(
    publication: Publication, editor: Any, status: str
) -> None:
    recommendation = RecommendationFactory(publication=publication, status=status)
    assert may_revise(recommendation, by=editor)
    revise_recommendation(recommendation, by=editor, title_zh="稠密段落检索")
    recommendation.refresh_from_db()
    assert recommendation.title_zh == "稠密段落检索"


def test_a_scheduled_entry_is_edited_and_the_issue_publishes_the_edit(
    publication: Publication, submitted: Recommendation, editor: Any
) -> None:
    accept_recommendation(submitted, by=editor)
    issue = create_issue(publication, by=editor, title="第 1 期")
    schedule_recommendation(submitted, issue=issue, by=editor)
    submitted.refresh_from_db()
    revise_recommendation(
        submitted,
        by=editor,
        shown_authors="Vladimir Karpukhin\nBarlas Oğuz\n等",
        shown_institutions="脸书\n华盛顿大学",
        paper_url="https://www.aminer.cn/pub/5e8d92b69fced0a24b5d3a30",
    )
    # Before publication the builder and the preview show the edit already.
    (content,) = issue_contents(issue)
    assert content.authors == ["Vladimir Karpukhin", "Barlas Oğuz", "等"]

    publish_issue(issue, by=editor)
    entry = issue.entries.get()
    assert entry.shown_authors == "Vladimir Karpukhin\nBarlas Oğuz\n等"
    # Frozen in both languages where the glossary knows the institution, as typed elsewhere.
    assert entry.shown_institutions == "脸书\n华盛顿大学 | UW"
    assert entry.shown_url == "https://www.aminer.cn/pub/5e8d92b69fced0a24b5d3a30"
    issue.refresh_from_db()
    markdown = issue_markdown(issue, issue_contents(issue))
    assert "https://www.aminer.cn/pub/5e8d92b69fced0a24b5d3a30" in markdown
    assert "脸书" in markdown


@pytest.mark.parametrize("status", [Rec.DRAFT, Rec.PUBLISHED, Rec.REJECTED, Rec.WITHDRAWN])
def test_an_entry_outside_submission_and_publication_is_not_edited(
    publication: Publication, editor: Any, status: str
) -> None:
    recommendation = RecommendationFactory(publication=publication, status=status)
    before = recommendation.summary
    assert not may_revise(recommendation, by=editor)
    with pytest.raises(InvalidTransition) as refused:
        revise_recommendation(recommendation, by=editor, summary=before)
    assert refused.value.code == "cannot_revise"
    recommendation.refresh_from_db()
    assert recommendation.summary == before
    assert not _audit(recommendation)


def test_only_the_publications_team_edits_its_entries(
    submitted: Recommendation, contributor: Any, other_publication: Publication
) -> None:
    outsider = UserFactory()
    other_editor = UserFactory()
    MembershipFactory(publication=other_publication, user=other_editor, role="editor")
    for member in (contributor, outsider, other_editor):
        with pytest.raises(NotAllowed):
            revise_recommendation(submitted, by=member, summary="Taken over.")
    submitted.refresh_from_db()
    assert submitted.summary != "Taken over."
    assert not _audit(submitted)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("paper_url", "javascript:alert(1)"),
        ("code_url", "ftp://example.org/code"),
        ("subject_zh", "短语\n检索"),
        ("subject_en", "x" * 61),
        ("shown_authors", "A\x00B"),
        ("shown_authors", "\n".join(f"Author {n}" for n in range(201))),
        ("summary", ""),
        ("status", "published"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    submitted: Recommendation, reviewer: Any, field: str, value: str
) -> None:
    before = Recommendation.objects.filter(pk=submitted.pk).values().get()
    with pytest.raises(InvalidInput):
        revise_recommendation(submitted, by=reviewer, **{field: value})
    assert Recommendation.objects.filter(pk=submitted.pk).values().get() == before
    assert not _audit(submitted)


def test_a_news_item_has_no_paper_to_show(publication: Publication, reviewer: Any) -> None:
    news = RecommendationFactory(publication=publication, news=True)
    with pytest.raises(InvalidInput) as refused:
        revise_recommendation(news, by=reviewer, shown_authors="Somebody")
    assert refused.value.field == "shown_authors"
    revise_recommendation(news, by=reviewer, news_title="A better headline")
    news.refresh_from_db()
    assert news.news_title == "A better headline"


def test_a_save_that_changes_nothing_writes_nothing(
    submitted: Recommendation, reviewer: Any, after_commit: Run
) -> None:
    topic = Topic.objects.create(
        publication=submitted.publication, slug="retrieval", name_en="Retrieval", name_zh="检索"
    )
    revise_recommendation(submitted, by=reviewer, topic=topic)
    mail.outbox.clear()
    after_commit(
        revise_recommendation,
        submitted,
        by=reviewer,
        summary=submitted.summary.replace("\n", "\r\n") + "  \r\n",
        topic=topic,
    )
    assert len(_audit(submitted)) == 1
    assert mail.outbox == []


def test_the_submitter_is_told_who_changed_what_once(
    submitted: Recommendation, reviewer: Any, contributor: Any, after_commit: Run
) -> None:
    after_commit(
        revise_recommendation,
        submitted,
        by=reviewer,
        summary="The team's summary.",
        subject_zh="段落检索",
    )
    (message,) = mail.outbox
    assert message.to == [contributor.email]
    assert submitted.display_title in message.subject
    assert reviewer.public_name in message.body
    assert "Summary" in message.body
    assert "Subject (Chinese)" in message.body
    assert f"/en/submissions/{submitted.pk}/" in message.body
    (row,) = _audit(submitted)
    assert Notification.objects.get(transition=row).kind == Notification.Kind.REVISED

    # A retried task sends nothing more.
    assert tasks.task_notify_revised(row.pk) is False
    assert len(mail.outbox) == 1


def test_a_member_of_the_team_editing_their_own_entry_is_not_told(
    publication: Publication, editor: Any, after_commit: Run
) -> None:
    own = RecommendationFactory(publication=publication, submitter=editor)
    after_commit(revise_recommendation, own, by=editor, summary="My own words, polished.")
    assert mail.outbox == []
    assert not Notification.objects.exists()
