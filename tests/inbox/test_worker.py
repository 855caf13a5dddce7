"""The poll end to end on a real ``celery worker`` on Redis, against the local arXiv stand-in:
"Poll now" queues the task, arXiv answers 503 with a Retry-After first, the worker tries again
and fills the inbox.

Needs PostgreSQL (the worker and the test share one database) and Redis; CI has both.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from inbox import tasks
from inbox.models import Candidate, InboxSettings, Watch
from inbox.services import settings_for
from publications.models import Publication
from tests.factories.inbox import WatchFactory
from tests.inbox.test_polling import on_topic, publish_featured, week_of_submissions
from tests.servers.arxiv_search import ArxivSearchStandIn
from tests.servers.workers import Workers, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_worker_retries_arxiv_unavailable_then_fills_the_inbox(
    queued: None, tmp_path: Path, publication: Publication
) -> None:
    publish_featured(publication)
    settings_for(publication)
    InboxSettings.objects.filter(publication=publication).update(keep_per_poll=5)
    watch = WatchFactory(publication=publication, categories="cs.CL", query="")
    server = ArxivSearchStandIn(
        papers=week_of_submissions(count=120, older=10, now=timezone.now()),
        fail_first=1,
        retry_after="1",
    )
    with server.running():
        workers = Workers(tmp_path, ARXIV_API_URL=server.url)
        workers.start()
        try:
            with transaction.atomic():
                tasks.queue_poll(watch)

            def polled() -> bool:
                return Watch.objects.get(pk=watch.pk).last_polled_at is not None

            assert wait_for(polled, timeout=90), workers.logs()
        finally:
            workers.stop_all()

    assert [r.status for r in server.requests] == [503, 200, 200]
    watch.refresh_from_db()
    assert (watch.last_found, watch.last_kept, watch.last_error) == (120, 5, "")
    found = Candidate.objects.filter(publication=publication).select_related("paper")
    assert len(found) == 5
    assert all(on_topic(candidate.paper) for candidate in found)
