"""How much grading adds to the cost of importing its dependencies.

    python benchmarks/grading_speed.py [--runs N]

Times, as the median of N fresh processes each:
  floor        python -c "import torch, sklearn.datasets, sklearn.model_selection"
  floor+optim  the same plus torch._dynamo, which torch.optim imports on an optimizer's
               first step(): any run of the lesson's training code pays it
  grading      python -m grader --target solutions
and prints grading / floor (the target is at most 1.5) and grading / floor+optim. Where
this machine lets a process make a cpuacct cgroup (Linux, cgroup v1, as root), each figure
also comes in CPU seconds of every process the command starts (the grader's zygote and
workers included): on a machine others load, those move less than the wall clock. Grading
imports torch once, in its zygote: the checks run in a judge the zygote forks
(grader/judge.py), and the grading process never imports it.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.cpu_time import CpuGroup     # noqa: E402
IMPORTS = "import torch, sklearn.datasets, sklearn.model_selection"


def run_once(cmd: list[str], label: str) -> tuple[float, float | None]:
    """(wall seconds, CPU seconds of the command and everything it started, or None)."""
    group = CpuGroup.make(f"grading-speed-{label}")       # None: wall time only
    start = time.perf_counter()
    subprocess.run((group.prefix() if group else []) + cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    return wall, group.close() if group else None


def medians(cmd: list[str], runs: int, label: str) -> tuple[float, float | None]:
    """Median wall seconds and median CPU seconds (None without a cgroup) of `runs` runs."""
    times = [run_once(cmd, f"{label}-{i}") for i in range(runs)]
    cpus = [c for _, c in times if c is not None]
    return statistics.median(w for w, _ in times), statistics.median(cpus) if cpus else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        report = str(Path(tmp) / "report.json")
        run_once([py, "-c", IMPORTS], "warm")           # warm the file cache
        floor, floor_cpu = medians([py, "-c", IMPORTS], runs, "floor")
        floor_optim, _ = medians([py, "-c", IMPORTS + ", torch._dynamo"], runs, "optim")
        grading, grading_cpu = medians([py, "-m", "grader", "--target", "solutions", "--format", "json",
                                        "--output", report], runs, "grading")
    print(f"runs per figure:        {runs} (median)")
    print(f"floor (torch, sklearn): {floor:.2f} s")
    print(f"floor + torch.optim:    {floor_optim:.2f} s")
    print(f"grading the reference:  {grading:.2f} s")
    print(f"grading / floor:        {grading / floor:.2f}  (target: at most 1.50)")
    print(f"grading / floor+optim:  {grading / floor_optim:.2f}")
    if floor_cpu is not None and grading_cpu is not None:
        print(f"CPU: floor {floor_cpu:.2f} s, grading {grading_cpu:.2f} s (every process), "
              f"grading / floor {grading_cpu / floor_cpu:.2f}")


if __name__ == "__main__":
    main()
