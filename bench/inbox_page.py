"""The inbox page and the API's list of candidates at scale: queries and time per request.

    DATABASE_URL=postgres://…/weekly_bench .venv/bin/python manage.py generate_load_data \
        --papers 20000 --issues 200 --publications 3 --candidates 10000 --seed 1
    DATABASE_URL=postgres://…/weekly_bench REDIS_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python bench/inbox_page.py --requests 50

On a database filled by ``generate_load_data`` (with ``--candidates``; a first publication with
fewer candidates than ``--candidates`` gets the rest added, ``demo.load.inbox.add_candidates``),
it asks, as a signed-in member (the one with the most claims, so that "mine" has rows), through
the Django test client with the production settings ``bench/profile_page.py`` uses:

- the inbox page (``inbox:inbox``): each tab (new, claimed, mine, dismissed) by rank and by date,
  page 1 and the tab's last page;
- the API's list (``api:publication-candidates``): the same.

Each address is asked once to warm the caches and count its queries, then ``--requests`` times;
the script prints the queries, the median and 95th percentile of the wall time per request, and
the same of the process's CPU time (``time.process_time``, which waiting for the database does
not count). The pages are written apart from this script: when a URL name does not resolve, it
says which and measures the others, or stops when none does.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VIEWS = ("new", "claimed", "mine", "dismissed")
SORTS = ("rank", "date")
PER_PAGE = 50


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per address")
    parser.add_argument(
        "--candidates", type=int, default=10_000, help="candidates the first publication needs"
    )
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a database filled by generate_load_data.")
    from bench.profile_page import _environment

    _environment()
    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from demo.load.inbox import add_candidates
    from inbox import selectors
    from inbox.models import Candidate
    from publications.models import Publication

    publication = Publication.objects.order_by("pk").first()
    if publication is None:
        sys.exit("The database has no publication: fill it with generate_load_data first.")
    have = Candidate.objects.filter(publication=publication).count()
    if have < args.candidates:
        members = list(
            get_user_model().objects.filter(is_active=True).values_list("pk", flat=True)[:200]
        )
        add_candidates(publication, args.candidates - have, members=members, seed=1)
        print(f"Added {args.candidates - have:,} candidates to {publication.slug}.")
    claimant = (
        Candidate.objects.filter(publication=publication, claimed_by__isnull=False)
        .values("claimed_by")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    user_model = get_user_model()
    member = (
        user_model.objects.get(pk=claimant["claimed_by"])
        if claimant
        else user_model.objects.filter(is_active=True).order_by("pk").first()
    )
    counts = selectors.view_counts(publication, member=member)
    print(
        f"{publication.slug}: "
        + ", ".join(f"{view} {counts[view]:,}" for view in VIEWS)
        + f"; as {member.username}"
    )

    bases = {}
    for label, name in (("page", "inbox:inbox"), ("api", "api:publication-candidates")):
        try:
            bases[label] = reverse(name, kwargs={"slug": publication.slug})
        except NoReverseMatch:
            print(f"{name} does not exist yet: the {label} is not measured.")
    if not bases:
        sys.exit("Neither the inbox page nor the API's list exists yet: nothing to measure.")

    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest pages name
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(member)
    print(
        f"{'what':<34} {'status':>6} {'queries':>7} {'median ms':>9} {'p95 ms':>7} "
        f"{'CPU med':>7} {'CPU p95':>7}"
    )
    for label, base in bases.items():
        for view in VIEWS:
            last = max(1, math.ceil(counts[view] / PER_PAGE))
            for sort in SORTS:
                for page in sorted({1, last}):
                    url = f"{base}?view={view}&sort={sort}&page={page}"
                    with CaptureQueriesContext(connection) as queries:
                        status = client.get(url).status_code
                    # Now: each request empties the connection's log of queries.
                    query_count = len(queries)
                    walls, cpus = [], []
                    for _ in range(args.requests):
                        wall, cpu = time.perf_counter(), time.process_time()
                        client.get(url)
                        walls.append((time.perf_counter() - wall) * 1000)
                        cpus.append((time.process_time() - cpu) * 1000)
                    what = f"{label} {view} {sort} p{page}"
                    print(
                        f"{what:<34} {status:>6} {query_count:>7} "
                        f"{statistics.median(walls):>9.1f} {_percentile(walls, 0.95):>7.1f} "
                        f"{statistics.median(cpus):>7.1f} {_percentile(cpus, 0.95):>7.1f}"
                    )


if __name__ == "__main__":
    main()
