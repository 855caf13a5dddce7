"""``manage.py import_data FILE``: fill an empty database from an export (see ``backups.data``)."""

from __future__ import annotations

import gzip
import sys
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backups.data import DataFileError, import_data


def _open(name: str) -> IO[str]:
    if name == "-":
        return open(sys.stdin.fileno(), encoding="utf-8", closefd=False)
    if name.endswith(".gz"):
        return gzip.open(name, "rt", encoding="utf-8")
    return open(name, encoding="utf-8")


class Command(BaseCommand):
    help = (
        "Read a file written by export_data into this database, which must be migrated and "
        "empty. All or nothing: on any error the database is left as it was. FILE may be .gz, "
        "or - for standard input."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        try:
            stream = _open(name)
        except OSError as error:
            raise CommandError(f"Cannot read {name}: {error.strerror or error}.") from None
        try:
            with stream:
                outcome = import_data(stream)
        except (DataFileError, OSError, EOFError) as error:
            # OSError and EOFError: a damaged or cut-off .gz file.
            raise CommandError(f"Nothing was imported. {error}") from None
        source = "standard input" if name == "-" else name
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {outcome.rows} rows of {len(outcome.counts)} models from {source} "
                f"in {outcome.seconds:.1f} s."
            )
        )
