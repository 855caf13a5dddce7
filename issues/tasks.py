"""Celery tasks of issues: thin callers of ``issues.services``."""

from __future__ import annotations

from celery import shared_task

from issues import services


@shared_task(name="issues.publish_due_issues", acks_late=True, time_limit=180, soft_time_limit=150)
def task_publish_due_issues() -> list[int]:
    """Publish the scheduled issues whose time has come (run by beat every minute).

    Safe to run twice at once: publishing locks the publication and checks the issue's state,
    so each issue is published once.
    """
    return [issue.pk for issue in services.publish_due_issues()]
