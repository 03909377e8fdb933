"""How long CI takes: `.ci/run` on a fresh clone, phase by phase.

    python3 benchmarks/ci_time.py [--rev REV] [--setup-only] [--keep] [-- PYTEST ARGS]

Clones this repository (REV, default HEAD: what is committed) into a temporary folder and
runs its `.ci/run` there, as CI does (CI=true, no standard input): Chromium if missing, then
`python3 course.py test`, which creates .venv (`course.py setup --dev`) and runs pytest over
tests/. Prints

  setup      what course.py reports ("set up in ..."); where chromium is missing, .ci/run
             installs it meanwhile, and waits for it after the set-up
  tests      what pytest reports ("... in N s")
  total      the whole `.ci/run`, wall clock

and the CPU time (user + system) of everything it ran (a cpuacct cgroup, as root; else what
it waited for): on a machine that others share,
wall clock says little, and CPU time says how much work there was. The target: the total
under 450 s on an idle 2-core machine. `--setup-only` times `course.py setup --dev` alone
(it works with a revision whose .ci/run takes no arguments too). PYTEST ARGS (default
`--durations=10`) reach pytest through .ci/run; the slowest tests are printed as pytest
prints them. pip's own cache (~/.cache/pip) is used as CI's would be: run once before
measuring, so that downloads do not count.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.cpu_time import CpuGroup     # noqa: E402


# The CPU time of everything .ci/run starts (benchmarks/cpu_time.py), where a cgroup can be
# made: main() makes it.
GROUP: CpuGroup | None = None


def cpu_seconds() -> float:
    if GROUP is not None:
        return GROUP.seconds()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(cmd: list[str], cwd: Path) -> tuple[float, float, list[tuple[float, str]]]:
    """Run cmd, echoing its output; (wall s, CPU s, [(seconds since start, line)])."""
    cpu, start = cpu_seconds(), time.monotonic()
    lines = []
    # As CI runs it: CI=true (a test that would skip for a missing layer of the box, or a
    # missing browser, fails instead) and no standard input.
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1", "CI": "true"})
    for line in proc.stdout:
        lines.append((time.monotonic() - start, line.rstrip("\n")))
        stamp = f"[{lines[-1][0]:6.0f} s] " if line.startswith("course.py:") else ""
        print(stamp + line, end="", flush=True)
    if proc.wait() != 0:
        print(f"ci_time: {' '.join(cmd)} exited {proc.returncode}", file=sys.stderr)
    return time.monotonic() - start, cpu_seconds() - cpu, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--setup-only", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the clone (its path is printed)")
    parser.add_argument("pytest_args", nargs="*", default=["--durations=10"])
    args = parser.parse_args()
    global GROUP
    GROUP = CpuGroup.make("ci-time")
    if GROUP is not None:
        GROUP.join()
    counted = "every process" if GROUP else "the processes waited for only (no cgroup)"
    tmp = Path(tempfile.mkdtemp(prefix="ci-time-"))
    clone = tmp / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "checkout", "--quiet", args.rev], cwd=clone, check=True)
    cmd = ([sys.executable, "course.py", "setup", "--dev"] if args.setup_only
           else ["bash", ".ci/run", *args.pytest_args])
    wall, cpu, lines = run_timed(cmd, clone)
    setup = next((float(m[1] or 0) * 60 + float(m[2]) for _, line in lines
                  if (m := re.match(r"course\.py: set up in (?:(\d+) min )?(\d+) s", line))), None)
    tests = next((float(m[1]) for _, line in reversed(lines)
                  if (m := re.search(r" in ([\d.]+)s", line)) and ("passed" in line or "failed" in line)), None)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True,
                            text=True).stdout.strip()
    print(f"\nci_time: {args.rev} ({commit}), "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    print(f"  setup    {setup if setup is not None else float('nan'):8.0f} s")
    if not args.setup_only:
        print(f"  tests    {tests if tests is not None else float('nan'):8.0f} s")
    print(f"  total    {wall:8.0f} s wall, {cpu:.0f} s CPU ({counted})")
    if GROUP is not None:
        GROUP.close(wait=0)
    if args.keep:
        print(f"  the clone: {clone}")
    else:
        subprocess.run(["rm", "-rf", str(tmp)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
