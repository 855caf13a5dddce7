"""gunicorn.conf.py: workers per container from the container's CPU limit, not the host's cores."""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config() -> dict[str, Any]:
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_cgroup_v2_limit_bounds_the_cores(config: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "cpu.max").write_text("150000 100000\n")  # one and a half cores
    assert config["available_cpus"](tmp_path) == min(2, len(os.sched_getaffinity(0)))
    (tmp_path / "cpu.max").write_text("50000 100000\n")  # half a core is still one worker's
    assert config["available_cpus"](tmp_path) == 1


def test_cgroup_v1_limit_bounds_the_cores(config: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("100000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert config["available_cpus"](tmp_path) == 1


def test_no_limit_leaves_the_cores_the_process_may_use(
    config: dict[str, Any], tmp_path: Path
) -> None:
    cores = len(os.sched_getaffinity(0))
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert config["available_cpus"](tmp_path) == cores
    (tmp_path / "cpu.max").write_text("garbage\n")
    assert config["available_cpus"](tmp_path) == cores
    assert config["available_cpus"](tmp_path / "absent") == cores


def test_workers_default_to_twice_the_cores_plus_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == config["available_cpus"]() * 2 + 1
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] == 3
