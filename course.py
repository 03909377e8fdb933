#!/usr/bin/env python3
"""One command to set up and run the course.

    python3 course.py watch [watch options]    set up .venv, then grade again on every save
    python3 course.py grade [grader options]   set up .venv, then grade exercises/
    python3 course.py hint [ex0N] [--more | --level N]   a hint for the first failing check
    python3 course.py test  [pytest options]   set up .venv with dev tools, then run tests/
    python3 course.py setup [--dev|--instructor|--marimo]
                                               only set up .venv; --instructor: with what the
                                               instructors' and authors' commands need (PyYAML,
                                               nbformat, nbgrader), --marimo: with the lesson's marimo
    python3 course.py lesson                   set up .venv with marimo, open the lesson in marimo

Set-up creates .venv/ in the repository root and installs the exact versions in
constraints.txt. It refuses to install torch's CUDA packages: this course runs on the CPU.
Set TORCH_INDEX_URL (see docs/students.md, "Installing elsewhere") where the default index
only has CUDA builds of torch.

Only the standard library is used, so that the Classroom 50 autograder (a folder that
ships this file) can import its install helpers before anything is installed.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import re
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
CONSTRAINTS = ROOT / "constraints.txt"
# Packages that only a CUDA build of torch pulls in.
CUDA_PREFIXES = ("nvidia-", "triton", "cuda-")
# pip install, quietly, and without compiling: pip compiles what it installs one module at a
# time (13,569 modules, 54 s of CPU for the dev set), most of them in packages that grading
# never imports (sympy, networkx, pip...).
INSTALL = ("install", "--quiet", "--no-compile")
# What grading imports, compiled by importing it once (about 2,200 modules, 7 s of CPU):
# every later start reads them compiled, the workers' too (they cannot write their own).
# The rest compile as they are first imported. Two processes at once, torch in one: 10 to
# 11 s of a set-up's wall clock in one, 6 s in two (both import numpy, and each may compile
# it: Python writes a compiled file whole or not at all).
WARM_UP = ("import torch", "import sklearn.datasets, sklearn.model_selection, matplotlib.pyplot")
# Resolved but never installed. jsonschema (nbformat's, nbgrader's) imports rfc3987-syntax
# wherever it is installed, and that builds some 35 parsers as it is imported: 1 to 3 s of
# CPU in every process that reads or writes a notebook (each nbgrader command), for a format
# (IRIs) that no notebook or Jupyter schema uses. Without it, jsonschema skips that format
# (python-jsonschema/jsonschema#1428).
LEFT_OUT = {"rfc3987-syntax"}


def venv_python(venv: Path | None = None) -> Path:
    venv = VENV if venv is None else venv         # read when called: VENV may be changed
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def make_venv(where: Path, constraints: Path = CONSTRAINTS) -> Path:
    """A new virtual environment at where, with the pip that constraints.txt pins; its Python.
    That pip is installed by the one Python bundles (ensurepip's wheel, run as it is), not
    into the environment first: venv's own way installs and compiles pip (and setuptools, in
    Python 3.11) before the pinned pip replaces it, 7.5 s against 3 s."""
    version = pins(constraints).get("pip")
    wheel = bundled_pip() if version else None
    venv.EnvBuilder(with_pip=wheel is None).create(where)
    python = venv_python(where)
    if version and not install_pip(python, version, wheel) and wheel:
        # No index to install from: the environment gets the bundled pip, as venv gives it.
        subprocess.run([str(python), "-m", "ensurepip", "--upgrade", "--default-pip"], check=True,
                       stdout=subprocess.DEVNULL)
    return python


def bundled_pip() -> Path | None:
    """The pip wheel that this Python's ensurepip carries, or None (Debian's python3-venv
    keeps its wheels elsewhere)."""
    import ensurepip

    found = sorted(Path(ensurepip.__file__).parent.glob("_bundled/pip-*.whl"))
    return found[-1] if found else None


def install_pip(python: Path, version: str, wheel: Path | None = None) -> bool:
    """pip itself, at the pinned version, by the environment's pip or the bundled wheel's.
    The pip that venv bundles can be years older (Python 3.11's is 23.2.1), and that one
    takes twice the CPU to resolve and install the dev set (67 s against 34 s for pip 26.3:
    it checks every file an index lists against each of some 1,000 platform tags in turn).
    Where the pinned pip cannot be installed (no index), the bundled one does the work, only
    slower: said, and False."""
    pip_cmd = [str(python), str(wheel / "pip")] if wheel else [str(python), "-m", "pip"]
    proc = subprocess.run([*pip_cmd, "--disable-pip-version-check", *INSTALL, f"pip=={version}"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        said = (proc.stderr.strip() or proc.stdout.strip() or "no message").splitlines()[-1]
        say(f"pip {version} did not install ({said}); the environment keeps the pip Python bundles")
    return proc.returncode == 0


# Each set of packages, and the sets it includes: a .venv set up for one serves those too.
COVERS = {"dev": ("dev", "instructor", "marimo", "core"), "instructor": ("instructor", "core"),
          "marimo": ("marimo", "core"), "core": ("core",)}


def kind_of(dev: bool, marimo: bool = False, instructor: bool = False) -> str:
    return "dev" if dev else "instructor" if instructor else "marimo" if marimo else "core"


def requirements(dev: bool, marimo: bool = False, instructor: bool = False) -> list[str]:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [r.split("#")[0].strip() for r in project["dependencies"]]
    kind = kind_of(dev, marimo, instructor)
    if kind != "core":
        reqs += project["optional-dependencies"][kind]
    return reqs


def pip_command(*args: str, python: Path | None = None) -> list[str]:
    return [str(python or venv_python()), "-m", "pip", "--disable-pip-version-check", *args]


def pip(*args: str, python: Path | None = None) -> None:
    subprocess.run(pip_command(*args, python=python), check=True)


def torch_index_args(default: str | None = None) -> list[str]:
    """--extra-index-url for torch: TORCH_INDEX_URL, else `default`; set but empty, none."""
    url = os.environ.get("TORCH_INDEX_URL", default)
    return ["--extra-index-url", url] if url else []


def pins(constraints: Path = CONSTRAINTS) -> dict[str, str]:
    """Each package constraints.txt pins, by its lower-case name, with its version."""
    found = re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", constraints.read_text(), re.M)
    return {name.lower(): version for name, version in found}


def describe(reqs: list[str]) -> str:
    """'torch 2.13.0, scikit-learn 1.7.2, ...': the packages asked for, at their pinned versions."""
    pinned = pins()
    names = [re.split(r"[=<>!~\[ ]", r, maxsplit=1)[0] for r in reqs]
    return ", ".join(f"{n} {pinned[n.lower()]}" if n.lower() in pinned else n for n in names)


def say(message: str) -> None:
    print(f"course.py: {message}", flush=True)


def resolve(reqs: list[str], python: Path | None = None, constraints: Path = CONSTRAINTS,
            extra: list[str] | tuple[str, ...] = ()) -> list[dict]:
    """What installing reqs would install, resolved without installing: pip's report, an
    item per package with its metadata and the very file chosen (download_info). What the
    environment has already, at the version asked for, is not in it."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        pip("install", "--quiet", "--dry-run", "--report", str(report),
            "-c", str(constraints), *extra, *reqs, python=python)
        return json.loads(report.read_text())["install"]


