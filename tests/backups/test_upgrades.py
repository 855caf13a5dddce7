"""Moving a site from before the editorial app was split to after (backups.upgrades).

``data/demo-before-house-split.json`` is what ``export_data`` wrote for the demo site
(``seed_demo``, with a correction, a subscriber, a delivery and an API token added) when
publications, recommendations, issues and notifications were one app with the old migrations.
Imported now, every row lands in the app that holds it, and the site answers as before.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from backups import data, upgrades
from contributors.models import User
from issues.models import Correction, Issue, IssueEntry, IssueTransition
from newsletter.models import Delivery, Subscriber
from notifications.models import Notification
from papers.models import Paper
from publications.models import Membership, Publication
from recommendations.models import Recommendation, Review, Transition

BEFORE = Path(__file__).parent / "data" / "demo-before-house-split.json"

pytestmark = pytest.mark.django_db


@pytest.fixture
def before() -> dict[str, Any]:
    return json.loads(BEFORE.read_text(encoding="utf-8"))


def _import() -> str:
    out = StringIO()
    call_command("import_data", str(BEFORE), stdout=out)
    return out.getvalue()


def test_the_old_schema_is_the_one_upgrade_known(before: dict[str, Any]) -> None:
    assert before["schema"] == upgrades.BEFORE_SPLIT
    assert upgrades.upgrade_for(before["schema"]) is not None
    assert upgrades.upgrade_for(data.schema()) is None
    assert upgrades.upgrade_for({**before["schema"], "issues": ["0006_paper_search_extra"]}) is None


def test_every_row_lands_in_the_app_that_holds_it_now(before: dict[str, Any]) -> None:
    _import()

    counts = before["counts"]
    moved = {
        Publication: "issues.publication",
        Membership: "issues.membership",
        Recommendation: "issues.recommendation",
        Review: "issues.review",
        Issue: "issues.issue",
        IssueEntry: "issues.issueentry",
        Correction: "issues.correction",
        Notification: "issues.notification",
        User: "contributors.user",
        Paper: "papers.paper",
        Subscriber: "newsletter.subscriber",
        Delivery: "newsletter.delivery",
        Token: "authtoken.token",
    }
    assert {label: model.objects.count() for model, label in moved.items()} == {
        label: counts[label] for label in moved.values()
    }
    assert all(counts[label] for label in moved.values()), "the file has rows of each"


def test_the_audit_trail_is_cut_in_two_row_by_row(before: dict[str, Any]) -> None:
    _import()

    rows = {row["pk"]: row["fields"] for row in before["models"]["issues.transition"]}
    of_issues = {pk for pk, fields in rows.items() if fields["issue"] is not None}
    assert of_issues
    assert len(of_issues) < len(rows)
    assert set(IssueTransition.objects.values_list("pk", flat=True)) == of_issues
    assert set(Transition.objects.values_list("pk", flat=True)) == set(rows) - of_issues
    for transition in IssueTransition.objects.all():
        old = rows[transition.pk]
        assert (transition.issue_id, transition.action, transition.to_status) == (
            old["issue"],
            old["action"],
            old["to_status"],
        )
    for transition in Transition.objects.all():
        old = rows[transition.pk]
        assert (transition.recommendation_id, transition.action, transition.changes) == (
            old["recommendation"],
            old["action"],
            old["changes"],
        )


def test_the_moved_site_answers_as_before(before: dict[str, Any], client: Client) -> None:
    _import()

    issue = Issue.objects.filter(number__isnull=False).order_by("number").first()
    response = client.get(issue.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    for entry in issue.entries.all():
        assert entry.shown_title in page
    assert Correction.objects.get().note in page

    # A member's recommendation still tells where it appeared, and new rows take new ids.
    published = Recommendation.objects.filter(status="published").first()
    client.force_login(published.submitter)
    detail = client.get(f"/submissions/{published.pk}/")
    assert detail.status_code == 200
    assert published.entry.issue.get_absolute_url() in detail.content.decode()
    highest = max(Transition.objects.values_list("pk", flat=True))
    assert (
        Transition.objects.create(recommendation=published, action="edit", to_status="published").pk
        > highest
    )


def test_a_moved_site_exports_under_the_new_labels_only(before: dict[str, Any]) -> None:
    _import()

    out = StringIO()
    call_command("export_data", stdout=out, stderr=StringIO())
    after = json.loads(out.getvalue())
    assert after["schema"] == data.schema()
    assert not [label for label in after["counts"] if label.startswith("issues.publication")]
    assert sum(after["counts"].values()) == sum(before["counts"].values())
    assert after["counts"]["publications.publication"] == before["counts"]["issues.publication"]
    assert (
        after["counts"]["recommendations.transition"] + after["counts"]["issues.issuetransition"]
        == before["counts"]["issues.transition"]
    )
