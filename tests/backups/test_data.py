"""``export_data`` and ``import_data`` (backups.data): a site's content leaves as one JSON file and
comes back into an empty database equal, row for row and field for field; a bad file or a
database with content is refused with nothing written."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.models import Max

from backups import data, stream
from backups.management.commands.import_data import Command as ImportCommand
from issues.services import create_issue
from papers.models import Paper
from publications.models import Publication
from publications.services import create_publication
from tests.backups.content import build_site, exported_labels, flush_content, snapshot
from tests.factories import PaperFactory, PublicationFactory, UserFactory

#: The newest migration of the issues app, as the export's schema names it.
_LAST_ISSUES_MIGRATION = max(
    path.stem for path in (Path(__file__).parents[2] / "issues" / "migrations").glob("0*.py")
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_content_types() -> Iterator[None]:
    # Flushing makes content types anew, with ids of their own, and the test's rollback brings
    # the old ones back: the process-wide cache of them must not outlive either.
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


def _export() -> str:
    out = StringIO()
    call_command("export_data", stdout=out, stderr=StringIO())
    return out.getvalue()


def _empty_the_database() -> None:
    # What a new database is after ``migrate``: no content; content types and permissions made
    # anew (with new ids, on SQLite), which the file names by natural key.
    flush_content()
    assert _rows() == 0


def _rows() -> int:
    """Rows of content, but the ones ``migrate`` loads (the institution glossary)."""
    return sum(
        apps.get_model(label)._base_manager.count()
        for label in exported_labels() - data.MIGRATE_LOADED
    )


def _import(tmp_path: Path, text: str, name: str = "site.json") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("import_data", str(path), stdout=out)
    return out.getvalue()


def test_export_covers_every_model_but_the_rebuilt_ones() -> None:
    assert {model._meta.label_lower for model in data.exported_models()} == exported_labels()


def test_round_trip_into_an_empty_database_keeps_every_row(tmp_path: Path) -> None:
    build_site()
    before = snapshot()
    # The site has rows of every model, so every model's round trip is tried.
    assert [label for label, rows in before.items() if not rows] == []

    text = _export()
    _empty_the_database()
    message = _import(tmp_path, text)

    assert snapshot() == before
    total = sum(len(rows) for rows in before.values())
    assert f"Imported {total} rows of {len(before)} models" in message
    header = json.loads(text)
    assert header["format"] == "weekly-export"
    assert header["version"] == 1
    assert header["counts"] == {label: len(rows) for label, rows in before.items()}
    # An imported entry whose institutions were cut short (等) keeps saying so.
    assert [row["shown_institutions_more"] for row in before["issues.issueentry"]].count(True) == 1
    # Microseconds survive (Django's own JSON encoder keeps milliseconds only).
    assert any(
        row["created_at"].microsecond % 1000 for row in before["recommendations.transition"]
    ), "the test needs timestamps with microseconds"


def test_round_trip_reads_rows_across_every_chunk_boundary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_site()
    before = snapshot()
    text = _export()
    _empty_the_database()
    # Seven characters a read: values, keys, numbers and white space all break between reads.
    monkeypatch.setattr(stream.JSONStream, "chunk", 7)

    _import(tmp_path, text)

    assert snapshot() == before


def test_round_trip_of_a_compressed_file(tmp_path: Path) -> None:
    site = build_site()
    before = snapshot()
    path = tmp_path / "site.json.gz"
    call_command("export_data", "--output", str(path), stderr=StringIO())
    assert [p.name for p in tmp_path.iterdir()] == ["site.json.gz"]  # no scratch file left
    assert json.loads(gzip.decompress(path.read_bytes()))["format"] == "weekly-export"
    _empty_the_database()

    call_command("import_data", str(path), stdout=StringIO())

    assert snapshot() == before
    # The imported members sign in with their passwords; their API tokens still work.
    member = apps.get_model("contributors", "User").objects.get(pk=site["member"].pk)
    assert member.check_password("a long passphrase 长密码")
    assert member.auth_token.key == site["member"].auth_token.key


def test_export_to_a_folder_that_is_not_there_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"Cannot write .*: No such file or directory"):
        call_command("export_data", "--output", str(tmp_path / "gone" / "site.json"))


def test_imported_site_keeps_working(tmp_path: Path) -> None:
    site = build_site()
    text = _export()
    _empty_the_database()
    _import(tmp_path, text)

    # The next issue gets the next number, and new rows take ids after the imported ones.
    issue = create_issue(site["publication"], by=site["editor"], title="下一期")
    assert issue.pk > site["issue"].pk
    highest = Publication.objects.aggregate(highest=Max("pk"))["highest"]
    publication = create_publication(slug="new-weekly", name="New Weekly")
    assert publication.pk == highest + 1


@pytest.mark.postgres
def test_import_moves_every_sequence_past_the_imported_ids(tmp_path: Path) -> None:
    build_site()
    text = _export()
    _empty_the_database()  # TRUNCATE … RESTART IDENTITY: every sequence back at 1
    _import(tmp_path, text)

    behind = []
    with connection.cursor() as cursor:
        for label in sorted(exported_labels()):
            model = apps.get_model(label)
            tables = [(model._meta.db_table, model._meta.pk)]
            tables += [
                (f.remote_field.through._meta.db_table, f.remote_field.through._meta.pk)
                for f in model._meta.many_to_many
                if f.remote_field.through._meta.auto_created
            ]
            for table, pk in tables:
                if pk.get_internal_type() not in ("AutoField", "BigAutoField"):
                    continue
                cursor.execute(f'SELECT max("{pk.column}") FROM "{table}"')  # noqa: S608 (names from the models)
                (highest,) = cursor.fetchone()
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s))", [table, pk.column])
                (following,) = cursor.fetchone()
                if highest is not None and following <= highest:
                    behind.append((table, highest, following))
    assert behind == []


# --- refusals -------------------------------------------------------------------------------------


def test_import_refuses_a_database_with_content(tmp_path: Path) -> None:
    build_site()
    text = _export()
    before = snapshot()

    with pytest.raises(CommandError, match="The database is not empty") as refused:
        _import(tmp_path, text)

    assert "Nothing was imported" in str(refused.value)
    assert snapshot() == before


def test_import_refuses_a_database_with_a_single_member(tmp_path: Path) -> None:
    PublicationFactory()
    text = _export()
    _empty_the_database()
    UserFactory(username="early-bird")

    with pytest.raises(CommandError, match=r"not empty \(it holds 1 contributors.user\)"):
        _import(tmp_path, text)
    assert not Publication.objects.exists()


def test_import_exits_non_zero_with_the_reason_on_standard_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"format": "something-else", "version": 1, "models": {}}')
    err = StringIO()
    # run_from_argv closes the connections when it ends: not the one the test runs in.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    with pytest.raises(SystemExit) as exited:
        ImportCommand(stdout=StringIO(), stderr=err).run_from_argv(
            ["manage.py", "import_data", str(path)]
        )

    assert exited.value.code == 1
    assert "CommandError: Nothing was imported. The file is not a Weekly export" in err.getvalue()


def test_import_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"Cannot read .*: No such file or directory"):
        call_command("import_data", str(tmp_path / "nowhere.json"))


def _header_swap(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)

    return change


def _drop_line(containing: str) -> Callable[[str], str]:
    """Remove one row, fixing up the comma before it, so the JSON stays valid."""

    def change(text: str) -> str:
        lines = text.split("\n")
        index = next(i for i, line in enumerate(lines) if containing in line)
        if not lines[index].endswith(","):
            lines[index - 1] = lines[index - 1].rstrip(",")
        del lines[index]
        return "\n".join(lines)

    return change


def _edit_first_row(label: str, edit: Callable[[dict[str, Any]], None]) -> Callable[[str], str]:
    def change(text: str) -> str:
        lines = text.split("\n")
        index = next(i for i, line in enumerate(lines) if line.startswith(f'{{"model": "{label}"'))
        comma = lines[index].endswith(",")
        row = json.loads(lines[index].rstrip(","))
        edit(row)
        lines[index] = json.dumps(row, ensure_ascii=False) + ("," if comma else "")
        return "\n".join(lines)

    return change


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _deep_categories(depth: int) -> Callable[[str], str]:
    """The first paper's categories (a JSON field, which takes any value) nested ``depth`` deep."""
    placeholder = "DEEP-CATEGORIES"

    def change(text: str) -> str:
        with_placeholder = _edit_first_row(
            "papers.paper", lambda row: row["fields"].update(categories=placeholder)
        )(text)
        return with_placeholder.replace(f'"{placeholder}"', _nested(depth), 1)

    return change


