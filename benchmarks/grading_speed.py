"""How much grading adds to the cost of importing its dependencies.

    python benchmarks/grading_speed.py [--runs N]

Times, as the median of N fresh processes each:
  floor        python -c "import torch, sklearn.datasets, sklearn.model_selection"
  floor+optim  the same plus torch._dynamo, which torch.optim imports on an optimizer's
               first step(): any run of the lesson's training code pays it
  grading      python -m grader --target solutions
and prints grading / floor (the target is at most 1.5) and grading / floor+optim.
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
IMPORTS = "import torch, sklearn.datasets, sklearn.model_selection"


def median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        report = str(Path(tmp) / "report.json")
        median_seconds([py, "-c", IMPORTS], 1)          # warm the file cache
        floor = median_seconds([py, "-c", IMPORTS], runs)
        floor_optim = median_seconds([py, "-c", IMPORTS + ", torch._dynamo"], runs)
        grading = median_seconds([py, "-m", "grader", "--target", "solutions", "--format", "json",
                                  "--output", report], runs)
    print(f"runs per figure:        {runs} (median)")
    print(f"floor (torch, sklearn): {floor:.2f} s")
    print(f"floor + torch.optim:    {floor_optim:.2f} s")
    print(f"grading the reference:  {grading:.2f} s")
    print(f"grading / floor:        {grading / floor:.2f}  (target: at most 1.50)")
    print(f"grading / floor+optim:  {grading / floor_optim:.2f}")


if __name__ == "__main__":
    main()
