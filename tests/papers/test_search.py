"""The catalogue's search and paper list at scale: what a query finds (English by title, abstract
and authors; Chinese by title and published summary), that hostile input is refused or found
harmless, that the queries use their indexes, and that the list and search cost a fixed number
of queries whatever the number of papers.

The tests marked ``postgres`` exercise the full-text search (papers/search.py, the triggers of
papers/migrations/0004 and 0009 that keep each paper's document, and those of
issues/migrations/0006 that add what published issues show of it); the others hold on SQLite's
``icontains`` fallback and on PostgreSQL.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from common.api.limits import DeferredJoinPaginator
from issues import services
from issues.models import Issue
from papers import selectors
from papers.models import Author, Authorship, Paper
from publications.models import Publication
from recommendations.enums import RecommendationStatus
from tests.factories import PaperFactory, RecommendationFactory

API = "/api/v1/papers/"

pytestmark = pytest.mark.django_db


def _publish(publication: Publication, editor: Any, entries: list[dict[str, Any]]) -> Issue:
    """An issue published through the services, one entry per ``{"paper", "summary", …}``."""
    issue = services.create_issue(publication, by=editor, title="An issue")
    for fields in entries:
        recommendation = RecommendationFactory(
            publication=publication,
            status=RecommendationStatus.ACCEPTED,
            decided_at=timezone.now(),
            **fields,
        )
        services.schedule_recommendation(recommendation, issue=issue, by=editor)
    return services.publish_issue(issue, by=editor)


def _titles(query: str, **params: str) -> list[str]:
    response = APIClient().get(API, {"q": query, **params})
    assert response.status_code == 200, response.content
    return [paper["title"] for paper in response.json()["results"]]


def _page_titles(query: str) -> str:
    response = APIClient().get("/en/search/?" + urlencode({"q": query}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def catalogue(publication: Publication, editor: Any) -> dict[str, Paper]:
    """Four papers: three featured with Chinese summaries, one (``hidden``) only recommended
    with a summary that no reader saw."""
    dense = PaperFactory(
        title="Dense Passage Retrieval for Open-Domain Question Answering",
        title_zh="开放域问答的稠密段落检索",
        abstract="Dual encoders beat BM25 on passage retrieval.",
        authors=["Vladimir Karpukhin", "Barlas Oguz"],
    )
    scaling = PaperFactory(
        title="Scaling Laws for Neural Language Models",
        abstract="Loss scales as a power law with compute; retrieval is not studied.",
        authors=["Jared Kaplan", "Sam McCandlish"],
    )
    sparse = PaperFactory(
        title="Switch Transformers",
        abstract="A sparse mixture of experts with simple routing.",
        authors=["William Fedus"],
    )
    hidden = PaperFactory(title="Unpublished Work", abstract="Nothing yet.", authors=["Nobody"])
    _publish(
        publication,
        editor,
        [
            {"paper": dense, "summary": "用双编码器做稠密检索，胜过 BM25。", "title_zh": ""},
            {"paper": scaling, "summary": "语言模型的规模定律：损失随算力幂律下降。"},
            {
                "paper": sparse,
                "summary": "稀疏的混合专家模型，路由简单。",
                "title_zh": "开关变换器",
            },
        ],
    )
    RecommendationFactory(
        publication=publication, paper=hidden, summary="秘密的预训练摘要", title_zh="未发表"
    )
    return {"dense": dense, "scaling": scaling, "sparse": sparse, "hidden": hidden}


DENSE = "Dense Passage Retrieval for Open-Domain Question Answering"
SCALING = "Scaling Laws for Neural Language Models"
SWITCH = "Switch Transformers"


# ============================================================== what a query finds (both databases)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("passage", {DENSE}, id="en-title"),
        pytest.param("routing", {SWITCH}, id="en-abstract"),
        pytest.param("karpukhin", {DENSE}, id="en-author"),
        pytest.param("Kaplan compute", {SCALING}, id="en-author-and-abstract"),
        pytest.param("稠密段落", {DENSE}, id="zh-title"),
        pytest.param("开关变换器", {SWITCH}, id="zh-title-as-published"),
        pytest.param("幂律", {SCALING}, id="zh-summary-two-characters"),
        pytest.param("混合专家模型", {SWITCH}, id="zh-summary-long"),
        pytest.param("检索", {DENSE}, id="zh-in-title-and-summary"),
        pytest.param("BM25 稠密", {DENSE}, id="mixed"),
        pytest.param("Kaplan 稠密", set(), id="mixed-words-of-different-papers"),
        pytest.param("预训练", set(), id="zh-unpublished-summary"),
        pytest.param("未发表", set(), id="zh-unpublished-title"),
        pytest.param("quantum chromodynamics", set(), id="no-match"),
    ],
)
def test_search_finds(catalogue: dict[str, Paper], query: str, expected: set[str]) -> None:
    titles = _titles(query)
    assert set(titles) == expected
    assert len(titles) == len(expected)


def test_search_page_finds_what_the_api_finds(catalogue: dict[str, Paper]) -> None:
    page = _page_titles("幂律")
    assert SCALING in page
    assert DENSE not in page


# ================================================================= PostgreSQL: the full-text search


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("encoder", {DENSE}, id="en-stemmed"),
        pytest.param('"passage retrieval"', {DENSE}, id="en-phrase"),
        pytest.param("routing or compute", {SWITCH, SCALING}, id="en-or"),
        pytest.param("retrieval -dual", {SCALING}, id="en-not"),
        pytest.param("降", {SCALING}, id="zh-one-character-last-of-a-run"),
        pytest.param("幂", {SCALING}, id="zh-one-character"),
        pytest.param("段落检", {DENSE}, id="zh-three-characters"),
        pytest.param("稠密检索", {DENSE}, id="zh-phrase-in-summary"),
        pytest.param("检稠", set(), id="zh-characters-not-adjacent"),
        pytest.param("索胜", set(), id="zh-not-across-punctuation"),
        pytest.param("检索，胜过", {DENSE}, id="zh-two-words"),
    ],
)
def test_full_text_search_finds(
    catalogue: dict[str, Paper], query: str, expected: set[str]
) -> None:
    assert set(_titles(query)) == expected


@pytest.mark.postgres
def test_full_text_search_ranks_title_over_abstract(catalogue: dict[str, Paper]) -> None:
    # "retrieval": DENSE's title and abstract, SCALING's abstract only; SCALING is newer, so
    # newest-first would put it first.
    assert _titles("retrieval") == [DENSE, SCALING]
    assert _titles("retrieval", ordering="-created") == [SCALING, DENSE]


@pytest.mark.postgres
def test_full_text_search_counts_and_ranks_only_the_newest_matches(
    catalogue: dict[str, Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "SEARCH_MAX_MATCHES", 2)
    for n in range(3):
        PaperFactory(title=f"Retrieval, again {n}", abstract="Retrieval.")
    response = APIClient().get(API, {"q": "retrieval"}).json()
    assert response["count"] == 2
    assert [p["title"] for p in response["results"]] == ["Retrieval, again 2", "Retrieval, again 1"]


@pytest.mark.postgres
def test_full_text_search_picks_matches_after_the_other_filters(
    catalogue: dict[str, Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Newer matches that the filter refuses must not crowd out the older one it keeps.
    monkeypatch.setattr(selectors, "SEARCH_MAX_MATCHES", 1)
    PaperFactory(title="Passage, unfeatured", abstract="Passage.")
    assert _titles("passage", featured="true") == [DENSE]


@pytest.mark.postgres
@pytest.mark.parametrize("path", [API + "?q=paper", "/en/search/?q=paper"], ids=["api", "page"])
def test_search_passes_its_matches_as_one_parameter(
    catalogue: dict[str, Paper], monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """The ids of up to a thousand matches go to the count and the page as one array, not as a
    parameter each: building a statement of a thousand parameters was half of a search's CPU."""
    monkeypatch.setattr(selectors, "SEARCH_MAX_MATCHES", 1000)
    for n in range(40):
        PaperFactory(title=f"Paper number {n}")
    statements: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert APIClient().get(path).status_code == 200

    # (The names of the page's own papers, up to 50, are read by their ids as before.)
    reading_papers = [(sql, p) for sql, p in statements if 'FROM "papers_paper"' in sql]
    assert reading_papers
    assert max(len(params or ()) for _sql, params in reading_papers) <= 10
    assert any(" = ANY(" in sql for sql, _params in reading_papers)


