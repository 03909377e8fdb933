"""What each test costs: wall clock and the CPU time of everything it ran.

    python -m pytest -p benchmarks.test_cost [-n 2] tests     (TEST_COST=costs.jsonl)

A pytest plugin. Each pytest process (each xdist worker) moves itself into a cpuacct
cgroup of its own, so that the CPU time of every process a test starts counts, the
graders, zygotes and workers it forks included, and whether or not they are waited for
(root, cgroup v1's cpuacct; elsewhere the CPU time of this process and of the children it
waited for). Appends one JSON line per test to $TEST_COST: its node id, the seconds of
setup + call + teardown, and the CPU seconds. `benchmarks/ci_time.py --costs` sums them
per file; the ratio of CPU to wall says which tests wait rather than work.
"""
from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

import pytest

CGROUPS = Path("/sys/fs/cgroup/cpuacct")
_group: Path | None = None


def _current_cgroup() -> Path:
    """This process's cpuacct cgroup (benchmarks/ci_time.py's, say): a group made inside it
    still counts there."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if "cpuacct" in controllers.split(","):
            return CGROUPS / path.lstrip("/")
    return CGROUPS


def _own_cgroup() -> Path | None:
    try:
        group = _current_cgroup() / f"test_cost_{os.getpid()}"
    except OSError:
        return None
    try:
        group.mkdir()
        (group / "cgroup.procs").write_text(str(os.getpid()))
        return group
    except OSError:
        return None


def _cpu() -> float:
    if _group is not None:
        return int((_group / "cpuacct.usage").read_text()) / 1e9
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def pytest_configure(config):
    global _group
    _group = _own_cgroup()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    wall, cpu = time.monotonic(), _cpu()
    yield
    record = {"test": item.nodeid, "wall": round(time.monotonic() - wall, 2), "cpu": round(_cpu() - cpu, 2)}
    with open(os.environ.get("TEST_COST", "test_costs.jsonl"), "a") as out:
        out.write(json.dumps(record) + "\n")


def pytest_unconfigure(config):
    """Back to the parent cgroup; the group goes once nothing is left in it."""
    if _group is not None:
        try:
            (_group.parent / "cgroup.procs").write_text(str(os.getpid()))
            _group.rmdir()
        except OSError:
            pass
