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


def test_a_worker_that_ends_drops_its_live_gauges(
    config: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """prometheus-client's multiprocess mode: counters stay, the dead worker's live gauges go."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    (tmp_path / "gauge_livesum_4242.db").write_bytes(b"")
    (tmp_path / "counter_4242.db").write_bytes(b"")

    class Worker:
        pid = 4242

    config["child_exit"](None, Worker())
    assert sorted(path.name for path in tmp_path.iterdir()) == ["counter_4242.db"]


def test_a_start_empties_the_metrics_directory(
    config: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    (tmp_path / "counter_17.db").write_bytes(b"counts of the last start")
    config["on_starting"](None)
    assert list(tmp_path.iterdir()) == []


def test_a_server_given_no_metrics_directory_makes_one_and_removes_it(
    config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    config["on_starting"](None)
    # Popped, not monkeypatch.delenv(): that would put the removed directory back at teardown
    # (the variable was absent before, which delenv(raising=False) does not record), and a
    # later test of this process would scrape from it. This process keeps counting in memory.
    made = Path(os.environ.pop("PROMETHEUS_MULTIPROC_DIR"))
    assert made.is_dir()
    assert made.name.startswith("weekly-metrics-")
    config["on_exit"](None)
    assert not made.exists()
