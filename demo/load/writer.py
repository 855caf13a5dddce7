"""The generator's only way into the database: rows as tuples, primary keys chosen here, and the
fastest bulk insert the database has (``COPY`` on PostgreSQL, ``bulk_create`` elsewhere)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models

BATCH = 5000


@contextmanager
def given_times() -> Iterator[None]:
    """``auto_now``/``auto_now_add`` fields take the times given here, not the time of the run.

    bulk_create calls ``pre_save``, which would stamp every row with now: the archive would
    then be created in one second, and every list ordered by creation would be in id order by
    chance. The fields are restored on exit.
    """
    fields = [
        f
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class Table:
    """One table's columns, their defaults, and the fastest bulk insert the database has.

    On PostgreSQL that is ``COPY``: ``bulk_create`` spends most of its time preparing each value
    of each row in Python (about a minute for the 1.5 million rows of 100,000 papers on a 2-core
    machine), which the benchmark's two-minute budget cannot afford. Elsewhere (SQLite in the
    tests) it is ``bulk_create`` in large batches. Both write the same rows: every column, with
    the model's defaults for the ones not given.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.defaults = {
            f.attname: None
            if f.primary_key or (f.has_default() and callable(f.default) and f.default is not list)
            # A callable default (now, uuid4) would differ from run to run: given, or NULL.
            else f.get_default()
            for f in self.fields
        }
        self.json = [i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)]

    def row(self, values: dict[str, Any]) -> tuple:
        merged = {**self.defaults, **values}
        if len(merged) != len(self.defaults):
            raise TypeError(
                f"Unknown fields of {self.model.__name__}: {set(merged) - set(self.defaults)}"
            )
        return tuple(merged[name] for name in self.attnames)

    def values_of(self, obj: models.Model) -> tuple:
        return tuple(getattr(obj, name) for name in self.attnames)

    def insert(self, rows: Sequence[tuple]) -> None:
        if connection.vendor != "postgresql":
            self.model._base_manager.bulk_create(
                [self.model(**dict(zip(self.attnames, row, strict=True))) for row in rows],
                batch_size=BATCH,
            )
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        sql = f"COPY {quote(self.model._meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                if self.json:
                    row = list(row)
                    for i in self.json:
                        row[i] = json.dumps(row[i], ensure_ascii=False)
                copy.write_row(row)


class Writer:
    """Numbers the rows of each table and inserts them, counting what it wrote in ``counts``."""

    def __init__(self, counts: Counter) -> None:
        self.counts = counts
        self.next_id: dict[type[models.Model], int] = {}
        self.tables: dict[type[models.Model], Table] = {}

    def ids(self, model: type[models.Model], count: int) -> range:
        if model not in self.next_id:
            last = model._base_manager.aggregate(m=models.Max("pk"))["m"] or 0
            self.next_id[model] = last + 1
        start = self.next_id[model]
        self.next_id[model] = start + count
        return range(start, start + count)

    def table(self, model: type[models.Model]) -> Table:
        return self.tables.get(model) or self.tables.setdefault(model, Table(model))

    def row(self, model: type[models.Model], **values: Any) -> tuple:
        return self.table(model).row(values)

    def insert(self, model: type[models.Model], rows: Sequence[tuple]) -> None:
        """Insert rows made by ``row``; those without a primary key are numbered here."""
        if not rows:
            return
        if rows[0][0] is None:
            ids = self.ids(model, len(rows))
            rows = [(pk, *row[1:]) for pk, row in zip(ids, rows, strict=True)]
        self.table(model).insert(rows)
        self.counts[model._meta.label] += len(rows)

    def insert_objects(self, model: type[models.Model], objects: Sequence[models.Model]) -> None:
        table = self.table(model)
        self.insert(model, [table.values_of(obj) for obj in objects])

    def reset_sequences(self) -> None:
        """Move each table's sequence past the primary keys chosen here."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.next_id))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
