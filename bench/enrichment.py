"""Benchmark: enrich N arXiv papers from local stand-ins of OpenAlex and ROR.

Prints how many requests each API received, how long each part took, the closest two requests
came, and how that compares with each API's documented limits: OpenAlex 10 requests a second
and 100,000 a day, ROR 2,000 per 5 minutes. The goal: 1,000 papers in 10 OpenAlex requests,
one ROR request per institution, never faster than the limits.

    .venv/bin/python bench/enrichment.py --papers 1000

The stand-ins answer in the documented shapes (tests/servers/enrichment.py): each paper's four
authors at institutions of a pool of 200, half of them with a Chinese label in ROR. It uses a
throwaway SQLite database unless DATABASE_URL is set, and never the network.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: The limits each API documents.
OPENALEX_PER_SECOND = 10
OPENALEX_PER_DAY = 100_000
ROR_PER_5_MINUTES = 2_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument(
        "--openalex-interval", type=float, default=0.1, help="OPENALEX_MIN_INTERVAL"
    )
    parser.add_argument("--ror-interval", type=float, default=0.2, help="ROR_MIN_INTERVAL")
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="weekly-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ["OPENALEX_MIN_INTERVAL"] = str(args.openalex_interval)
    os.environ["ROR_MIN_INTERVAL"] = str(args.ror_interval)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weekly.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from papers import selectors, services
    from papers.clients.openalex import BATCH_SIZE
    from papers.models import Author, Authorship, Institution, Paper
    from tests.servers.enrichment import EnrichmentStandIn

    call_command("migrate", verbosity=0)
    Paper.objects.filter(arxiv_id__startswith="2403.").delete()
    ids = [f"2403.{n:05d}" for n in range(1, args.papers + 1)]
    Paper.objects.bulk_create(
        Paper(arxiv_id=i, title=f"Paper {i}", metadata_status="ok") for i in ids
    )
    papers = dict(Paper.objects.filter(arxiv_id__in=ids).values_list("arxiv_id", "pk"))
    names = [f"Author {i} {position}" for i in ids for position in range(4)]
    Author.objects.bulk_create((Author(name=n) for n in names), ignore_conflicts=True)
    authors = dict(Author.objects.filter(name__in=names).values_list("name", "pk"))
    Authorship.objects.bulk_create(
        Authorship(paper_id=papers[i], author_id=authors[f"Author {i} {p}"], position=p + 1)
        for i in ids
        for p in range(4)
    )
    paper_ids = list(papers.values())

    with EnrichmentStandIn(synthesize=True).running() as stand_in:
        # Only the stand-in is asked: never the real APIs.
        settings.OPENALEX_API_URL = stand_in.openalex_url
        settings.ROR_API_URL = stand_in.ror_url
        settings.VAR_DIR = Path(scratch)  # limiter files of its own
        openalex = services.openalex_client()
        ror = services.ror_client()

        started = time.monotonic()
        enriched = created = 0
        for start in range(0, len(paper_ids), BATCH_SIZE):
            outcome = services.enrich_papers(
                paper_ids[start : start + BATCH_SIZE], client=openalex, queue_ror=False
            )
            enriched += len(outcome.enriched)
            created += outcome.institutions_created
        openalex_time = time.monotonic() - started

        started = time.monotonic()
        read = services.read_ror_records(
            selectors.institutions_awaiting_ror(limit=100_000), client=ror
        )
        ror_time = time.monotonic() - started
        openalex.close()
        ror.close()

    with_zh = Institution.objects.exclude(name_zh="").count()
    print(f"papers                 {args.papers}")
    print(f"enriched               {enriched}")
    print(f"institutions created   {created} ({with_zh} with a Chinese name from ROR)")
    print(f"ROR records read       {len(read.read)}")
    # Storing dominates the OpenAlex part: each paper's institutions and authors are written in
    # a transaction of their own; the requests themselves are a few.
    print(f"papers per second      {args.papers / openalex_time:.1f} (asking OpenAlex and storing)")
    print()
    _report(
        "OpenAlex",
        stand_in.requests,
        "openalex",
        openalex_time,
        per_second=OPENALEX_PER_SECOND,
        per_day=OPENALEX_PER_DAY,
        papers=args.papers,
        interval=args.openalex_interval,
    )
    print()
    _report(
        "ROR",
        stand_in.requests,
        "ror",
        ror_time,
        per_second=ROR_PER_5_MINUTES / 300,
        per_day=ROR_PER_5_MINUTES * 12 * 24,
        papers=args.papers,
        interval=args.ror_interval,
    )
    print(f"  documented limit     {ROR_PER_5_MINUTES} per 5 minutes")
    print()
    print(f"total time             {openalex_time + ror_time:.2f} s")


def _report(
    name: str,
    requests: list,
    api: str,
    elapsed: float,
    *,
    per_second: float,
    per_day: int,
    papers: int,
    interval: float,
) -> None:
    times = [r.at for r in requests if r.api == api]
    count = len(times)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    rate = count / elapsed if elapsed else 0.0
    print(f"{name}")
    print(f"  requests             {count}")
    if api == "openalex":
        largest = max((r.dois for r in requests if r.api == api), default=0)
        print(f"  largest batch        {largest} DOIs")
    print(f"  time                 {elapsed:.2f} s")
    print(
        f"  rate                 {rate:.2f} requests/s "
        f"(limit {per_second:.2f}/s: {rate / per_second:.0%} of it)"
    )
    smallest = f"{min(gaps):.3f} s" if gaps else "n/a (one request)"
    print(f"  smallest gap         {smallest} (interval setting {interval} s)")
    print(
        f"  share of a day       {count / per_day:.4%} of {per_day:,} requests; "
        f"a day's allowance covers {per_day * papers // max(count, 1):,} papers at this cost"
    )


if __name__ == "__main__":
    main()
