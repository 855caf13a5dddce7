"""End to end on real workers: ``celery worker`` processes on Redis, fetching from a local arXiv
stand-in that replays recorded responses, writing to the test database.

These need PostgreSQL (the worker and the test share one database) and Redis; CI has both.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from papers.models import Paper
from recommendations import services as issue_services
from tests.factories import PublicationFactory, UserFactory
from tests.servers.arxiv import ArxivStandIn, needs_recordings
from tests.servers.workers import Workers, wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    needs_recordings,
]


def _submit(identifier: str) -> Paper:
    recommendation = issue_services.create_recommendation(
        by=UserFactory(),
        publication=PublicationFactory(),
        identifier=identifier,
        summary="Worth reading for its careful experiments.",
    )
    return recommendation.paper


def _status(paper: Paper) -> str:
    paper.refresh_from_db()
    return paper.metadata_status


def test_worker_fills_a_submitted_paper(queued: None, tmp_path: Path) -> None:
    with ArxivStandIn().running() as stand_in:
        workers = Workers(tmp_path, ARXIV_API_URL=stand_in.url)
        workers.start()
        try:
            paper = _submit("https://arxiv.org/pdf/1605.08386v1.pdf")
            assert wait_for(lambda: _status(paper) == "ok"), workers.logs()
        finally:
            workers.stop_all()
    assert paper.title == "Heat-bath random walks with Markov bases"
    assert paper.authorships.count() == 2
    assert [r.ids for r in stand_in.requests] == [["1605.08386"]]


def test_worker_retries_a_failing_server_until_it_recovers(queued: None, tmp_path: Path) -> None:
    with ArxivStandIn(fail_first=2, fail_status=503).running() as stand_in:
        workers = Workers(tmp_path, ARXIV_API_URL=stand_in.url)
        workers.start()
        try:
            paper = _submit("arXiv:1707.08567")
            assert wait_for(lambda: _status(paper) == "ok"), workers.logs()
        finally:
            workers.stop_all()
    assert [r.status for r in stand_in.requests] == [503, 503, 200]
    assert paper.metadata_attempts == 2
    assert paper.metadata_error == ""
    assert paper.authorships.count() == 34


def test_worker_killed_mid_task_is_redone_once_by_another(queued: None, tmp_path: Path) -> None:
    # The first answer is held long enough for the test to kill the worker waiting on it.
    with ArxivStandIn(hold_first=10).running() as stand_in:
        workers = Workers(tmp_path, ARXIV_API_URL=stand_in.url)
        first = workers.start()
        try:
            paper = _submit("astro-ph/0601001")
            assert stand_in.first_request.wait(timeout=60), "the first worker never asked arXiv"
            workers.kill(first)
            assert _status(paper) == "fetching"
            workers.start()
            assert wait_for(lambda: _status(paper) == "ok", timeout=90), workers.logs()
        finally:
            workers.stop_all()
    assert len(stand_in.requests) == 2
    assert Paper.objects.count() == 1
    authors = list(paper.authorships.values_list("position", flat=True))
    assert authors == list(range(1, len(authors) + 1))  # written once, not twice
