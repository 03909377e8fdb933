"""What each test costs: wall clock and the CPU time of everything it ran.

    python -m pytest -p benchmarks.test_cost [-n 2] tests     (TEST_COST=costs.jsonl)
    python -m benchmarks.test_cost costs.jsonl [N]            the sums per file, the N
                                                              costliest tests, each worker's idle time

A pytest plugin. Each pytest process (each xdist worker) moves itself into a cpuacct
cgroup of its own, so that the CPU time of every process a test starts counts, the
graders, zygotes and workers it forks included, and whether or not they are waited for
(root, cgroup v1's cpuacct; elsewhere the CPU time of this process and of the children it
waited for). Appends one JSON line per test to $TEST_COST: its node id, the seconds of
setup + call + teardown, the CPU seconds, and when it started (seconds since the epoch)
on which xdist worker. The ratio of CPU to wall says which tests wait rather than work,
and the starts when a worker had nothing to run.
"""
from __future__ import annotations

import collections
import json
import os
import resource
import sys
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
    wall, cpu, start = time.monotonic(), _cpu(), time.time()
    yield
    record = {"test": item.nodeid, "wall": round(time.monotonic() - wall, 2), "cpu": round(_cpu() - cpu, 2),
              "start": round(start, 2), "worker": os.environ.get("PYTEST_XDIST_WORKER", "main")}
    with open(os.environ.get("TEST_COST", "test_costs.jsonl"), "a") as out:
        out.write(json.dumps(record) + "\n")


def pytest_unconfigure(config):
    if _group is not None:
        _group.close(wait=0)


def summary(path: str, top: int = 0) -> None:
    rows = [json.loads(line) for line in open(path)]
    files: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0])
    for row in rows:
        totals = files[row["test"].split("::")[0]]
        totals[0] += row["wall"]
        totals[1] += row["cpu"]
        totals[2] += 1
    print(f"{len(rows)} tests: {sum(r['wall'] for r in rows):.0f} s of wall clock, "
          f"{sum(r['cpu'] for r in rows):.0f} s of CPU")
    for name, (wall, cpu, count) in sorted(files.items(), key=lambda item: -item[1][1]):
        print(f"{cpu:7.1f} s CPU {wall:7.1f} s wall {count:4d} tests  {name}")
    for row in sorted(rows, key=lambda r: -r["cpu"])[:top]:
        print(f"{row['cpu']:7.1f} s CPU {row['wall']:7.1f} s wall  {row['test']}")
    timed = [r for r in rows if "start" in r]
    if timed:
        first = min(r["start"] for r in timed)
        last = max(r["start"] + r["wall"] for r in timed)
        for worker in sorted({r["worker"] for r in timed}):
            mine = [r for r in timed if r["worker"] == worker]
            busy = sum(r["wall"] for r in mine)
            end = max(r["start"] + r["wall"] for r in mine)
            print(f"{worker}: busy {busy:.0f} s of {last - first:.0f} s, done {last - end:.0f} s before the last")


if __name__ == "__main__":
    summary(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0)