#: A value nested this deep makes Python's JSON decoder, which recurses once per level, fail.
_TOO_DEEP_TO_DECODE = 100_000
_TOO_DEEP = f"nested more than {stream.MAX_DEPTH} deep"


def _cut(fraction: float) -> Callable[[str], str]:
    return lambda text: text[: int(len(text) * fraction)]


BAD_FILES: dict[str, tuple[Callable[[str], str], str]] = {
    # name: (what is done to a good export, the message)
    "empty": (lambda text: "", "The file is empty"),
    "blank": (lambda text: " \n\t\n", "The file is empty"),
    "not json": (lambda text: "this is not JSON\n", r"not a valid export: an object of the export"),
    "not utf-8": (lambda text: "\udcff", "not UTF-8"),  # written as a lone byte, see below
    "dumpdata list": (lambda text: "[]", "an object of the export expected"),
    "other format": (
        _header_swap('"format": "weekly-export"', '"format": "wordpress"'),
        "not a Weekly export",
    ),
    "no header": (
        lambda text: '{"models": {}, "counts": {}}',
        "not a Weekly export",
    ),
    "newer version": (
        _header_swap('"version": 1', '"version": 2'),
        "export version 2; this code reads version 1",
    ),
    "version as text": (
        _header_swap('"version": 1', '"version": "1"'),
        "export version '1'",
    ),
    "other schema": (
        _header_swap(f'"issues": ["{_LAST_ISSUES_MIGRATION}"]', '"issues": ["0999_future"]'),
        "exported by code at other migrations",
    ),
    "unknown model": (
        _header_swap('"models": {', '"models": {\n"shop.order": [],'),
        "rows of 'shop.order', a model this site does not",
    ),
    "session rows": (
        _header_swap('"models": {', '"models": {\n"sessions.session": [],'),
        "rows of 'sessions.session'",
    ),
    "row under another model": (
        _header_swap('{"model": "publications.topic"', '{"model": "papers.author"'),
        "A row of 'papers.author' is listed under 'publications.topic'",
    ),
    "row not an object": (
        _header_swap('"publications.topic": [', '"publications.topic": [\n"just text",'),
        "not an object with a pk and fields",
    ),
    "unknown field": (
        _edit_first_row("papers.paper", lambda row: row["fields"].update(colour="red")),
        "A row of the file cannot be read",
    ),
    "bad date": (
        _edit_first_row("papers.paper", lambda row: row["fields"].update(published_on="soon")),
        "A row of the file cannot be read",
    ),
    "bad pk": (
        _edit_first_row("papers.paper", lambda row: row.update(pk="first")),
        "A row of the file cannot be read",
    ),
    "unknown permission": (
        _edit_first_row(
            "auth.group", lambda row: row["fields"].update(permissions=[["fly", "papers", "x"]])
        ),
        "A row of the file cannot be read",
    ),
    "dangling link": (
        _edit_first_row(
            "recommendations.review", lambda row: row["fields"].update(recommendation=99999)
        ),
        "The database refused a row of the file",
    ),
    "broken constraint": (
        _edit_first_row(
            "publications.publication", lambda row: row["fields"].update(approvals_required=0)
        ),
        "The database refused a row of the file",
    ),
    "duplicate row": (
        lambda text: _header_swap(
            '"publications.topic": [', '"publications.topic": [\n' + _first_topic(text) + ","
        )(text),
        "The database refused a row of the file",
    ),
    "row removed": (
        _drop_line('{"model": "recommendations.transition"'),
        "rows do not match its counts",
    ),
    "no counts": (
        lambda text: text[: text.rindex(',\n"counts"')] + "}\n",
        "no row counts at its end",
    ),
    "truncated in the header": (_cut(0.001), "truncated"),
    "truncated in the rows": (_cut(0.5), "truncated"),
    "truncated in the last row": (lambda text: text[: text.rindex("\n]")], "truncated"),
    "truncated in the counts": (lambda text: text[:-40], "truncated"),
    "last brace missing": (lambda text: text.rstrip()[:-1], "truncated"),
    "garbage after the end": (lambda text: text + "{}", "more data after the end"),
    "deep value in the header": (
        _header_swap('"version": 1', '"version": 1, "note": ' + _nested(_TOO_DEEP_TO_DECODE)),
        _TOO_DEEP,
    ),
    "deep value in a row": (_deep_categories(_TOO_DEEP_TO_DECODE), _TOO_DEEP),
    # Decodable, and a JSON field would take it, but nothing an export writes is nested so deep.
    "deeper value than an export holds": (_deep_categories(stream.MAX_DEPTH - 1), _TOO_DEEP),
    "deep value in the counts": (
        _header_swap('"counts": {', '"counts": {"deep": ' + _nested(_TOO_DEEP_TO_DECODE) + ", "),
        _TOO_DEEP,
    ),
    "broken JSON in a row": (
        _header_swap('{"model": "publications.topic"', '{"model": "publications.topic",,'),
        "not valid JSON: Expecting property name",
    ),
}


