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

import pytest

from benchmarks.cpu_time import CpuGroup

_group: CpuGroup | None = None


def _cpu() -> float:
    if _group is not None:
        return _group.seconds()
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def pytest_configure(config):
    global _group
    _group = CpuGroup.make("test-cost")
    if _group is not None:
        _group.join()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    wall, cpu = time.monotonic(), _cpu()
    yield
    record = {"test": item.nodeid, "wall": round(time.monotonic() - wall, 2), "cpu": round(_cpu() - cpu, 2)}
    with open(os.environ.get("TEST_COST", "test_costs.jsonl"), "a") as out:
        out.write(json.dumps(record) + "\n")


def pytest_unconfigure(config):
    if _group is not None:
        _group.close(wait=0)
