"""A planned recommendation's rows: the recommendation itself, its reviews, and the audit trail
(``Transition``) the services would have written on its way to its state."""

from __future__ import annotations

import datetime as dt

from demo.load import words
from demo.load.context import END, Load
from demo.load.plan import RecPlan
from papers.models import Paper
from recommendations.enums import (
    RecommendationAction,
    RecommendationKind,
    RecommendationStatus,
    Verdict,
)
from recommendations.models import Recommendation, Review, Transition

_R = RecommendationStatus
_A = RecommendationAction
#: One audit row before it is a ``Transition``: actor id, action, from, to, note, when.
Step = tuple[int, str, str, str, str, dt.datetime]


def recommendation_row(load: Load, rec: RecPlan, *, paper: Paper | None, summary: str) -> tuple:
    last = rec.issue.published if rec.status == _R.PUBLISHED else None
    title, url = (rec.news[0], rec.news[1]) if rec.news else ("", "")
    return load.writer.row(
        Recommendation,
        id=rec.id,
        publication_id=load.publications[rec.pub].id,
        kind=RecommendationKind.NEWS if rec.news else RecommendationKind.PAPER,
        paper_id=paper.id if paper else None,
        news_title=title,
        news_url=url,
        summary=summary,
        title_zh=rec.title_zh,
        topic_id=None if rec.news else load.publication_topics[rec.pub][rec.topic].id,
        submitter_id=load.users[rec.submitter].id,
        status=rec.status,
        created_at=rec.created,
        updated_at=last or rec.scheduled or rec.decided or rec.submitted or rec.created,
        submitted_at=None if rec.status == _R.DRAFT else rec.submitted,
        decided_at=rec.decided if rec.status not in (_R.SUBMITTED, _R.DRAFT) else None,
        review_round=review_round(rec),
    )


def review_round(rec: RecPlan) -> int:
    """The review round ``rec`` ends in: the second when it was resubmitted."""
    return 2 if rec.changes and rec.status not in (_R.DRAFT, _R.CHANGES_REQUESTED) else 1


def history(load: Load, rec: RecPlan, reviews: list[tuple]) -> list[tuple]:
    """The audit rows the services would have written for ``rec``; its reviews go to ``reviews``.

    Call it before ``recommendation_row``: a resubmission moves ``rec.submitted``.
    """
    submitter = load.users[rec.submitter].id
    steps: list[Step] = [(submitter, _A.CREATE, "", _R.DRAFT, "", rec.created)]
    if rec.status != _R.DRAFT:
        steps.append((submitter, _A.SUBMIT, _R.DRAFT, _R.SUBMITTED, "", rec.submitted))
        reviewer = load.users[load.reviewer(rec.pub, rec.submitter)].id
        if _changes_requested(load, rec, reviewer, steps, reviews):
            _decision(load, rec, reviewer, steps, reviews)
    return [
        load.writer.row(
            Transition,
            recommendation_id=rec.id,
            actor_id=actor,
            action=action,
            from_status=from_status,
            to_status=to_status,
            note=note,
            created_at=when,
        )
        for actor, action, from_status, to_status, note, when in steps
    ]


def _changes_requested(
    load: Load, rec: RecPlan, reviewer: int, steps: list[Step], reviews: list[tuple]
) -> bool:
    """The first round's request for changes and the resubmission, when ``rec`` had them.

    False when ``rec`` waits for its changes still: nothing follows.
    """
    if not (rec.changes or rec.status == _R.CHANGES_REQUESTED):
        return True
    submitter = load.users[rec.submitter].id
    end = rec.decided or END
    asked = rec.submitted + (end - rec.submitted) * 0.3
    comment = load.rng.choice(words.REVIEW_COMMENTS[Verdict.REQUEST_CHANGES])
    reviews.append(_review(load, rec, reviewer, Verdict.REQUEST_CHANGES, comment, asked, round_=1))
    steps.append((reviewer, _A.REQUEST_CHANGES, _R.SUBMITTED, _R.CHANGES_REQUESTED, comment,
                  asked))  # fmt: skip
    if rec.status == _R.CHANGES_REQUESTED:
        return False
    resubmitted = rec.submitted + (end - rec.submitted) * 0.5
    steps.append((submitter, _A.SUBMIT, _R.CHANGES_REQUESTED, _R.SUBMITTED, "", resubmitted))
    rec.submitted = resubmitted
    return True


def _decision(
    load: Load, rec: RecPlan, reviewer: int, steps: list[Step], reviews: list[tuple]
) -> None:
    """How the review ended: withdrawn, rejected, or accepted and then scheduled and published."""
    submitter = load.users[rec.submitter].id
    if rec.status == _R.SUBMITTED:
        return
    if rec.status == _R.WITHDRAWN:
        steps.append((submitter, _A.WITHDRAW, _R.SUBMITTED, _R.WITHDRAWN, "", rec.decided))
        return
    if rec.status == _R.REJECTED:
        comment = load.rng.choice(words.REVIEW_COMMENTS[Verdict.REJECT])
        reviews.append(_review(load, rec, reviewer, Verdict.REJECT, comment, rec.decided))
        steps.append((reviewer, _A.REJECT, _R.SUBMITTED, _R.REJECTED, comment, rec.decided))
        return
    if rec.news:  # news items are accepted by an editor, without a review
        editor = load.users[load.editor(rec.pub, rec.submitter)].id
        steps.append((editor, _A.ACCEPT, _R.SUBMITTED, _R.ACCEPTED, "", rec.decided))
    else:
        comment = load.rng.choice(words.REVIEW_COMMENTS[Verdict.APPROVE])
        reviews.append(_review(load, rec, reviewer, Verdict.APPROVE, comment, rec.decided))
        steps.append((reviewer, _A.APPROVE, _R.SUBMITTED, _R.ACCEPTED, comment, rec.decided))
    if rec.status in (_R.SCHEDULED, _R.PUBLISHED):
        _scheduled(load, rec, steps)


def _scheduled(load: Load, rec: RecPlan, steps: list[Step]) -> None:
    """Scheduled into its issue by the issue's editor, and published with it."""
    editor = load.users[rec.issue.editor].id
    steps.append((editor, _A.SCHEDULE, _R.ACCEPTED, _R.SCHEDULED, f"Into issue {rec.issue.id}",
                  rec.scheduled))  # fmt: skip
    if rec.status == _R.PUBLISHED:
        steps.append((editor, _A.PUBLISH, _R.SCHEDULED, _R.PUBLISHED,
                       f"In issue #{rec.issue.number}", rec.issue.published))  # fmt: skip


def _review(
    load: Load,
    rec: RecPlan,
    reviewer: int,
    verdict: str,
    comment: str,
    when: dt.datetime,
    *,
    round_: int | None = None,
) -> tuple:
    return load.writer.row(
        Review,
        recommendation_id=rec.id,
        reviewer_id=reviewer,
        verdict=verdict,
        comment=comment,
        round=round_ or review_round(rec),
        created_at=when,
    )
