"""Benchmark: the production server under load over loopback, at 100,000 papers, in one command.

    .venv/bin/python bench/serve_load.py                 # build the data, then measure
    .venv/bin/python bench/serve_load.py --reuse         # measure again on the data built before

It (1) creates two PostgreSQL databases, NAME (100,000 papers, 1,000 issues) and NAME_small
(1,000 papers, 20 issues), migrates them and fills them with ``generate_load_data`` (``--reuse``
keeps databases that hold papers, and still migrates them, so new indexes apply); (2) runs
collectstatic; (3) counts the SQL queries of every page with the test client at both sizes,
cold (empty cache) and warm, and runs ``EXPLAIN (ANALYZE, BUFFERS)`` on the slowest queries of
the hot pages; (4) starts gunicorn with ``gunicorn.conf.py`` and production settings
(``DJANGO_ENV=production``, PostgreSQL, Redis, 2 x cores + 1 workers, worker recycling as
deployed); (5) drives each URL with wrk (``--threads`` threads, ``--connections`` connections,
``--duration`` seconds, sending ``X-Forwarded-Proto: https`` as the TLS proxy would), measuring
the CPU that gunicorn's processes spent per request, in ``--rounds`` interleaved rounds (the
median of each figure is kept), then the searches with a single connection; (6) starts nginx
(Debian's, with deploy/nginx/weekly.conf.template and TLS, as tests/servers/proxy.py runs it) in
front of the same gunicorn and drives nginx's own static file and the pages its cache answers
through it, the CPU being nginx's and gunicorn's together (skipped when nginx is not installed);
(7) with
``--recycling SECONDS``, drives a mix of pages for that long against gunicorn as deployed and as
long against a second gunicorn that never replaces its workers, in alternating windows, and
compares their p99; (8) prints one table and writes it, with the plans, into
docs/PERFORMANCE.md between its markers.

The API's anonymous rate limit is lifted for the run (``API_RATE_ANON``): wrk is one client
address, and the throttle would answer 429 after 120 requests. The throttle still runs (and costs
its Redis round trip) on every anonymous API request. The limit is given per second, not per
minute: DRF's throttle keeps the time of every request of its window in one cached list, read and
written whole each time, so a window of a minute at wrk's rate would hold some 9,000 times (80 KB
pickled both ways a request) where a deployed limit holds at most 120; a second's window holds
about as many as that. The Redis database given is emptied at the start.

Needs wrk (``apt-get install wrk``), PostgreSQL and Redis; nginx (``apt-get install nginx``) for
the rows through it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demo.load.words import SEARCH_WORDS  # noqa: E402 (plain data: no Django needed)
from tests.servers.proxy import NGINX  # noqa: E402 (no Django there either)

#: The searched words: a common English word (in a fifth of the papers), a rare one (a model's
#: name that the generator gives some forty papers of 100,000 with seed 1), a two-character
#: Chinese word (one lexeme of the document) and a four-character one (a phrase of three).
WORDS = {
    "en": SEARCH_WORDS["en"],
    "en-rare": "flanseer",
    "zh": SEARCH_WORDS["zh"],
    "zh-4": "检索增强",
}

DOC = ROOT / "docs" / "PERFORMANCE.md"
TABLE_MARKERS = ("<!-- bench:start -->", "<!-- bench:end -->")
PLAN_MARKERS = ("<!-- plans:start -->", "<!-- plans:end -->")
SMALL = {"papers": 1000, "issues": 20}
#: Pages whose slowest queries are EXPLAINed: the hot paths at scale.
HOT = (
    "API paper list",
    "API search (en)",
    "API search (zh)",
    "search page (en)",
    "search page (en, rare)",
    "search page (zh)",
    "search page (zh, 4 characters)",
    "issue page",
)
#: Endpoints measured again with one connection: the single-client latency targets (ms, p95).
SINGLE = {
    "API paper list": 50,
    "search page (en)": 50,
    "search page (en, rare)": 50,
    "search page (zh)": 50,
    "search page (zh, 4 characters)": 50,
    "API search (en)": 30,
    "API search (zh)": 30,
}
#: Worker CPU per request, in ms, at most (issue 24).
CPU_TARGETS = {
    "paper page": 4,
    "issue page, signed-in member": 10,
    "API paper list": 7,
    "API search (en)": 10,
    "API search (zh)": 10,
}
#: Measured again through nginx in front of the same gunicorn: its own static file, what its
#: cache answers (the issue page, its 304, the feed), and a member's page, which it passes on.
THROUGH_NGINX = (
    "static file",
    "issue page",
    "issue page, 304",
    "publication feed",
    "issue page, signed-in member",
)
#: Pages driven together to compare worker recycling on and off.
RECYCLING_MIX = ("issue page", "paper page", "archive", "API paper list", "API issue detail")
#: Tables counted for the note, in this order.
COUNTED = [
    ("papers_paper", "papers"),
    ("papers_authorship", "authorships"),
    ("issues_issue", "issues"),
    ("issues_issueentry", "issue entries"),
    ("recommendations_recommendation", "recommendations"),
    ("recommendations_transition", "transitions"),
]

#: Warm-up: every URL in turn, so each worker has rendered each page before it is measured.
WARMUP_SCRIPT = """
wrk.headers["X-Forwarded-Proto"] = "https"
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""

