"""Where the system Chromium is, and how the browser tests and the screenshot script launch it.

Playwright's own browser download is not used: the Debian packages ``chromium`` and
``chromium-driver`` provide the browser (``.ci/run`` installs them), and ``CHROMIUM`` may name
another executable. Nothing here imports Django, so ``bench/`` scripts can use it too.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

DEFAULT_CHROMIUM = "/usr/bin/chromium"

#: Headless, no sandbox (CI runs as root), and nothing that talks to Google's servers.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    return os.environ.get("CHROMIUM") or DEFAULT_CHROMIUM


def missing_reason() -> str:
    """Why the browser tests cannot run here, or "" when they can."""
    path = chromium_path()
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        return (
            f"no Chromium at {path}: apt-get install chromium chromium-driver "
            "(or set CHROMIUM=/path/to/chromium); .ci/run installs it"
        )
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed: make install"
    return ""


def launch(playwright: Any) -> Any:
    """The system Chromium, started by Playwright (``playwright.sync_api`` instance given)."""
    return playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
    )
