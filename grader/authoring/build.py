"""Generate the student files from solutions/ and the manifest (grader/course.toml), the
single sources of truth: the exercise files and their test modules here, the marimo lesson
in marimo_lesson.py, the READMEs' tables in readme.py. (The nbgrader course is not kept in
the repository: `python -m grader nbgrader OUT` writes it, see nbcourse.py.)

A solution region (### BEGIN SOLUTION ... ### END SOLUTION) becomes nbgrader's code stub,
"# YOUR CODE HERE" then "raise NotImplementedError()", at the indentation of the BEGIN
line; every other line is kept. This is what nbgrader's ClearSolutions does to a cell.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ..course import ROOT, exercises
from ..options import FAILED, PASSED
from ..registry import Platform
from .markers import BEGIN, MarkerError, strip_solutions
from .marimo_lesson import lesson_files
from .nbcourse import notebook
from .readme import readme_files

AUTHOR_NOTE = ("# Generated from solutions/{file} by `python -m grader build`: course "
               "authors edit that file, not this one.\n")
# Each exercise's pytest module: the plugin makes its exercise's checks its tests.
TEST_MODULE = '''"""Grader for {file}. Each test is one check worth points; a failing test says what was
called, what came back, what was expected, and the likely mistake.

    pytest exercises/test_{file}

The checks themselves are in grader/checks/{file}; the pytest plugin (exercises/conftest.py)
makes each check of this exercise one test here.
"""
EXERCISE = "{id}"
'''


def stub_text(solution_file: Path) -> str:
    source = solution_file.read_text()
    if BEGIN not in source:
        raise MarkerError(f"{solution_file.name}: has no solution region")
    return AUTHOR_NOTE.format(file=solution_file.name) + strip_solutions(source, solution_file.name)


def generated_files(root: Path = ROOT) -> dict[Path, str]:
    """Every generated file, by path, with the text the build writes there: the exercise
    files and their tests, the marimo lesson (marimo_lesson.py) and the READMEs (readme.py)."""
    # The nbgrader notebook is not kept, but a lesson it cannot be built from stops the build.
    notebook(root)
    files = {}
    for ex in exercises():
        files[root / "exercises" / ex.file] = stub_text(root / "solutions" / ex.file)
        files[root / "exercises" / f"test_{ex.file}"] = TEST_MODULE.format(file=ex.file, id=ex.id)
    return files | lesson_files(root) | readme_files(root)


def stale_files(root: Path = ROOT) -> list[Path]:
    """The generated files that are missing or differ from what the build would write."""
    return [path for path, text in generated_files(root).items()
            if not path.exists() or path.read_text() != text]


def build(root: Path = ROOT) -> list[Path]:
    """Write the generated files; return the paths that changed."""
    changed = []
    for path, text in generated_files(root).items():
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            changed.append(path)
    return changed


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if a generated file is out of date")


def run(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)}")
        return FAILED if stale else PASSED
    for path in build():
        print(f"wrote {path.relative_to(ROOT)}")
    return PASSED


PLATFORM = Platform(name="build", summary="python -m grader build",
                    description="Write exercises/, the marimo lesson and the READMEs' tables from "
                                "solutions/ and grader/course.toml.",
                    arguments=arguments, run=run)
