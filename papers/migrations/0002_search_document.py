"""The full-text search document of each paper, on PostgreSQL: a hidden ``tsvector`` column of
``papers_paper`` kept up to date by triggers, and its GIN index.

What a paper's document holds, and with which weight (``ts_rank`` puts A first):

    A  the English and Chinese titles                 (at most 2,000 characters)
    B  the abstract                                   (20,000)
    C  the authors' names, in order                   (20,000)
    …  ``search_extra``: what higher apps add, with the weights they choose

English (and other space-separated) text goes through the ``english`` configuration: stemmed
words. Text in the scripts written without spaces (Han, kana, Hangul) is cut into overlapping
pairs of characters, each run of them "ABCD" becoming the words "A AB BC CD D"; a query's run is
looked up as the phrase of its pairs ("BCD" is 'BC' <-> 'CD'), a single character as a prefix
('B':*). So a Chinese word of any length, two characters above all (where trigrams have nothing
to index), is one GIN lookup, with the substring semantics of the ``icontains`` search it replaces.
``papers/search.py`` builds the queries; this file builds the documents.

Why triggers and columns the model does not know: the document joins tables that many writers
touch (metadata fetches, manual entry, the admin, imports, bulk loads, test factories); triggers
keep it right for all of them, and a column left out of the model is never loaded with a paper
nor written back stale by ``save()``. New authorships are appended to the document; any other
change marks the paper stale by setting its vector to NULL, and the paper's own BEFORE trigger
computes it anew.

The catalogue reads only its own tables. ``search_extra`` is a ``tsvector`` that higher apps
write and the catalogue never interprets (NULL when they have nothing to add); a change of it
recomputes the document, as a change of a title does. The editorial part and the triggers that
keep it are in the issues app's own migrations. A higher app keeps its part well under
PostgreSQL's 1 MB for a ``tsvector``: the catalogue's own part takes at most 420 kB (the bounds
above; a run of distinct CJK characters costs 10 bytes per character, English 2 to 3).

The document is stored compressed in the row (``STORAGE MAIN``), the abstract out of line
instead: every search that checks a document against its query reads it without a TOAST lookup
(docs/PERFORMANCE.md).

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
    "ALTER TABLE papers_paper ADD COLUMN search_vector tsvector",
    "ALTER TABLE papers_paper ALTER COLUMN search_vector SET STORAGE MAIN",
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
    # Computed when a paper is inserted, when its texts or ``search_extra`` change, and when
    # another trigger marked it stale (NULL). Only these triggers write the column: the model does
    # not know it. Higher apps' BEFORE INSERT triggers that fill ``search_extra`` sort before this
    # one by name, so it sees their value (PostgreSQL fires the triggers of one event in the
    # order of their names).
    """
    CREATE FUNCTION papers_paper_search_vector() RETURNS trigger
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
    """
    CREATE TRIGGER papers_paper_search_vector
    BEFORE INSERT OR UPDATE ON papers_paper
    FOR EACH ROW EXECUTE FUNCTION papers_paper_search_vector()
    """,
    # Authorships: once per statement, with the rows it changed. New ones are appended to the
    # document (a bulk load of 100,000 papers would otherwise parse every abstract twice); a
    # change or a removal recomputes it. (Appending to a NULL gives NULL: recomputed then.) One
    # subtransaction per statement (not per row), only to catch a document that appending would
    # make too long: it is computed anew from the bounded texts (NULL marks it stale).
    """
    CREATE FUNCTION papers_authorship_search_stale() RETURNS trigger
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
    "CREATE INDEX paper_search_vector_idx ON papers_paper USING gin (search_vector)",
]

BACKWARD = [
    "DROP TRIGGER papers_author_search_rename ON papers_author",
    "DROP FUNCTION papers_author_search_stale()",
    "DROP TRIGGER papers_authorship_search_delete ON papers_authorship",
    "DROP TRIGGER papers_authorship_search_update ON papers_authorship",
    "DROP TRIGGER papers_authorship_search_insert ON papers_authorship",
    "DROP FUNCTION papers_authorship_search_stale()",
    "DROP TRIGGER papers_paper_search_vector ON papers_paper",
    "DROP FUNCTION papers_paper_search_vector()",
    "ALTER TABLE papers_paper DROP COLUMN search_extra",
    "ALTER TABLE papers_paper DROP COLUMN search_vector",  # drops its index too
    "DROP FUNCTION papers_search_document(bigint, text, text, text, tsvector)",
    'DROP FUNCTION papers_search_text(text, "char")',
    "DROP FUNCTION papers_search_cjk(text)",
    "DROP FUNCTION papers_search_latin(text)",
]


def on_postgresql(statements):
    """A migration step that runs ``statements`` on PostgreSQL and nothing elsewhere."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD), elidable=False),
    ]
