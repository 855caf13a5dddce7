"""The site's search (``/search/``, ``issues/search.py``): featured papers and the news items of
published issues in one list, newest first, each with its kind; the query's words marked,
safely; paginated at a fixed number of queries. The paper-only rules (what a paper is found by,
empty and overlong queries, the landmarks) are in ``test_reader.py``."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from issues.models import Issue, IssueEntry
from issues.services import (
    correct_issue,
    create_issue,
    publish_issue,
    schedule_issue,
    schedule_recommendation,
)
from publications.models import Publication
from recommendations.enums import RecommendationStatus
from tests.factories import PaperFactory, RecommendationFactory
from tests.languages import in_chinese, reverse_in

pytestmark = pytest.mark.django_db

SEARCH = "/en/search/"
#: The count, the page's keys, its papers with their authors, institutions and appearances, its
#: news items with their issues; on PostgreSQL, first, the lookup of both kinds in their indexes.
PAGE_QUERIES = 7 + (connection.vendor == "postgresql")


def _issue(publication: Publication, editor: Any, items: list[dict[str, Any]], **kw: Any) -> Issue:
    """An issue of ``publication`` holding ``items`` (a recommendation's fields each; a
    ``news_title`` makes a news item), left a draft unless ``publish``."""
    publish = kw.pop("publish", True)
    issue = create_issue(publication, by=editor, title=kw.pop("title", "An issue"))
    for item in items:
        values = {"status": RecommendationStatus.ACCEPTED, "decided_at": timezone.now(), **item}
        if "news_title" in values:
            values.setdefault("news", True)
        recommendation = RecommendationFactory(publication=publication, **values)
        schedule_recommendation(recommendation, issue=issue, by=editor)
    return publish_issue(issue, by=editor) if publish else issue


def _news(title: str, summary: str = "A summary.") -> dict[str, Any]:
    return {"news_title": title, "news_url": "https://news.example.org/item", "summary": summary}


def _main(client: Client, query: str, *, search: str = SEARCH, **params: Any) -> str:
    response = client.get(search + "?" + urlencode({"q": query, **params}))
    assert response.status_code == 200
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def _titles(main: str) -> list[tuple[str, str]]:
    """(kind, title without its marks) of each result, in order."""
    found = re.findall(
        r'<p class="result-kind">([^<]+)</p>.*?<h3 class="entry-title"><a [^>]*>(.*?)</a>',
        main,
        re.DOTALL,
    )
    return [(kind, re.sub(r"</?mark>", "", title)) for kind, title in found]


def _entry(issue: Issue, title: str) -> IssueEntry:
    return issue.entries.get(shown_title=title)


@pytest.fixture
def issues(publication: Publication, editor: Any) -> dict[str, Issue]:
    """Issue 1 (a paper and a news item) and issue 2 (a news item), published a week apart;
    news items that no reader may find: in a scheduled issue, a draft issue, rejected, only
    submitted."""
    first = _issue(
        publication,
        editor,
        [
            {
                "paper": PaperFactory(title="Dense Passage Retrieval", title_zh="稠密段落检索"),
                "summary": "Two encoders, one index.",
            },
            _news("A new retrieval corpus is out", "Cleaned web text for 检索 research."),
        ],
    )
    Issue.objects.filter(pk=first.pk).update(published_at=timezone.now() - dt.timedelta(days=7))
    second = _issue(publication, editor, [_news("Retrieval benchmark released", "新的基准。")])
    scheduled = _issue(
        publication, editor, [_news("Scheduled retrieval news")], title="Soon", publish=False
    )
    schedule_issue(scheduled, by=editor, publish_at=timezone.now() + dt.timedelta(days=1))
    _issue(publication, editor, [_news("Draft retrieval news")], title="Draft", publish=False)
    RecommendationFactory(
        publication=publication,
        news=True,
        news_title="Rejected retrieval news",
        status=RecommendationStatus.REJECTED,
    )
    RecommendationFactory(publication=publication, news=True, news_title="Submitted retrieval news")
    return {"first": first, "second": second}


# ================================================================ what is found


def test_search_finds_published_news_and_papers_newest_first_with_their_kind(
    client: Client, issues: dict[str, Issue]
) -> None:
    main = _main(client, "retrieval")

    assert "3 results match “retrieval”" in main
    assert _titles(main) == [
        ("News", "Retrieval benchmark released"),
        ("Paper", "Dense Passage Retrieval"),
        ("News", "A new retrieval corpus is out"),
    ]
    assert main.count('class="entry entry-card search-result search-news"') == 2
    assert main.count('class="entry entry-card search-result search-paper"') == 1
    for hidden in ("Scheduled", "Draft", "Rejected", "Submitted"):
        assert hidden not in main


def test_search_finds_news_by_summary_and_in_chinese(
    client: Client, issues: dict[str, Issue]
) -> None:
    assert _titles(_main(client, "cleaned web")) == [("News", "A new retrieval corpus is out")]
    # A Chinese word: the news item's summary, the paper's Chinese title.
    assert _titles(_main(client, "检索")) == [
        ("Paper", "Dense Passage Retrieval"),
        ("News", "A new retrieval corpus is out"),
    ]
    assert _titles(_main(client, "基准")) == [("News", "Retrieval benchmark released")]
    # Every word must match, across both scripts.
    assert _titles(_main(client, "corpus 检索")) == [("News", "A new retrieval corpus is out")]
    assert _titles(_main(client, "benchmark 检索")) == []


def test_search_news_links_to_its_entry_in_its_issue(
    client: Client, issues: dict[str, Issue]
) -> None:
    entry = _entry(issues["second"], "Retrieval benchmark released")
    main = _main(client, "benchmark")

    link = f'href="/en/p/pretraining-weekly/2/#entry-{entry.pk}"'
    assert f'<h3 class="entry-title"><a {link} lang="en">' in main
    appeared = f"Featured in: <a {link}>Pretraining Weekly · Issue 2</a>"
    assert f'<p class="appeared">{appeared}</p>' in main
    assert '<p class="summary-teaser" lang="zh-Hans">新的基准。</p>' in main


def test_search_finds_a_news_item_as_corrected(
    client: Client, issues: dict[str, Issue], editor: Any
) -> None:
    issue = issues["second"]
    entry = _entry(issue, "Retrieval benchmark released")
    correct_issue(
        issue,
        by=editor,
        note="The benchmark's name.",
        entries={entry.pk: {"shown_title": "Leaderboard released"}},
    )

    assert _titles(_main(client, "benchmark")) == []
    assert _titles(_main(client, "leaderboard")) == [("News", "Leaderboard released")]


# ================================================================ marks


def test_search_marks_the_query_in_titles_and_teasers(
    client: Client, issues: dict[str, Issue]
) -> None:
    main = _main(client, "RETRIEVAL 检索")

    assert "Dense Passage <mark>Retrieval</mark></a>" in main
    assert '<span class="title-zh" lang="zh-Hans">（稠密段落<mark>检索</mark>）</span>' in main
    assert "A new <mark>retrieval</mark> corpus is out</a>" in main
    assert "Cleaned web text for <mark>检索</mark> research." in main


def test_search_escapes_a_title_holding_markup_and_marks_only_its_text(
    client: Client, publication: Publication, editor: Any
) -> None:
    _issue(
        publication,
        editor,
        [_news("<b>Bold</b> claim about retrieval", "<script>alert(1)</script> retrieval")],
    )
    main = _main(client, "bold retrieval")

    assert "&lt;b&gt;<mark>Bold</mark>&lt;/b&gt; claim about <mark>retrieval</mark></a>" in main
    assert "<b>" not in main
    assert "<script" not in main


@pytest.mark.parametrize(
    "query",
    [
        "<script>",
        "<script>alert(1)</script>",
        "a|b(",
        "retrieval|(",
        "(?i).*",
        "[",
        "\\",
        '"unbalanced',
        "retrieval -",
        "<mark>retrieval</mark>",
        "&amp; &lt;",
        "检索" * 40 + " retrieval" * 10,
        ("retrieval 检索 " * 20)[:200],
    ],
)
def test_search_hostile_query_gives_no_markup_and_no_error(
    client: Client, issues: dict[str, Issue], query: str
) -> None:
    main = _main(client, query)

    assert "<script" not in main
    # The only tags around the query's words are the marks, and nothing inside a mark is markup.
    for marked in re.findall(r"<mark>(.*?)</mark>", main):
        assert "<" not in marked, marked
        assert ">" not in marked, marked
    heading = re.search(r'<h2 id="results-heading">(.*?)</h2>', main)
    assert heading is not None
    assert "<" not in heading.group(1)


# ================================================================ pages and queries


def test_search_pages_papers_and_news_as_one_list(
    client: Client, publication: Publication, editor: Any, django_assert_max_num_queries: Any
) -> None:
    _issue(
        publication,
        editor,
        [{"paper": PaperFactory(title=f"Pretraining paper {i}")} for i in range(12)]
        + [_news(f"Pretraining news {i}") for i in range(12)],
    )
    with django_assert_max_num_queries(PAGE_QUERIES):
        first = _main(client, "pretraining")
    with django_assert_max_num_queries(PAGE_QUERIES):
        second = _main(client, "pretraining", page=2)

    assert "24 results match “pretraining”" in first
    kinds = [kind for kind, _title in _titles(first) + _titles(second)]
    # One issue: its papers first, then its news, as the issue shows them.
    assert kinds == ["Paper"] * 12 + ["News"] * 12
    assert len(_titles(first)) == 20
    assert len(_titles(second)) == 4
    assert 'href="?q=pretraining&amp;page=2"' in first
    assert 'href="?q=pretraining&amp;page=1"' in second


def test_search_page_of_news_costs_the_same_queries_however_many(
    client: Client, publication: Publication, editor: Any, django_assert_max_num_queries: Any
) -> None:
    _issue(publication, editor, [_news(f"Pretraining news {i}") for i in range(25)])
    with django_assert_max_num_queries(PAGE_QUERIES - 3):  # no paper: none of the papers' reads
        main = _main(client, "pretraining")

    assert "25 results match “pretraining”" in main
    assert len(_titles(main)) == 20


# ================================================================ languages


def test_search_in_chinese(client: Client, issues: dict[str, Issue]) -> None:
    main = _main(client, "检索", search=in_chinese(SEARCH))

    assert '<p class="result-kind">论文</p>' in main
    assert "收录于" in main
    assert "稠密段落<mark>检索</mark>" in main
    assert "Cleaned web text for <mark>检索</mark> research." in main
    assert [title for _kind, title in _titles(main)] == [
        "Dense Passage Retrieval",
        "A new retrieval corpus is out",
    ]
    assert main.count('class="entry entry-card search-result search-news"') == 1


def test_search_page_in_both_languages_is_served(client: Client, issues: dict[str, Issue]) -> None:
    for language in ("en", "zh-hans"):
        response = client.get(reverse_in(language, "papers:search"), {"q": "retrieval"})
        assert response.status_code == 200
        assert response.headers["Content-Language"] == language


# ================================================================ kept until the next publication


def test_a_repeated_search_is_answered_from_the_cache(
    client: Client, issues: dict[str, Issue]
) -> None:
    first = _main(client, "retrieval")
    with CaptureQueriesContext(connection) as queries:
        again = _main(Client(), "retrieval")
    assert again == first
    assert queries.captured_queries == []
    # Another query, another page of results, are searched anew.
    assert _titles(_main(client, "benchmark")) == [("News", "Retrieval benchmark released")]


def test_a_correction_shows_in_a_search_made_before_it(
    client: Client,
    issues: dict[str, Issue],
    editor: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert ("News", "Retrieval benchmark released") in _titles(_main(client, "retrieval"))
    issue = issues["second"]
    entry = _entry(issue, "Retrieval benchmark released")
    with django_capture_on_commit_callbacks(execute=True):
        correct_issue(
            issue,
            by=editor,
            note="The benchmark's name.",
            entries={entry.pk: {"shown_title": "Retrieval leaderboard released"}},
        )
    found = _titles(_main(client, "retrieval"))
    assert ("News", "Retrieval leaderboard released") in found
    assert ("News", "Retrieval benchmark released") not in found


def test_a_member_and_a_reader_share_the_results_not_the_header(
    client: Client, issues: dict[str, Issue], editor: Any
) -> None:
    anonymous = _main(client, "retrieval")
    member = Client()
    member.force_login(editor)
    response = member.get(SEARCH + "?" + urlencode({"q": "retrieval"}))
    page = response.content.decode()
    assert _titles(page) == _titles(anonymous)
    assert editor.public_name in page
    assert editor.public_name not in Client().get(SEARCH + "?q=retrieval").content.decode()
