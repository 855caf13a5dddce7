"""Benchmark: fetch the metadata of N pending papers from a local arXiv stand-in.

Prints the number of requests, the total time and the smallest gap between two requests as the
stand-in saw them. The goal: 1,000 papers in 10 requests, no gap under ARXIV_MIN_INTERVAL.

    .venv/bin/python bench/fetch_metadata.py --papers 1000 --interval 3

It uses a throwaway SQLite database unless DATABASE_URL is set, and never the network.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=3.0, help="ARXIV_MIN_INTERVAL")
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="weekly-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ["ARXIV_MIN_INTERVAL"] = str(args.interval)
    # Only arXiv is measured here (and never the network): enrichment is bench/enrichment.py's.
    os.environ["OPENALEX_API_URL"] = ""
    os.environ["ROR_API_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weekly.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from papers import services
    from papers.models import Paper
    from tests.servers.arxiv import ArxivStandIn

    call_command("migrate", verbosity=0)
    Paper.objects.filter(arxiv_id__startswith="2401.").delete()
    Paper.objects.bulk_create(Paper(arxiv_id=f"2401.{n:05d}") for n in range(1, args.papers + 1))
    ids = list(Paper.objects.filter(arxiv_id__startswith="2401.").values_list("pk", flat=True))

    with ArxivStandIn(synthesize=True).running() as stand_in:
        settings.ARXIV_API_URL = stand_in.url
        settings.VAR_DIR = Path(scratch)  # a limiter file of its own
        started = time.monotonic()
        outcome = services.fetch_metadata(ids, final_attempt=True)
        elapsed = time.monotonic() - started

    ok = Paper.objects.filter(pk__in=ids, metadata_status="ok").count()
    gap = stand_in.smallest_gap()
    print(f"papers            {args.papers}")
    print(
        f"filled in         {ok} ({len(outcome.not_found)} not found, {len(outcome.failed)} failed)"
    )
    print(f"requests          {len(stand_in.requests)}")
    print(f"largest batch     {max(len(r.ids) for r in stand_in.requests)} ids")
    print(f"total time        {elapsed:.2f} s")
    print(
        f"smallest gap      {gap:.3f} s (ARXIV_MIN_INTERVAL {args.interval} s)"
        if gap
        else "smallest gap      n/a (one request)"
    )
    print(f"papers per second {args.papers / elapsed:.1f}")


if __name__ == "__main__":
    main()
