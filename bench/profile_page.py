"""Where one page's worker CPU goes: cProfile over the test client, on a database of its own.

    DATABASE_URL=postgres://…/weekly_bench REDIS_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python bench/profile_page.py "paper page" --requests 200

The pages are those of ``bench/serve_load.py`` (its ``page_urls``), asked with the production
settings it serves with, as an anonymous reader or, for "issue page, signed-in member", as the
first active member. Each page is asked once to warm the caches, then ``--requests`` times under
cProfile; the script prints the CPU milliseconds per request (``time.process_time``, which other
work on the machine does not inflate the way it inflates wall time) and the functions with the
most time of their own and in total. ``--list`` names the pages.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weekly.settings")
    os.environ["DJANGO_ENV"] = "production"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
    os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")
    os.environ.setdefault("EMAIL_URL", "consolemail://")
    # Per second, as bench/serve_load.py says why.
    os.environ.setdefault("API_RATE_ANON", "100000000/second")
    os.environ.setdefault("API_RATE_USER", "100000000/second")
    os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "bench-static"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help="page labels, as in bench/serve_load.py")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--top", type=int, default=25, help="rows of each profile table")
    parser.add_argument("--list", action="store_true", help="name the pages and stop")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a database filled by generate_load_data.")
    _environment()
    import django

    django.setup()
    logging.disable(logging.INFO)  # one line per request would bury the profile
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from bench.serve_load import page_urls

    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest pages name
    urls = page_urls("/static/weekly/weekly.css")
    if args.list or not args.pages:
        print("\n".join(urls))
        return
    anonymous = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    member = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    member.force_login(get_user_model().objects.filter(is_active=True).order_by("pk").first())
    for label in args.pages:
        if label not in urls:
            sys.exit(f"No page {label!r}; --list names them.")
        url = urls[label]
        reader = member if label.endswith("signed-in member") else anonymous
        status = reader.get(url).status_code
        if status != 200:
            sys.exit(f"{label}: {url} answered {status}")
        # Timed by the process's CPU clock, not the wall's: time waiting for the database is
        # not the worker's CPU, which is what the targets count.
        profile = cProfile.Profile(time.process_time)
        started = time.process_time()
        profile.enable()
        for _ in range(args.requests):
            reader.get(url)
        profile.disable()
        cpu = (time.process_time() - started) * 1000 / args.requests
        print(f"\n== {label}: {url}: {cpu:.2f} CPU ms a request under the profiler")
        started = time.process_time()
        for _ in range(args.requests):
            reader.get(url)
        cpu = (time.process_time() - started) * 1000 / args.requests
        print(f"== {label}: {cpu:.2f} CPU ms a request without it (test client, one process)")
        stats = pstats.Stats(profile).strip_dirs()
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
