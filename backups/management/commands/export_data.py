"""``manage.py export_data [--output FILE]``: the site's content as JSON (see ``backups.data``)."""

from __future__ import annotations

import gzip
import io
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backups.data import Outcome, export_data


class Command(BaseCommand):
    help = (
        "Write every row of the site's content (members with their password hashes, publications, "
        "papers, recommendations, reviews, the audit log, issues, subscribers, deliveries, API "
        "tokens) as JSON, to read back with import_data. FILE ending in .gz is compressed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", "-o", metavar="FILE", help="Where to write (default: standard output)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"]
        to_stdout = output in (None, "-")
        outcome = self._to_stdout() if to_stdout else self._to_file(Path(output))
        # The figures go to standard error: standard output may be the export itself.
        self.stderr.write(
            f"Exported {outcome.rows} rows of {len(outcome.counts)} models in "
            f"{outcome.seconds:.1f} s{'' if to_stdout else f' to {output}'}.",
            style_func=self.style.SUCCESS,
        )

    def _to_stdout(self) -> Outcome:
        out: TextIO = getattr(self.stdout, "_out", self.stdout)  # past OutputWrapper's endings
        if out is not sys.stdout or not hasattr(sys.stdout, "buffer"):
            return export_data(out)
        # UTF-8 whatever the locale says: the file holds Chinese and any other text.
        sys.stdout.flush()
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8")
        try:
            return export_data(stream)
        finally:
            stream.flush()
            stream.detach()  # standard output stays open for what follows

    def _to_file(self, path: Path) -> Outcome:
        # Written next to its place and renamed when complete: a failed export leaves no file
        # that looks like a backup.
        try:
            handle, scratch = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
            )
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror or error}.") from None
        os.close(handle)
        try:
            if path.suffix == ".gz":
                with gzip.open(scratch, "wt", encoding="utf-8") as stream:
                    outcome = export_data(stream)
            else:
                with open(scratch, "w", encoding="utf-8") as stream:
                    outcome = export_data(stream)
            os.replace(scratch, path)
        except BaseException:
            Path(scratch).unlink(missing_ok=True)
            raise
        return outcome
