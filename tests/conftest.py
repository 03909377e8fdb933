"""Shared helpers: submissions built from the reference solutions, graded in-process."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from grader.course import ROOT, exercise
from grader.runner import Report, grade

SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"


def make_submission(directory: Path, source: Path = SOLUTIONS, **replacements: str) -> Path:
    """A copy of the exercise modules in `source`; replacements maps an exercise id to
    code appended to its file (its defs replace the originals), or to a whole file when
    the text starts with '#!file'."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in source.glob("ex0*.py"):
        shutil.copy(path, directory / path.name)
    for ex_id, code in replacements.items():
        target = directory / exercise(ex_id).file
        code = textwrap.dedent(code)
        if code.startswith("#!file"):
            target.write_text(code)
        else:
            target.write_text(target.read_text() + "\n\n# --- variant ---\n" + code)
    return directory


@pytest.fixture
def submission(tmp_path):
    """submission(ex01="...code...") -> the directory of a submission."""
    counter = iter(range(1000))
    return lambda source=SOLUTIONS, **code: make_submission(tmp_path / f"s{next(counter)}", source, **code)


def results_by_id(report: Report) -> dict:
    return {r.check.id: r for r in report.results}


@pytest.fixture(scope="session")
def reference_report() -> Report:
    return grade(SOLUTIONS)


@pytest.fixture(scope="session")
def stub_report() -> Report:
    return grade(EXERCISES)


def pytest_configure(config):
    config.addinivalue_line("markers", "nbgrader: runs real nbgrader on the course (pytest -m nbgrader)")
