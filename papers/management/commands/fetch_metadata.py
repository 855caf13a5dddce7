"""Fetch paper metadata in the foreground: named papers, the pending ones, the stale ones."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from papers import selectors, services
from papers.identifiers import InvalidIdentifier, parse_identifier


class Command(BaseCommand):
    help = (
        "Fetch paper metadata now, as the workers would: the papers named (created when new), "
        "--pending ones waiting for a worker, --stale ones due for a refresh."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("identifiers", nargs="*", metavar="IDENTIFIER")
        parser.add_argument("--pending", action="store_true", help="Papers not fetched yet.")
        parser.add_argument("--stale", action="store_true", help="Papers due for a refresh.")
        parser.add_argument("--limit", type=int, default=10_000, help="At most this many papers.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (options["identifiers"] or options["pending"] or options["stale"]):
            raise CommandError("Name papers by identifier, or use --pending or --stale.")
        named = []
        for text in options["identifiers"]:
            try:
                paper, created = services.get_or_create_paper(parse_identifier(text))
            except InvalidIdentifier as error:
                raise CommandError(str(error)) from None
            if created:
                self.stdout.write(f"New paper {paper.identifier_display}.")
            named.append(paper.pk)
        limit = options["limit"]
        pending = (
            selectors.papers_awaiting_fetch(limit=limit, grace=False) if options["pending"] else []
        )
        stale = selectors.papers_due_for_refresh(limit=limit) if options["stale"] else []

        started = time.monotonic()
        outcomes = []
        if named or pending:
            # Named papers are fetched even when they look fine: the operator asked for them.
            outcomes.append(services.fetch_metadata(named, refresh=True, final_attempt=False))
            outcomes.append(services.fetch_metadata(pending, final_attempt=False))
        if stale:
            outcomes.append(services.fetch_metadata(stale, refresh=True, final_attempt=False))
        elapsed = time.monotonic() - started

        def total(name: str) -> int:
            return sum(len(getattr(o, name)) for o in outcomes)

        self.stdout.write(
            f"{total('fetched')} fetched, {total('unchanged')} unchanged, "
            f"{total('not_found')} not found, {total('failed')} failed, "
            f"{total('retry')} to try again later, "
            f"{total('waiting')} waiting for a source switched off; "
            f"{sum(o.arxiv_requests for o in outcomes)} arXiv requests in {elapsed:.1f}s."
        )
