"""What published issues show of a paper, in the catalogue's search document (PostgreSQL only).

A paper is found by the Chinese titles it was published under (weight A, as its own titles) and
the summaries it was published with (D). This app computes that part and writes it into
``papers_paper.search_extra``, the column the catalogue leaves to higher apps and adds to its
document (papers migration 0002): the catalogue neither reads this app's tables nor knows what
"published" means. Only entries of published issues count, so drafts being assembled, reordered
or edited cost nothing. The texts read are bounded as the catalogue bounds its own (papers
migration 0002): 2,000 characters of titles, 20,000 of summaries.

The triggers that keep it, after any writer (publishing, corrections, the admin, imports, bulk
loads, the test factories):

- entries inserted, changed or deleted in a published issue: their papers' part is computed
  anew;
- an issue published (or, by an operator's hand, unpublished): the papers of its entries;
- a paper inserted after its entries (a bulk load, whose foreign keys are checked at the commit):
  its part is computed as it is inserted. This trigger's name sorts before the catalogue's
  ``papers_paper_search_vector``, which PostgreSQL fires next and which then builds the whole
  document at once.

A part is written only when it changes, and a change makes the catalogue recompute the
document.
"""

from django.db import migrations

FORWARD = [
    # NULL when no published issue shows the paper.
    """
    CREATE FUNCTION issues_paper_search_extra(paper bigint) RETURNS tsvector
    LANGUAGE sql STABLE
    SET search_path FROM CURRENT
    AS $$
        SELECT papers_search_text(left(string_agg(e.shown_title_zh, ' '), 2000), 'A')
            || papers_search_text(left(string_agg(e.shown_summary, ' '), 20000), 'D')
          FROM issues_issueentry e JOIN issues_issue i ON i.id = e.issue_id
         WHERE e.paper_id = paper AND i.status = 'published'
        HAVING count(*) > 0
    $$
    """,
    # The papers among ``papers`` that exist, each computed once, written where it changed.
    """
    CREATE FUNCTION issues_refresh_search_extra(papers bigint[]) RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path FROM CURRENT
    AS $$
        WITH fresh AS MATERIALIZED (
            SELECT id, issues_paper_search_extra(id) AS extra
              FROM papers_paper WHERE id = ANY(papers)
        )
        UPDATE papers_paper p SET search_extra = fresh.extra
          FROM fresh
         WHERE p.id = fresh.id AND p.search_extra IS DISTINCT FROM fresh.extra
    $$
    """,
    """
    CREATE FUNCTION issues_issueentry_search_extra() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
    AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM issues_refresh_search_extra(ARRAY(
                SELECT DISTINCT r.paper_id FROM new_rows r
                  JOIN issues_issue i ON i.id = r.issue_id
                 WHERE i.status = 'published' AND r.paper_id IS NOT NULL));
        ELSIF TG_OP = 'UPDATE' THEN
            PERFORM issues_refresh_search_extra(ARRAY(
                SELECT r.paper_id FROM old_rows r
                  JOIN issues_issue i ON i.id = r.issue_id
                 WHERE i.status = 'published' AND r.paper_id IS NOT NULL
                UNION
                SELECT r.paper_id FROM new_rows r
                  JOIN issues_issue i ON i.id = r.issue_id
                 WHERE i.status = 'published' AND r.paper_id IS NOT NULL));
        ELSE
            PERFORM issues_refresh_search_extra(ARRAY(
                SELECT DISTINCT r.paper_id FROM old_rows r
                  JOIN issues_issue i ON i.id = r.issue_id
                 WHERE i.status = 'published' AND r.paper_id IS NOT NULL));
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER issues_issueentry_search_insert AFTER INSERT ON issues_issueentry
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION issues_issueentry_search_extra()
    """,
    """
    CREATE TRIGGER issues_issueentry_search_update AFTER UPDATE ON issues_issueentry
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION issues_issueentry_search_extra()
    """,
    """
    CREATE TRIGGER issues_issueentry_search_delete AFTER DELETE ON issues_issueentry
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION issues_issueentry_search_extra()
    """,
    """
    CREATE FUNCTION issues_issue_search_extra() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
    AS $$
    BEGIN
        PERFORM issues_refresh_search_extra(ARRAY(
            SELECT paper_id FROM issues_issueentry
             WHERE issue_id = NEW.id AND paper_id IS NOT NULL));
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER issues_issue_search_status AFTER UPDATE OF status ON issues_issue
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          AND (OLD.status = 'published' OR NEW.status = 'published'))
    EXECUTE FUNCTION issues_issue_search_extra()
    """,
    """
    CREATE FUNCTION issues_paper_search_extra_on_insert() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
    AS $$
    BEGIN
        NEW.search_extra := issues_paper_search_extra(NEW.id);
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER issues_paper_search_extra BEFORE INSERT ON papers_paper
    FOR EACH ROW EXECUTE FUNCTION issues_paper_search_extra_on_insert()
    """,
]


BACKWARD = [
    "DROP TRIGGER issues_paper_search_extra ON papers_paper",
    "DROP FUNCTION issues_paper_search_extra_on_insert()",
    "DROP TRIGGER issues_issue_search_status ON issues_issue",
    "DROP FUNCTION issues_issue_search_extra()",
    "DROP TRIGGER issues_issueentry_search_delete ON issues_issueentry",
    "DROP TRIGGER issues_issueentry_search_update ON issues_issueentry",
    "DROP TRIGGER issues_issueentry_search_insert ON issues_issueentry",
    "DROP FUNCTION issues_issueentry_search_extra()",
    "DROP FUNCTION issues_refresh_search_extra(bigint[])",
    "DROP FUNCTION issues_paper_search_extra(bigint)",
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
        ("issues", "0001_initial"),
        ("papers", "0002_search_document"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False),
    ]
