"""The search document reads only the catalogue's tables, plus a part that higher apps provide
(PostgreSQL only).

Until now the document read the editorial app's issue entries, and triggers of this app watched
its tables, with its status value spelled out. The catalogue now owns:

    search_vector   the document: its own texts, then ``search_extra``
    search_extra    a ``tsvector`` that higher apps write (with the weights they choose) and
                    the catalogue never interprets; NULL when they have nothing to add

A change of ``search_extra`` recomputes the document, as a change of a title does. What the
editorial app adds (the Chinese titles and summaries a paper was shown with, weights A and D),
and the triggers that keep it, are in that app's own migrations; so is dropping this app's old
triggers on its tables, which it replaces. Neither column is known to the model, for the reason
0004 gives.

The document holds the same as before, in the same order: titles (A), abstract (B), authors (C),
then the editorial part, which it computed itself until now. A higher app keeps its part well
under PostgreSQL's 1 MB for a ``tsvector``: the catalogue's own part takes at most 420 kB
(migration 0008).
"""

import re
from importlib import import_module

from django.db import migrations

initial = import_module("papers.migrations.0004_paper_search_document")
bounded = import_module("papers.migrations.0008_bound_search_document")
_on_postgresql = initial._on_postgresql

FORWARD = [
    "ALTER TABLE papers_paper ADD COLUMN search_extra tsvector",
    """
    CREATE FUNCTION papers_search_document(
        paper bigint, title text, title_zh text, abstract text, extra tsvector
    )
    RETURNS tsvector
    LANGUAGE plpgsql STABLE
    SET search_path FROM CURRENT
    AS $$
    DECLARE
        authors text;
    BEGIN
        SELECT left(string_agg(a.name, ' ' ORDER BY s.position), 20000) INTO authors
          FROM papers_authorship s JOIN papers_author a ON a.id = s.author_id
         WHERE s.paper_id = paper;
        RETURN papers_search_text(left(concat_ws(' ', title, title_zh), 2000), 'A')
            || papers_search_text(left(abstract, 20000), 'B')
            || papers_search_text(authors, 'C')
            || coalesce(extra, ''::tsvector);
    END
    $$
    """,
    # As 0004's, and a new ``search_extra`` recomputes the document too. Higher apps' BEFORE
    # INSERT triggers that fill ``search_extra`` sort before this one by name, so it sees
    # their value (PostgreSQL fires the triggers of one event in the order of their names).
    """
    CREATE OR REPLACE FUNCTION papers_paper_search_vector() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
    AS $$
    BEGIN
        IF TG_OP = 'INSERT' OR NEW.search_vector IS NULL
           OR NEW.title IS DISTINCT FROM OLD.title
           OR NEW.title_zh IS DISTINCT FROM OLD.title_zh
           OR NEW.abstract IS DISTINCT FROM OLD.abstract
           OR NEW.search_extra IS DISTINCT FROM OLD.search_extra THEN
            NEW.search_vector := papers_search_document(
                NEW.id, NEW.title, NEW.title_zh, NEW.abstract, NEW.search_extra);
        END IF;
        RETURN NEW;
    END
    $$
    """,
    "DROP FUNCTION papers_search_document(bigint, text, text, text)",
]


def _created(migration, name):
    """``name``'s CREATE FUNCTION statement in ``migration``, as CREATE OR REPLACE."""
    (statement,) = [
        s for s in migration.FORWARD if re.search(rf"CREATE (OR REPLACE )?FUNCTION {name}\(", s)
    ]
    return statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


# Back to the document of 0008, which read the issue entries itself.
BACKWARD = [
    _created(bounded, "papers_search_document"),
    _created(initial, "papers_paper_search_vector"),
    "DROP FUNCTION papers_search_document(bigint, text, text, text, tsvector)",
    "ALTER TABLE papers_paper DROP COLUMN search_extra",
]


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0008_bound_search_document"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False),
    ]
