"""The site's search: papers featured in published issues and news items of published issues
that match a query, in one list, the most recently published first.

A reader searches the digest, not its catalogue: a paper is found by its own texts and by what
issues published of it (``selectors.search_papers``); a news item by its title and summary as
published (the ``shown_*`` copies publishing made), which is all there is of it. Both kinds come
in one list, newest first, each marked with its kind, paginated as one: a news item of last week
ranks above a paper of last year, as in the issues themselves.

Both kinds follow the same query rules:

- on PostgreSQL, the full-text query of ``papers/search.py`` (stemmed English words, Chinese as
  pairs of characters), each kind answered by an index and bounded: the newest
  ``SEARCH_MAX_MATCHES`` featured papers (``selectors.featured_matches``) and the newest
  ``SEARCH_MAX_MATCHES`` news items (``news_matches``: the GIN index of migration 0006 over the
  news entries' published texts, which no paper entry enters);
- elsewhere (SQLite), each of the first ``SEARCH_MAX_WORDS`` words as a case-insensitive
  substring.

A page of results costs a fixed number of queries: the count and the page's keys (one
``UNION ALL`` of both kinds, each keyed by its kind, id and date), then the page's papers with
their authors, institutions and appearances, and its news items with their issues; on
PostgreSQL, first, the two index lookups, in one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.db import connection
from django.db.models import CharField, Exists, F, Max, Prefetch, Q, QuerySet, Value

from issues import selectors
from issues.enums import IssueStatus, Section
from issues.models import IssueEntry
from papers import search
from papers import selectors as catalogue
from papers.models import Paper

PAPER = "paper"
NEWS = "news"


@dataclass(frozen=True)
class SearchResult:
    """One result: a featured paper (with ``public_entries``, its published appearances, oldest
    first) or a published news entry (with its issue and publication)."""

    kind: str
    paper: Paper | None = None
    news: IssueEntry | None = None

    @property
    def is_news(self) -> bool:
        return self.kind == NEWS


# --- news items -------------------------------------------------------------------------------


def _published_news() -> QuerySet[IssueEntry]:
    return IssueEntry.objects.filter(section=Section.NEWS, issue__status=IssueStatus.PUBLISHED)


def news_matches(query: str) -> list[int]:
    """The ids of the newest published news entries that match ``query``, at most
    ``SEARCH_MAX_MATCHES`` (PostgreSQL): picked by ``issues_news_matches`` (migration 0006) off
    the index of the news entries' published texts."""
    return _matches(query, news=True)[NEWS]


def _matches(query: str, *, papers: bool = False, news: bool = False) -> dict[str, list[int]]:
    """The ids of the newest featured papers and (or) published news entries that match
    ``query``, by kind (PostgreSQL): both picked off their indexes in one statement."""
    found = search.search_query(query.replace("\x00", ""))
    picked: dict[str, list[int]] = {PAPER: [], NEWS: []}
    if found is None:
        return picked
    # The query's SQL as Django compiles it, the searched words among its parameters.
    sql, params = search.tsquery_sql(found, connection.alias)
    wanted = catalogue.SEARCH_MAX_MATCHES
    parts, values = [], []
    for kind, function, asked in (
        (PAPER, "issues_featured_matches", papers),
        (NEWS, "issues_news_matches", news),
    ):
        if asked:
            # Our functions' names and the tsquery Django compiled; the words are parameters.
            parts.append(f"SELECT %s, id FROM {function}({sql}, %s) AS id")  # noqa: S608
            values += [kind, *params, wanted]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), values)
        for kind, pk in cursor.fetchall():
            picked[kind].append(pk)
    return picked


def published_news_matching(query: str, *, ids: list[int] | None = None) -> QuerySet[IssueEntry]:
    """News entries of published issues whose title or summary as published matches ``query``
    (unordered); on PostgreSQL those of ``ids`` when given (``news_matches``, picked before)."""
    news = _published_news()
    if connection.vendor == "postgresql":
        return news.filter(search.AnyOf(F("pk"), news_matches(query) if ids is None else ids))
    for word in query.replace("\x00", "").split()[: catalogue.SEARCH_MAX_WORDS]:
        news = news.filter(Q(shown_title__icontains=word) | Q(shown_summary__icontains=word))
    return news


