"""The whole stack as deployed, without Docker: gunicorn, a Celery worker and beat as separate
processes with production settings, on PostgreSQL and Redis, driven through HTTP only.

A member submits a paper, the worker fetches its metadata from a local arXiv stand-in, a reviewer
approves, an editor accepts, assembles and publishes, and a reader gets the issue and the feed.
Along the way the health endpoint and the JSON logs are checked the way an operator reads them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from contributors import services as member_services
from publications import services as issue_services
from tests.factories import PublicationFactory, UserFactory
from tests.servers.arxiv import ArxivStandIn, needs_recordings
from tests.servers.stack import Stack
from tests.servers.workers import wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    needs_recordings,
]

TITLE = "Heat-bath random walks with Markov bases"


def _json_lines(log: str) -> list[dict[str, Any]]:
    lines = []
    for line in log.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def _token(user: Any) -> dict[str, str]:
    return {"Authorization": f"Token {member_services.get_api_token(user).key}"}


def test_stack_runs_the_whole_flow_over_http(queued: None, tmp_path: Path) -> None:
    publication = PublicationFactory(slug="smoke-weekly")
    member, reviewer, editor = UserFactory(), UserFactory(), UserFactory()
    issue_services.grant_role(reviewer, role="reviewer", publication=publication)
    issue_services.grant_role(editor, role="editor", publication=publication)

    with ArxivStandIn().running() as arxiv:
        stack = Stack(tmp_path, ARXIV_API_URL=arxiv.url)
        stack.start()
        # What a TLS-terminating proxy in front of gunicorn adds to every request.
        proxy = {"X-Forwarded-Proto": "https"}
        try:
            with httpx.Client(base_url=stack.url, headers=proxy, timeout=10) as web:

                def up() -> bool:
                    try:
                        return web.get("/healthz/live").status_code == 200
                    except httpx.TransportError:
                        return False

                assert wait_for(up), stack.logs()
                health = web.get("/healthz")
                assert health.status_code == 200, health.text
                assert health.json()["checks"].keys() == {"database", "cache", "broker", "static"}
                assert all(check["ok"] for check in health.json()["checks"].values())

                submitted = web.post(
                    "/api/v1/recommendations/",
                    headers={**_token(member), "X-Request-ID": "smoke-submit-1"},
                    json={
                        "publication": publication.slug,
                        "identifier": "https://arxiv.org/abs/1605.08386v1",
                        "summary": "A **clear** account of moves between lattice points.",
                    },
                )
                assert submitted.status_code == 201, submitted.text
                assert submitted.headers["X-Request-ID"] == "smoke-submit-1"
                recommendation = submitted.json()
                paper_url = f"/api/v1/papers/{recommendation['paper']['id']}/"

                def fetched() -> bool:
                    return web.get(paper_url).json()["metadata"]["status"] == "ok"

                assert wait_for(fetched), stack.logs()
                assert web.get(paper_url).json()["title"] == TITLE

                reviewed = web.post(
                    f"/api/v1/recommendations/{recommendation['id']}/reviews/",
                    headers=_token(reviewer),
                    json={"verdict": "approve", "comment": "Solid."},
                )
                assert reviewed.status_code == 201, reviewed.text
                # One approval is enough in this publication: the review accepts it.
                status = web.get(
                    f"/api/v1/recommendations/{recommendation['id']}/", headers=_token(member)
                ).json()["status"]
                assert status == "accepted"
                editor_auth = _token(editor)
                draft = web.post(
                    f"/api/v1/publications/{publication.slug}/issues/",
                    headers=editor_auth,
                    json={"title": "Walks and bases"},
                )
                assert draft.status_code == 201, draft.text
                issue_id = draft.json()["id"]
                assembled = web.post(f"/api/v1/issues/{issue_id}/assemble/", headers=editor_auth)
                assert assembled.status_code == 200, assembled.text
                published = web.post(
                    f"/api/v1/issues/{issue_id}/publish/", headers=editor_auth, json={}
                )
                assert published.status_code == 200, published.text
                assert published.json()["number"] == 1

                page = web.get(f"/en/p/{publication.slug}/1/")
                assert page.status_code == 200
                assert TITLE in page.text
                assert "Walks and bases" in page.text
                feed = web.get(f"/en/p/{publication.slug}/feed/rss/")
                assert feed.status_code == 200
                assert TITLE in feed.text
                # Production answers plain HTTP (no proxy header) with the HTTPS redirect ...
                plain = httpx.get(f"{stack.url}/", follow_redirects=False)
                assert plain.status_code == 301
                assert plain.headers["Location"].startswith("https://")
                assert "max-age" in page.headers["Strict-Transport-Security"]
                # ... but a probe on the bare address still gets its answer.
                probe = httpx.get(f"http://localhost:{stack.port}/healthz/live")
                assert probe.status_code == 200

            assert stack.alive("beat"), stack.logs()
            assert stack.alive("worker"), stack.logs()
        finally:
            stack.stop()

    requests = [
        line for line in _json_lines(stack.log("web")) if line["logger"] == "weekly.request"
    ]
    submit_line = next(line for line in requests if line["request_id"] == "smoke-submit-1")
    assert submit_line["method"] == "POST"
    assert submit_line["path"] == "/api/v1/recommendations/"
    assert submit_line["status"] == 201
    assert submit_line["user"] == member.username
    assert submit_line["duration_ms"] > 0
    assert {line["status"] for line in requests} >= {200, 201, 301}
    tasks = [line for line in _json_lines(stack.log("worker")) if line["logger"] == "weekly.task"]
    fetch = [
        line for line in tasks if line["task"].startswith("papers.") and "fetch" in line["task"]
    ]
    assert fetch, stack.log("worker")
    # The fetch the submission enqueued carries the submission's request id.
    assert any(line["request_id"] == "smoke-submit-1" for line in fetch), fetch
    assert all(line["state"] == "SUCCESS" for line in fetch)
    assert "beat: Starting" in stack.log("beat")
