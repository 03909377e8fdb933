"""Classroom 50 autograder: multi-class classification with PyTorch.

Written by `python -m grader classroom50`. Commit this folder as it is, as
CLASSROOM/autograders/ASSIGNMENT/ in your classroom50 repository; to change it (a new seed,
a new grader), write it again.

Classroom 50's runner runs this file with its own Python (3.11 or newer), in the student's
checkout. Until a Python with the pinned packages is ready, it needs only the standard
library (and the install helpers of course.py beside it):

- the runner's Python, if it has them: every package of requirements.txt, at its version
  in constraints.txt (a self-hosted runner or a container built for the course);
- otherwise a virtual environment made for this Python and these pins, outside the
  checkout ($XDG_CACHE_HOME or ~/.cache, then multiclass-grader/), with the exact versions
  of constraints.txt and the CPU-only build of torch from TORCH_INDEX_URL (PyTorch's CPU
  index unless set; set but empty, pip's own index alone). Never the CUDA packages: the
  install stops if they would come in.

That Python then grades the checkout's exercise files with the grader in this folder
(grader/platforms/classroom50/grade.py), which writes result.json and release-body.md.

Exit 0: grading ran, whatever the score. Exit 2: it could not (an install that failed, a
broken folder), with a line starting '::error::' in the log: the runner then records an
error, never a score.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUNDLE = Path(__file__).resolve().parent
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
GRADE = "--grade"                 # the second stage: this file, run by the Python that grades
FAILED = 2
OUTPUTS = ("result.json", "release-body.md")


class InstallError(Exception):
    pass


def fail(message: str) -> int:
    print(f"::error::autograder: {message}", flush=True)
    return FAILED


def isolate() -> None:
    """Import from this folder and the Python's own paths alone: the student's checkout
    (the working directory) has a grader/ of its own, which must never be imported."""
    checkout = Path.cwd().resolve()

    def theirs(entry: str) -> bool:
        path = Path(entry or os.curdir).resolve()
        return path == BUNDLE or (checkout != Path(checkout.anchor)
                                  and (path == checkout or checkout in path.parents))
    sys.path[:] = [str(BUNDLE)] + [e for e in sys.path if not theirs(e)]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements() -> list[str]:
    lines = (BUNDLE / "requirements.txt").read_text().splitlines()
    return [r for r in (line.split("#")[0].strip() for line in lines) if r]


def missing_pins(reqs: list[str]) -> list[str]:
    """What this Python lacks of reqs at the versions of constraints.txt (a local version
    such as torch's '+cpu' counts as its release)."""
    from importlib import metadata

    pins = {}
    for line in (BUNDLE / "constraints.txt").read_text().splitlines():
        name, _, version = line.split("#")[0].partition("==")
        if version:
            pins[canonical(name.strip())] = version.strip()
    missing = []
    for req in reqs:
        name = canonical(re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0])
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            missing.append(f"{name} (not installed)")
            continue
        if name in pins and version.split("+")[0] != pins[name]:
            missing.append(f"{name} {version} (pinned {pins[name]})")
    return missing


def cache_dir() -> Path:
    """Where environments are kept: never inside the checkout, which the student controls."""
    checkout = Path.cwd().resolve()
    try:
        home_cache = Path.home() / ".cache"
    except RuntimeError:
        home_cache = None
    for base in (os.environ.get("XDG_CACHE_HOME"), home_cache, tempfile.gettempdir()):
        if base:
            base = Path(base).resolve()
            if base != checkout and checkout not in base.parents:
                return base / "multiclass-grader"
    raise InstallError("no folder outside the checkout to install into")


def environment(reqs: list[str]) -> Path:
    """The Python of a virtual environment with the pinned packages, made once for this
    Python, these pins and this index (built beside its place, then moved there)."""
    import course                 # this folder's course.py: pip and the CUDA check

    constraints = BUNDLE / "constraints.txt"
    extra = [*course.torch_index_args(CPU_INDEX), "--only-binary=:all:"]
    key = hashlib.sha256("\0".join([sys.version, sys.executable, constraints.read_text(),
                                    *reqs, *extra]).encode()).hexdigest()[:16]
    home = cache_dir() / f"classroom50-{key}"
    if (home / ".complete").exists():
        print(f"autograder: using the environment installed before in {home}", flush=True)
        return course.venv_python(home)
    print(f"autograder: installing {', '.join(reqs)} with constraints.txt into {home} "
          f"({' '.join(extra)})", flush=True)
    partial = home.with_name(f"{home.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    python = course.make_venv(partial, constraints)
    resolved = course.resolve(reqs, python, constraints, extra)      # resolved once, then
    cuda = course.cuda_in(resolved)                                  # installed as resolved
    if cuda:
        raise InstallError(f"the package index offers only a CUDA build of torch (it would install "
                           f"{', '.join(cuda[:4])}, ...); set TORCH_INDEX_URL to {CPU_INDEX}")
    course.install_resolved(resolved, python)
    (partial / ".complete").write_text(" ".join(reqs) + "\n")
    if home.exists() and not (home / ".complete").exists():
        shutil.rmtree(home, ignore_errors=True)             # left half-made by an earlier run
    try:
        partial.rename(home)
    except OSError:
        if not (home / ".complete").exists():
            raise
        shutil.rmtree(partial, ignore_errors=True)          # another run finished first
    return course.venv_python(home)


def grading_python() -> Path:
    reqs = requirements()
    missing = missing_pins(reqs)
    if not missing:
        print(f"autograder: Python {sys.version.split()[0]} has the pinned packages", flush=True)
        return Path(sys.executable)
    print(f"autograder: Python {sys.version.split()[0]} lacks {', '.join(missing[:4])}"
          + (", ..." if len(missing) > 4 else ""), flush=True)
    started = time.perf_counter()
    python = environment(reqs)
    print(f"autograder: environment ready in {time.perf_counter() - started:.0f} s", flush=True)
    return python


def main(argv: list[str]) -> int:
    isolate()
    if argv == [GRADE]:
        try:
            from grader.platforms.classroom50.grade import main as grade
        except Exception as exc:
            return fail(f"this folder's grader does not import ({type(exc).__name__}: {exc}); "
                        "write the folder again with `python -m grader classroom50`")
        return grade(BUNDLE, Path.cwd())
    if sys.version_info < (3, 11):
        return fail(f"Python 3.11 or newer is needed, not {sys.version.split()[0]}: set the "
                    'assignment\'s runtime, e.g. {"python": "3.13"}')
    try:
        python = grading_python()
    except subprocess.CalledProcessError as exc:
        return fail(f"installing the pinned packages failed: {' '.join(exc.cmd[:4])} ... exited "
                    f"{exc.returncode} (pip's messages are above)")
    except (InstallError, OSError, ImportError) as exc:
        return fail(f"no Python with the pinned packages: {exc}")
    for name in OUTPUTS:                                    # only this run's files count
        if os.path.lexists(name) and not os.path.isdir(name):
            os.unlink(name)
    code = subprocess.call([str(python), str(BUNDLE / "autograder.py"), GRADE])
    if code != 0:
        return FAILED if code == FAILED else fail(f"grading stopped with exit status {code}")
    if not os.path.isfile(OUTPUTS[0]):
        return fail("grading ended without writing result.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
