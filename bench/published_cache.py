"""Warm published pages against the liveness floor, on the production server.

Starts gunicorn with production settings on PostgreSQL and Redis, warms each address once, then
drives it with a few processes of threads over loopback (a new connection per request, as
gunicorn's sync workers close them) and prints requests per second and p50/p95 latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME REDIS_URL=redis://127.0.0.1:6379/N \\
        .venv/bin/python bench/published_cache.py [--seconds 5] [--rounds 3] [--clients 8]

The database needs at least one published issue (``manage.py seed_demo``). The figures are
rough: the load generator shares the machine's cores with the server.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765


def _get(path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "localhost", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        conn.close()


def _worker(path: str, headers: dict[str, str], seconds: float, threads: int, out: object) -> None:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def loop() -> None:
        mine: list[float] = []
        bad = 0
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                status, _body, _h = _get(path, headers)
            except OSError:
                bad += 1
                continue
            mine.append(time.perf_counter() - start)
            if status not in (200, 304):
                bad += 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    pool = [threading.Thread(target=loop) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    out.put((latencies, errors[0]))  # type: ignore[attr-defined]


def drive(path: str, *, seconds: float, clients: int, processes: int, headers=None) -> dict:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    threads = max(1, clients // processes)
    procs = [
        multiprocessing.Process(target=_worker, args=(path, headers or {}, seconds, threads, queue))
        for _ in range(processes)
    ]
    for proc in procs:
        proc.start()
    latencies: list[float] = []
    errors = 0
    for _ in procs:
        got, bad = queue.get()
        latencies.extend(got)
        errors += bad
    for proc in procs:
        proc.join()
    latencies.sort()
    cut = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "rps": len(latencies) / seconds,
        "p50": cut[49] * 1000,
        "p95": cut[94] * 1000,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per address and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--slug", default="pretraining-weekly")
    parser.add_argument("--number", type=int, default=1)
    parser.add_argument(
        "--log-level", default="INFO", help="INFO, as in production, logs each page request"
    )
    args = parser.parse_args()
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            sys.exit(f"{name} must be set (PostgreSQL and Redis, as in production).")

    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "LOG_LEVEL": args.log_level,
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        # The API's throttles would answer most of a load test with 429.
        "API_RATE_ANON": "1000000/minute",
        "API_RATE_USER": "1000000/minute",
    }
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run(  # noqa: S603 (a fixed local command)
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    log = (ROOT / "var" / "bench-gunicorn.log").open("w")
    server = subprocess.Popen(  # noqa: S603 (a fixed local command)
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "weekly.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            try:
                if _get("/healthz/live")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("gunicorn did not start")
        issue = f"/p/{args.slug}/{args.number}/"
        if _get(issue)[0] != 200:
            sys.exit(f"{issue} is not a published issue: run manage.py seed_demo, or pass --slug")
        api = f"/api/v1/publications/{args.slug}/issues/{args.number}/"
        targets = [
            ("liveness /healthz/live", "/healthz/live", None),
            ("issue page (warm)", issue, None),
            ("issue page, If-None-Match (304)", issue, "etag"),
            ("issue Markdown export (warm)", f"{issue}issue.md", None),
            ("publication RSS feed (warm)", f"/p/{args.slug}/feed/rss/", None),
            ("API issue detail (warm)", api, None),
        ]
        prepared = []
        for label, path, mode in targets:
            extra: dict[str, str] = {}
            if mode == "etag":
                # The page's ETag is the same for every anonymous reader.
                _status, _b, first = _get(path)
                extra = {"If-None-Match": first["ETag"]}
                if _get(path, extra)[0] != 304:
                    sys.exit(f"{path} did not answer 304 to its own ETag")
            else:
                _get(path)  # warm
            prepared.append((label, path, extra))
        # Rounds over every address in turn, so a burst of other work on the machine does not
        # fall on one address only; each figure is the median over the rounds.
        results: dict[str, list[dict]] = {label: [] for label, _p, _e in prepared}
        for _round in range(args.rounds):
            for label, path, extra in prepared:
                results[label].append(
                    drive(
                        path,
                        seconds=args.seconds,
                        clients=args.clients,
                        processes=args.processes,
                        headers=extra,
                    )
                )
        print(f"{'address':<36} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
        floor = statistics.median(r["rps"] for r in results[prepared[0][0]])
        for label, _path, _extra in prepared:
            runs = results[label]
            rps = statistics.median(r["rps"] for r in runs)
            p50 = statistics.median(r["p50"] for r in runs)
            p95 = statistics.median(r["p95"] for r in runs)
            errors = sum(r["errors"] for r in runs)
            print(
                f"{label:<36} {rps:8.0f} {p50:8.2f} {p95:8.2f} {errors:7d}"
                f"  {100 * rps / floor:4.0f}% of liveness"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    main()
