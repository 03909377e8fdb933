"""The class overview of an nbgrader course, from what autograding left in it:

- the totals from its gradebook (gradebook.db), as `nbgrader export` reads them, so a
  score changed by hand in the formgrader counts; a submission with a cell that has no
  score (its autograding was stopped) is "not graded";
- each check's verdict and message from the autograded notebooks, where every autograder
  cell attached them as data (grader.platforms.notebook.RESULTS_MIMETYPE);
- identical submissions: the same text in every solution cell.

It needs nbgrader (the instructor's environment has it); the course directory is
nbgrader's default layout (autograded/STUDENT/ASSIGNMENT/*.ipynb).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..platforms.notebook import RESULTS_MIMETYPE
from ..results import Result
from .overview import Entry


class CourseError(Exception):
    pass


def _notebook_results(path: Path) -> tuple[list[Result], str | None]:
    """The checks' verdicts in an autograded notebook, and a digest of its solution cells."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    checks, solutions = [], hashlib.sha256()
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = "".join(cell.get("source", []))
        if meta.get("solution"):
            solutions.update(meta.get("grade_id", "").encode() + b"\0" + source.encode() + b"\0")
        if meta.get("grade"):
            published = [o["data"][RESULTS_MIMETYPE] for o in cell.get("outputs", [])
                         if RESULTS_MIMETYPE in o.get("data", {})]
            if published:                 # the last one: the grader's, after the student's code ran
                checks.extend(_results(published[-1]))
    return checks, solutions.hexdigest()


def _results(published) -> list[Result]:
    """The results an autograder cell attached (notebook.verdicts); none from anything else."""
    try:
        return [Result.from_data(c) for c in published["checks"]]
    except (TypeError, KeyError, ValueError):
        return []


def nbgrader_entries(course: Path, assignment: str) -> list[Entry]:
    try:
        from nbgrader.api import Gradebook, MissingEntry
    except ImportError:
        raise CourseError("reading an nbgrader course needs nbgrader (pip install nbgrader)") from None
    database = course / "gradebook.db"
    if not database.is_file():
        raise CourseError(f"{database}: no gradebook; run `nbgrader autograde {assignment}` there first")
    entries = []
    with Gradebook(f"sqlite:///{database.resolve()}") as gb:
        try:
            submissions = gb.find_assignment(assignment).submissions
        except MissingEntry:
            raise CourseError(f"{database}: no assignment {assignment!r}") from None
        for submission in sorted(submissions, key=lambda s: s.student.id):
            student = submission.student.id
            grades = [g for nb in submission.notebooks for g in nb.grades]
            unscored = any(g.auto_score is None and g.manual_score is None for g in grades)
            entry = Entry(student, None if unscored else submission.score, submission.max_score)
            folder = course / "autograded" / student / assignment
            notebooks = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
            for path in notebooks:
                checks, content = _notebook_results(path)
                entry.results += checks
                entry.content = content if len(notebooks) == 1 else None
            if unscored:
                entry.notes.append("not graded: a cell has no score (its autograding was stopped; "
                                   "see `nbgrader autograde`'s messages)")
            elif not notebooks:
                entry.notes.append("no autograded notebook: the verdicts of the checks are unknown")
            entries.append(entry)
    return entries
