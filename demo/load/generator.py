"""Realistic data at scale for the benchmarks, behind ``manage.py generate_load_data``.

It writes what years of a community's work would have left: members with team roles, a catalogue
of papers (shared authors, institutions, English titles with Chinese ones for a good share,
abstracts), recommendations in every state with their reviews and audit rows, weekly published
issues whose entries hold the ``shown_*`` copies that publishing makes, a draft issue being
assembled, and newsletter subscribers.

It writes straight to the tables: ``bulk_create`` in large batches with primary keys chosen here,
so every foreign key is computed and nothing is read back; no ``save()``, no signals, no services
(a hundred thousand service calls would take an hour). What it writes is what the services would
have: the same states, transitions, numbering and frozen entry copies, and ``drafting`` writes
the issues' titles, intros and credit lines as assembling would. It needs a database without
papers or publications: it adds no data to a live site.

Deterministic: the same spec and seed give the same rows, on any day (the archive ends at
``END``, not at the time of the run).

The steps, one module each: ``people`` (members, publications, teams, topics), ``catalogue``
(institutions and authors; then the papers with everything that hangs on them), ``plan`` (who
recommended what, when, and where it appeared), ``issues`` (the issues and their news items),
``recommendations`` (a recommendation's reviews and audit trail), ``subscribers``, ``inbox``
(candidates of the first publication, with ``--candidates``); ``texts`` and
``words`` make the texts, ``writer`` inserts the rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection, transaction

from demo.load import catalogue, inbox, issues, people, plan, subscribers
from demo.load.context import Load, LoadDataError, LoadReport, LoadSpec
from demo.load.writer import given_times
from papers.models import Author, Institution, Paper
from publications.models import Publication

__all__ = ["LoadDataError", "LoadReport", "LoadSpec", "generate_load_data"]

#: In this order: each step uses what the ones before it made, and draws from one random source.
STEPS: tuple[Callable[[Load], None], ...] = (
    people.write_people,
    catalogue.write_institutions,
    catalogue.write_authors,
    plan.plan_archive,
    issues.write_issues,
    issues.write_news,
    catalogue.write_papers,
    subscribers.write_subscribers,
    inbox.write_candidates,
)


def generate_load_data(
    spec: LoadSpec, *, log: Callable[[str], None] = lambda _m: None
) -> LoadReport:
    """Fill an empty database with ``spec``'s data. Raises ``LoadDataError`` on one with content.

    Side effects: inserts rows in every table of the catalogue, the editorial work and the
    newsletter, in one transaction; resets the primary key sequences; then, on PostgreSQL,
    VACUUM (ANALYZE).
    """
    load = Load(spec, log)
    started = time.monotonic()
    _refuse_content()
    with transaction.atomic(), given_times():
        for step in STEPS:
            step(load)
        load.writer.reset_sequences()
    _analyze()
    load.report.seconds = time.monotonic() - started
    return load.report


def _refuse_content() -> None:
    if (
        Paper.objects.exists()
        or Publication.objects.exists()
        or Author.objects.exists()
        or Institution.objects.exists()
    ):
        raise LoadDataError(
            "The database holds papers, authors, institutions or publications already: "
            "generate_load_data fills an empty one (create a new database, or run "
            "`manage.py flush`)."
        )


def _analyze() -> None:
    """What autovacuum does after a bulk load: the planner's statistics, and the visibility map
    that lets counts and index-only scans skip the table."""
    if connection.vendor != "postgresql":
        return
    # VACUUM cannot run inside a transaction: a caller's, or a test's, gets the statistics only.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
