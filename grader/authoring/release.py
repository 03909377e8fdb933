"""For course authors: what students and graders get, written from this repository.

    python -m grader release OUT [--for classroom50|github-classroom]
                                          the student template repository

Its helpers (grader_files, common_files, replace_contents, write_files) also write the
Classroom 50 folder and the Gradescope zip, for those platforms' packages
(platforms/classroom50/bundle.py, platforms/gradescope/autograder_zip.py).

The template comes in two flavours. For Classroom 50 (the default) it carries no workflow:
Classroom 50 writes its own caller, .github/workflows/autograde.yaml, into each student's
repository, and a second workflow would grade every push twice. For (legacy) GitHub
Classroom it carries .github/workflows/classroom.yml, the autograding workflow.

Neither holds a solution in any form: the exercise files are the stubs (written from
solutions/ by grader.authoring.build.strip_solutions), and solutions/, tests/ (its mistake catalogue
holds near-solutions), benchmarks/ and the authors' modules of grader/ stay out.
The grader itself is shipped: it computes the right answers independently (grader/oracle.py)
and never stores them.
"""
from __future__ import annotations

import shutil
import stat
from pathlib import Path

import argparse

from .markers import strip_solutions
from ..course import ROOT, exercises
from ..registry import Platform, write_into

TEMPLATES = Path(__file__).with_name("templates")
# grader/authoring/ is for course authors only (it reads solutions/ and writes releases):
# what ships follows from the folder a module lives in, not from a list of names.
AUTHORS_ONLY = {"authoring", "__pycache__"}
TOP_LEVEL = ("course.py", "constraints.txt")
GITIGNORE = ".venv/\n__pycache__/\n*.pyc\n.pytest_cache/\n.grader/\n/.grader-progress.json\n"
FLAVOURS = ("classroom50", "github-classroom")
# Kept when a template is written over a checkout: what its .gitignore leaves out.
IGNORED_NAMES = (".venv", "__pycache__", ".pytest_cache", ".grader", ".grader-progress.json")
README_SECTION = "<!-- grading on GitHub -->"


def grader_files(root: Path = ROOT) -> dict[str, bytes]:
    """The grader package as students and graders get it, by relative path."""
    files = {}
    package = root / "grader"
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if path.is_file() and not path.is_symlink() and not AUTHORS_ONLY & set(rel.parts) \
                and path.suffix in (".py", ".toml"):
            files[f"grader/{rel.as_posix()}"] = path.read_bytes()
    return files


def _pyproject(root: Path) -> bytes:
    text = (root / "pyproject.toml").read_text()
    old = 'testpaths = ["tests"]'
    if old not in text:
        raise ValueError(f"pyproject.toml: expected {old!r}")
    return text.replace(old, 'testpaths = ["exercises"]').encode()


def common_files(root: Path) -> dict[str, bytes]:
    files = {name: (root / name).read_bytes() for name in TOP_LEVEL}
    files["pyproject.toml"] = _pyproject(root)
    return files | grader_files(root)


def _student_readme(flavour: str) -> bytes:
    text = (TEMPLATES / "student_README.md").read_text()
    section = (TEMPLATES / f"student_grading_{flavour}.md").read_text()
    if text.count(README_SECTION) != 1:
        raise ValueError(f"student_README.md: expected one {README_SECTION}")
    return text.replace(README_SECTION, section.rstrip("\n")).encode()


def template_files(root: Path = ROOT, flavour: str = "classroom50") -> dict[str, bytes]:
    """Every file of the student template, by relative path."""
    from ..checks.registry import all_checks
    from .workflow import workflow

    if flavour not in FLAVOURS:
        raise ValueError(f"flavour {flavour!r}: one of {', '.join(FLAVOURS)}")
    files = common_files(root)
    files["README.md"] = _student_readme(flavour)
    files[".gitignore"] = GITIGNORE.encode()
    if flavour == "github-classroom":
        files[".github/workflows/classroom.yml"] = workflow(all_checks()).encode()
    files["exercises/conftest.py"] = (root / "exercises" / "conftest.py").read_bytes()
    files["marimo/lesson.py"] = (root / "marimo" / "lesson.py").read_bytes()   # the lesson, live
    files["marimo/lesson.css"] = (root / "marimo" / "lesson.css").read_bytes()  # ...with no animations
    files["marimo/.gitignore"] = b"__marimo__/\n"                               # its session cache
    for ex in exercises():
        source = (root / "solutions" / ex.file).read_text()
        files[f"exercises/{ex.file}"] = strip_solutions(source, ex.file).encode()
        test = f"test_{ex.module}.py"
        files[f"exercises/{test}"] = (root / "exercises" / test).read_bytes()
    return files


EXECUTABLE = {"course.py"}


def replace_contents(out: Path, names: tuple[str, ...], keep: tuple[str, ...] = (".git",)) -> None:
    """Make `out` ready to be written again: a new folder, or one whose top level holds
    only `names` (what an earlier run wrote, all removed) and `keep` (left as it is: a
    checkout's .git). Anything else is refused and nothing is removed: this may be
    someone's own folder."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out}: not a folder")
    if not out.exists():
        out.mkdir(parents=True)
        return
    entries = [p for p in out.iterdir() if p.name not in keep]
    foreign = sorted(p.name for p in entries if p.name not in names)
    if foreign:
        raise ValueError(f"{out}: exists and holds {', '.join(foreign[:5])}, which this command "
                         "does not write; use a new or empty folder, or one it wrote before")
    for path in entries:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def write_files(out: Path, files: dict[str, bytes]) -> list[Path]:
    written = []
    for rel, data in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if rel in EXECUTABLE:
            path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        written.append(path)
    return written


def write_template(out: Path, root: Path = ROOT, flavour: str = "classroom50") -> list[Path]:
    """Into a new or empty folder, or over an earlier template (its checkout's .git and
    ignored files kept, everything else replaced)."""
    files = template_files(root, flavour)
    # What a template's top level may hold: what either flavour writes there.
    ours = {rel.split("/")[0] for kind in FLAVOURS for rel in template_files(root, kind)}
    replace_contents(out, tuple(sorted(ours)), keep=(".git", *IGNORED_NAMES))
    return write_files(out, files)


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", help="a new or empty folder, or a checkout of the template")
    p.add_argument("--for", dest="flavour", choices=["classroom50", "github-classroom"],
                   default="classroom50",
                   help="classroom50 (default): no workflow, Classroom 50 adds its own; "
                        "github-classroom: with .github/workflows/classroom.yml (legacy)")


def run(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    section = {"classroom50": "Classroom 50", "github-classroom": "GitHub Classroom (legacy)"}
    return write_into(p, args.out, lambda out: write_template(out, flavour=args.flavour),
                      f" ({args.flavour}). Next: docs/classroom50.md, '{section[args.flavour]}'.")


PLATFORM = Platform(
    name="release", summary="python -m grader release OUT",
    description="Write the student template repository into OUT: the stubs, the graders, a README "
                "for students and the pinned dependencies; no solutions. OUT may be new, empty, or "
                "a checkout of the template: its .git is kept and everything else replaced.",
    arguments=arguments, run=run)
