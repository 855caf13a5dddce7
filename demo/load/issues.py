"""The issues, published and draft, with their audit rows, and the news items they carry.

An issue's title, intros and credit lines come from ``issues.drafting``, as assembling writes
them; the papers' entries are written with the papers (``catalogue.write_papers``).
"""

from __future__ import annotations

from demo.load.context import Load
from demo.load.plan import IssuePlan, PaperPlan, RecPlan
from demo.load.recommendations import history, recommendation_row
from issues import drafting
from issues.enums import IssueAction, IssueStatus, Section
from issues.models import Issue, IssueEntry, IssueTransition
from issues.selectors import EntryContent
from recommendations.models import Recommendation, Review, Transition


def write_issues(load: Load) -> None:
    """Every planned issue, ids included, with its creation (and publication) in the audit log."""
    all_issues = load.issues + load.drafts
    for iid, issue in zip(load.writer.ids(Issue, len(all_issues)), all_issues, strict=True):
        issue.id = iid
    rows, transitions = [], []
    for issue in all_issues:
        rows.append(_issue(load, issue))
        transitions += _transitions(load, issue)
    load.writer.insert_objects(Issue, rows)
    load.writer.insert(IssueTransition, transitions)


def _issue(load: Load, issue: IssuePlan) -> Issue:
    contents = [_content(load, rec, paper) for rec, paper in _ordered(issue)]
    texts = drafting.draft_texts(contents)
    return Issue(
        id=issue.id,
        publication=load.publications[issue.pub],
        number=issue.number,
        status=IssueStatus.PUBLISHED if issue.published is not None else IssueStatus.DRAFT,
        title=texts.title,
        intro_zh=texts.intro_zh,
        intro_en=texts.intro_en,
        credits=texts.credits,
        published_at=issue.published,
        created_by=load.users[issue.editor],
        created_at=issue.created,
        updated_at=issue.published or issue.created,
    )


def _transitions(load: Load, issue: IssuePlan) -> list[tuple]:
    editor = load.users[issue.editor]
    rows = [
        load.writer.row(
            IssueTransition,
            issue_id=issue.id,
            actor_id=editor.id,
            action=IssueAction.CREATE,
            from_status="",
            to_status=IssueStatus.DRAFT,
            created_at=issue.created,
        )
    ]
    if issue.published is not None:
        rows.append(
            load.writer.row(
                IssueTransition,
                issue_id=issue.id,
                actor_id=editor.id,
                action=IssueAction.PUBLISH,
                from_status=IssueStatus.DRAFT,
                to_status=IssueStatus.PUBLISHED,
                created_at=issue.published,
            )
        )
    return rows


def _ordered(issue: IssuePlan) -> list[tuple[RecPlan, PaperPlan | None]]:
    return sorted(issue.entries, key=lambda e: (e[0].news is not None, e[0].position))


def _content(load: Load, rec: RecPlan, paper: PaperPlan | None) -> EntryContent:
    """What an entry shows, enough for ``drafting`` (authors are not needed there)."""
    news = rec.news
    return EntryContent(
        entry=None,
        section=Section.NEWS if news else Section.PAPERS,
        title=news[0] if news else paper.title,
        title_zh="" if news else rec.title_zh or paper.title_zh,
        authors=[],
        institutions=[],
        summary="",
        code_url="",
        url="",
        contributor=load.users[rec.submitter],
        topic=None if news else load.publication_topics[rec.pub][rec.topic],
    )


def write_news(load: Load) -> None:
    """The published issues' news items: their recommendations, audit rows and entries."""
    recs, entries, reviews, transitions = [], [], [], []
    news = [rec for issue in load.issues for rec, paper in issue.entries if paper is None]
    for rid, rec in zip(load.writer.ids(Recommendation, len(news)), news, strict=True):
        rec.id = rid
        title, url, summary = rec.news
        transitions += history(load, rec, reviews)
        recs.append(recommendation_row(load, rec, paper=None, summary=summary))
        entries.append(
            load.writer.row(
                IssueEntry,
                issue_id=rec.issue.id,
                recommendation_id=rec.id,
                paper_id=None,
                section=Section.NEWS,
                position=rec.position,
                shown_title=title,
                shown_summary=summary,
                shown_url=url,
            )
        )
    load.writer.insert(Recommendation, recs)
    load.writer.insert(Review, reviews)
    load.writer.insert(IssueEntry, entries)
    load.writer.insert(Transition, transitions)
