"""Export every row of the site's content to one JSON file, and import such a file into an empty
database.

The file::

    {"format": "weekly-export", "version": 1, "exported_at": "…",
     "schema": {"issues": ["0002_member_notifications"], …},
     "models": {"contributors.user": [{"model": …, "pk": …, "fields": {…}}, …], …},
     "counts": {"contributors.user": 6, …}}

Each row is Django's own serialization of it (``dumpdata``'s form), primary keys kept, so links
between rows, and the addresses that carry ids, hold after the move. Rows that point at content
types or permissions name them by natural key: ``migrate`` recreates those with ids of its own.
The header comes first and the counts last, so both ends are read as a stream: neither side holds
more than a batch of rows in memory, and a file cut short is noticed.

Left out: content types and permissions (``migrate`` makes them) and sessions (members sign in
again). Everything else is in, password hashes and API tokens included: the file is a secret. The
institution glossary ``migrate`` loads is replaced by the file's (``MIGRATE_LOADED``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.apps import apps
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError, DeserializedObject
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.models import Model
from django.utils import timezone

from backups.stream import DataFileError, JSONStream
from backups.upgrades import Upgrade, upgrade_for

FORMAT = "weekly-export"
VERSION = 1

#: Rebuilt by ``migrate`` (content types, permissions) or not worth keeping (sessions).
EXCLUDED = frozenset({"contenttypes.contenttype", "auth.permission", "sessions.session"})

#: Rows ``migrate`` itself loads (the institution glossary shipped with the catalogue): a new
#: database holds them, so they do not make it "not empty", and an export that carries its own
#: rows of the model replaces them.
MIGRATE_LOADED = frozenset({"papers.institutionglossaryentry"})

#: What a row that does not fit the model raises while it is turned into one.
_UNREADABLE = (DeserializationError, FieldDoesNotExist, ValidationError, ValueError, TypeError)

#: Rows written to the database per INSERT.
BATCH_SIZE = 500


@dataclass
class Outcome:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


# --- which models, in which order -----------------------------------------------------------------


def exported_models() -> list[type[Model]]:
    """Every installed model with rows of its own, each after the models it points at."""
    candidates = [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in EXCLUDED
    ]
    labels = {model._meta.label_lower for model in candidates}
    ordered: list[type[Model]] = []
    done: set[str] = set()
    pending = list(candidates)
    while pending:
        ready = [
            model
            for model in pending
            if all(
                target in done or target == model._meta.label_lower or target not in labels
                for target in _targets(model)
            )
        ]
        if not ready:  # a cycle: deferred constraints let any order in; keep the rest as found
            ready = pending
        for model in ready:
            ordered.append(model)
            done.add(model._meta.label_lower)
        pending = [model for model in pending if model not in ready]
    return ordered


def _targets(model: type[Model]) -> set[str]:
    return {
        f.related_model._meta.concrete_model._meta.label_lower
        for f in model._meta.get_fields()
        if (f.many_to_one or f.one_to_one or f.many_to_many)
        and f.concrete
        and f.related_model is not None
    }


def _names_excluded_rows(model: type[Model]) -> bool:
    """Whether the model points at content types or permissions, whose ids differ per database."""
    return bool(_targets(model) & EXCLUDED)


def _auto_m2m(model: type[Model]) -> list[Any]:
    return [f for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]


def schema() -> dict[str, list[str]]:
    """The latest migration of each exported app, as the code on disk has them."""
    leaves = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
    exported = {model._meta.app_label for model in exported_models()}
    return {
        app: sorted(name for leaf_app, name in leaves if leaf_app == app)
        for app in sorted(exported)
    }


# --- export ---------------------------------------------------------------------------------------


class _ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; a round trip must keep the microseconds."""

    def default(self, o: Any) -> Any:
        if hasattr(o, "isoformat") and hasattr(o, "microsecond"):
            return o.isoformat()
        return super().default(o)


class _RowSerializer(JSONSerializer):
    """Django's JSON serializer, one row a line, counting what it writes."""

    def start_serialization(self) -> None:
        self._init_options()
        self.written = 0
        self.stream.write("[")

    def end_object(self, obj: Model) -> None:
        self.stream.write("\n" if self.first else ",\n")
        json.dump(self.get_dump_object(obj), self.stream, **self.json_kwargs)
        self.written += 1
        self._current = None

    def end_serialization(self) -> None:
        self.stream.write("\n]" if self.written else "]")


def export_data(stream: TextIO, *, using: str = DEFAULT_DB_ALIAS) -> Outcome:
    """Write every row of every exported model to ``stream``, as one consistent snapshot.

    Side effects: none on the database (read-only); writes to ``stream`` as it reads.
    """
    started = time.monotonic()
    outcome = Outcome()
    connection = connections[using]
    header = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "schema": schema(),
    }
    outer = connection.in_atomic_block
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and not outer:
            # One snapshot for every table, so the file holds no row that points at a row written
            # after its table was read. Must be the first statement of the transaction.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        stream.write(json.dumps(header, ensure_ascii=False)[:-1] + ',\n"models": {')
        for index, model in enumerate(exported_models()):
            label = model._meta.label_lower
            stream.write(("," if index else "") + f"\n{json.dumps(label)}: ")
            serializer = _RowSerializer()
            serializer.serialize(
                _rows(model, using=using),
                stream=stream,
                cls=_ExactJSONEncoder,
                use_natural_foreign_keys=_names_excluded_rows(model),
                use_natural_primary_keys=False,
            )
            outcome.counts[label] = serializer.written
    stream.write("\n},\n" + json.dumps({"counts": outcome.counts})[1:] + "\n")
    outcome.seconds = time.monotonic() - started
    return outcome


