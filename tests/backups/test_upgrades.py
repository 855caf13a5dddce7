"""Moving a site from older code to this one (backups.upgrades).

``data/demo-before-house-split.json`` is what ``export_data`` wrote for the demo site
(``seed_demo``, with a correction, a subscriber, a delivery and an API token added) when
publications, recommendations, issues and notifications were one app with the old migrations.
Imported now, every row lands in the app that holds it, and the site answers as before.

An export of the code before topics belonged to publications is built here, from an export of
this code, as that code wrote it: one ``papers.topic`` row per slug, with no publication.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from rest_framework.authtoken.models import Token

from backups import data, upgrades
from contributors.models import User
from issues.models import Correction, Issue, IssueEntry, IssueTransition
from newsletter.models import Delivery, Subscriber
from notifications.models import Notification
from papers.models import InstitutionGlossaryEntry, Paper
from publications.models import Membership, Publication, Topic
from recommendations.models import Recommendation, Review, Transition
from tests.backups.content import flush_content
from tests.factories import PublicationFactory, RecommendationFactory, TopicFactory

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
    assert upgrades.upgrade_for(upgrades.BEFORE_PUBLICATION_TOPICS) is not None
    assert data.schema() != upgrades.BEFORE_PUBLICATION_TOPICS


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
    detail = client.get(f"/en/submissions/{published.pk}/")
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
    # The old site had no institution glossary: it keeps the one ``migrate`` loaded.
    glossary = after["counts"].pop("papers.institutionglossaryentry")
    assert glossary == InstitutionGlossaryEntry.objects.count() > 200
    assert sum(after["counts"].values()) == sum(before["counts"].values())
    assert after["counts"]["publications.publication"] == before["counts"]["issues.publication"]
    assert (
        after["counts"]["recommendations.transition"] + after["counts"]["issues.issuetransition"]
        == before["counts"]["issues.transition"]
    )


def test_the_catalogue_s_topics_go_to_the_one_publication(before: dict[str, Any]) -> None:
    _import()

    publication = Publication.objects.get()
    old = {row["pk"]: row["fields"] for row in before["models"]["papers.topic"]}
    assert {
        topic.pk: (topic.publication, topic.slug, topic.name_en, topic.position)
        for topic in Topic.objects.all()
    } == {
        pk: (publication, fields["slug"], fields["name_en"], fields["position"])
        for pk, fields in old.items()
    }
    topics = {
        row["pk"]: row["fields"]["topic"] for row in before["models"]["issues.recommendation"]
    }
    assert dict(Recommendation.objects.values_list("pk", "topic_id")) == topics


# --- before topics belonged to publications -------------------------------------------------------


def _export() -> str:
    out = StringIO()
    call_command("export_data", stdout=out, stderr=StringIO())
    return out.getvalue()


def _as_written_before_publication_topics(text: str) -> dict[str, Any]:
    """The export the code before the move would have written of this site: one catalogue topic
    per slug (the first publication's names it), no publication, recommendations pointing at it."""
    export = json.loads(text)
    export["schema"] = upgrades.BEFORE_PUBLICATION_TOPICS
    catalogue: dict[str, dict[str, Any]] = {}
    for row in export["models"]["publications.topic"]:
        fields = {name: value for name, value in row["fields"].items() if name != "publication"}
        catalogue.setdefault(
            fields["slug"], {"model": "papers.topic", "pk": row["pk"], "fields": fields}
        )
    old_pk = {
        row["pk"]: catalogue[row["fields"]["slug"]]["pk"]
        for row in export["models"]["publications.topic"]
    }
    models = {}
    for label, rows in export["models"].items():
        if label == "publications.topic":
            continue
        if label == "papers.paper":
            models["papers.topic"] = list(catalogue.values())
        models[label] = rows
    for row in models["recommendations.recommendation"]:
        if row["fields"]["topic"] is not None:
            row["fields"]["topic"] = old_pk[row["fields"]["topic"]]
    export["models"] = models
    counts = {label: n for label, n in export["counts"].items() if label != "publications.topic"}
    export["counts"] = {**counts, "papers.topic": len(catalogue)}
    return export


def _site_with_shared_topics() -> dict[str, Any]:
    ml, rl, idle = (PublicationFactory(slug=slug) for slug in ("ml", "rl", "idle"))
    agents = {"slug": "agents", "name_en": "Agents", "name_zh": "智能体", "position": 3}
    ml_agents = TopicFactory(publication=ml, **agents)
    rl_agents = TopicFactory(publication=rl, **agents)
    vision = TopicFactory(publication=ml, slug="vision", name_en="Vision", name_zh="", position=1)
    TopicFactory(publication=ml, slug="audio", name_en="Audio", name_zh="音频", position=2)
    return {
        "ml agents": RecommendationFactory(publication=ml, topic=ml_agents).pk,
        "rl agents": RecommendationFactory(publication=rl, topic=rl_agents).pk,
        "ml vision": RecommendationFactory(publication=ml, topic=vision).pk,
        "none": RecommendationFactory(publication=idle, topic=None).pk,
    }


def test_topics_of_an_older_export_go_to_each_publication_that_uses_them(
    tmp_path: Path,
) -> None:
    recommendations = _site_with_shared_topics()
    old = _as_written_before_publication_topics(_export())
    assert [row["fields"]["slug"] for row in old["models"]["papers.topic"]] == [
        "agents",
        "vision",
        "audio",
    ]
    flush_content()
    path = tmp_path / "before-publication-topics.json"
    path.write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")

    out = StringIO()
    call_command("import_data", str(path), stdout=out)

    assert sorted(
        (t.publication.slug, t.slug, t.name_en, t.name_zh, t.position)
        for t in Topic.objects.select_related("publication")
    ) == [
        ("idle", "audio", "Audio", "音频", 2),
        ("ml", "agents", "Agents", "智能体", 3),
        ("ml", "audio", "Audio", "音频", 2),
        ("ml", "vision", "Vision", "", 1),
        ("rl", "agents", "Agents", "智能体", 3),
        ("rl", "audio", "Audio", "音频", 2),
    ]
    shown = {
        r.pk: (r.publication.slug, r.topic.publication.slug, r.topic.slug) if r.topic else None
        for r in Recommendation.objects.select_related("publication", "topic__publication")
    }
    assert shown == {
        recommendations["ml agents"]: ("ml", "ml", "agents"),
        recommendations["rl agents"]: ("rl", "rl", "agents"),
        recommendations["ml vision"]: ("ml", "ml", "vision"),
        recommendations["none"]: None,
    }
    # The copies of "agents" and "audio" after the first take ids after every old one, and new
    # topics take ids after them.
    assert "Imported" in out.getvalue()
    highest = max(Topic.objects.values_list("pk", flat=True))
    assert TopicFactory(publication=Publication.objects.get(slug="idle")).pk > highest


def test_an_older_export_whose_recommendation_names_no_topic_of_the_file_is_refused(
    tmp_path: Path,
) -> None:
    _site_with_shared_topics()
    old = _as_written_before_publication_topics(_export())
    old["models"]["recommendations.recommendation"][0]["fields"]["topic"] = 999
    flush_content()
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(old), encoding="utf-8")

    with pytest.raises(CommandError, match="names topic 999"):
        call_command("import_data", str(path), stdout=StringIO())
    assert not Topic.objects.exists()
