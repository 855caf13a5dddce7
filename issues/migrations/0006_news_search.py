"""The search page's news items picked by an index (PostgreSQL).

A news item is found by its title and summary as published (the entry's ``shown_title`` and
``shown_summary``, which publishing writes and corrections change), with the query rules of the
papers' search (``papers/search.py``): English words stemmed, CJK runs as pairs of characters,
the same function turning a text into words as the papers' documents (papers migration 0002).

- ``issues_news_document(title, summary)``: a news entry's document, computed from its row
  alone (so it can be indexed: no trigger and no column to keep), at most 2,000 characters of
  title and 20,000 of summary, the bounds of the papers' documents. Its cost is declared high:
  computing it row by row (walking the published issues in order and testing each entry) is
  what the index spares, and the planner should know it;
- ``issueentry_news_search_idx``: a GIN index of that document, for news entries only (a few
  per issue; the paper entries, most of the table, never enter it); the entries of issues not
  yet published have empty copies, which index nothing;
- ``issues_news_matches(query, wanted)``: the ids of the newest news entries of published issues
  whose document matches ``query``, at most ``wanted``, planned with sequential scans turned off
  (for this function's statement only), as ``issues_featured_matches`` (migration 0004) is.

The document function sets its own ``search_path``: an index over it is rebuilt (by a restore, a
``REINDEX``) in sessions whose path may not hold the papers' functions it calls.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE FUNCTION issues_news_document(title text, summary text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 1000
    SET search_path FROM CURRENT
    AS $$
        SELECT papers_search_text(left(title, 2000), 'A')
            || papers_search_text(left(summary, 20000), 'D')
    $$
    """,
    """
    CREATE INDEX IF NOT EXISTS issueentry_news_search_idx ON issues_issueentry
     USING gin (issues_news_document(shown_title, shown_summary)) WHERE section = 'news'
    """,
    """
    CREATE FUNCTION issues_news_matches(query tsquery, wanted integer)
    RETURNS SETOF bigint
    LANGUAGE sql STABLE
    SET enable_seqscan = off
    SET search_path FROM CURRENT
    AS $$
        SELECT e.id FROM issues_issueentry e JOIN issues_issue i ON i.id = e.issue_id
         WHERE e.section = 'news' AND i.status = 'published'
           AND issues_news_document(e.shown_title, e.shown_summary) @@ query
         ORDER BY i.published_at DESC, e.id DESC
         LIMIT wanted
    $$
    """,
]

BACKWARD = [
    "DROP FUNCTION issues_news_matches(tsquery, integer)",
    "DROP INDEX IF EXISTS issueentry_news_search_idx",
    "DROP FUNCTION issues_news_document(text, text)",
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
        ("issues", "0005_co_recommendation"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False),
    ]