def _first_topic(text: str) -> str:
    return next(
        line.rstrip(",")
        for line in text.split("\n")
        if line.startswith('{"model": "publications.topic"')
    )


_EXPORTS: dict[str, str] = {}


@pytest.fixture
def site_export() -> str:
    """An export of the whole site, made once; each test starts with an empty database."""
    if "site" not in _EXPORTS:
        build_site()
        _EXPORTS["site"] = _export()
        _empty_the_database()
    assert _rows() == 0
    return _EXPORTS["site"]


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_import_refuses_a_bad_file_and_writes_nothing(
    case: str, site_export: str, tmp_path: Path
) -> None:
    change, message = BAD_FILES[case]
    path = tmp_path / "bad.json"
    if case == "not utf-8":
        path.write_bytes(b'{"format": "weekly-export", "version": 1, "models": {"\xff')
    else:
        path.write_text(change(site_export), encoding="utf-8")

    with pytest.raises(CommandError, match=message) as refused:
        call_command("import_data", str(path), stdout=StringIO())

    assert str(refused.value).startswith("Nothing was imported.")
    assert _rows() == 0


def test_import_refuses_a_cut_off_compressed_file(site_export: str, tmp_path: Path) -> None:
    path = tmp_path / "site.json.gz"
    packed = gzip.compress(site_export.encode())
    path.write_bytes(packed[: len(packed) // 2])

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_data", str(path), stdout=StringIO())
    assert _rows() == 0


def test_import_refuses_a_deeply_nested_compressed_file(site_export: str, tmp_path: Path) -> None:
    path = tmp_path / "site.json.gz"
    path.write_bytes(gzip.compress(_deep_categories(_TOO_DEEP_TO_DECODE)(site_export).encode()))

    with pytest.raises(CommandError, match=_TOO_DEEP) as refused:
        call_command("import_data", str(path), stdout=StringIO())

    assert str(refused.value).startswith("Nothing was imported.")
    assert _rows() == 0


def test_import_takes_a_value_nested_as_deep_as_allowed(site_export: str, tmp_path: Path) -> None:
    # The row is nested 2 deep (the row, its fields), the categories the rest.
    _import(tmp_path, _deep_categories(stream.MAX_DEPTH - 2)(site_export))

    first = Paper.objects.order_by("pk").first()
    assert first is not None
    assert first.categories == json.loads(_nested(stream.MAX_DEPTH - 2))


def test_import_refuses_an_unmigrated_database(
    site_export: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "django.db.migrations.executor.MigrationExecutor.migration_plan",
        lambda self, targets: [("a migration", False)],
    )
    with pytest.raises(CommandError, match=r"not migrated: run `manage.py migrate` first"):
        _import(tmp_path, site_export)
    assert _rows() == 0


def test_export_of_a_large_catalogue_streams_in_a_fixed_number_of_queries(
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    PaperFactory.create_batch(300, authors=["Ada", "Grace"], institutions=["MIT"])
    out = StringIO()
    # Rows are read in chunks, not one query each (nor all at once).
    with django_assert_max_num_queries(60):
        data.export_data(out)
    assert json.loads(out.getvalue())["counts"]["papers.authorship"] == 600
