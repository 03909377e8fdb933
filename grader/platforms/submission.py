"""Grade a student's folder (a repository, a batch entry, or what Gradescope puts in
/autograder/submission) from a private copy of its exercise files alone: tests, grader or
workflow files in it are never used, and the feedback names the folder, not the copy."""
from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

from ..checks.cases import Cases
from ..files import exercise_files
from ..runner import Options, Report, Result, grade


def grade_files(files: dict[str, Path], name: str, only: str | None = None,
                cases: Cases | None = None, options: Options = Options(), on_activity=None,
                shown: str | None = None) -> Report:
    """Grade copies of the given exercise files (by exercise id); `name` stands for the
    submission in the report, and `shown` (by default, its folder) for the copy in its feedback."""
    with tempfile.TemporaryDirectory(prefix="grader-submission-") as staging:
        for path in files.values():
            shutil.copyfile(path, Path(staging) / path.name)
        report = grade(staging, only=only, cases=cases, options=options, on_activity=on_activity)
    # The private copy's path means nothing to the student: name their submission instead.
    shown = shown or f"{name} (exercises/ or its top level)"
    return Report(name, [_renamed(r, staging, shown) for r in report.results])


def _renamed(result: Result, old: str, new: str) -> Result:
    cause = result.cause and dataclasses.replace(result.cause, summary=result.cause.summary.replace(old, new))
    return Result(result.check, result.passed, result.feedback.replace(old, new), cause)


def grade_submission(submission: Path | str, only: str | None = None, cases: Cases | None = None,
                     options: Options = Options(), on_activity=None) -> Report:
    submission = Path(submission)
    return grade_files(exercise_files(submission), str(submission), only, cases, options, on_activity)
