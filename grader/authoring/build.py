"""Generate the student files from solutions/, the single source of truth: the exercise
files here, the nbgrader course in grader/nbcourse.py.

A solution region (### BEGIN SOLUTION ... ### END SOLUTION) becomes nbgrader's code stub,
"# YOUR CODE HERE" then "raise NotImplementedError()", at the indentation of the BEGIN
line; every other line is kept. This is what nbgrader's ClearSolutions does to a cell.
"""
from __future__ import annotations

from pathlib import Path

from ..course import ROOT, exercises
from .markers import BEGIN, MarkerError, strip_solutions
from .nbcourse import course_files, stale_files

AUTHOR_NOTE = ("# Generated from solutions/{file} by `python -m grader build`: course "
               "authors edit that file, not this one.\n")

def stub_text(solution_file: Path) -> str:
    source = solution_file.read_text()
    if BEGIN not in source:
        raise MarkerError(f"{solution_file.name}: has no solution region")
    return AUTHOR_NOTE.format(file=solution_file.name) + strip_solutions(source, solution_file.name)


def generated_files(root: Path = ROOT) -> dict[Path, str]:
    """Every generated file, by path, with the text the build writes there: the exercise
    files, and the nbgrader course (see grader/nbcourse.py)."""
    files = {root / "exercises" / ex.file: stub_text(root / "solutions" / ex.file) for ex in exercises()}
    return files | course_files(root)


def build(root: Path = ROOT) -> list[Path]:
    """Write the generated files, delete stale copies; return the paths that changed."""
    changed = []
    for path, text in generated_files(root).items():
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            changed.append(path)
    for path in stale_files(root):
        path.unlink()
        changed.append(path)
    return changed
