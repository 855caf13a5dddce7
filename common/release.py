"""The render generation: a digest of the code that renders the responses, one per release.

Cached pages and documents are keyed, and their ETags made, with it (``issues.caching``), so a
deploy that changes any source, template, translation or static file of the project's apps or
any installed package's version retires every cached copy and validator by itself.

Hashing it reads every file of the project and the metadata of every installed package: some
0.2 s of CPU, too much to spend in every web worker that starts (gunicorn replaces its workers
now and then, under load too). So it is computed once per release and kept on disk, in
``VAR_DIR``: the file names the *fingerprint* it was computed for, a digest of what the stat of
each of those files and the names of the packages' metadata directories say (a few
milliseconds, no file read). A process whose fingerprint matches the file's takes the digest
from it; any other (new code, another package version, a missing or damaged file, a read-only
disk) computes it and tries to write the file for the next ones. A release copied to another
host has other modification times, so its first process there computes the digest anew, and
finds the same one: it hashes contents, not dates.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings

logger = logging.getLogger("weekly.release")

#: The file, in ``VAR_DIR``, that keeps the digest of the release that wrote it last.
FILE_NAME = "render-generation.json"


def _roots() -> list[Path]:
    """The directories whose files render the responses: the project's apps (not those of
    installed packages), the project's own package (base template, static files), the
    translations."""
    base = Path(settings.BASE_DIR)
    roots = [
        Path(config.path)
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(base) and "site-packages" not in config.path
    ]
    roots.append(Path(import_module(settings.ROOT_URLCONF).__file__ or base).parent)
    roots += [Path(p) for p in settings.LOCALE_PATHS]
    return sorted(set(roots))


def _files() -> Iterator[Path]:
    for root in _roots():
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                yield path


def _package_entries() -> list[str]:
    """The metadata directories of the installed packages, with their modification times: a
    package installed, removed or upgraded changes a name or a time."""
    entries = []
    for place in sys.path:
        try:
            with os.scandir(place or ".") as found:
                entries += [
                    f"{place}/{entry.name}@{entry.stat().st_mtime_ns}"
                    for entry in found
                    if entry.name.endswith((".dist-info", ".egg-info"))
                ]
        except OSError:
            continue  # a zip file, a directory that is gone
    return sorted(entries)


def fingerprint() -> str:
    """What the release looks like from the outside: names, sizes and modification times."""
    digest = hashlib.sha256(sys.version.encode())
    for entry in _package_entries():
        digest.update(entry.encode() + b"\n")
    base = Path(settings.BASE_DIR)
    for path in _files():
        stat = path.stat()
        digest.update(f"{path.relative_to(base)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def compute_generation() -> str:
    """The digest itself: every installed package's name and version, and the path and bytes
    of every file under the roots."""
    digest = hashlib.sha256()
    for name, version in sorted(
        (dist.name or "", dist.version) for dist in importlib.metadata.distributions()
    ):
        digest.update(f"{name}=={version}\n".encode())
    base = Path(settings.BASE_DIR)
    for path in _files():
        digest.update(str(path.relative_to(base)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _read(path: Path, printed: str) -> str | None:
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("fingerprint") != printed:
        return None
    generation = kept.get("generation")
    return generation if isinstance(generation, str) and len(generation) == 16 else None


def _write(path: Path, printed: str, generation: str) -> None:
    # Written aside and renamed: workers starting together never read half a file.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, aside = tempfile.mkstemp(dir=path.parent, prefix=".render-generation-")
    except OSError as error:
        logger.info("render generation not kept in %s: %s", path, error)
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump({"fingerprint": printed, "generation": generation}, file)
        os.replace(aside, path)
    except OSError as error:
        logger.info("render generation not kept in %s: %s", path, error)
        with contextlib.suppress(OSError):
            os.unlink(aside)


@functools.cache
def render_generation() -> str:
    """This release's digest (16 hex digits): from the file the release's first process wrote,
    else computed and written there. Once per process."""
    path = Path(settings.VAR_DIR) / FILE_NAME
    printed = fingerprint()
    generation = _read(path, printed)
    if generation is None:
        generation = compute_generation()
        _write(path, printed, generation)
    return generation
