"""The lock files: every dependency of pyproject.toml pinned with its hashes, the image and
`make` installing from them, and the two files agreeing. Checked without a network: the files are
read, not resolved again (`make lock` does that; CONTRIBUTING.md)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """{package: (version, number of hashes)} of a lock file."""
    entries: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text().splitlines():
        if match := _PIN.match(line):
            current = _name(match.group(1))
            entries[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = entries[current]
            entries[current] = (version, hashes + 1)
    return entries


def pinned(requirements: list[str]) -> dict[str, str]:
    found = {}
    for requirement in requirements:
        match = _PIN.match(requirement)
        assert match, f"{requirement!r} is not pinned with =="
        found[_name(match.group(1))] = match.group(2)
    return found


@pytest.fixture(scope="module")
def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_every_locked_package_has_its_hashes() -> None:
    for name in ("main.txt", "dev.txt"):
        entries = locked(ROOT / "requirements" / name)
        assert len(entries) > 40, name
        assert {p for p, (_, hashes) in entries.items() if hashes == 0} == set(), name


def test_the_locks_hold_the_pins_of_pyproject(project: dict) -> None:
    main = locked(ROOT / "requirements" / "main.txt")
    dev = locked(ROOT / "requirements" / "dev.txt")
    for package, version in pinned(project["dependencies"]).items():
        assert main.get(package, ("missing",))[0] == version, package
    for package, version in pinned(project["optional-dependencies"]["dev"]).items():
        assert dev.get(package, ("missing",))[0] == version, package
        assert package not in main, f"{package} is for development only"


def test_development_runs_the_versions_the_image_runs() -> None:
    main = locked(ROOT / "requirements" / "main.txt")
    dev = locked(ROOT / "requirements" / "dev.txt")
    assert {p: v for p, (v, _) in main.items()} == {p: dev[p][0] for p in main}


def test_the_image_and_make_install_from_the_locks() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY requirements/main.txt" in dockerfile
    assert "pip install --require-hashes --no-deps -r" in dockerfile
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements/dev.txt" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
    # The lock's header names the command that wrote it, which `make lock` runs.
    for name in ("main.txt", "dev.txt"):
        header = (ROOT / "requirements" / name).read_text().splitlines()[1]
        assert "uv pip compile pyproject.toml" in header
        assert f"-o requirements/{name}" in header


def test_renovate_updates_the_locks() -> None:
    config = json.loads((ROOT / "renovate.json").read_text())
    [pattern] = config["pip-compile"]["managerFilePatterns"]
    expression = re.compile(pattern.strip("/"))
    assert expression.search("requirements/main.txt")
    assert expression.search("requirements/dev.txt")
    assert config["lockFileMaintenance"]["enabled"] is True
