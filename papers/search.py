"""The catalogue's search queries on PostgreSQL, matching the documents that
``papers/migrations/0004_paper_search_document.py`` builds (as 0009 left them: the catalogue's
own texts, then ``search_extra``, the part that higher apps write and this app never reads).

A query is split by script. The words outside the CJK runs become a ``websearch_to_tsquery`` in
the ``english`` configuration: stemmed, every word required, "quoted phrases", ``or`` and
``-word`` understood, and no input is a syntax error. Each CJK run (Han, kana, Hangul: written
without spaces) is looked up among the documents' pairs of characters: "稠密检索" as the phrase
'稠密' <-> '密检' <-> '检索', "模型" as the single word '模型', one character "词" as the prefix
'词':*. Every part must match, so "BERT 预训练" wants both. All of it is answered by the GIN index
on the document.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db.models import BigIntegerField, Expression, F, Func, IntegerField, Lookup
from django.db.models.sql import Query

# Kept equal to the class in migration 0004.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{CJK}]+")


def split_query(query: str) -> tuple[str, list[str]]:
    """``query`` as (the text outside CJK runs, the CJK runs)."""
    return _CJK_RUN.sub(" ", query).strip(), _CJK_RUN.findall(query)


def cjk_tsquery(runs: list[str]) -> str:
    """The ``to_tsquery`` text that finds every run of ``runs`` (CJK characters only, so nothing
    in it needs quoting beyond the quotes given)."""
    parts = []
    for run in runs:
        if len(run) == 1:
            parts.append(f"'{run}':*")
        else:
            parts.append(
                "(" + " <-> ".join(f"'{run[i : i + 2]}'" for i in range(len(run) - 1)) + ")"
            )
    return " & ".join(parts)


def search_query(query: str) -> SearchQuery | None:
    """The tsquery for ``query``, or None when it holds nothing to look for."""
    latin, runs = split_query(query)
    found: SearchQuery | None = None
    if latin:
        found = SearchQuery(latin, config="english", search_type="websearch")
    if runs:
        cjk = SearchQuery(cjk_tsquery(runs), config="simple", search_type="raw")
        found = cjk if found is None else found & cjk
    return found


class SearchDocument(Expression):
    """A paper's search document: the ``search_vector`` column that the migrations add to
    ``papers_paper`` and their triggers maintain. The model leaves it (and ``search_extra``) out
    on purpose, so that no paper is loaded with it or saved back with a stale copy."""

    output_field = SearchVectorField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.search_vector", []


class Position(Func):
    """A row's place in ``ids`` (1 for the first), by its primary key: ``ORDER BY`` it to keep
    an order computed elsewhere. ``array_position`` walks the array: meant for the few hundred
    ids of one search, not for a whole table."""

    function = "array_position"
    output_field = IntegerField()

    def __init__(self, ids: list[int]) -> None:
        super().__init__(_Ids(ids), F("pk"))


class _Ids(Expression):
    """A list of primary keys as one ``bigint[]`` parameter, handed to the driver as it is.

    ``Value(ids, output_field=ArrayField(...))`` prepares each element through the field, some
    6 µs an id: for the three statements of a search over its thousand matches, 18 ms of
    CPU, most of an API search's. psycopg adapts a list of ints itself; the cast gives it
    the type of the keys, which ``array_position`` needs to match."""

    output_field = ArrayField(BigIntegerField())

    def __init__(self, ids: list[int]) -> None:
        super().__init__()
        self.ids = [int(pk) for pk in ids]

    @property
    def identity(self) -> tuple[Any, ...]:
        # What Expression's own would be, without making each id hashable one by one.
        return (type(self), tuple(self.ids))

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s::bigint[]", [self.ids]


class AnyOf(Lookup):
    """``lhs = ANY(%s)``: one array parameter, where ``pk__in`` sends one parameter per id.
    For the ids of a search's matches (up to a thousand), building the statement with a
    thousand parameters cost half of an API search's CPU."""

    lookup_name = "any_of"

    def __init__(self, lhs: Any, ids: list[int]) -> None:
        super().__init__(lhs, _Ids(ids))

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def tsquery_sql(found: SearchQuery, using: str) -> tuple[str, list[Any]]:
    """The SQL of ``found`` and its parameters, to pass to a function of the database."""
    query = Query(None)
    return query.get_compiler(using).compile(found.resolve_expression(query))