def cuda_in(resolved: list[dict]) -> list[str]:
    names = [item["metadata"]["name"].lower() for item in resolved]
    return sorted(n for n in names if n.startswith(CUDA_PREFIXES))


def install_resolved(resolved: list[dict], python: Path | None = None) -> None:
    """Install exactly the files that resolve() chose, each from its URL and without its
    dependencies (they are in the list): nothing is looked up or resolved a second time,
    so what is installed is what was checked for CUDA packages."""
    resolved = [item for item in resolved if item["metadata"]["name"].lower() not in LEFT_OUT]
    # torch's wheel is about half of what there is to unpack: it installs in a pip of its
    # own, beside the others' (their files are apart, and --no-deps checks nothing across
    # them): 24 s -> 18 s for the dev set, on two cores.
    torch: list[dict] = []
    rest: list[dict] = []
    for item in resolved:
        (torch if item["metadata"]["name"].lower() == "torch" else rest).append(item)
    wait_for_all([pip_command(*INSTALL, "--no-deps", *(f"{item['metadata']['name']} @ {item['download_info']['url']}"
                                                       for item in group), python=python)
                  for group in (torch, rest) if group])
    if torch:
        compile_imported(python)


def compile_imported(python: Path | None = None) -> None:
    # Written whatever PYTHONDONTWRITEBYTECODE says (containers often set it): then only
    # this writes them, and every later start of torch reads them (2.3 s of CPU, not 5.4 s).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    wait_for_all([[str(python or venv_python()), "-c", code] for code in WARM_UP],
                 env={**env, "MPLBACKEND": "Agg"})


