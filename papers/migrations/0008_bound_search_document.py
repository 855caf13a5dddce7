"""Bound what a paper's search document reads (PostgreSQL only).

PostgreSQL refuses a ``tsvector`` larger than 1 MB ("string is too long for tsvector"), and the
trigger of migration 0004 read every text of a paper whole: a title or an abstract of a megabyte
of distinct words (sent by a source, written in the admin, imported) made every write of that
paper fail. The document now reads at most:

    the English and Chinese titles          2,000 characters   (weight A)
    the abstract                           20,000              (B)
    the authors' names, in order           20,000              (C)
    its Chinese titles as published         2,000              (A)
    the summaries it was published with    20,000              (D)

64,000 characters in all. The costliest text for a document is a run of distinct CJK characters,
10 bytes of it per character (each pair of characters is a word of 6 bytes, with its position),
so a document stays under 640 kB whatever the texts; English words take 2 to 3 bytes per
character. What an insert appends to a document (new authorships, the entries of a published
issue) is bounded the same way, and should the sum still pass the limit, the document is
computed anew from the bounded texts instead of failing the insert.

The catalogue keeps much less of what the sources send (``papers.services.TITLE_MAX_LENGTH``
and the others); these bounds hold for every writer. Documents already stored stay as they are.
"""

from importlib import import_module

from django.db import migrations

initial = import_module("papers.migrations.0004_paper_search_document")
_on_postgresql = initial._on_postgresql

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION papers_search_document(
        paper bigint, title text, title_zh text, abstract text
    )
    RETURNS tsvector
    LANGUAGE plpgsql STABLE
    SET search_path FROM CURRENT
    AS $$
    DECLARE
        authors text;
        shown_titles text;
        summaries text;
    BEGIN
        SELECT left(string_agg(a.name, ' ' ORDER BY s.position), 20000) INTO authors
          FROM papers_authorship s JOIN papers_author a ON a.id = s.author_id
         WHERE s.paper_id = paper;
        SELECT left(string_agg(e.shown_title_zh, ' '), 2000),
               left(string_agg(e.shown_summary, ' '), 20000)
          INTO shown_titles, summaries
          FROM issues_issueentry e JOIN issues_issue i ON i.id = e.issue_id
         WHERE e.paper_id = paper AND i.status = 'published';
        RETURN papers_search_text(left(concat_ws(' ', title, title_zh), 2000), 'A')
            || papers_search_text(left(abstract, 20000), 'B')
            || papers_search_text(authors, 'C')
            || papers_search_published(shown_titles, summaries);
    END
    $$
    """,
    # One subtransaction per statement (not per row), only to catch a document that appending
    # would make too long: it is computed anew from the bounded texts (NULL marks it stale).
    """
    CREATE OR REPLACE FUNCTION papers_authorship_search_stale() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
    AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            BEGIN
                UPDATE papers_paper p
                   SET search_vector = p.search_vector || papers_search_text(added.names, 'C')
                  FROM (SELECT r.paper_id,
                               left(string_agg(a.name, ' ' ORDER BY r.position), 20000) AS names
                          FROM new_rows r JOIN papers_author a ON a.id = r.author_id
                         GROUP BY r.paper_id) AS added
                 WHERE p.id = added.paper_id;
            EXCEPTION WHEN program_limit_exceeded THEN
                UPDATE papers_paper SET search_vector = NULL
                 WHERE id IN (SELECT paper_id FROM new_rows);
            END;
        ELSIF TG_OP = 'UPDATE' THEN
            UPDATE papers_paper SET search_vector = NULL
             WHERE id IN (SELECT paper_id FROM old_rows UNION SELECT paper_id FROM new_rows);
        ELSE
            UPDATE papers_paper SET search_vector = NULL
             WHERE id IN (SELECT paper_id FROM old_rows);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION papers_issueentry_search_stale() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
    AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            BEGIN
                UPDATE papers_paper p
                   SET search_vector = p.search_vector
                       || papers_search_published(added.shown_titles, added.summaries)
                  FROM (SELECT r.paper_id,
                               left(string_agg(r.shown_title_zh, ' '), 2000) AS shown_titles,
                               left(string_agg(r.shown_summary, ' '), 20000) AS summaries
                          FROM new_rows r JOIN issues_issue i ON i.id = r.issue_id
                         WHERE i.status = 'published'
                         GROUP BY r.paper_id) AS added
                 WHERE p.id = added.paper_id;
            EXCEPTION WHEN program_limit_exceeded THEN
                UPDATE papers_paper SET search_vector = NULL
                 WHERE id IN (SELECT paper_id FROM new_rows);
            END;
        ELSIF TG_OP = 'UPDATE' THEN
            UPDATE papers_paper SET search_vector = NULL
             WHERE id IN (SELECT r.paper_id FROM old_rows r
                            JOIN issues_issue i ON i.id = r.issue_id
                           WHERE i.status = 'published'
                          UNION
                          SELECT r.paper_id FROM new_rows r
                            JOIN issues_issue i ON i.id = r.issue_id
                           WHERE i.status = 'published');
        ELSE
            UPDATE papers_paper SET search_vector = NULL
             WHERE id IN (SELECT r.paper_id FROM old_rows r
                            JOIN issues_issue i ON i.id = r.issue_id
                           WHERE i.status = 'published');
        END IF;
        RETURN NULL;
    END
    $$
    """,
]

# Back to 0004's functions, as it created them.
BACKWARD = [
    statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    for statement in initial.FORWARD
    if any(
        f"CREATE FUNCTION {name}(" in statement
        for name in (
            "papers_search_document",
            "papers_authorship_search_stale",
            "papers_issueentry_search_stale",
        )
    )
]


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0007_metadata_entry_and_kept"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False),
    ]
