"""The render generation, computed once per release and kept on disk (``common.release``)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from common import release


@pytest.fixture
def project(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A project of two files in a directory of its own, and a ``VAR_DIR`` beside it."""
    root = tmp_path / "app"
    (root / "templates").mkdir(parents=True)
    (root / "views.py").write_text("def view(): ...\n")
    (root / "templates" / "page.html").write_text("<p>Page</p>\n")
    settings.BASE_DIR = tmp_path
    settings.VAR_DIR = tmp_path / "var"
    monkeypatch.setattr(release, "_roots", lambda: [root])
    release.render_generation.cache_clear()
    yield root
    release.render_generation.cache_clear()


def _new_process() -> None:
    release.render_generation.cache_clear()


def _computing_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> str:
        raise AssertionError("the digest was computed again")

    monkeypatch.setattr(release, "compute_generation", refuse)


def test_generation_is_computed_once_then_read_from_the_file(
    project: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    generation = release.render_generation()
    kept = json.loads((settings.VAR_DIR / release.FILE_NAME).read_text())

    _new_process()
    _computing_refused(monkeypatch)

    assert re.fullmatch(r"[0-9a-f]{16}", generation)
    assert kept == {"fingerprint": release.fingerprint(), "generation": generation}
    assert release.render_generation() == generation


def test_changed_file_gives_a_new_generation(project: Path) -> None:
    before = release.render_generation()
    (project / "templates" / "page.html").write_text("<p>Another page</p>\n")

    _new_process()

    assert release.render_generation() != before


def test_same_bytes_with_another_date_give_the_same_generation(project: Path) -> None:
    """A release copied to another host has other dates: its digest is computed again there,
    and is the same, so the hosts share cached copies and ETags."""
    before = release.render_generation()
    printed = release.fingerprint()
    os.utime(project / "views.py", ns=(1_000_000_000, 1_000_000_000))

    _new_process()

    assert release.fingerprint() != printed
    assert release.render_generation() == before


def test_new_file_gives_a_new_generation(project: Path) -> None:
    before = release.render_generation()
    (project / "forms.py").write_text("FIELDS = []\n")

    _new_process()

    assert release.render_generation() != before


@pytest.mark.parametrize(
    "content",
    ["", "{not json", '["a list"]', '{"fingerprint": "x", "generation": "0123456789abcdef"}'],
    ids=["empty", "damaged", "not-an-object", "another-release"],
)
def test_unusable_file_is_computed_again_and_replaced(
    project: Path, settings: Any, content: str
) -> None:
    expected = release.render_generation()
    path = settings.VAR_DIR / release.FILE_NAME
    path.write_text(content)

    _new_process()

    assert release.render_generation() == expected
    assert json.loads(path.read_text())["fingerprint"] == release.fingerprint()


def test_unwritable_place_still_gives_the_generation(
    project: Path, settings: Any, tmp_path: Path
) -> None:
    expected = release.compute_generation()
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    settings.VAR_DIR = blocker / "var"  # a directory under a file cannot be made

    assert release.render_generation() == expected
    assert not list(tmp_path.glob("**/.render-generation-*"))


def test_generation_of_the_project_is_stable() -> None:
    release.render_generation.cache_clear()
    first = release.render_generation()
    release.render_generation.cache_clear()

    assert release.render_generation() == first == release.compute_generation()
