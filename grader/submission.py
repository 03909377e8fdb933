"""Grade a student's folder (a repository, or what Gradescope puts in /autograder/submission)
from a private copy of its exercise files alone: tests, grader or workflow files in it are
never used, and the feedback names the folder, not the copy."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .cases import Cases
from .runner import Options, Report, Result, grade


def exercise_files(submission: Path) -> dict[str, Path]:
    """The exercise files by exercise id: exercises/<file> or <file> at the top level
    (grader.batch.exercise_files: links are not followed)."""
    from .batch import exercise_files as found
    return found(submission)


def grade_submission(submission: Path | str, only: str | None = None, cases: Cases | None = None,
                     options: Options = Options()) -> Report:
    submission = Path(submission)
    with tempfile.TemporaryDirectory(prefix="grader-submission-") as staging:
        for path in exercise_files(submission).values():
            shutil.copyfile(path, Path(staging) / path.name)
        report = grade(staging, only=only, cases=cases, options=options)
    shown = f"{submission} (exercises/ or its top level)"
    return Report(str(submission), [Result(r.check, r.passed, r.feedback.replace(staging, shown))
                                    for r in report.results])
