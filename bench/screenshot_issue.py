"""Screenshots of the demo's latest issue page, for the README: 1280 px and 375 px wide, in
English and Chinese (each at its own address, ``/en/…`` and ``/zh/…``), light and dark.

    .venv/bin/python bench/screenshot_issue.py            # writes docs/images/issue-page*.png

The files: ``issue-page.png`` (1280 px, English, light) and ``issue-page-mobile.png`` (375 px),
each also as ``-zh`` (Chinese), ``-dark`` (the browser's dark scheme) and ``-zh-dark``.

It builds the demo (``migrate`` + ``seed_demo``) in a throwaway SQLite database, serves it from a
server thread on a free local port, and photographs the latest published issue, full page, with
the system Chromium (``CHROMIUM`` names another). It never touches ``var/`` or the network: a
request to any other host is refused, and the script says so and fails. Chinese text needs a CJK
font (Debian: ``apt-get install fonts-noto-cjk``); the script warns when there is none.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import chromium  # noqa: E402 (after the path is set)

SHOTS = [
    # file name's stem, viewport width, height, device scale factor
    ("issue-page", 1280, 900, 1),
    ("issue-page-mobile", 375, 740, 1),
]
#: The issue's language (its address's) and the suffix of its files.
LANGUAGES = [("en", ""), ("zh-hans", "-zh")]
#: The browser's colour scheme and the suffix of its files.
SCHEMES = [("light", ""), ("dark", "-dark")]


def prepare_environment(scratch: Path) -> None:
    """Settings for a throwaway demo: its own database, tasks in-process, no mail, no network."""
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'demo.sqlite3'}"
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "DJANGO_ENV", "SITE_URL"):
        os.environ.pop(name, None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="weekly.settings",
        EMAIL_URL="dummymail://",
        ARXIV_API_URL="http://127.0.0.1:9/api/query",
        AMINER_API_URL="http://127.0.0.1:9/aminer",
        OPENALEX_API_URL="",
        ROR_API_URL="",
        LOG_LEVEL="ERROR",
    )


def build_demo() -> dict[str, str]:
    """Migrate and seed; the latest published issue's path in each language."""
    import io

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    from issues import selectors

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=io.StringIO())
    issue = selectors.published_issues().first()
    if issue is None:
        raise SystemExit("seed_demo published no issue")
    paths = {}
    for language, _suffix in LANGUAGES:
        with translation.override(language):
            paths[language] = issue.get_absolute_url()
    return paths


def serve() -> tuple[str, object]:
    """The site with its static files, on a free port, in a daemon thread."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(StaticFilesHandler(get_wsgi_application()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def photograph(origin: str, paths: dict[str, str], out_dir: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    foreign: list[str] = []
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        shots = [
            (stem + language_suffix + scheme_suffix, width, height, scale, language, scheme)
            for stem, width, height, scale in SHOTS
            for language, language_suffix in LANGUAGES
            for scheme, scheme_suffix in SCHEMES
        ]
        for stem, width, height, scale, language, scheme in shots:
            context = browser.new_context(
                viewport={"width": width, "height": height},
                device_scale_factor=scale,
                # The browser says English: the address alone makes the page Chinese.
                locale="en-US",
                color_scheme=scheme,
            )
            page = context.new_page()

            def guard(route: object, request: object) -> None:
                if request.url.startswith(origin + "/"):  # type: ignore[attr-defined]
                    route.continue_()  # type: ignore[attr-defined]
                else:
                    foreign.append(request.url)  # type: ignore[attr-defined]
                    route.abort()  # type: ignore[attr-defined]

            page.route("**/*", guard)
            page.goto(origin + paths[language], wait_until="load")
            target = out_dir / f"{stem}.png"
            page.screenshot(path=str(target), full_page=True, animations="disabled")
            written.append(target)
            context.close()
        browser.close()
    if foreign:
        raise SystemExit("the page asked other hosts (refused):\n  " + "\n  ".join(foreign))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()

    reason = chromium.missing_reason()
    if reason:
        raise SystemExit(f"Cannot take screenshots: {reason}")
    fc_list = shutil.which("fc-list")
    if fc_list:
        fonts = subprocess.run(  # noqa: S603 (a fixed local command)
            [fc_list, ":lang=zh"], capture_output=True, text=True, check=False
        ).stdout
        if not fonts.strip():
            print(
                "warning: no Chinese font; Chinese titles will show as boxes "
                "(apt-get install fonts-noto-cjk)",
                file=sys.stderr,
            )

    started = time.monotonic()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="weekly-screenshot-") as scratch:
        prepare_environment(Path(scratch))
        paths = build_demo()
        built = time.monotonic()
        origin, server = serve()
        try:
            written = photograph(origin, paths, args.out)
        finally:
            server.shutdown()  # type: ignore[attr-defined]
            server.server_close()  # type: ignore[attr-defined]
    for target in written:
        print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
    print(
        f"{paths['en']}: demo built in {built - started:.1f} s, "
        f"photographed in {time.monotonic() - built:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
