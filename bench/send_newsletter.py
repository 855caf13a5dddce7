"""Benchmark: send one published issue to N confirmed subscribers over a local SMTP server.

Prints the messages the server received, the time, the rate, the queries per batch, and how many
copies the busiest address got (the goal: exactly 1 each, also with the sending task run twice).

    .venv/bin/python bench/send_newsletter.py --subscribers 2000 --batch 100

It uses a throwaway SQLite database unless DATABASE_URL is set, and never the network.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100, help="NEWSLETTER_BATCH_SIZE")
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="weekly-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ["NEWSLETTER_BATCH_SIZE"] = str(args.batch)
    os.environ.pop("REDIS_URL", None)  # tasks in-process: the figures are the service's own
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weekly.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from issues.services import create_issue, publish_issue, schedule_recommendation
    from newsletter import services, tasks
    from newsletter.enums import SubscriberStatus
    from newsletter.models import Subscriber
    from papers.models import Paper
    from publications.enums import TeamRole
    from publications.services import create_publication, grant_role
    from recommendations.enums import RecommendationStatus
    from recommendations.models import Recommendation
    from tests.servers.smtp import smtp_server

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.create(username=f"bench-editor-{time.time_ns()}")
    publication = create_publication(slug=f"bench-{time.time_ns()}", name="Bench Weekly")
    grant_role(editor, role=TeamRole.EDITOR, publication=publication)
    issue = create_issue(publication, by=editor, title="Benchmark issue")
    for n in range(10):
        paper = Paper.objects.create(arxiv_id=f"2402.{time.time_ns() % 10**5:05d}{n}"[:10])
        recommendation = Recommendation.objects.create(
            publication=publication,
            paper=paper,
            summary=f"Paper {n}: **why** it matters.",
            submitter=editor,
            status=RecommendationStatus.ACCEPTED,
            decided_at=timezone.now(),
        )
        schedule_recommendation(recommendation, issue=issue, by=editor)
    now = timezone.now()
    Subscriber.objects.bulk_create(
        Subscriber(
            publication=publication,
            email=f"reader{n}@example.org",
            status=SubscriberStatus.CONFIRMED,
            confirmed_at=now,
        )
        for n in range(args.subscribers)
    )
    # Published without its after-commit sending, so that the sending is measured on its own.
    with mock.patch.object(services, "request_issue_newsletter"):
        publish_issue(issue, by=editor)

    with smtp_server() as (sink, controller):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        with CaptureQueriesContext(connection) as one_batch:
            services.queue_issue_newsletter(issue)
            services.send_newsletter_batch(issue)
        started = time.monotonic()
        tasks.task_send_newsletter_batch(issue.pk)
        tasks.task_send_issue_newsletter(issue.pk)  # and again, as a retry would
        elapsed = time.monotonic() - started
        received = Counter(r for message in sink.received for r in message.recipients)

    sent = sum(received.values())
    print(f"subscribers        {args.subscribers}")
    print(f"batch size         {args.batch}")
    print(f"messages received  {sent}")
    print(f"most copies to one {max(received.values())}")
    print(f"seconds            {elapsed:.2f} (after the first batch)")
    print(f"messages/second    {(sent - args.batch) / elapsed:.0f}")
    print(f"queries, 1 batch   {len(one_batch)} (queueing included)")


if __name__ == "__main__":
    main()