WRK_SCRIPT = """
wrk.headers["X-Forwarded-Proto"] = "https"
%s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %%d %%d %%.0f %%.0f %%.0f %%d %%d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
  -- The latencies in 0.1 ms steps, so that windows can be merged into one distribution.
  local buckets = {}
  for i = 1, #latency do
    local value, count = latency(i)
    local bucket = math.floor(value / 100)
    buckets[bucket] = (buckets[bucket] or 0) + count
  end
  local parts = {}
  for bucket, count in pairs(buckets) do parts[#parts + 1] = bucket .. ":" .. count end
  io.write("HIST " .. table.concat(parts, " ") .. "\\n")
end
"""
#: A mix of paths, one after the other on each connection.
MIX_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def page_urls(static_path: str) -> dict[str, str]:
    """Every measured page's URL in the database this process is set up on."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    from issues.enums import IssueStatus
    from issues.models import Issue
    from publications.models import Publication

    publication = Publication.objects.order_by("pk").first()
    issue = (
        Issue.objects.filter(publication=publication, status=IssueStatus.PUBLISHED)
        .order_by("-number")
        .first()
    )
    entry = issue.entries.filter(paper__isnull=False).order_by("position").first()
    slug, number = publication.slug, issue.number
    words = {name: quote(word) for name, word in WORDS.items()}
    # The readers' pages under the site's own language (``/en/…``): an address without one is
    # a redirect to it.
    with translation.override(settings.LANGUAGE_CODE):
        issue_page = reverse("issues:issue-detail", args=[slug, number])
        search = reverse("papers:search")
        pages = {
            "home": reverse("issues:home"),
            "archive": reverse("issues:publication-detail", args=[slug]),
            "publication feed": reverse("issues:feed-rss", args=[slug]),
            "paper page": reverse("papers:paper-detail", args=[entry.paper_id]),
        }
    return {
        "liveness": "/healthz/live",
        "static file": static_path,
        "home": pages["home"],
        "issue page": issue_page,
        # The same address, asked again with the ETag of a copy held (If-None-Match).
        "issue page, 304": issue_page,
        # The same address with a member's session cookie.
        "issue page, signed-in member": issue_page,
        "archive": pages["archive"],
        "publication feed": pages["publication feed"],
        "paper page": pages["paper page"],
        "API issue detail": f"/api/v1/publications/{slug}/issues/{number}/",
        "API paper list": "/api/v1/papers/?page_size=50",
        "search page (en)": f"{search}?q={words['en']}",
        "search page (en, rare)": f"{search}?q={words['en-rare']}",
        "search page (zh)": f"{search}?q={words['zh']}",
        "search page (zh, 4 characters)": f"{search}?q={words['zh-4']}",
        "API search (en)": f"/api/v1/papers/?q={words['en']}&page_size=50",
        "API search (zh)": f"/api/v1/papers/?q={words['zh']}&page_size=50",
    }


def probe(static_path: str, redis_url: str, explain: bool) -> None:
    """In a process of its own, set up on one database: the URLs, each page's queries cold and
    warm, the table sizes, the plans of the hot pages' slowest queries, and a member's session
    for the load tool; printed as JSON."""
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cache = redis.Redis.from_url(redis_url)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    member = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    user = get_user_model().objects.filter(is_active=True).order_by("pk").first()
    member.force_login(user)
    urls = page_urls(static_path)
    result: dict[str, Any] = {"urls": urls, "queries": {}, "ms": {}, "plans": [], "tables": {}}
    for label, url in urls.items():
        cache.flushdb()
        reader, headers, status = client, {}, 200
        if label.endswith(", 304"):
            headers = {"HTTP_IF_NONE_MATCH": client.get(url)["ETag"]}
            status = 304
        elif label.endswith("signed-in member"):
            reader = member
        runs, times = [], []
        for _ in range(2):  # cold cache, then warm
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = reader.get(url, **headers)
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != status:
                sys.exit(f"{label}: {url} answered {response.status_code} in the probe")
            runs.append(captured.captured_queries)
        result["queries"][label] = [len(runs[0]), len(runs[1])]
        result["ms"][label] = times
        if explain and label in HOT:
            slowest = sorted(runs[0], key=lambda q: -float(q["time"]))[:2]
            for rank, query in enumerate(slowest, start=1):
                plan = explain_plan(connection, query["sql"])
                result["plans"].append(
                    {
                        "label": label,
                        "rank": rank,
                        "of": len(runs[0]),
                        "ms": float(query["time"]) * 1000,
                        "sql": query["sql"],
                        "plan": plan,
                    }
                )
    with connection.cursor() as cursor:
        for table, _name in COUNTED:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our own table names)
            result["tables"][table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' "
            "AND relnamespace = 'public'::regnamespace"
        )
        result["reltuples"] = dict(cursor.fetchall())
        cursor.execute("SHOW server_version")
        result["postgres"] = cursor.fetchone()[0]
    # A session of its own for the load tool's member requests.
    wrk_member = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    wrk_member.force_login(user)
    cookie = settings.SESSION_COOKIE_NAME
    result["session"] = f"{cookie}={wrk_member.cookies[cookie].value}"
    result["member"] = user.get_username()
    cache.flushdb()
    print("PROBE " + json.dumps(result))


def explain_plan(connection: Any, sql: str) -> str:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of ``sql``; for a call of a function of ours, the plan of
    the statement inside it (which EXPLAIN does not show), through auto_explain's notices."""
    with connection.cursor() as cursor:
        if "issues_featured_matches(" not in sql:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        notices: list[str] = []
        raw = connection.connection

        def hear(diagnostic: Any) -> None:
            notices.append(diagnostic.message_primary)

        raw.add_notice_handler(hear)
        settings = {
            "log_min_duration": "0",
            "log_analyze": "on",
            "log_buffers": "on",
            "log_nested_statements": "on",
            "log_level": "notice",
        }
        try:
            cursor.execute("LOAD 'auto_explain'")
            for name, value in settings.items():
                cursor.execute(f"SET auto_explain.{name} = '{value}'")
            cursor.execute(sql)
            cursor.fetchall()
        finally:
            cursor.execute("SET auto_explain.log_min_duration = -1")
            raw.remove_notice_handler(hear)
        inner = [n for n in notices if "issues_featured_matches(" not in n]
        return "(the statement inside the function, by auto_explain)\n" + (
            inner[0].split("plan:\n", 1)[-1] if inner else "(no plan heard)"
        )


