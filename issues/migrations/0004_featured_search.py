"""The search page's matches picked by an index, never by reading the papers table (PostgreSQL).

The search page shows papers featured in a published issue. Those are the papers whose
``search_extra`` this app has filled (migration 0002 leaves it NULL for every other paper), some
15% of the catalogue. For a common word, the planner judged both the GIN index of every document
(a fifth of the papers to filter) and the list's index (tens of thousands of rows to walk) dearer
than reading the whole table, and read 100,000 rows for 1,000 matches (130 ms).

- ``paper_featured_search_idx``: a GIN index of the documents of the featured papers only;
- ``issues_featured_matches(query, wanted)``: the ids of the newest featured papers whose
  document matches ``query``, at most ``wanted``. It is planned with sequential scans turned off
  (``SET enable_seqscan = off``, for this function's statement only), so a common word is read
  off one of the two indexes like a rare one, whatever the statistics say.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE INDEX IF NOT EXISTS paper_featured_search_idx ON papers_paper
     USING gin (search_vector) WHERE search_extra IS NOT NULL
    """,
    """
    CREATE FUNCTION issues_featured_matches(query tsquery, wanted integer)
    RETURNS SETOF bigint
    LANGUAGE sql STABLE
    SET enable_seqscan = off
    SET search_path FROM CURRENT
    AS $$
        SELECT id FROM papers_paper
         WHERE search_extra IS NOT NULL AND search_vector @@ query
         ORDER BY created_at DESC, id DESC
         LIMIT wanted
    $$
    """,
]

BACKWARD = [
    "DROP FUNCTION issues_featured_matches(tsquery, integer)",
    "DROP INDEX IF EXISTS paper_featured_search_idx",
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0003_lead_items"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False),
    ]