# --- papers -----------------------------------------------------------------------------------


def featured_papers_found(query: str, *, ids: list[int] | None = None) -> QuerySet[Paper]:
    """Papers featured in a published issue that match ``query`` (``selectors.search_papers``),
    unordered; on PostgreSQL the newest ``SEARCH_MAX_MATCHES``, picked off an index by
    ``selectors.featured_matches`` (or given as ``ids``), never by reading the papers table."""
    papers = Paper.objects.filter(Exists(selectors.appearances_of_outer_paper()))
    if connection.vendor == "postgresql":
        return catalogue.with_ids(papers, selectors.featured_matches(query) if ids is None else ids)
    return selectors.search_papers(papers, query)


# --- both, in one list ------------------------------------------------------------------------


class SearchResults:
    """The results of ``query``, newest first: a featured paper dated by the last issue that
    featured it, a news item by its issue. Give it to a ``Paginator``: ``count()`` and a slice
    each cost one query, and a slice's rows are loaded in a fixed number more."""

    def __init__(self, query: str) -> None:
        text = CharField()
        picked: dict[str, list[int] | None] = {PAPER: None, NEWS: None}
        if connection.vendor == "postgresql":
            picked.update(_matches(query, papers=True, news=True))
        papers = (
            featured_papers_found(query, ids=picked[PAPER])
            .order_by()
            .values("pk")
            .annotate(
                kind=Value(PAPER, output_field=text),
                at=Max(
                    "issue_entries__issue__published_at",
                    filter=Q(issue_entries__issue__status=IssueStatus.PUBLISHED),
                ),
            )
            .values_list("kind", "pk", "at")
        )
        news = (
            published_news_matching(query, ids=picked[NEWS])
            .order_by()
            .annotate(kind=Value(NEWS, output_field=text), at=F("issue__published_at"))
            .values_list("kind", "pk", "at")
        )
        # Newest first; of a paper and a news item of one issue, the paper, as the issue shows.
        self._keys = papers.union(news, all=True).order_by("-at", "-kind", "-pk")

    def count(self) -> int:
        return self._keys.count()

    @overload
    def __getitem__(self, index: int) -> SearchResult: ...

    @overload
    def __getitem__(self, index: slice) -> list[SearchResult]: ...

    def __getitem__(self, index: int | slice) -> SearchResult | list[SearchResult]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        return _load(list(self._keys[index]))

    def __len__(self) -> int:
        return self.count()


def _appearances() -> QuerySet[IssueEntry]:
    """Entries of published issues, oldest first, with the issue and publication a result
    names."""
    return (
        IssueEntry.objects.filter(issue__status=IssueStatus.PUBLISHED)
        .select_related("issue__publication")
        .order_by("issue__published_at", "issue_id", "position", "id")
    )


def _load(keys: Sequence[tuple[str, int, Any]]) -> list[SearchResult]:
    """The results named by ``keys`` (kind, id, date), in their order."""
    paper_ids = [pk for kind, pk, _at in keys if kind == PAPER]
    news_ids = [pk for kind, pk, _at in keys if kind == NEWS]
    papers: dict[int, Paper] = {}
    if paper_ids:
        papers = (
            catalogue.papers_with_details()
            .prefetch_related(
                Prefetch("issue_entries", queryset=_appearances(), to_attr="public_entries")
            )
            .in_bulk(paper_ids)
        )
    news: dict[int, IssueEntry] = {}
    if news_ids:
        news = _published_news().select_related("issue__publication").in_bulk(news_ids)
    results = []
    for kind, pk, _at in keys:
        if kind == PAPER and pk in papers:
            results.append(SearchResult(PAPER, paper=papers[pk]))
        elif kind == NEWS and pk in news:
            results.append(SearchResult(NEWS, news=news[pk]))
    return results
