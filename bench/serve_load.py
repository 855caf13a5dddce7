"""Benchmark: the production server under load over loopback, at 100,000 papers, in one command.

    .venv/bin/python bench/serve_load.py                 # build the data, then measure
    .venv/bin/python bench/serve_load.py --reuse         # measure again on the data built before

It (1) creates two PostgreSQL databases, NAME (100,000 papers, 1,000 issues) and NAME_small
(1,000 papers, 20 issues), migrates them and fills them with ``generate_load_data`` (``--reuse``
keeps databases that hold papers, and still migrates them, so new indexes apply); (2) runs
collectstatic; (3) counts the SQL queries of every page with the test client at both sizes,
cold (empty cache) and warm, and runs ``EXPLAIN (ANALYZE, BUFFERS)`` on the slowest queries of
the hot pages; (4) starts gunicorn with ``gunicorn.conf.py`` and production settings
(``DJANGO_ENV=production``, PostgreSQL, Redis, 2 x cores + 1 workers); (5) drives each URL with
wrk (``--threads`` threads, ``--connections`` connections, ``--duration`` seconds, sending
``X-Forwarded-Proto: https`` as the TLS proxy would), then the API paper list and searches with
a single connection; (6) prints one table and writes it, with the plans, into
docs/PERFORMANCE.md between its markers.

The API's anonymous rate limit is lifted for the run (``API_RATE_ANON``): wrk is one client
address, and the throttle would answer 429 after 120 requests. The throttle still runs (and costs
its Redis round trip) on every API request. The Redis database given is emptied at the start.

Needs wrk (``apt-get install wrk``), PostgreSQL and Redis.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
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
    "search page (zh)",
    "issue page",
)
#: Endpoints measured again with one connection: the single-client latency targets.
SINGLE = ("API paper list", "API search (en)", "API search (zh)")
#: Tables counted for the note, in this order.
COUNTED = [
    ("papers_paper", "papers"),
    ("papers_authorship", "authorships"),
    ("issues_issue", "issues"),
    ("issues_issueentry", "issue entries"),
    ("recommendations_recommendation", "recommendations"),
    ("issues_transition", "transitions"),
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
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %.0f %.0f %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


def page_urls(static_path: str) -> dict[str, str]:
    """Every measured page's URL in the database this process is set up on."""
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
    en, zh = quote(SEARCH_WORDS["en"]), quote(SEARCH_WORDS["zh"])
    return {
        "liveness": "/healthz/live",
        "static file": static_path,
        "home": "/",
        "issue page": f"/p/{slug}/{number}/",
        "archive": f"/p/{slug}/",
        "paper page": f"/papers/{entry.paper_id}/",
        "API issue detail": f"/api/v1/publications/{slug}/issues/{number}/",
        "API paper list": "/api/v1/papers/?page_size=50",
        "search page (en)": f"/search/?q={en}",
        "search page (zh)": f"/search/?q={zh}",
        "API search (en)": f"/api/v1/papers/?q={en}&page_size=50",
        "API search (zh)": f"/api/v1/papers/?q={zh}&page_size=50",
    }


