"""Tests that the migrations match the models and create every table."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db

OUR_APPS = (
    "contributors",
    "papers",
    "publications",
    "recommendations",
    "issues",
    "notifications",
    "newsletter",
    "webhooks",
    "inbox",
)


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
