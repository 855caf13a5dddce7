"""What the webhooks hear of: each receiver queues the event after the commit, so that a change
rolled back calls nobody."""

from __future__ import annotations

from typing import Any

from common.queue import enqueue_after_commit
from recommendations.enums import Verdict
from webhooks.enums import EventType
from webhooks.tasks import task_emit_event


def issue_published(sender: Any, issue: Any, **kwargs: Any) -> None:
    enqueue_after_commit(task_emit_event, EventType.ISSUE_PUBLISHED.value, issue.pk)


def issue_corrected(sender: Any, issue: Any, correction: Any, **kwargs: Any) -> None:
    enqueue_after_commit(task_emit_event, EventType.ISSUE_CORRECTED.value, correction.pk)


def recommendation_accepted(sender: Any, recommendation: Any, **kwargs: Any) -> None:
    enqueue_after_commit(
        task_emit_event, EventType.RECOMMENDATION_ACCEPTED.value, recommendation.pk
    )


def recommendation_reviewed(sender: Any, review: Any, **kwargs: Any) -> None:
    # An approval may accept the recommendation (enough reviewers approved); the signal comes
    # before that move, so the task looks at the committed status and emits only an acceptance.
    if review.verdict == Verdict.APPROVE:
        enqueue_after_commit(
            task_emit_event, EventType.RECOMMENDATION_ACCEPTED.value, review.recommendation_id
        )
