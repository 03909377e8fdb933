"""Save-to-verdict latency of `python -m grader watch`, against a cold `python -m grader`.

    python benchmarks/watch_latency.py [--saves N] [--runs N]

In a real pseudo-terminal (pexpect), the watch runs on a copy of the reference solutions.
ex03_predict.py is then saved N times, alternately wrong (softmax over dim 0) and right;
each save is timed from just before the file is written until the terminal shows ex03's new
verdict. Beside the median latency it prints the median time the watch itself reports for
grading ex03 (a forked worker running the checks), the difference (the watch's own cost:
noticing the save and showing the verdict), and the median wall time of a cold
`python -m grader --only ex03` (a new process, importing torch) over --runs runs.
The target: a save's verdict within 0.5 s when the checks take under 0.3 s.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
FILES = ("ex01_data.py", "ex02_model.py", "ex03_predict.py", "ex04_train.py")
RIGHT = re.compile(r"ex03 is complete|Every exercise is complete")
WRONG = re.compile(r"ex03 From logits to predictions: \d+ check\(s\) failing")
GRADED = re.compile(r"graded ex03 in ([\d.]+) s")


def watch_latencies(exercises: Path, saves: int) -> tuple[list[float], list[float]]:
    right = (exercises / "ex03_predict.py").read_text()
    wrong = right.replace("torch.softmax(logits, dim=1)", "torch.softmax(logits, dim=0)")
    assert wrong != right, "the reference's softmax line has changed"
    child = pexpect.spawn(sys.executable, ["-m", "grader", "watch", "--target", str(exercises)],
                          cwd=str(ROOT), encoding="utf-8", timeout=60, dimensions=(60, 200))
    child.expect("q quit", timeout=120)
    latencies, graded = [], []
    try:
        for i in range(saves):
            text, verdict = (wrong, WRONG) if i % 2 == 0 else (right, RIGHT)
            time.sleep(0.5)                                  # the watch is idle, waiting
            start = time.perf_counter()
            (exercises / "ex03_predict.py").write_text(text)
            child.expect(verdict)
            latencies.append(time.perf_counter() - start)
            child.expect(GRADED)
            graded.append(float(child.match.group(1)))
            child.expect("q quit")
    finally:
        child.send("q")
        child.expect(pexpect.EOF, timeout=20)
        child.close()
    return latencies, graded


def cold_seconds(exercises: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "grader", "--only", "ex03", "--target", str(exercises)],
                       cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        exercises = Path(tmp) / "exercises"
        exercises.mkdir()
        for name in FILES:
            shutil.copy(ROOT / "solutions" / name, exercises / name)
        latencies, graded = watch_latencies(exercises, args.saves)
        cold = cold_seconds(exercises, args.runs)
    ms = lambda values: ", ".join(f"{v * 1000:.0f}" for v in values)
    print(f"saves of ex03:                 {args.saves}")
    print(f"save to verdict (ms):          {ms(latencies)}")
    print(f"  median:                      {statistics.median(latencies) * 1000:.0f} ms (target: at most 500)")
    print(f"grading ex03, as the watch reports it (ms): {ms(graded)}")
    print(f"  median:                      {statistics.median(graded) * 1000:.0f} ms")
    overhead = statistics.median(l - g for l, g in zip(latencies, graded))
    print(f"save to verdict minus grading, median: {overhead * 1000:.0f} ms (noticing the save, showing the verdict)")
    print(f"cold python -m grader --only ex03 (s): {', '.join(f'{v:.2f}' for v in cold)}")
    print(f"  median:                      {statistics.median(cold):.2f} s")
    print(f"load average (1 min) before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
