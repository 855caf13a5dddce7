"""Fill an empty database with realistic data at scale, for the benchmarks (bench/serve_load.py).

    python manage.py generate_load_data --papers 100000 --issues 1000 --publications 3 --seed 1

It refuses a database that holds papers, authors, institutions or publications: it is for a
database of its own, never for a live site (see ``demo.load.generator``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.load.generator import LoadDataError, LoadSpec, generate_load_data


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database with N papers, M published issues over K publications, their "
        "members, reviews, audit log and subscribers (bulk inserts; deterministic per --seed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--papers", type=int, default=100_000)
        parser.add_argument("--issues", type=int, default=1000, help="Published issues in all.")
        parser.add_argument("--publications", type=int, default=3)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--papers-per-issue",
            type=int,
            default=14,
            help="The mean number of papers of an issue (at most 80%% of the papers are featured).",
        )
        parser.add_argument("--members", type=int, help="Default: one per 40 papers (at least 30).")
        parser.add_argument("--subscribers", type=int, help="Default: one per 10 papers.")
        parser.add_argument(
            "--candidates",
            type=int,
            default=0,
            help="Candidates in the first publication's inbox, each on a new paper (default 0).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        spec = LoadSpec(
            papers=options["papers"],
            issues=options["issues"],
            publications=options["publications"],
            seed=options["seed"],
            papers_per_issue=options["papers_per_issue"],
            members=options["members"],
            subscribers=options["subscribers"],
            candidates=options["candidates"],
        )
        verbose = options["verbosity"] > 1
        try:
            report = generate_load_data(spec, log=self.stdout.write if verbose else lambda _m: None)
        except LoadDataError as error:
            raise CommandError(str(error)) from None
        width = max(len(label) for label in report.rows)
        for label, count in sorted(report.rows.items()):
            self.stdout.write(f"{label:<{width}}  {count:>9,}")
        self.stdout.write(f"{'total rows':<{width}}  {sum(report.rows.values()):>9,}")
        self.stdout.write(
            self.style.SUCCESS(f"Generated in {report.seconds:.1f} s (seed {spec.seed}).")
        )