def probe(static_path: str, redis_url: str, explain: bool) -> None:
    """In a process of its own, set up on one database: the URLs, each page's queries cold and
    warm, the table sizes, and the plans of the hot pages' slowest queries; printed as JSON."""
    import django

    django.setup()
    import redis
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cache = redis.Redis.from_url(redis_url)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    urls = page_urls(static_path)
    result: dict[str, Any] = {"urls": urls, "queries": {}, "ms": {}, "plans": [], "tables": {}}
    for label, url in urls.items():
        cache.flushdb()
        runs, times = [], []
        for _ in range(2):  # cold cache, then warm
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                sys.exit(f"{url} answered {response.status_code} in the probe")
            runs.append(captured.captured_queries)
        result["queries"][label] = [len(runs[0]), len(runs[1])]
        result["ms"][label] = times
        if explain and label in HOT:
            slowest = sorted(runs[0], key=lambda q: -float(q["time"]))[:2]
            for rank, query in enumerate(slowest, start=1):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    plan = "\n".join(row[0] for row in cursor.fetchall())
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
    cache.flushdb()
    print("PROBE " + json.dumps(result))


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
            "API_RATE_ANON": "100000000/minute",
            "API_RATE_USER": "100000000/minute",
            "GUNICORN_MAX_REQUESTS": str(args.max_requests),
        }
        self.base_env.pop("WEB_CONCURRENCY", None)  # gunicorn.conf.py's 2 x cores + 1
        self.generated: dict[str, float] = {}
        self.server: subprocess.Popen | None = None

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
        done = subprocess.run(  # noqa: S603 (this script, fixed arguments)
            [sys.executable, __file__, "--probe", self.static_path(), "--redis-url",
             self.args.redis_url] + (["--explain"] if explain else []),
            cwd=ROOT, env=self.env(database), capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        line = next((x for x in done.stdout.splitlines() if x.startswith("PROBE ")), None)
        if done.returncode or line is None:
            sys.exit(f"The probe failed on {database}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
        return json.loads(line[len("PROBE ") :])

    def start_server(self) -> None:
        log = (self.tmp / "gunicorn.log").open("wb")
        self.server = subprocess.Popen(  # noqa: S603 (our own server, fixed arguments)
            [sys.executable, "-m", "gunicorn", "weekly.wsgi:application", "--config",
             "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT, env=self.env(self.args.database), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                sys.exit(f"gunicorn exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz/live", timeout=2):  # noqa: S310
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        sys.exit(f"gunicorn did not answer within 60 s:\n{self.log_tail()}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self) -> str:
        path = self.tmp / "gunicorn.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop_server(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)

    def check(self, label: str, path: str) -> None:
        """One request, as the load tool sends it: it must answer 200."""
        request = urllib.request.Request(  # noqa: S310 (loopback)
            self.url + path, headers={"X-Forwarded-Proto": "https"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            sys.exit(f"{label} ({path}) answered {status}:\n{self.log_tail()}")

    def _worker_cpu(self) -> float:
        """CPU seconds used so far by gunicorn's master and workers."""
        ticks = os.sysconf("SC_CLK_TCK")
        pids = [self.server.pid]
        for task in Path(f"/proc/{self.server.pid}/task").glob("*/children"):
            pids += [int(pid) for pid in task.read_text().split()]
        total = 0.0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a worker that just exited
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        return total

    def _running_queries(self) -> int:
        import psycopg

        with psycopg.connect(f"{self.args.pg}/postgres", autocommit=True) as conn:
            return conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active'",
                (self.args.database,),
            ).fetchone()[0]

    def drain(self, limit: float = 300) -> float:
        """Wait until the server has finished what the last run left queued: wrk stops sending
        after its duration, but the workers still answer every request already accepted, and
        on slow pages that backlog would be measured as the next URL's figures."""
        started = time.monotonic()
        last = self._worker_cpu()
        while time.monotonic() - started < limit:
            time.sleep(0.5)
            now = self._worker_cpu()
            if now - last < 0.05 and not self._running_queries():
                break
            last = now
        return time.monotonic() - started

    def warm_up(self, paths: list[str], seconds: int) -> None:
        script = self.tmp / "warmup.lua"
        script.write_text(WARMUP_SCRIPT % ", ".join(json.dumps(p) for p in paths))
        subprocess.run(  # noqa: S603 (wrk, fixed arguments)
            [shutil.which("wrk") or "wrk", "-t", str(self.args.threads), "-c",
             str(self.args.connections), "-d", f"{seconds}s", "--timeout", "30s", "-s",
             str(script), self.url],
            capture_output=True, text=True, timeout=seconds + 120, check=True,
        )  # fmt: skip

    def wrk(self, path: str, *, threads: int, connections: int) -> dict[str, float]:
        script = self.tmp / "bench.lua"
        script.write_text(WRK_SCRIPT)
        done = subprocess.run(  # noqa: S603 (wrk, fixed arguments)
            [shutil.which("wrk") or "wrk", "-t", str(threads), "-c", str(connections),
             "-d", f"{self.args.duration}s", "--timeout", "30s", "-s", str(script),
             self.url + path],
            capture_output=True, text=True, timeout=self.args.duration + 120,
        )  # fmt: skip
        line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
        if line is None:
            sys.exit(f"wrk failed on {path}:\n{done.stdout}\n{done.stderr}")
        requests, duration, p50, p95, bad_status, failed = (float(x) for x in line.split()[1:])
        return {
            "rps": requests / (duration / 1e6),
            "p50": p50 / 1000,
            "p95": p95 / 1000,
            "errors": bad_status + failed,
            "requests": requests,
        }


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
        else f"{warm:.0f}"
    )


def _rps(stats: dict) -> str:
    return f"{stats['rps']:.1f}" if stats["rps"] < 10 else f"{stats['rps']:,.0f}"


def table(results: dict, singles: dict, small: dict, large: dict, args: argparse.Namespace) -> str:
    live = results["liveness"]["rps"]
    n_small, n_large = small["tables"]["papers_paper"], large["tables"]["papers_paper"]
    head = (
        f"| page | URL | req/s | vs liveness | p50 ms | p95 ms | errors | alone ms "
        f"| SQL at {n_small:,} papers | SQL at {n_large:,} papers |"
    )
    lines = [head, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for label, stats in results.items():
        url = large["urls"][label]
        q_small, q_large = _queries(small, large, label)
        lines.append(
            f"| {label} | `{url}` | {_rps(stats)} | {stats['rps'] / live:.0%} "
            f"| {_ms(stats, 'p50')} | {_ms(stats, 'p95')} | {stats['errors']:.0f} "
            f"| {_alone(large, label)} | {q_small} | {q_large} |"
        )
    for label, stats in singles.items():
        lines.append(
            f"| {label}, 1 client | `{large['urls'][label]}` | {_rps(stats)} | "
            f"| {_ms(stats, 'p50')} | {_ms(stats, 'p95')} | {stats['errors']:.0f} | | | |"
        )
    return "\n".join(lines)


def targets(results: dict, singles: dict, small: dict, large: dict) -> str:
    """Issue 7's targets, each met or missed by how much, from this run's figures."""

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    share = results["issue page"]["rps"] / results["liveness"]["rps"]
    lines = [
        f"- Issue page at {share:.0%} of the liveness endpoint's requests per second "
        f"(target 50% or more): {verdict(share >= 0.5)}."
    ]
    for label, limit in (
        ("API paper list", 50),
        ("API search (en)", 100),
        ("API search (zh)", 100),
    ):
        p95 = singles[label]["p95"] if singles[label]["requests"] else float("inf")
        lines.append(
            f"- {label}, one client: p95 {p95:.0f} ms (target under {limit} ms): "
            f"{verdict(p95 < limit)}."
        )
    growing = [
        label for label in large["queries"] if small["queries"][label] != large["queries"][label]
    ]
    most = max(max(counts) for counts in large["queries"].values())
    lines.append(
        f"- Queries per page: at most {most} (target about ten or fewer): {verdict(most <= 10)}; "
        + (
            "the same at both sizes for every page."
            if not growing
            else "**different at the two sizes** for " + ", ".join(growing) + "."
        )
    )
    return "\n".join(lines)


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
    parser.add_argument("--warmup", type=int, default=4, help="Seconds, all URLs in turn.")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--max-requests",
        type=int,
        default=0,
        help="gunicorn's worker recycling (0: off, so the figures measure serving, not boots).",
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
    _say(f"starting gunicorn on {bench.url}")
    results: dict[str, dict] = {}
    singles: dict[str, dict] = {}
    try:
        bench.start_server()
        for label, path in large["urls"].items():
            bench.check(label, path)
        _say("warming up: every URL in turn")
        bench.warm_up(list(large["urls"].values()), seconds=args.warmup)
        for label, path in large["urls"].items():
            waited = bench.drain()
            _say(f"wrk {label}: {path} (after {waited:.1f} s for the server to be idle)")
            results[label] = bench.wrk(path, threads=args.threads, connections=args.connections)
        for label in SINGLE:
            waited = bench.drain()
            _say(f"wrk {label}, one connection (after {waited:.1f} s idle wait)")
            singles[label] = bench.wrk(large["urls"][label], threads=1, connections=1)
        if bench.server.poll() is not None:
            sys.exit(f"gunicorn died during the run:\n{bench.log_tail()}")
    finally:
        bench.stop_server()

    rows = table(results, singles, small, large, args)
    total = time.monotonic() - started
    counts = ", ".join(f"{large['tables'][t]:,} {name}" for t, name in COUNTED)
    generated = (
        f" Data generated in {bench.generated[args.database]:.0f} s."
        if args.database in bench.generated
        else " Data reused."
    )
    command = "bench/serve_load.py" + (f" --papers {args.papers}" if args.papers != 100_000 else "")
    body = (
        f"Run of {dt.date.today().isoformat()}: {counts}. wrk with {args.threads} threads and "
        f"{args.connections} connections for {args.duration} s per URL, then one connection for "
        f"the single-client rows; gunicorn with gunicorn.conf.py (2 x cores + 1 workers). "
        f"SQL: the queries of one request with an empty cache → with a warm one (one figure "
        f"when they are the same).{generated} The whole run took {total / 60:.1f} min.\n\n"
        f"Machine: {machine(large, load_before)}.\n\n"
        f"Reproduce: `.venv/bin/python {command}` (add `--reuse` to keep the data).\n\n"
        f"{rows}\n\n{targets(results, singles, small, large)}"
    )
    print()
    print(body)
    if not args.no_doc:
        write_doc(body, plans_section(large))
        _say(f"written into {DOC.relative_to(ROOT)}")
    shutil.rmtree(bench.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
