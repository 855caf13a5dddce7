"""Enrich the catalogue in the foreground: affiliations from OpenAlex, names from ROR."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from papers import selectors, services
from papers.clients.openalex import BATCH_SIZE
from papers.models import Paper, PaperInstitution

ROR_BATCH = 50


class ProgressBar:
    """A text bar on one line, redrawn in place on a terminal; elsewhere (a log, a pipe) one
    plain line per step, so that nothing fills a file with carriage returns."""

    WIDTH = 30

    def __init__(self, out: TextIO, total: int, label: str) -> None:
        self.out = out
        self.total = total
        self.label = label
        self.tty = bool(getattr(out, "isatty", lambda: False)())

    def show(self, done: int) -> None:
        share = done / self.total if self.total else 1.0
        if self.tty:
            filled = int(self.WIDTH * share)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            self.out.write(f"\r{self.label} [{bar}] {done}/{self.total} {share:4.0%}")
            if done >= self.total:
                self.out.write("\n")
        else:
            self.out.write(f"{self.label}: {done}/{self.total} ({share:.0%})\n")
        self.out.flush()


class Command(BaseCommand):
    help = (
        "Ask OpenAlex for papers' affiliations (100 papers a request) and ROR for their "
        "institutions' names, now, in batches. Without options: the papers never asked. "
        "--missing-affiliations: the papers without institutions. --since DATE: the papers "
        "added on or after DATE (all of them, or with --missing-affiliations those without)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--missing-affiliations",
            action="store_true",
            help="Papers without any institution, asked before or not.",
        )
        parser.add_argument(
            "--since", metavar="DATE", help="Papers added on or after DATE (YYYY-MM-DD)."
        )
        parser.add_argument("--limit", type=int, default=100_000, help="At most this many papers.")

    def handle(self, *args: Any, **options: Any) -> None:
        papers = self._papers(options)
        client = services.openalex_client()
        if client is None:
            raise CommandError("OpenAlex is switched off: OPENALEX_API_URL is empty.")
        ids = list(papers.order_by("pk").values_list("pk", flat=True)[: options["limit"]])

        started = time.monotonic()
        totals = services.EnrichmentOutcome()
        errors: dict[str, int] = {}
        bar = ProgressBar(self.stdout, len(ids), "Papers")
        for start in range(0, len(ids), BATCH_SIZE):
            batch = ids[start : start + BATCH_SIZE]
            outcome = services.enrich_papers(batch, client=client, queue_ror=False)
            for name in ("enriched", "unchanged", "not_found", "failed", "retry"):
                getattr(totals, name).extend(getattr(outcome, name))
            totals.institutions_created += outcome.institutions_created
            for error in Paper.objects.filter(pk__in=outcome.failed + outcome.retry).values_list(
                "affiliations_error", flat=True
            ):
                errors[error] = errors.get(error, 0) + 1
            bar.show(start + len(batch))
        if not ids:
            self.stdout.write("No paper to enrich.")

        client.close()
        ror = self._read_ror_records()
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{len(ids)} papers: {len(totals.enriched)} enriched, {len(totals.unchanged)} "
            f"unchanged, {len(totals.not_found)} not in OpenAlex, "
            f"{len(totals.failed) + len(totals.retry)} errors; "
            f"{totals.institutions_created} institutions created; "
            f"{len(ror.read)} ROR records read; "
            f"{client.requests} OpenAlex requests, {ror.requests} ROR requests "
            f"in {elapsed:.1f}s."
        )
        for error, count in sorted(errors.items(), key=lambda item: -item[1])[:5]:
            self.stdout.write(f"  {count} × {error}")

    def _papers(self, options: dict[str, Any]) -> QuerySet[Paper]:
        papers = selectors.enrichable_papers()
        if options["since"]:
            try:
                since = dt.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(
                    f"--since takes a date as YYYY-MM-DD, not {options['since']!r}."
                ) from None
            start = dt.datetime.combine(since, dt.time.min, tzinfo=timezone.get_current_timezone())
            papers = papers.filter(created_at__gte=start)
        if options["missing_affiliations"]:
            papers = papers.filter(~Exists(PaperInstitution.objects.filter(paper=OuterRef("pk"))))
        elif not options["since"]:
            papers = papers.filter(affiliations_checked_at__isnull=True)
        return papers

    def _read_ror_records(self) -> services.RorOutcome:
        total = services.RorOutcome()
        client = services.ror_client()
        pending = selectors.institutions_awaiting_ror(limit=100_000)
        if client is None:
            if pending:
                self.stdout.write("ROR is switched off (ROR_API_URL is empty): no names read.")
            return total
        bar = ProgressBar(self.stdout, len(pending), "ROR records")
        for start in range(0, len(pending), ROR_BATCH):
            outcome = services.read_ror_records(pending[start : start + ROR_BATCH], client=client)
            total.read.extend(outcome.read)
            total.requests += outcome.requests
            bar.show(start + len(pending[start : start + ROR_BATCH]))
            if outcome.retry:
                left = len(outcome.retry) + max(0, len(pending) - start - ROR_BATCH)
                self.stdout.write(f"ROR asked us to wait: {left} records left for the workers.")
                break
        client.close()
        return total