# --- the driver ---------------------------------------------------------------------------------


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="weekly-serve-load-"))
        self.port = _free_port()
        self.base_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))},
            "DJANGO_SETTINGS_MODULE": "weekly.settings",
            "DJANGO_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "REDIS_URL": args.redis_url,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{self.port}",
            "STATIC_ROOT": str(self.tmp / "static"),
            "EMAIL_URL": "consolemail://",
            # Per second: the throttle's list of times stays as short as a deployed limit's.
            "API_RATE_ANON": "100000000/second",
            "API_RATE_USER": "100000000/second",
        }
        # gunicorn.conf.py's 2 x cores + 1 workers, and its worker recycling unless asked.
        self.base_env.pop("WEB_CONCURRENCY", None)
        self.base_env.pop("GUNICORN_MAX_REQUESTS", None)
        if args.max_requests is not None:
            self.base_env["GUNICORN_MAX_REQUESTS"] = str(args.max_requests)
        self.generated: dict[str, float] = {}
        self.servers: list[Server] = []

    def env(self, database: str) -> dict[str, str]:
        return {**self.base_env, "DATABASE_URL": f"{self.args.pg}/{database}"}

    def manage(self, database: str, *args: str, timeout: int = 900) -> str:
        done = subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.env(database), capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if done.returncode:
            sys.exit(f"manage.py {' '.join(args)} failed on {database}:\n{done.stderr[-3000:]}")
        return done.stdout

    # --- databases

    def _admin(self, query: Any, *params: Any) -> list[tuple]:
        import psycopg

        with psycopg.connect(f"{self.args.pg}/postgres", autocommit=True) as conn:
            cursor = conn.execute(query, params or None)
            return cursor.fetchall() if cursor.description else []

    def _papers_in(self, database: str) -> int:
        import psycopg

        if not self._admin("SELECT 1 FROM pg_database WHERE datname = %s", database):
            return 0
        with psycopg.connect(f"{self.args.pg}/{database}") as conn:
            try:
                return conn.execute("SELECT count(*) FROM papers_paper").fetchone()[0]
            except psycopg.errors.UndefinedTable:
                return 0

    def database(self, database: str, papers: int, issues: int) -> None:
        from psycopg import sql

        existing = self._papers_in(database)
        if self.args.reuse and existing:
            _say(f"{database}: reusing its {existing:,} papers; migrating")
            self.manage(database, "migrate", "--noinput")
            self._analyze(database)
            return
        _say(f"{database}: creating it, migrating, generating {papers:,} papers, {issues} issues")
        name = sql.Identifier(database)
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        self._admin(sql.SQL("CREATE DATABASE {}").format(name))
        self.manage(database, "migrate", "--noinput")
        started = time.monotonic()
        out = self.manage(
            database, "generate_load_data", "--papers", str(papers), "--issues", str(issues),
            "--publications", str(self.args.publications), "--seed", str(self.args.seed),
        )  # fmt: skip
        self.generated[database] = time.monotonic() - started
        print(out, end="", flush=True)

    def _analyze(self, database: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.args.pg}/{database}", autocommit=True) as conn:
            conn.execute("ANALYZE")

    # --- the server

    def static_path(self) -> str:
        manifest = json.loads((self.tmp / "static" / "staticfiles.json").read_text())
        return "/static/" + manifest["paths"]["weekly/weekly.css"]

    def run_probe(self, database: str, *, explain: bool) -> dict[str, Any]:
        # The probe empties the cache before each URL: the version of what is published is then
        # read anew at every request, not held for a second past the emptying.
        env = {**self.env(database), "PUBLISHED_VERSION_RECHECK": "0"}
        done = subprocess.run(  # noqa: S603 (this script, fixed arguments)
            [sys.executable, __file__, "--probe", self.static_path(), "--redis-url",
             self.args.redis_url] + (["--explain"] if explain else []),
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        line = next((x for x in done.stdout.splitlines() if x.startswith("PROBE ")), None)
        if done.returncode or line is None:
            sys.exit(f"The probe failed on {database}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
        return json.loads(line[len("PROBE ") :])

    def start_server(self, name: str, **env: str) -> Server:
        server = Server(name, self.tmp, {**self.env(self.args.database), **env})
        self.servers.append(server)
        server.start()
        return server

    def stop_servers(self) -> None:
        for server in self.servers:
            server.stop()

    def _running_queries(self) -> int:
        import psycopg

        with psycopg.connect(f"{self.args.pg}/postgres", autocommit=True) as conn:
            return conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active'",
                (self.args.database,),
            ).fetchone()[0]

    def drain(self, limit: float = 300) -> float:
        """Wait until the servers have finished what the last run left queued: wrk stops sending
        after its duration, but the workers still answer every request already accepted, and
        on slow pages that backlog would be measured as the next URL's figures."""
        started = time.monotonic()
        last = sum(server.cpu() for server in self.servers)
        while time.monotonic() - started < limit:
            time.sleep(0.5)
            now = sum(server.cpu() for server in self.servers)
            if now - last < 0.05 and not self._running_queries():
                break
            last = now
        return time.monotonic() - started

    def warm_up(self, base: str, paths: list[str], seconds: int) -> None:
        script = self.tmp / "warmup.lua"
        script.write_text(WRK_SCRIPT % (MIX_SCRIPT % ", ".join(json.dumps(p) for p in paths)))
        subprocess.run(  # noqa: S603 (wrk, fixed arguments)
            [shutil.which("wrk") or "wrk", "-t", str(self.args.threads), "-c",
             str(self.args.connections), "-d", f"{seconds}s", "--timeout", "30s", "-s",
             str(script), base],
            capture_output=True, text=True, timeout=seconds + 120, check=True,
        )  # fmt: skip

    def wrk(
        self,
        server: Server | Proxy,
        path: str,
        *,
        threads: int,
        connections: int,
        duration: int,
        headers: dict[str, str] | None = None,
        mix: list[str] | None = None,
    ) -> dict[str, Any]:
        """wrk against ``server`` (its base URL + ``path``, or the paths of ``mix`` in turn), and
        the CPU time its processes spent meanwhile, per request answered."""
        lines = [
            f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in (headers or {}).items()
        ]
        if mix:
            lines.append(MIX_SCRIPT % ", ".join(json.dumps(p) for p in mix))
        script = self.tmp / "bench.lua"
        script.write_text(WRK_SCRIPT % "\n".join(lines))
        cpu_before = server.cpu()
        done = subprocess.run(  # noqa: S603 (wrk, fixed arguments)
            [shutil.which("wrk") or "wrk", "-t", str(threads), "-c", str(connections),
             "-d", f"{duration}s", "--timeout", "30s", "-s", str(script),
             server.url + ("/" if mix else path)],
            capture_output=True, text=True, timeout=duration + 120,
        )  # fmt: skip
        cpu = server.cpu() - cpu_before
        line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
        hist = next((x for x in done.stdout.splitlines() if x.startswith("HIST")), "HIST")
        if line is None:
            sys.exit(f"wrk failed on {path}:\n{done.stdout}\n{done.stderr}")
        requests, duration_us, p50, p95, p99, bad_status, failed = (
            float(x) for x in line.split()[1:]
        )
        return {
            "rps": requests / (duration_us / 1e6),
            "p50": p50 / 1000,
            "p95": p95 / 1000,
            "p99": p99 / 1000,
            "errors": bad_status + failed,
            "requests": requests,
            "cpu_ms": cpu * 1000 / requests if requests else float("nan"),
            "hist": {
                int(bucket): int(count)
                for bucket, count in (part.split(":") for part in hist.split()[1:])
            },
        }


def _get(
    url: str, headers: dict[str, str] | None = None, context: ssl.SSLContext | None = None
) -> tuple[int, Any]:
    """One request, as the load tool sends it: its status and headers."""
    request = urllib.request.Request(  # noqa: S310 (loopback)
        url, headers={"X-Forwarded-Proto": "https", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=60, context=context) as response:  # noqa: S310
            response.read()
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


class Server:
    """One gunicorn with gunicorn.conf.py, on a free port, in a process group of its own."""

    def __init__(self, name: str, tmp: Path, env: dict[str, str]) -> None:
        self.name = name
        self.port = _free_port()
        self.log = tmp / f"gunicorn-{name}.log"
        self.env = env
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = self.log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 (our own server, fixed arguments)
            [sys.executable, "-m", "gunicorn", "weekly.wsgi:application", "--config",
             "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz/live", timeout=2):  # noqa: S310
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        sys.exit(f"gunicorn did not answer within 60 s:\n{self.log_tail()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        return _get(self.url + path, headers)

    def cpu(self) -> float:
        """CPU seconds used so far by gunicorn's master and its workers, the workers it has
        replaced included (the kernel adds a reaped child's time to its parent's)."""
        ticks = os.sysconf("SC_CLK_TCK")
        children = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            children += [int(pid) for pid in task.read_text().split()]
        total = 0.0
        for pid, fields in [(self.process.pid, 4), *((child, 2) for child in children)]:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a worker that just exited
            # utime, stime, and for the master cutime, cstime (its reaped workers).
            total += sum(int(value) for value in stat[11 : 11 + fields]) / ticks
        return total


class Proxy:
    """nginx over TLS in front of a gunicorn, configured as deployed; its CPU figure is what
    nginx's processes and gunicorn's spent together."""

    def __init__(self, tmp: Path, upstream: Server) -> None:
        from tests.servers.proxy import Nginx

        self.name = "nginx"
        self.upstream = upstream
        prefix = tmp / "nginx"
        prefix.mkdir()
        self.nginx = Nginx(
            prefix, upstream=f"127.0.0.1:{upstream.port}", static_root=tmp / "static", tls=True
        )
        self.context = ssl.create_default_context(cafile=str(prefix / "cert.pem"))

    @property
    def url(self) -> str:
        return self.nginx.tls_url

    def start(self) -> None:
        self.nginx.start()

    def stop(self) -> None:
        self.nginx.stop()

    def log_tail(self) -> str:
        return self.nginx.log() + self.upstream.log_tail()

    def cpu(self) -> float:
        return self.nginx.cpu() + self.upstream.cpu()

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        return _get(self.url + path, headers, self.context)


# --- the report ---------------------------------------------------------------------------------


def _queries(small: dict, large: dict, label: str) -> tuple[str, str]:
    def fmt(counts: list[int]) -> str:
        cold, warm = counts
        return str(cold) if cold == warm else f"{cold} → {warm}"

    return fmt(small["queries"][label]), fmt(large["queries"][label])


def _ms(stats: dict, key: str) -> str:
    if not stats["requests"]:
        return "—"  # no request answered within the run
    value = stats[key]
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _alone(probe: dict, label: str) -> str:
    cold, warm = probe["ms"][label]
    return (
        f"{cold:.0f} → {warm:.0f}"
        if probe["queries"][label][0] != probe["queries"][label][1]
        else f"{warm:.1f}"
        if warm < 10
        else f"{warm:.0f}"
    )


def _rps(stats: dict) -> str:
    return f"{stats['rps']:.1f}" if stats["rps"] < 10 else f"{stats['rps']:,.0f}"


def _cpu(stats: dict) -> str:
    value = stats["cpu_ms"]
    if math.isnan(value):
        return "—"
    return f"{value:.2f}" if value < 1 else f"{value:.1f}"


def median_stats(runs: list[dict]) -> dict:
    """The median of each figure over the rounds."""
    keys = ("rps", "p50", "p95", "p99", "errors", "requests", "cpu_ms")
    return {key: statistics.median(run[key] for run in runs) for key in keys}


def table(results: dict, nginx: dict, singles: dict, small: dict, large: dict) -> str:
    n_small, n_large = small["tables"]["papers_paper"], large["tables"]["papers_paper"]
    head = (
        f"| page | URL | via | req/s | vs static file | p50 ms | p99 ms | errors "
        f"| CPU ms/request | alone ms | SQL at {n_small:,} papers | SQL at {n_large:,} papers |"
    )
    lines = [head, "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for via, rows in (("gunicorn", results), ("nginx", nginx)):
        static = rows.get("static file", {}).get("rps") or float("nan")
        for label, stats in rows.items():
            url = large["urls"][label]
            q_small, q_large = _queries(small, large, label)
            lines.append(
                f"| {label} | `{url}` | {via} | {_rps(stats)} | {stats['rps'] / static:.0%} "
                f"| {_ms(stats, 'p50')} | {_ms(stats, 'p99')} | {stats['errors']:.0f} "
                f"| {_cpu(stats)} | {_alone(large, label) if via == 'gunicorn' else ''} "
                f"| {q_small} | {q_large} |"
            )
    for label, stats in singles.items():
        lines.append(
            f"| {label}, 1 client | `{large['urls'][label]}` | gunicorn | {_rps(stats)} | "
            f"| {_ms(stats, 'p50')} | p95 {_ms(stats, 'p95')} | {stats['errors']:.0f} "
            f"| {_cpu(stats)} | | | |"
        )
    return "\n".join(lines)


def _percentile(hist: dict[int, int], share: float) -> float:
    """The latency (ms) under which ``share`` of the requests of a 0.1 ms histogram fell."""
    total = sum(hist.values())
    seen = 0
    for bucket in sorted(hist):
        seen += hist[bucket]
        if seen >= share * total:
            return (bucket + 1) / 10
    return float("nan")


def targets(results: dict, nginx: dict, singles: dict, recycling: dict | None) -> str:
    """Issue 24's targets, each met or missed by how much, from this run's figures."""

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    lines = []
    static = results["static file"]["rps"]
    for label, share in (("issue page", 0.85), ("issue page, 304", 1.0)):
        got = results[label]["rps"] / static
        lines.append(
            f"- {label.capitalize()} through gunicorn at {got:.0%} of the static file's "
            f"requests per second (target {share:.0%} or more): {verdict(got >= share)}."
        )
    if nginx:
        got = nginx["issue page"]["rps"] / nginx["static file"]["rps"]
        lines.append(
            f"- Issue page through nginx at {got:.0%} of nginx's own static file (target 50% or "
            f"more): {verdict(got >= 0.5)}."
        )
    for label, limit in SINGLE.items():
        p95 = singles[label]["p95"] if singles[label]["requests"] else float("inf")
        lines.append(
            f"- {label}, one client: p95 {p95:.0f} ms (target {limit} ms or less): "
            f"{verdict(p95 <= limit)}."
        )
    for label, limit in CPU_TARGETS.items():
        cpu = results[label]["cpu_ms"]
        lines.append(
            f"- {label.capitalize()}: {cpu:.1f} ms of worker CPU per request (target {limit} ms "
            f"or less): {verdict(cpu <= limit)}."
        )
    if recycling:
        on, off = recycling["on"], recycling["off"]
        lines.append(
            f"- Worker recycling as deployed, {recycling['seconds']:.0f} s of a mix of pages "
            f"({recycling['restarts']} workers replaced): p99 {on['p99']:.1f} ms against "
            f"{off['p99']:.1f} ms with recycling off, {on['p99'] / off['p99']:.2f} times (target "
            f"2 or less): {verdict(on['p99'] <= 2 * off['p99'])}; {on['rps']:,.0f} against "
            f"{off['rps']:,.0f} requests per second."
        )
    return "\n".join(lines)


def query_counts(small: dict, large: dict) -> str:
    growing = [
        label for label in large["queries"] if small["queries"][label] != large["queries"][label]
    ]
    most = max(max(counts) for counts in large["queries"].values())
    return (
        f"- Queries per page: at most {most} (target about ten or fewer): "
        + ("met" if most <= 10 else "**missed**")
        + "; "
        + (
            "the same at both sizes for every page."
            if not growing
            else "**different at the two sizes** for " + ", ".join(growing) + "."
        )
    )


def nginx_version() -> str:
    if NGINX is None:
        return "(not installed: no rows)"
    found = subprocess.run(  # noqa: S603 (nginx -v)
        [NGINX, "-v"], capture_output=True, text=True, timeout=10
    ).stderr
    return found.strip().rsplit("/", 1)[-1]


def machine(large: dict, load_before: float) -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = found.group(1) if found else ""
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        memory = f", {int(found.group(1)) / 1024 / 1024:.1f} GB RAM" if found else ""
    return (
        f"{os.cpu_count()} cores ({model or platform.machine()}){memory}; load average "
        f"{load_before:.1f} at the start of the run and {os.getloadavg()[0]:.1f} at its end "
        f"(above {os.cpu_count()}: other work shared the cores); "
        f"Python {platform.python_version()}, "
        f"PostgreSQL {large['postgres'].split()[0]}, wrk, all on one machine over loopback"
    )


def plans_section(large: dict) -> str:
    reltuples = large["reltuples"]
    out = []
    scans = []
    for plan in large["plans"]:
        for table_name in re.findall(r"Seq Scan on (\w+)", plan["plan"]):
            rows = reltuples.get(table_name, 0)
            if rows >= 10_000:
                scans.append(f"`{table_name}` ({rows:,} rows) in {plan['label']}")
        sql = plan["sql"] if len(plan["sql"]) <= 3000 else plan["sql"][:3000] + " …"
        out.append(
            f"### {plan['label']}: slowest query #{plan['rank']} of {plan['of']} "
            f"({plan['ms']:.0f} ms in the probe)\n\n"
            f"```sql\n{sql}\n```\n\n```\n{plan['plan']}\n```\n"
        )
    summary = (
        "Sequential scans of large tables (10,000 rows or more) on these hot paths: "
        + ("; ".join(dict.fromkeys(scans)) if scans else "none")
        + ".\n\n"
    )
    return summary + "\n".join(out)


def _between(text: str, markers: tuple[str, str], body: str, heading: str) -> str:
    start, end = markers
    block = f"{start}\n{body}\n{end}"
    if start in text and end in text:
        return text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    return text.rstrip("\n") + f"\n\n## {heading}\n\n{block}\n"


def write_doc(body: str, plans: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    text = _between(text, TABLE_MARKERS, body, "Benchmark")
    text = _between(text, PLAN_MARKERS, plans, "Plans")
    DOC.write_text(text, encoding="utf-8")


def _headers_for(label: str, etag: str, session: str) -> dict[str, str]:
    if label.endswith(", 304"):
        return {"If-None-Match": etag}
    if label.endswith("signed-in member"):
        return {"Cookie": session}
    return {}


def _expected(label: str) -> int:
    return 304 if label.endswith(", 304") else 200


def measure(
    bench: Bench, server: Server | Proxy, urls: dict[str, str], large: dict
) -> dict[str, dict]:
    """Each URL under load, in ``--rounds`` rounds, each round every URL in turn."""
    args = bench.args
    _status, headers = server.get(urls["issue page"])
    etag = headers["ETag"]
    for label, path in urls.items():
        status, _headers = server.get(path, _headers_for(label, etag, large["session"]))
        if status != _expected(label):
            sys.exit(f"{label} ({path}) answered {status}:\n{server.log_tail()}")
    _say(f"{server.name}: warming up, every URL in turn")
    bench.warm_up(server.url, list(dict.fromkeys(urls.values())), seconds=args.warmup)
    runs: dict[str, list[dict]] = {label: [] for label in urls}
    for round_ in range(1, args.rounds + 1):
        for label, path in urls.items():
            waited = bench.drain()
            _say(f"{server.name} round {round_}, {label}: {path} (idle after {waited:.1f} s)")
            runs[label].append(
                bench.wrk(
                    server, path, threads=args.threads, connections=args.connections,
                    duration=args.duration, headers=_headers_for(label, etag, large["session"]),
                )
            )  # fmt: skip
    return {label: median_stats(found) for label, found in runs.items()}


def compare_recycling(bench: Bench, deployed: Server, urls: dict[str, str]) -> dict[str, Any]:
    """The same mix against gunicorn as deployed and against one that never replaces its
    workers, in alternating windows: the p99 of all the requests of each, and how many workers
    the deployed one replaced."""
    args = bench.args
    steady = bench.start_server("no-recycling", GUNICORN_MAX_REQUESTS="0")
    mix = [urls[label] for label in RECYCLING_MIX]
    bench.warm_up(steady.url, mix, seconds=args.warmup)
    booted_before = deployed.log.read_text(errors="replace").count("Booting worker")
    window = min(30, args.recycling)
    totals: dict[str, dict[str, Any]] = {}
    spent = 0
    while spent < args.recycling:
        for name, server in (("on", deployed), ("off", steady)):
            bench.drain()
            _say(f"recycling {name}: {window} s of the mix ({spent} of {args.recycling} s done)")
            found = bench.wrk(
                server, "/", threads=args.threads, connections=args.connections,
                duration=window, mix=mix,
            )  # fmt: skip
            total = totals.setdefault(name, {"requests": 0, "seconds": 0, "hist": {}})
            total["requests"] += found["requests"]
            total["seconds"] += window
            for bucket, count in found["hist"].items():
                total["hist"][bucket] = total["hist"].get(bucket, 0) + count
        spent += window
    steady.stop()
    restarts = deployed.log.read_text(errors="replace").count("Booting worker") - booted_before
    return {
        "seconds": spent,
        "restarts": restarts,
        **{
            name: {"p99": _percentile(t["hist"], 0.99), "rps": t["requests"] / t["seconds"]}
            for name, t in totals.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--issues", type=int, default=1000)
    parser.add_argument("--publications", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="Keep databases that hold papers.")
    parser.add_argument("--database", default="weekly_bench", help="Also NAME_small.")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="No db name.")
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/14", help="EMPTIED at the start."
    )
    parser.add_argument("--duration", type=int, default=8, help="Seconds of load per URL.")
    parser.add_argument("--rounds", type=int, default=1, help="Rounds over every URL (median).")
    parser.add_argument("--warmup", type=int, default=4, help="Seconds, all URLs in turn.")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--max-requests",
        type=int,
        default=None,
        help="gunicorn's worker recycling (default: as gunicorn.conf.py deploys it; 0: off).",
    )
    parser.add_argument(
        "--recycling",
        type=int,
        default=0,
        metavar="SECONDS",
        help="Also compare the p99 with worker recycling as deployed and off, this long each.",
    )
    parser.add_argument("--no-doc", action="store_true", help="Print only.")
    parser.add_argument("--probe", metavar="STATIC_PATH", help=argparse.SUPPRESS)
    parser.add_argument("--explain", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe(args.probe, args.redis_url, args.explain)
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (Debian/Ubuntu), then run this again.")

    started = time.monotonic()
    load_before = os.getloadavg()[0]
    bench = Bench(args)
    small_db = f"{args.database}_small"
    bench.database(args.database, args.papers, args.issues)
    bench.database(small_db, SMALL["papers"], SMALL["issues"])
    _say("collectstatic")
    bench.manage(args.database, "collectstatic", "--noinput")
    _say("counting queries and explaining the hot ones")
    small = bench.run_probe(small_db, explain=False)
    large = bench.run_probe(args.database, explain=True)

    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    results: dict[str, dict] = {}
    nginx: dict[str, dict] = {}
    singles: dict[str, dict] = {}
    recycling = None
    try:
        server = bench.start_server("deployed")
        _say(f"gunicorn on {server.url}")
        results = measure(bench, server, large["urls"], large)
        for label in SINGLE:
            waited = bench.drain()
            _say(f"{label}, one connection (idle after {waited:.1f} s)")
            singles[label] = bench.wrk(
                server, large["urls"][label], threads=1, connections=1, duration=args.duration
            )
        if NGINX is None:
            _say("nginx is not installed (apt-get install nginx): no rows through it")
        else:
            proxy = Proxy(bench.tmp, server)
            proxy.start()
            try:
                _say(f"nginx on {proxy.url}, in front of gunicorn on {server.url}")
                nginx = measure(
                    bench, proxy, {label: large["urls"][label] for label in THROUGH_NGINX}, large
                )
            finally:
                proxy.stop()
        if args.recycling:
            recycling = compare_recycling(bench, server, large["urls"])
        if not server.alive():
            sys.exit(f"gunicorn died during the run:\n{server.log_tail()}")
    finally:
        bench.stop_servers()

    rows = table(results, nginx, singles, small, large)
    total = time.monotonic() - started
    counts = ", ".join(f"{large['tables'][t]:,} {name}" for t, name in COUNTED)
    generated = (
        f" Data generated in {bench.generated[args.database]:.0f} s."
        if args.database in bench.generated
        else " Data reused."
    )
    command = "bench/serve_load.py" + (f" --papers {args.papers}" if args.papers != 100_000 else "")
    recycled = (
        "worker recycling as deployed"
        if args.max_requests is None
        else f"GUNICORN_MAX_REQUESTS={args.max_requests}"
    )
    body = (
        f"Run of {dt.date.today().isoformat()}: {counts}. wrk with {args.threads} threads and "
        f"{args.connections} connections for {args.duration} s per URL, {args.rounds} "
        f"round(s) over all of them (the median of each figure), then one connection for the "
        f"single-client rows; gunicorn with gunicorn.conf.py (2 x cores + 1 workers, "
        f"{recycled}). CPU: what gunicorn's processes spent per request answered, its "
        f"replaced workers included. SQL: the queries of one request with an empty cache → "
        f"with a warm one (one figure when they are the same). Via nginx: nginx "
        f"{nginx_version()} over TLS with deploy/nginx/weekly.conf.template in front of the same "
        f"gunicorn, wrk over HTTPS with keep-alive; CPU there is nginx's and gunicorn's "
        f"together.{generated} The whole run took "
        f"{total / 60:.1f} min.\n\n"
        f"Machine: {machine(large, load_before)}.\n\n"
        f"Reproduce: `.venv/bin/python {command}` (add `--reuse` to keep the data, "
        f"`--recycling 300` for the recycling row).\n\n"
        f"{rows}\n\n{targets(results, nginx, singles, recycling)}\n"
        f"{query_counts(small, large)}"
    )
    print()
    print(body)
    if not args.no_doc:
        write_doc(body, plans_section(large))
        _say(f"written into {DOC.relative_to(ROOT)}")
    shutil.rmtree(bench.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
