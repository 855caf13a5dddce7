"""Import past issues from their published text, a file each (``issues.services.importing``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.exceptions import WorkflowError
from issues.services.importing import ImportPlan, import_issue_text, plan_import
from papers.management.commands.enrich_papers import ProgressBar
from publications.models import Publication


class Command(BaseCommand):
    help = (
        "Import past issues of a publication from their published text (the digest's plain "
        "text, or this site's Markdown export), one file each, in the order given. --number N: "
        "the number of the first file whose text gives none, the next ones counting on. "
        "--date D: the date of the files whose text gives none. --dry-run: print what each file "
        "would make, entry by entry, with every doubt, and write nothing. A file imported "
        "before changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--publication", required=True, metavar="SLUG")
        parser.add_argument("--number", type=int, metavar="N")
        parser.add_argument("--date", metavar="D", help="YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        publication = Publication.objects.filter(slug=options["publication"]).first()
        if publication is None:
            raise CommandError(f"No publication {options['publication']!r}.")
        date = None
        if options["date"]:
            try:
                date = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"{options['date']!r} is no date (YYYY-MM-DD).") from None
        number = options["number"]
        if number is not None and number < 1:
            raise CommandError("--number must be 1 or more.")
        texts = []
        for name in options["files"]:
            try:
                texts.append((name, Path(name).read_text(encoding="utf-8-sig")))
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"{name}: {error}") from None
        bar = ProgressBar(self.stderr, len(texts), "Importing")
        made = same = failed = 0
        for done, (name, text) in enumerate(texts, start=1):
            plan = plan_import(publication, text, number=number, date=date)
            given = number if not plan.parsed.number else None
            if options["dry_run"]:
                self.stdout.write(describe_plan(name, plan))
            else:
                try:
                    outcome = import_issue_text(
                        publication, text, number=given, date=date, source=Path(name).name
                    )
                except WorkflowError as error:
                    failed += 1
                    self.stdout.write(f"{name}: not imported: {error}")
                else:
                    made += outcome.created
                    same += not outcome.created
                    state = "imported" if outcome.created else "imported before, unchanged"
                    self.stdout.write(
                        f"{name}: issue {outcome.issue.number} {state}, "
                        f"{outcome.issue.entries.count()} entries, "
                        f"{len(outcome.plan.doubts)} doubts"
                    )
                    for doubt in outcome.plan.doubts:
                        self.stdout.write(
                            f"  doubt (line {doubt.line}): {doubt.message} {doubt.text}"
                        )
            if given is not None:
                number = given + 1
            bar.show(done)
        if not options["dry_run"]:
            self.stdout.write(f"{made} imported, {same} unchanged, {failed} not imported.")
        if failed:
            raise CommandError(f"{failed} of {len(texts)} files were not imported.")


def describe_plan(name: str, plan: ImportPlan) -> str:
    """The dry run of one file: what it understood, entry by entry, and every doubt."""
    parsed = plan.parsed
    lines = [
        f"== {name} ({parsed.layout})",
        f"issue {plan.number or '?'} of {plan.date or '?'}: {parsed.title}",
        f"publication named: {parsed.publication_name or '—'}",
        f"credited: {parsed.credits or '—'}",
        f"subjects: {'、'.join(parsed.subjects) or '—'}",
    ]
    if plan.existing is not None:
        lines.append(f"imported before as issue {plan.existing.number}: nothing would change")
    for error in plan.errors:
        lines.append(f"cannot import: {error}")
    for index, entry in enumerate(parsed.entries, start=1):
        lines.append(f"{index:>3}. [{entry.section}] line {entry.line}: {entry.title}")
        if entry.title_zh:
            lines.append(f"     （{entry.title_zh}）")
        if entry.institutions:
            lines.append(f"     institutions: {'、'.join(entry.institutions)}")
        if entry.authors:
            lines.append(f"     authors: {entry.authors}")
        lines.append(f"     summary: {len(entry.summary)} characters")
        if entry.code_url:
            lines.append(f"     code: {entry.code_url}")
        paper = str(entry.identifier) if entry.identifier else "no paper"
        lines.append(f"     link: {entry.url or '—'} ({paper})")
    for note in parsed.notes:
        lines.append(f"note (line {note.line}): {note.message} {note.text}")
    for doubt in parsed.doubts:
        lines.append(f"doubt (line {doubt.line}): {doubt.message} {doubt.text}")
    if parsed.dropped:
        lines.append(f"dropped after the last entry: {len(parsed.dropped)} lines")
        lines += [f"     {number}: {text}" for number, text in parsed.dropped]
    return "\n".join(lines) + "\n"