@pytest.mark.postgres
def test_search_document_follows_every_change(
    catalogue: dict[str, Paper], publication: Publication, editor: Any
) -> None:
    """Authors added and removed, a title edited, a summary corrected: the triggers keep the
    document, and an appended document finds what a recomputed one does."""
    hidden = catalogue["hidden"]
    assert _titles("Lovelace") == []
    Authorship.objects.create(
        paper=hidden, author=Author.objects.create(name="Ada Lovelace"), position=2
    )
    assert _titles("Lovelace") == ["Unpublished Work"]
    Authorship.objects.filter(paper=hidden, author__name="Ada Lovelace").delete()
    assert _titles("Lovelace") == []

    Author.objects.filter(name="Nobody").update(name="Grace Hopper")
    assert _titles("hopper") == ["Unpublished Work"]
    Paper.objects.filter(pk=hidden.pk).update(title="Compilers", title_zh="编译器")
    assert _titles("compilers 编译器") == ["Compilers"]

    issue = _publish(publication, editor, [{"paper": hidden, "summary": "第一个编译器。"}])
    assert _titles("第一个") == ["Compilers"]
    entry = issue.entries.get()
    services.correct_issue(
        issue, by=editor, note="Typo.", entries={entry.pk: {"shown_summary": "最早的编译器。"}}
    )
    assert _titles("第一个") == []
    assert _titles("最早") == ["Compilers"]

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM papers_paper WHERE strip(search_vector) IS DISTINCT FROM "
            "strip(papers_search_document(id, title, title_zh, abstract, search_extra))"
        )
        assert cursor.fetchone() == (0,)
        cursor.execute(
            "SELECT count(*) FROM papers_paper "
            "WHERE search_extra IS DISTINCT FROM issues_paper_search_extra(id)"
        )
        assert cursor.fetchone() == (0,)
        cursor.execute("SELECT count(*) FROM papers_paper WHERE search_extra IS NOT NULL")
        assert cursor.fetchone() == (4,)  # the papers featured, "hidden" now among them


