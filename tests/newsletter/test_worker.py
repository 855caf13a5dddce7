"""The newsletter end to end on real workers: publishing enqueues the sending on Redis, two
``celery worker`` processes send batches side by side to a local SMTP server, and the sending
task enqueued again changes nothing: one copy per subscriber.

These need PostgreSQL (the workers and the test share one database) and Redis; CI has both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from issues import services as issue_services
from newsletter import tasks
from newsletter.enums import DeliveryStatus
from newsletter.models import Delivery
from recommendations.enums import RecommendationStatus
from tests.factories import (
    MembershipFactory,
    PublicationFactory,
    RecommendationFactory,
    SubscriberFactory,
)
from tests.servers.smtp import smtp_server
from tests.servers.workers import Workers, wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def test_workers_mail_each_subscriber_once(queued: None, tmp_path: Path) -> None:
    publication = PublicationFactory()
    editor = MembershipFactory(publication=publication, role="editor").user
    subscribers = SubscriberFactory.create_batch(25, publication=publication)
    issue = issue_services.create_issue(publication, by=editor, title="On real workers")
    recommendation = RecommendationFactory(
        publication=publication, status=RecommendationStatus.ACCEPTED
    )
    issue_services.schedule_recommendation(recommendation, issue=issue, by=editor)

    with smtp_server() as (sink, controller):
        workers = Workers(
            tmp_path,
            EMAIL_URL=f"smtp://127.0.0.1:{controller.port}",
            NEWSLETTER_BATCH_SIZE="4",
            NEWSLETTER_PARALLEL="3",
        )
        workers.start()
        workers.start()
        try:
            issue_services.publish_issue(issue, by=editor)  # commits: enqueues the sending
            tasks.task_send_issue_newsletter.delay(issue.pk)  # and once more, as a retry would

            def all_sent() -> Any:
                return (
                    Delivery.objects.filter(issue=issue, status=DeliveryStatus.SENT).count() == 25
                )

            assert wait_for(all_sent, timeout=90), workers.logs()
            tasks.task_send_issue_newsletter.delay(issue.pk)
            tasks.task_resume_newsletters.delay()
            # Let the late tasks run out before counting what arrived.
            assert wait_for(lambda: not _busy(), timeout=30), workers.logs()
        finally:
            workers.stop_all()

    issue_mails = [r for r in sink.received if r.message["Subject"].startswith(publication.name)]
    recipients = sorted(r for received in issue_mails for r in received.recipients)
    assert recipients == sorted(s.email for s in subscribers)
    # And the member whose recommendation is in it was told once, by the same workers.
    told = [r.recipients for r in sink.received if r not in issue_mails]
    assert told == [[recommendation.submitter.email]]
    assert Delivery.objects.filter(issue=issue).count() == 25


def _busy() -> bool:
    from weekly.celery import app

    inspect = app.control.inspect(timeout=1.0)
    active = inspect.active() or {}
    reserved = inspect.reserved() or {}
    return any(active.values()) or any(reserved.values())