def wait_for_all(cmds: list[list[str]], env: dict[str, str] | None = None) -> None:
    """Run the commands at once; CalledProcessError for the first that failed."""
    procs = [subprocess.Popen(cmd, env=env) for cmd in cmds]
    codes = [proc.wait() for proc in procs]
    for cmd, code in zip(cmds, codes):
        if code != 0:
            raise subprocess.CalledProcessError(code, cmd)


def refuse_cuda(resolved: list[dict]) -> None:
    """Stop if a CUDA build of torch would come in."""
    cuda = cuda_in(resolved)
    if cuda:
        sys.exit(
            "course.py: this index offers only a CUDA build of torch (it would install "
            + ", ".join(cuda[:4]) + ", ...).\nThe course needs the CPU build. Run again with\n"
            "    TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu python3 course.py ...")


def set_up_digest() -> str:
    """What a set-up depends on: the packages, their pins and the Python version."""
    return hashlib.sha256(json.dumps([requirements(True), CONSTRAINTS.read_text(),
                                      sys.version_info[:2]]).encode()).hexdigest()[:16]


def stamp(kind: str) -> Path:
    """The file that says .venv holds the `kind` set, as pinned now."""
    return VENV / f".installed-{kind}-{set_up_digest()}"


def setup(dev: bool, marimo: bool = False, instructor: bool = False) -> None:
    if sys.version_info < (3, 11):
        sys.exit("course.py: Python 3.11 or newer is needed")
    reqs = requirements(dev, marimo, instructor)
    digest = set_up_digest()
    # A stamp serves its own set and the sets it covers (COVERS).
    kind = kind_of(dev, marimo, instructor)
    if any(stamp(k).exists() for k, covered in COVERS.items() if kind in covered):
        return
    started = time.monotonic()
    if not venv_python().exists():
        say("creating .venv, the course's own Python environment (once)")
        make_venv(VENV)
    has_core = any(stamp(k).exists() for k in COVERS)
    if has_core:                        # torch and the rest are there: only the set's own packages
        added = [r for r in reqs if r not in requirements(False)]
        say(f"adding {describe(added)} and what they need to .venv (torch and the other "
            "packages are in place); pip prints nothing meanwhile.")
    else:
        say(f"installing {describe(reqs)} and what they need, into .venv")
        say("a first install downloads about 250 MB (torch alone is about 200 MB) and takes a few "
            "minutes; pip prints nothing meanwhile. Later runs skip this.")
    say("checking first that this package index has torch's CPU build (this can take a minute) ...")
    resolved = resolve(reqs, extra=torch_index_args())
    refuse_cuda(resolved)
    say("installing ...")
    install_resolved(resolved)
    for old in VENV.glob(".installed-*"):
        if digest not in old.name:
            old.unlink()
    stamp(kind).write_text(" ".join(reqs))
    minutes, seconds = divmod(round(time.monotonic() - started), 60)
    say(f"set up in {f'{minutes} min ' if minutes else ''}{seconds} s")


def run_until_done(cmd: list[str]) -> int:
    """Run a command that answers Ctrl-C itself (the terminal sends it to both processes):
    wait for it to finish instead of stopping it mid-way."""
    proc = subprocess.Popen(cmd, cwd=ROOT)
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            continue


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "watch":
        setup(dev=False)
        return run_until_done([str(venv_python()), "-m", "grader", "watch", *rest])
    if command == "grade":
        setup(dev=False)
        return subprocess.call([str(venv_python()), "-m", "grader", *rest], cwd=ROOT)
    if command == "hint":
        setup(dev=False)
        return subprocess.call([str(venv_python()), "-m", "grader", "hint", *rest], cwd=ROOT)
    if command == "test":
        setup(dev=True)
        return subprocess.call([str(venv_python()), "-m", "pytest", *rest], cwd=ROOT)
    if command == "setup":
        setup(dev="--dev" in rest, marimo="--marimo" in rest, instructor="--instructor" in rest)
        return 0
    if command == "lesson":
        setup(dev=False, marimo=True)
        # marimo edit: the lesson's cells re-run when an exercise file is saved.
        # marimo answers Ctrl-C itself (it asks whether to quit): wait for its answer.
        return run_until_done([str(venv_python()), "-m", "marimo", "edit", "--skip-update-check",
                               str(Path("marimo") / "lesson.py"), *rest])
    print(__doc__)
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
