"""Tests that the migrations match the models and create every table."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from papers.models import Paper
from papers.selectors import search_papers
from tests.factories import IssueEntryFactory, IssueFactory, PaperFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ("contributors", "papers", "issues")


def test_makemigrations_check_finds_no_missing_migration() -> None:
    out = StringIO()
    # Exits with status 1 (SystemExit) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == "No changes detected"


def test_migrate_creates_a_table_for_every_model() -> None:
    tables = set(connection.introspection.table_names())
    expected = {
        model._meta.db_table
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }
    assert expected, "the apps define models"
    assert expected - tables == set()


def test_migrate_tables_have_every_field_column() -> None:
    with connection.cursor() as cursor:
        for label in OUR_APPS:
            for model in apps.get_app_config(label).get_models():
                described = connection.introspection.get_table_description(
                    cursor, model._meta.db_table
                )
                columns = {column.name for column in described}
                fields = {f.column for f in model._meta.local_concrete_fields}
                assert fields - columns == set(), model._meta.label


@pytest.mark.django_db(transaction=True)
def test_number_review_rounds_counts_resubmissions_before_each_review() -> None:
    """issues 0005: a recommendation's round is 1 plus its resubmissions after requested
    changes; a review's round is 1 plus the resubmissions before it."""
    executor = MigrationExecutor(connection)
    before, after = [("issues", "0004_review_rounds")], [("issues", "0005_number_review_rounds")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    user = old.get_model("contributors", "User").objects.create(username="rounds")
    publication = old.get_model("issues", "Publication").objects.create(slug="r", name="R")
    recommendation = old.get_model("issues", "Recommendation").objects.create(
        publication=publication,
        kind="news",
        news_title="News",
        news_url="https://example.org/news",
        summary="Summary.",
        submitter=user,
        status="submitted",
    )
    transitions = old.get_model("issues", "Transition").objects
    reviews = old.get_model("issues", "Review").objects
    start = timezone.now() - dt.timedelta(hours=1)

    def at(minutes: int) -> dt.datetime:
        return start + dt.timedelta(minutes=minutes)

    for minutes, action, from_status, to_status in [
        (0, "submit", "draft", "submitted"),
        (10, "request_changes", "submitted", "changes_requested"),
        (20, "submit", "changes_requested", "submitted"),
        (30, "request_changes", "submitted", "changes_requested"),
        (40, "submit", "changes_requested", "submitted"),
    ]:
        row = transitions.create(
            recommendation=recommendation,
            action=action,
            from_status=from_status,
            to_status=to_status,
        )
        transitions.filter(pk=row.pk).update(created_at=at(minutes))
    for minutes, verdict in [(5, "approve"), (10, "request_changes"), (30, "request_changes")]:
        review = reviews.create(recommendation=recommendation, reviewer=user, verdict=verdict)
        reviews.filter(pk=review.pk).update(created_at=at(minutes))

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    migrated = new.get_model("issues", "Recommendation").objects.get(pk=recommendation.pk)
    assert migrated.review_round == 3
    assert list(
        new.get_model("issues", "Review")
        .objects.order_by("created_at")
        .values_list("verdict", "round")
    ) == [("approve", 1), ("request_changes", 1), ("request_changes", 2)]
    call_command("migrate", verbosity=0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fill_paper_search_extra_rebuilds_only_the_featured_documents() -> None:
    """papers 0009, issues 0006 and 0007: the editorial app's triggers replace the catalogue's
    on its tables, and each featured paper's document is rebuilt once, from its own texts and
    what published issues show of it; the other documents are left as they are."""
    featured = PaperFactory(title="Featured Work")
    IssueEntryFactory(
        issue=IssueFactory(published=True),
        recommendation__paper=featured,
        shown_title_zh="规模定律",
        shown_summary="损失随算力幂律下降。",
    )
    PaperFactory(title="Unfeatured Work")
    executor = MigrationExecutor(connection)
    executor.migrate([("papers", "0008_bound_search_document")])
    with connection.cursor() as cursor:
        # Emptied, so that what the migrations rebuild shows.
        cursor.execute("UPDATE papers_paper SET search_vector = ''::tsvector")

    call_command("migrate", verbosity=0)

    def found(query: str) -> list[str]:
        return list(search_papers(Paper.objects.all(), query).values_list("title", flat=True))

    assert found("幂律") == ["Featured Work"]  # a summary as published: weight D
    assert found("规模") == ["Featured Work"]  # a Chinese title as published: weight A
    assert found("featured") == ["Featured Work"]  # its own title, rebuilt with it
    assert found("unfeatured") == []  # left as it was
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM papers_paper WHERE search_extra IS NOT NULL "
            "AND search_vector IS DISTINCT FROM "
            "papers_search_document(id, title, title_zh, abstract, search_extra)"
        )
        assert cursor.fetchone() == (0,)
