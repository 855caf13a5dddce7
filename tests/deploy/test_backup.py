"""The backup of docs/DEPLOY.md, done for real: ``pg_dump --format=custom`` of a database with a
bit of everything, ``pg_restore`` into a new database, and every table compared, row for row, and
every sequence, so a restored site hands out fresh ids."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from tests.backups.content import build_site

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TOOLS = ("pg_dump", "pg_restore", "createdb", "dropdb")


@pytest.fixture
def pg_tools() -> dict[str, str]:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"needs the PostgreSQL client programs: {', '.join(missing)} not on PATH")
    return {tool: str(shutil.which(tool)) for tool in TOOLS}


def _environment() -> dict[str, str]:
    settings = connection.settings_dict
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PGCONNECT_TIMEOUT": "10"}
    for variable, key in [
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ]:
        if settings.get(key):
            env[variable] = str(settings[key])
    return env


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603 (the PostgreSQL client programs, fixed arguments)
        command, capture_output=True, text=True, timeout=300, env=_environment(), check=False
    )
    assert result.returncode == 0, f"{' '.join(command)}: {result.stderr}"
    return result


@pytest.fixture
def scratch_database(pg_tools: dict[str, str]) -> Iterator[str]:
    name = f"{connection.settings_dict['NAME']}_restored"
    _run(pg_tools["dropdb"], "--if-exists", name)
    _run(pg_tools["createdb"], name)
    yield name
    _run(pg_tools["dropdb"], "--if-exists", name)


def _connect(name: str) -> psycopg.Connection[Any]:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=name,
        host=settings.get("HOST") or None,
        port=settings.get("PORT") or None,
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        autocommit=True,
    )


def _contents(name: str) -> dict[str, Any]:
    """Every row of every table (sorted, so the order rows come in does not matter), and the
    state of every sequence."""
    with _connect(name) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        rows = {
            table: sorted(
                conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table))).fetchall(),
                key=repr,
            )
            for table in tables
        }
        sequences = {
            sequence: conn.execute(
                sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(sequence))
            ).fetchone()
            for (sequence,) in conn.execute(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
            ).fetchall()
        }
    return {"rows": rows, "sequences": sequences}


def test_pg_dump_and_pg_restore_give_back_every_row(
    pg_tools: dict[str, str], scratch_database: str, tmp_path: Path
) -> None:
    build_site()  # committed: this test runs outside a transaction, so pg_dump sees it
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "weekly.dump"

    _run(pg_tools["pg_dump"], "--format=custom", f"--file={dump}", source)
    _run(
        pg_tools["pg_restore"],
        "--no-owner",
        "--exit-on-error",
        f"--dbname={scratch_database}",
        str(dump),
    )

    original, restored = _contents(source), _contents(scratch_database)
    counts = {table: len(rows) for table, rows in original["rows"].items()}
    # The site filled the tables that matter, Django's bookkeeping included.
    for table in ("issues_issueentry", "recommendations_transition", "newsletter_delivery",
                  "authtoken_token", "django_migrations", "django_content_type"):  # fmt: skip
        assert counts[table] > 0, table
    assert {t: len(r) for t, r in restored["rows"].items()} == counts
    for table, rows in original["rows"].items():
        assert restored["rows"][table] == rows, table
    assert restored["sequences"] == original["sequences"]
    assert len(original["sequences"]) >= 20
