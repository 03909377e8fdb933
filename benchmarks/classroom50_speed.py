"""The Classroom 50 autograder folder: its packed size and how long a submission takes.

    python benchmarks/classroom50_speed.py [--runs N] [--install]

- packed: the folder as the classroom50 repository publishes it (tar.gz; the limit is 10 MiB);
- grading: autograder.py run as the runner runs it, on the reference solutions in a checkout
  of the template, by a Python that has the pinned packages (this one): the median of N;
- with --install: by a Python without them (a new bare environment), so that it first
  installs the pins into a new environment (TORCH_INDEX_URL as set here; unset, pip's own
  index), then once more, reusing that environment.

The grade job has 15 minutes in all, GitHub's set-up and the Release included.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def runner_env(checkout: Path, bundle: Path, home: Path, **extra: str) -> dict[str, str]:
    repo = "https://github.com/org/ml101-multiclass-ada"
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "GITHUB_WORKSPACE": str(checkout),
           "CLASSROOM": "ml101", "ASSIGNMENT": "multiclass", "SUBMISSION_TAG": "submit/2026-09-01T10-00-00Z-abc1234",
           "COMMIT_URL": f"{repo}/commit/abc1234", "RELEASE_URL": f"{repo}/releases/tag/submit%2Fx",
           "CLASSROOM50_BUNDLE_DIR": str(bundle)}
    env.update({k: v for k, v in os.environ.items() if k.startswith("PIP_")})
    return {**env, **extra}


def timed(python: str, bundle: Path, checkout: Path, env: dict[str, str]) -> tuple[float, str]:
    """Seconds for one run, and what it said of the environment."""
    (checkout / "result.json").unlink(missing_ok=True)
    started = time.perf_counter()
    proc = subprocess.run([python, str(bundle / "autograder.py")], cwd=checkout, env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0 or '"score": 100' not in (checkout / "result.json").read_text():
        sys.exit(f"the autograder failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    said = [line.removeprefix("autograder: ") for line in proc.stdout.splitlines()
            if line.startswith("autograder: environment")]
    return seconds, "; ".join(said)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--install", action="store_true", help="also time the install path (minutes)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        bundle, template, checkout = tmp / "multiclass", tmp / "template", tmp / "checkout"
        grader = [sys.executable, "-m", "grader"]
        subprocess.run([*grader, "classroom50", str(bundle), "--seed", "31337"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([*grader, "release", str(template)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        packed = tmp / "multiclass.tar.gz"
        with tarfile.open(packed, "w:gz") as tar:
            tar.add(bundle, arcname="multiclass")
        files = sum(1 for p in bundle.rglob("*") if p.is_file())
        print(f"packed        {packed.stat().st_size / 1024:7.0f} KiB  ({files} files; the limit is 10 MiB)")
        shutil.copytree(template, checkout)
        for path in (ROOT / "solutions").glob("ex0*.py"):
            shutil.copy(path, checkout / "exercises" / path.name)
        home = tmp / "home"
        home.mkdir()
        env = runner_env(checkout, bundle, home)
        times = [timed(sys.executable, bundle, checkout, env)[0] for _ in range(args.runs)]
        print(f"grading       {statistics.median(times):7.1f} s    (median of {args.runs}; "
              f"this Python has the pins)")
        if args.install:
            bare = tmp / "bare"
            venv.EnvBuilder(with_pip=False).create(bare)
            python = str(bare / "bin" / "python")
            env = runner_env(checkout, bundle, Path.home(), XDG_CACHE_HOME=str(tmp / "cache"),
                             TORCH_INDEX_URL=os.environ.get("TORCH_INDEX_URL", ""))
            seconds, said = timed(python, bundle, checkout, env)
            print(f"install+grade {seconds:7.1f} s    (a Python without the pins: {said})")
            print(f"again         {timed(python, bundle, checkout, env)[0]:7.1f} s    (its environment reused)")
    print(f"on {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
