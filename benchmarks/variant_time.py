"""How long a course variant takes to make and to check, for the matrix of
tests/test_variants.py.

    python benchmarks/variant_time.py [--only NAME]

For each variant: `python -m grader variant OUT KEY=VALUE ...` (the copy written, its
reference run, its build), then `python -m grader check-course` in the copy, each timed on
the wall clock and, where this machine lets a process make a cpuacct cgroup (Linux, cgroup
v1, as root), in CPU seconds of every process they start (the grader's workers included,
which the zygote forks and the parent's rusage does not see). Prints each reference line.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.cpu_time import CpuGroup     # noqa: E402
from tests.test_variants import MATRIX       # noqa: E402



def timed(name: str, command: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, float, float | None]:
    """(the finished command, wall seconds, CPU seconds or None)."""
    group = CpuGroup.make(f"variant-time-{name}")          # None: wall time only
    start = time.perf_counter()
    proc = subprocess.run((group.prefix() if group else []) + command, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    return proc, wall, group.close(wait=10) if group else None


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", choices=list(MATRIX))
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="variant-time-") as tmp:
        for name, constants in MATRIX.items():
            if args.only not in (None, name):
                continue
            out = Path(tmp) / name
            made, wall, cpu = timed(f"{name}-make", [sys.executable, "-m", "grader", "variant", str(out),
                                                     *constants], ROOT)
            if made.returncode:
                print(f"{name}: the variant command failed:\n{made.stdout}{made.stderr}")
                return 1
            checked, cwall, ccpu = timed(f"{name}-check", [sys.executable, "-m", "grader", "check-course"], out)
            say = lambda w, c: f"{w:.0f} s wall" + (f", {c:.0f} s CPU" if c is not None else "")  # noqa: E731
            print(f"{name} ({' '.join(constants)}): made in {say(wall, cpu)}; check-course "
                  f"{'passed' if checked.returncode == 0 else 'FAILED'} in {say(cwall, ccpu)}")
            print("  " + made.stdout.splitlines()[1])
            if checked.returncode:
                print(checked.stdout + checked.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
