"""What members are told when their recommendations move: each receiver queues the mail after
the commit, so that a change rolled back mails nobody."""

from __future__ import annotations

from typing import Any

from common.queue import enqueue_after_commit
from notifications.tasks import (
    task_notify_accepted,
    task_notify_co_credited,
    task_notify_published,
    task_notify_reviewed,
    task_notify_revised,
)


def notify_reviewed(sender: Any, review: Any, **kwargs: Any) -> None:
    enqueue_after_commit(task_notify_reviewed, review.pk)


def notify_accepted(sender: Any, recommendation: Any, **kwargs: Any) -> None:
    enqueue_after_commit(task_notify_accepted, recommendation.pk)


def notify_published(sender: Any, issue: Any, **kwargs: Any) -> None:
    enqueue_after_commit(task_notify_published, issue.pk)


def notify_revised(sender: Any, transition: Any, **kwargs: Any) -> None:
    enqueue_after_commit(task_notify_revised, transition.pk)


def notify_co_credited(sender: Any, transition: Any, **kwargs: Any) -> None:
    enqueue_after_commit(task_notify_co_credited, transition.pk)
