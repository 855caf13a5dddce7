"""The full-text search document of each paper, on PostgreSQL: a hidden ``tsvector`` column of
``papers_paper`` kept up to date by triggers, and its GIN index.

What a paper's document holds, and with which weight (``ts_rank`` puts A first):

    A  the English and Chinese titles, and the Chinese titles it was published under
    B  the abstract
    C  the authors' names
    D  the summaries it was published with

English (and other space-separated) text goes through the ``english`` configuration: stemmed
words. Text in the scripts written without spaces (Han, kana, Hangul) is cut into overlapping
pairs of characters, each run of them "ABCD" becoming the words "A AB BC CD D"; a query's run is
looked up as the phrase of its pairs ("BCD" is 'BC' <-> 'CD'), a single character as a prefix
('B':*). So a Chinese word of any length, two characters above all (where trigrams have nothing
to index), is one GIN lookup, with the substring semantics of the ``icontains`` search it replaces.
``papers/search.py`` builds the queries; this file builds the documents.

Why triggers and a column the model does not know: the document joins three tables that many
writers touch (metadata fetches, manual entry, the admin, publishing and corrections, imports,
bulk loads, test factories); triggers keep it right for all of them, and a column left out of the
model is never loaded with a paper nor written back stale by ``save()``. New authorships and new
entries of published issues are appended to the document; any other change marks the paper stale
by setting its vector to NULL, and the paper's own BEFORE trigger computes it anew.

On SQLite (the embedded default) nothing here runs: the search falls back to ``icontains``.
"""

from django.db import migrations

# Han (with extension A and compatibility ideographs), kana and Hangul syllables; kept equal to
# ``papers.search.CJK``.
CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"

