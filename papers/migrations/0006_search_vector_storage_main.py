"""Keep each paper's search document in its row (PostgreSQL only).

A document holds the abstract's words and more: about 3 kB, 1.1 kB compressed. With the default
storage, PostgreSQL moves the largest value of a row past 2 kB, the document, out of line into
the table's TOAST relation, so every search that checks a document against its query (the newest
matches of a common word, walked in the list's index; a filtered search) looks each one up there
first. ``STORAGE MAIN`` keeps it compressed in the row and moves the abstract out of line
instead, which only a page of results reads. At 100,000 papers: the newest 1,000 papers holding
"检索" (6% of them) in 11 ms instead of 31 ms; a search of the featured papers reading the table
in 50 ms instead of 160 ms (docs/PERFORMANCE.md).

The storage applies to values written from now on: the documents already there are written
again (concatenated with the empty vector, so the triggers keep them as they are).
"""

from importlib import import_module

from django.db import migrations

# The same runner as 0004's: the statements on PostgreSQL, nothing elsewhere.
_on_postgresql = import_module("papers.migrations.0004_paper_search_document")._on_postgresql

FORWARD = [
    "ALTER TABLE papers_paper ALTER COLUMN search_vector SET STORAGE MAIN",
    "UPDATE papers_paper SET search_vector = search_vector || ''::tsvector"
    " WHERE search_vector IS NOT NULL",
]
BACKWARD = [
    "ALTER TABLE papers_paper ALTER COLUMN search_vector SET STORAGE EXTENDED",
]


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0005_fill_paper_search_document"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False),
    ]