@pytest.mark.postgres
def test_search_document_of_a_paper_written_after_its_entries(
    catalogue: dict[str, Paper],
) -> None:
    """A bulk load (``generate_load_data``) writes a paper after what hangs on it, its entries
    in published issues among them (the foreign keys are checked at the commit): the document
    holds what those issues show from the paper's insert on."""
    scaling = catalogue["scaling"]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE written_later AS SELECT * FROM papers_paper WHERE id = %s",
            [scaling.pk],
        )
        cursor.execute("UPDATE written_later SET search_vector = NULL, search_extra = NULL")
        cursor.execute("DELETE FROM papers_paper WHERE id = %s", [scaling.pk])
        assert _titles("幂律") == []
        cursor.execute("INSERT INTO papers_paper SELECT * FROM written_later")
        cursor.execute("DROP TABLE written_later")
    assert _titles("幂律") == [SCALING]  # the summary, as published
    assert _titles("Kaplan") == [SCALING]  # an author, also written before the paper


@pytest.mark.postgres
def test_search_sql_of_the_catalogue_reads_no_editorial_table(
    catalogue: dict[str, Paper],
) -> None:
    """The catalogue's functions and triggers name no table or status of the editorial app: it
    adds ``search_extra`` to its document without knowing what it holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname FROM pg_proc WHERE proname LIKE 'papers\\_%' "
            "AND (prosrc ~ 'issues' OR prosrc ~ 'published')"
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT tgname, tgrelid::regclass::text FROM pg_trigger "
            "WHERE NOT tgisinternal AND tgname LIKE 'papers\\_%' "
            "AND tgrelid::regclass::text NOT LIKE 'papers\\_%'"
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT count(*) FROM pg_proc WHERE proname LIKE 'papers\\_search\\_%' "
            "AND prosrc ~ 'papers_authorship'"
        )
        assert cursor.fetchone() == (1,)  # the check above reads the functions' text


HOSTILE = [
    "'",
    "''",
    "&",
    "|",
    "!",
    ":*",
    "a:*",
    "<->",
    "(",
    ")",
    "!(a & b)",
    "\\",
    "%",
    "_",
    '"',
    "稠'密",
    "检索:*",
    "-",
    "or",
    "the",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_search_hostile_query_is_harmless(catalogue: dict[str, Paper], query: str) -> None:
    response = APIClient().get(API, {"q": query})
    assert response.status_code == 200, response.content
    assert response.json()["count"] <= 4
    assert APIClient().get("/en/search/?" + urlencode({"q": query})).status_code == 200


@pytest.mark.parametrize(
    ("query", "status"),
    [("\x00", 400), ("a\x00b", 400), ("x" * 1000, 400), ("检" * 1000, 400), ("检" * 200, 200)],
)
def test_search_nul_and_overlong_queries_are_refused(
    catalogue: dict[str, Paper], query: str, status: int
) -> None:
    response = APIClient().get(API, {"q": query})
    assert response.status_code == status, response.content
    assert APIClient().get("/en/search/?" + urlencode({"q": query})).status_code == 200


# ============================================================ PostgreSQL: the plans use the indexes


def _plans(path: str) -> list[tuple[str, str]]:
    """(SQL, plan) of each query of a request that reads papers_paper."""
    with CaptureQueriesContext(connection) as queries:
        assert APIClient().get(path).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            if '"papers_paper"' not in sql.split(" FROM ", 1)[-1].split(" WHERE ", 1)[0]:
                continue
            cursor.execute("EXPLAIN " + sql)
            plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return plans


#: Papers in the table for the plans: enough that the planner prefers an index where one serves.
PLANNED_PAPERS = 30_000


@pytest.fixture
def many_papers(db: None) -> None:
    """``PLANNED_PAPERS`` papers (made in one statement, their documents by the triggers) and
    their statistics. No ``enable_seqscan = off``: the plans are those the planner picks."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO papers_paper (arxiv_id, title, title_zh, abstract, published_on,
                primary_category, categories, journal_ref, comment, code_url, pdf_url,
                metadata_status, metadata_source, metadata_error, metadata_attempts,
                metadata_kept, created_at, updated_at)
            SELECT '2301.' || i,
                   'Paper ' || i || ' on topic' || i %% 500 || ' and theme' || i %% 37,
                   '第' || i || '篇论文', 'Words of paper ' || i || ': subject' || i %% 1000,
                   date '2020-01-01' + i %% 2000, 'cs.CL', '["cs.CL"]', '', '', '', '',
                   'ok', 'arxiv', '', 0, false, now() - i * interval '1 minute', now()
              FROM generate_series(1, %s) AS i
            """,
            [PLANNED_PAPERS],
        )
    PaperFactory(title="Grokking at the Edge", title_zh="顿悟的边缘", abstract="Rare.")
    with connection.cursor() as cursor:
        # Rows inserted into a GIN index wait in its pending list until (auto)vacuum merges
        # them, which a test transaction cannot run: merged here, as a live index would be.
        cursor.execute("SELECT gin_clean_pending_list('paper_search_vector_idx'::regclass)")
        cursor.execute("ANALYZE papers_paper")


_SEQ_SCAN_OF_PAPERS = re.compile(r"Seq Scan on papers_paper(?![a-z_])")


#: Each request, and the index that must show in the plans of its queries.
PLANNED = [
    (API, "paper_newest_idx"),  # the list: its first page read off the index
    (API + "?ordering=-published_on", "paper_published_on_idx"),
    (API + "?q=grokking", "paper_search_vector_idx"),  # a rare word: the GIN index
    (API + "?q=顿悟", "paper_search_vector_idx"),
    (API + "?q=topic7", "paper_search_vector_idx"),  # in 1 paper of 500
    # A word found in every paper ("paper", "论文") is left out: every row matches, so reading
    # the table is a fair plan, and the planner's choice between it and the list's index varies
    # with the table's statistics (docs/PERFORMANCE.md shows both at 100,000 papers).
]


@pytest.mark.postgres
def test_list_and_search_plans_use_indexes_and_scan_no_table(many_papers: None) -> None:
    # One test for all the requests: filling the table is what takes time.
    for path, index in PLANNED:
        plans = _plans(path)
        assert plans, path
        for sql, plan in plans:
            if sql.startswith('SELECT COUNT(*) AS "__count" FROM "papers_paper"') and (
                " WHERE " not in sql
            ):
                # Counting every paper reads a whole relation whatever the plan: an index-only
                # scan of the smallest index once VACUUM has set the visibility map (at 100,000
                # papers, docs/PERFORMANCE.md), which a test transaction cannot run.
                continue
            if sql.startswith("SELECT COUNT(*)") and index == "paper_newest_idx":
                # A word in every paper: its count reads every row whatever the plan, and the
                # planner may fairly choose a sequential scan for it. The page itself must still
                # come from the list's index (checked below).
                continue
            assert not _SEQ_SCAN_OF_PAPERS.search(plan), (path, sql, plan)
        assert any(index in plan for _, plan in plans), (path, plans)


# ================================================================ a fixed number of queries


def _catalogue_of(size: int, publication: Publication, editor: Any) -> None:
    papers = [
        PaperFactory(
            title=f"Retrieval study {n}",
            title_zh=f"检索研究{n}",
            authors=[f"Author {n}", f"Author {n + 1}"],
            institutions=[f"Institution {n}"],
        )
        for n in range(size)
    ]
    _publish(publication, editor, [{"paper": p, "summary": "关于检索的研究。"} for p in papers])


#: Count, page, the authors' and institutions' names (one query, ``with_names``).
LIST_QUERIES = 3
#: The count and the keys of a page of papers and news items (``issues.search``), then the
#: papers as the list reads them, and each one's published appearances.
SEARCH_PAGE_QUERIES = 6
#: On PostgreSQL a search first picks its matches (their ids, ranked), in one query of its own
#: (the search page's, the papers' and the news items' at once).
SEARCH_PICK = 1


@pytest.mark.parametrize(
    ("path", "queries", "searches"),
    [
        pytest.param(API, LIST_QUERIES, False, id="list"),
        pytest.param(API + "?q=retrieval", LIST_QUERIES, True, id="search-en"),
        pytest.param(API + "?q=" + "检索", LIST_QUERIES, True, id="search-zh"),
        pytest.param(API + "?q=retrieval&featured=true", LIST_QUERIES, True, id="search-filtered"),
        pytest.param("/en/search/?q=retrieval", SEARCH_PAGE_QUERIES, True, id="search-page"),
    ],
)
def test_list_and_search_cost_fixed_queries(
    publication: Publication,
    editor: Any,
    django_assert_num_queries: Any,
    path: str,
    queries: int,
    searches: bool,
) -> None:
    if searches and connection.vendor == "postgresql":
        queries += SEARCH_PICK
        if path.startswith(API):
            # The API's ranked search knows its count from the pick: no count query.
            queries -= 1
    client = APIClient()
    _catalogue_of(2, publication, editor)
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200
    _catalogue_of(12, publication, editor)
    with django_assert_num_queries(queries):
        response = client.get(path)
    assert response.status_code == 200
    if path.startswith(API):
        assert response.json()["count"] == 14


def test_paper_list_deep_pages_read_ids_first_and_hold_the_same_papers(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DeferredJoinPaginator, "defer_from", 2)
    for n in range(7):
        PaperFactory(title=f"Paper {n}", authors=[f"Author {n}"])
    newest_first = [f"Paper {n}" for n in reversed(range(7))]
    for page in (1, 2, 3, 4):
        with CaptureQueriesContext(connection) as queries:
            response = APIClient().get(API, {"page_size": 2, "page": page})
        assert [p["title"] for p in response.json()["results"]] == newest_first[
            2 * (page - 1) : 2 * page
        ]
        assert len(queries.captured_queries) == LIST_QUERIES
        listed = next(q["sql"] for q in queries.captured_queries if "LIMIT" in q["sql"])
        # From the deferred offset on, the offset is taken in a subquery of ids.
        assert listed.count("SELECT") == (2 if page > 1 else 1), listed


@pytest.mark.postgres
def test_ranked_search_pages_by_its_matched_ids_without_counting_again(db: None) -> None:
    # Five matches, best first: the three with the word in their title, newest first among them.
    for n in range(3):
        PaperFactory(title=f"Retrieval study {n}", abstract="About something else.")
    for n in range(2):
        PaperFactory(title=f"Another study {n}", abstract="It mentions retrieval once.")
    PaperFactory(title="Unrelated", abstract="Nothing of the word.")
    ranked = ["Retrieval study 2", "Retrieval study 1", "Retrieval study 0"]
    ranked += ["Another study 1", "Another study 0"]

    pages = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            response = APIClient().get(API, {"q": "retrieval", "page_size": 2, "page": page})
        body = response.json()
        assert body["count"] == 5
        pages.append([p["title"] for p in body["results"]])
        # No COUNT over the matches, and the page is read by its own ids alone.
        assert not any("COUNT(" in q["sql"] for q in queries.captured_queries)
    assert pages == [ranked[0:2], ranked[2:4], ranked[4:5]]

    # Another ordering, or another filter, is answered by the database as before.
    response = APIClient().get(API, {"q": "retrieval", "ordering": "title", "page_size": 2})
    assert response.json()["count"] == 5
    assert [p["title"] for p in response.json()["results"]] == sorted(ranked)[:2]