def _rows(model: type[Model], *, using: str) -> Iterator[Model]:
    queryset = model._base_manager.using(using).order_by("pk")
    m2m = [f.name for f in _auto_m2m(model)]
    if m2m:
        queryset = queryset.prefetch_related(*m2m)
    if _names_excluded_rows(model):
        # Natural keys of the rows pointed at: fetched with the row, not one query each.
        queryset = queryset.select_related(
            *[
                f.name
                for f in model._meta.concrete_fields
                if f.is_relation and hasattr(f.related_model, "natural_key")
            ]
        )
    return queryset.iterator(chunk_size=2000)


# --- import ---------------------------------------------------------------------------------------


def import_data(stream: TextIO, *, using: str = DEFAULT_DB_ALIAS) -> Outcome:
    """Fill an empty, migrated database with the rows of an export, all or nothing.

    Refuses a file of another format, version or schema, a truncated or malformed file, a row of
    a model this site does not have, and a database that holds content already.

    Side effects: inserts every row of the file (raw: no ``save()``, no signals, timestamps as
    they were) and moves the id sequences past the imported ids, in one transaction.
    """
    started = time.monotonic()
    connection = connections[using]
    _refuse_unmigrated(using)
    _refuse_non_empty(using)
    models = {model._meta.label_lower: model for model in exported_models()}
    reader = JSONStream(stream)
    if reader.peek() == "":
        raise DataFileError("The file is empty.")
    outcome = Outcome()
    header: dict[str, Any] = {}
    counts: dict[str, int] | None = None
    read: dict[str, int] = {}
    try:
        with transaction.atomic(using=using):
            for key in reader.items("the export"):
                if key == "models":
                    upgrade = _check_header(header)
                    for label in reader.items("models"):
                        target = upgrade.label(label) if upgrade else label
                        if target not in models:
                            raise DataFileError(
                                f"The file holds rows of {label!r}, a model this site does not "
                                "have (or does not import)."
                            )
                        rows = reader.elements(f"rows of {label}")
                        if target in MIGRATE_LOADED:
                            models[target]._base_manager.using(using).all().delete()
                        if upgrade is None:
                            number = _insert(models[label], label, rows, using=using)
                            written = {label: number}
                        else:
                            number, written = _insert_upgraded(
                                upgrade, label, rows, models, using=using
                            )
                        read[label] = read.get(label, 0) + number
                        _add(outcome.counts, written)
                    if upgrade is not None:
                        _add(outcome.counts, _insert_held(upgrade, models, using=using))
                elif key == "counts":
                    counts = reader.value()
                else:
                    header[key] = reader.value()
            reader.end()
            if "format" not in header:
                raise DataFileError("The file is not a Weekly export: it has no header.")
            if counts is None:
                raise DataFileError(
                    "The file has no row counts at its end: it is incomplete or not an export."
                )
            _check_counts(counts, read)
            tables = [model._meta.db_table for model in models.values()]
            connection.check_constraints(table_names=tables)
            _reset_sequences(models.values(), using=using)
    except _UNREADABLE as error:
        raise DataFileError(f"A row of the file cannot be read: {error}") from None
    except (IntegrityError, DatabaseError) as error:
        raise DataFileError(f"The database refused a row of the file: {error}".strip()) from None
    outcome.seconds = time.monotonic() - started
    return outcome


def _check_header(header: dict[str, Any]) -> Upgrade | None:
    """Refuse a file this code cannot read; how to upgrade its rows, if it needs it."""
    if header.get("format") != FORMAT:
        raise DataFileError(
            f"The file is not a Weekly export (its header must come first and name the format "
            f"{FORMAT!r}; found {header.get('format')!r})."
        )
    if header.get("version") != VERSION:
        raise DataFileError(
            f"The file is of export version {header.get('version')!r}; this code reads version "
            f"{VERSION}."
        )
    ours = schema()
    if header.get("schema") == ours:
        return None
    upgrade = upgrade_for(header.get("schema"))
    if upgrade is None:
        raise DataFileError(
            "The file was exported by code at other migrations than this code: "
            f"the file's {header.get('schema')!r}, this code's {ours!r}. Import it with the "
            "version of the code that exported it, then run migrate."
        )
    return upgrade


