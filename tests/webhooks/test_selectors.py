"""The webhooks' reads (``webhooks/selectors.py``): an issue's deliveries for the panel."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from issues import progress
from publications.models import Publication
from tests.factories import IssueFactory
from tests.webhooks.conftest import make_endpoint
from webhooks.models import Attempt, Delivery, Event
from webhooks.selectors import desk_link, issue_webhook_progress

pytestmark = pytest.mark.django_db


def test_issue_progress_counts_its_deliveries(publication: Publication, editor: Any) -> None:
    issue = IssueFactory(publication=publication, published=True, number=1)
    assert issue_webhook_progress(issue) is None
    one = make_endpoint(publication, editor, "https://a.example.org/")
    two = make_endpoint(publication, editor, "https://b.example.org/")
    event = Event.objects.create(
        publication=publication, type="issue.published", key="k", issue=issue, payload="{}"
    )
    done = Delivery.objects.create(event=event, endpoint=one, status="delivered", attempts=1)
    Attempt.objects.create(delivery=done, number=1, started_at=timezone.now(), status_code=204)
    Delivery.objects.create(event=event, endpoint=two, status="pending")
    found = issue_webhook_progress(issue)
    assert found is not None
    assert {c.key: c.value for c in found.counts} == {"delivered": 1, "failed": 0, "pending": 1}
    assert found.done is False
    assert [(line.state, line.label) for line in found.lines] == [
        ("delivered", "issue.published → https://a.example.org/"),
        ("pending", "issue.published → https://b.example.org/"),
    ]
    assert "204" in found.lines[0].detail
    assert issue_webhook_progress in progress._providers


def test_desk_link_offers_the_webhooks_page_to_the_publications_editors_only(
    publication: Publication, editor: Any, reviewer: Any
) -> None:
    link = desk_link(publication, editor)
    assert link is not None
    assert (link.label, link.url) == ("Webhooks", f"/en/editor/p/{publication.slug}/webhooks/")
    assert desk_link(publication, reviewer) is None