FORWARD = [
    # The text outside the CJK runs, for the english configuration.
    rf"""
    CREATE FUNCTION papers_search_latin(doc text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT regexp_replace(coalesce(doc, ''), '[{CJK}]+', ' ', 'g')
    $$
    """,
    # The CJK runs as pairs of characters: "ABCD" -> "A AB BC CD D" (each character becomes
    # "x x", so the halves of neighbours join into pairs); everything else is a separator.
    rf"""
    CREATE FUNCTION papers_search_cjk(doc text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT regexp_replace(
            regexp_replace(coalesce(doc, ''), '[^{CJK}]+', ' ', 'g'),
            '([{CJK}])', '\1 \1', 'g')
    $$
    """,
    # One text, with its weight: English words stemmed, the CJK runs as pairs.
    """
    CREATE FUNCTION papers_search_text(doc text, weight "char") RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(to_tsvector('english', papers_search_latin(doc))
                         || to_tsvector('simple', papers_search_cjk(doc)), weight)
    $$
    """,
    # What published issues show of a paper: their Chinese titles (A) and summaries (D).
    """
    CREATE FUNCTION papers_search_published(shown_titles text, summaries text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT papers_search_text(shown_titles, 'A') || papers_search_text(summaries, 'D')
    $$
    """,
    # The whole document. The editorial app's tables are read by name, as papers.selectors
    # reads them through the reverse relations: the catalogue imports nothing of that app.
    """
    CREATE FUNCTION papers_search_document(paper bigint, title text, title_zh text, abstract text)
    RETURNS tsvector
    LANGUAGE plpgsql STABLE
    SET search_path FROM CURRENT
    AS $$
    DECLARE
        authors text;
        shown_titles text;
        summaries text;
    BEGIN
        SELECT string_agg(a.name, ' ') INTO authors
          FROM papers_authorship s JOIN papers_author a ON a.id = s.author_id
         WHERE s.paper_id = paper;
        SELECT string_agg(e.shown_title_zh, ' '), string_agg(e.shown_summary, ' ')
          INTO shown_titles, summaries
          FROM issues_issueentry e JOIN issues_issue i ON i.id = e.issue_id
         WHERE e.paper_id = paper AND i.status = 'published';
        RETURN papers_search_text(concat_ws(' ', title, title_zh), 'A')
            || papers_search_text(abstract, 'B')
            || papers_search_text(authors, 'C')
            || papers_search_published(shown_titles, summaries);
    END
    $$
    """,
    "ALTER TABLE papers_paper ADD COLUMN search_vector tsvector",
    # Computed when a paper is inserted, when its texts change, and when another trigger marked
    # it stale (NULL). Only these triggers write the column: the model does not know it.
    """
    CREATE FUNCTION papers_paper_search_vector() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
    AS $$
    BEGIN
        IF TG_OP = 'INSERT' OR NEW.search_vector IS NULL
           OR NEW.title IS DISTINCT FROM OLD.title
           OR NEW.title_zh IS DISTINCT FROM OLD.title_zh
           OR NEW.abstract IS DISTINCT FROM OLD.abstract THEN
            NEW.search_vector :=
                papers_search_document(NEW.id, NEW.title, NEW.title_zh, NEW.abstract);
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER papers_paper_search_vector
    BEFORE INSERT OR UPDATE ON papers_paper
    FOR EACH ROW EXECUTE FUNCTION papers_paper_search_vector()
    """,
    # Authorships: once per statement, with the rows it changed. New ones are appended to the
    # document (a bulk load of 100,000 papers would otherwise parse every abstract twice); a
    # change or a removal recomputes it. (Appending to a NULL gives NULL: recomputed then.)
    """
    CREATE FUNCTION papers_authorship_search_stale() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
    AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE papers_paper p
               SET search_vector = p.search_vector || papers_search_text(added.names, 'C')
              FROM (SELECT r.paper_id, string_agg(a.name, ' ') AS names
                      FROM new_rows r JOIN papers_author a ON a.id = r.author_id
                     GROUP BY r.paper_id) AS added
             WHERE p.id = added.paper_id;
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
    CREATE TRIGGER papers_authorship_search_insert AFTER INSERT ON papers_authorship
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION papers_authorship_search_stale()
    """,
    """
    CREATE TRIGGER papers_authorship_search_update AFTER UPDATE ON papers_authorship
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION papers_authorship_search_stale()
    """,
    """
    CREATE TRIGGER papers_authorship_search_delete AFTER DELETE ON papers_authorship
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION papers_authorship_search_stale()
    """,
    # An author renamed (in the admin): each of their papers.
    """
    CREATE FUNCTION papers_author_search_stale() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
    AS $$
    BEGIN
        UPDATE papers_paper SET search_vector = NULL
         WHERE id IN (SELECT paper_id FROM papers_authorship WHERE author_id = NEW.id);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER papers_author_search_rename AFTER UPDATE OF name ON papers_author
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION papers_author_search_stale()
    """,
    # Issue entries: only those of published issues are in a document; drafts being assembled,
    # reordered or edited cost nothing. Inserted ones are appended, as authorships are.
    """
    CREATE FUNCTION papers_issueentry_search_stale() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
    AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE papers_paper p
               SET search_vector = p.search_vector
                   || papers_search_published(added.shown_titles, added.summaries)
              FROM (SELECT r.paper_id, string_agg(r.shown_title_zh, ' ') AS shown_titles,
                           string_agg(r.shown_summary, ' ') AS summaries
                      FROM new_rows r JOIN issues_issue i ON i.id = r.issue_id
                     WHERE i.status = 'published'
                     GROUP BY r.paper_id) AS added
             WHERE p.id = added.paper_id;
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
    """
    CREATE TRIGGER papers_issueentry_search_insert AFTER INSERT ON issues_issueentry
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION papers_issueentry_search_stale()
    """,
    """
    CREATE TRIGGER papers_issueentry_search_update AFTER UPDATE ON issues_issueentry
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION papers_issueentry_search_stale()
    """,
    """
    CREATE TRIGGER papers_issueentry_search_delete AFTER DELETE ON issues_issueentry
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION papers_issueentry_search_stale()
    """,
    # An issue published (or, by an operator's hand, unpublished): the papers of its entries.
    """
    CREATE FUNCTION papers_issue_search_stale() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
    AS $$
    BEGIN
        UPDATE papers_paper SET search_vector = NULL
         WHERE id IN (SELECT paper_id FROM issues_issueentry WHERE issue_id = NEW.id);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER papers_issue_search_status AFTER UPDATE OF status ON issues_issue
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          AND (OLD.status = 'published' OR NEW.status = 'published'))
    EXECUTE FUNCTION papers_issue_search_stale()
    """,
    "CREATE INDEX paper_search_vector_idx ON papers_paper USING gin (search_vector)",
]

BACKWARD = [
    "DROP TRIGGER papers_issue_search_status ON issues_issue",
    "DROP FUNCTION papers_issue_search_stale()",
    "DROP TRIGGER papers_issueentry_search_delete ON issues_issueentry",
    "DROP TRIGGER papers_issueentry_search_update ON issues_issueentry",
    "DROP TRIGGER papers_issueentry_search_insert ON issues_issueentry",
    "DROP FUNCTION papers_issueentry_search_stale()",
    "DROP TRIGGER papers_author_search_rename ON papers_author",
    "DROP FUNCTION papers_author_search_stale()",
    "DROP TRIGGER papers_authorship_search_delete ON papers_authorship",
    "DROP TRIGGER papers_authorship_search_update ON papers_authorship",
    "DROP TRIGGER papers_authorship_search_insert ON papers_authorship",
    "DROP FUNCTION papers_authorship_search_stale()",
    "DROP TRIGGER papers_paper_search_vector ON papers_paper",
    "DROP FUNCTION papers_paper_search_vector()",
    "ALTER TABLE papers_paper DROP COLUMN search_vector",  # drops its index too
    "DROP FUNCTION papers_search_document(bigint, text, text, text)",
    "DROP FUNCTION papers_search_published(text, text)",
    'DROP FUNCTION papers_search_text(text, "char")',
    "DROP FUNCTION papers_search_cjk(text)",
    "DROP FUNCTION papers_search_latin(text)",
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
        ("papers", "0003_paper_list_index"),
        # The document reads the published issue entries, and triggers watch their tables.
        ("issues", "0003_publication_weekly_submission_quota"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False),
    ]