def _check_counts(expected: Any, imported: dict[str, int]) -> None:
    if not isinstance(expected, dict):
        raise DataFileError("The row counts at the end of the file are not an object.")
    found = {label: n for label, n in imported.items() if n}
    claimed = {label: n for label, n in expected.items() if n}
    if found != claimed:
        differing = sorted(
            f"{label}: {claimed.get(label, 0)} in the counts, {found.get(label, 0)} rows"
            for label in set(found) | set(claimed)
            if found.get(label) != claimed.get(label)
        )
        raise DataFileError(
            "The file's rows do not match its counts (edited or spliced?): " + "; ".join(differing)
        )


def _insert(model: type[Model], label: str, rows: Iterable[Any], *, using: str) -> int:
    """Insert the rows of one model, a batch at a time; returns how many."""
    written = 0
    batch: list[DeserializedObject] = []
    for obj in serializers.deserialize(
        "python", _checked_rows(label, rows), using=using, handle_forward_references=False
    ):
        batch.append(obj)
        if len(batch) >= BATCH_SIZE:
            written += _write(model, batch, using=using)
            batch = []
    if batch:
        written += _write(model, batch, using=using)
    return written


def _add(counts: dict[str, int], more: dict[str, int]) -> None:
    for label, number in more.items():
        counts[label] = counts.get(label, 0) + number


def _insert_upgraded(
    upgrade: Upgrade,
    label: str,
    rows: Iterable[Any],
    models: dict[str, type[Model]],
    *,
    using: str,
) -> tuple[int, dict[str, int]]:
    """Insert the rows of ``label`` of an older export where they are now (``upgrades``), a
    batch per model at a time; returns how many rows were read, and how many went to each
    model (none of those the upgrade holds until the end)."""
    read = 0

    def moved() -> Iterator[tuple[str, dict[str, Any]]]:
        nonlocal read
        for row in _checked_rows(label, rows):
            read += 1
            yield from upgrade.rows(label, row)

    written = _insert_moved(moved(), models, origin=label, using=using)
    return read, written


def _insert_held(upgrade: Upgrade, models: dict[str, type[Model]], *, using: str) -> dict[str, int]:
    """Insert the rows an upgrade held until the whole file was read."""
    return _insert_moved(iter(upgrade.finish()), models, origin="the upgrade", using=using)


def _insert_moved(
    moved: Iterator[tuple[str, dict[str, Any]]],
    models: dict[str, type[Model]],
    *,
    origin: str,
    using: str,
) -> dict[str, int]:
    written: dict[str, int] = {}
    pending: dict[str, list[dict[str, Any]]] = {}

    def flush(target: str) -> None:
        batch = pending.pop(target)
        number = _insert(models[target], target, batch, using=using)
        written[target] = written.get(target, 0) + number

    for target, row in moved:
        if target not in models:
            raise DataFileError(f"A row of {origin!r} belongs to no model of this site: {row!r}")
        pending.setdefault(target, []).append(row)
        if len(pending[target]) >= BATCH_SIZE:
            flush(target)
    for target in list(pending):
        flush(target)
    return written


def _checked_rows(label: str, rows: Iterable[Any]) -> Iterator[dict[str, Any]]:
    for row in rows:
        if not (isinstance(row, dict) and isinstance(row.get("fields"), dict) and "pk" in row):
            raise DataFileError(f"A row of {label} is not an object with a pk and fields: {row!r}")
        if str(row.get("model", "")).lower() != label:
            raise DataFileError(f"A row of {row.get('model')!r} is listed under {label!r}.")
        yield row


def _write(model: type[Model], batch: list[DeserializedObject], *, using: str) -> int:
    # What ``loaddata`` does row by row (a raw save: no signals, ``auto_now`` fields as given),
    # in one INSERT per batch: 121,053 rows in 8 s instead of 85 s on PostgreSQL, 5.5 s instead of
    # 39 s on SQLite (bench/export_import.py).
    objects = [item.object for item in batch]
    fields = list(model._meta.local_concrete_fields)
    size = max(1, connections[using].ops.bulk_batch_size(fields, objects))
    for start in range(0, len(objects), size):
        model._base_manager.using(using)._insert(
            objects[start : start + size], fields=fields, using=using, raw=True
        )
    for item in batch:
        for name, values in (item.m2m_data or {}).items():
            if values:
                getattr(item.object, name).set(values)
    return len(batch)


def _refuse_unmigrated(using: str) -> None:
    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise DataFileError("The database is not migrated: run `manage.py migrate` first.")


def _refuse_non_empty(using: str) -> None:
    held = [
        f"{count} {model._meta.label_lower}"
        for model in exported_models()
        if model._meta.label_lower not in MIGRATE_LOADED
        and (count := model._base_manager.using(using).count())
    ]
    if held:
        raise DataFileError(
            "The database is not empty (it holds "
            + ", ".join(held)
            + "): import_data only fills a new database, after migrate and before any other use."
        )


def _reset_sequences(models: Iterable[type[Model]], *, using: str) -> None:
    """Let the next new row of each table take an id after the imported ones (PostgreSQL's
    sequences do not move on inserts that name the id; SQLite needs nothing)."""
    connection = connections[using]
    with_through = set(models)
    for model in models:
        with_through.update(f.remote_field.through for f in _auto_m2m(model))
    statements = connection.ops.sequence_reset_sql(no_style(), list(with_through))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
