"""Grade a student's folder (a repository, a batch entry, or what Gradescope puts in
/autograder/submission) from a private copy of its exercise files alone: tests, grader or
workflow files in it are never used, and the feedback names the folder, not the copy."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..course import DEFAULT_SEED
from ..files import find_exercise_files, unwrapped
from ..judge import grade
from ..messages import UNWRAPPED
from ..options import Options
from ..results import Report


def grade_files(files: dict[str, Path], name: str, only: str | None = None,
                seed: int = DEFAULT_SEED, options: Options = Options(), on_activity=None,
                notes: list[str] | None = None, shown: str | None = None,
                file_shown_as: str | None = None) -> Report:
    """Grade copies of the given exercise files (by exercise id); `name` stands for the
    submission in the report, `shown` (by default, its folder) for the copy in its feedback,
    file_shown_as (if given) for each check's exercise file, and `notes` say what was not
    graded and why."""
    # The private copy's path means nothing to the student: the feedback names their
    # submission instead, from the start (runner.Session's shown_as).
    shown = shown or f"{name} (exercises/ or its top level)"
    with tempfile.TemporaryDirectory(prefix="grader-submission-") as staging:
        for path in files.values():
            _copy_not_following(path, Path(staging) / path.name)
        report = grade(staging, only=only, seed=seed, options=options, on_activity=on_activity,
                       shown_as=shown, file_shown_as=file_shown_as)
    return Report(name, report.results, list(notes or []))


def _copy_not_following(source: Path, target: Path) -> None:
    """A copy of the file itself: a link put in its place since it was found is refused
    (OSError), never followed."""
    fd = os.open(source, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)


def grade_submission(submission: Path | str, only: str | None = None, seed: int = DEFAULT_SEED,
                     options: Options = Options(), on_activity=None) -> Report:
    """Grade the exercise files of a folder, or of the one folder it holds (an upload of
    GitHub's "Download ZIP"); the report's note then says which folder was graded."""
    submission = Path(submission)
    folder = unwrapped(submission)
    found = find_exercise_files(folder)
    report = grade_files(found.files, str(folder), only, seed, options, on_activity, found.refused)
    if folder != submission:
        report.notes.insert(0, UNWRAPPED.format(folder=folder.relative_to(submission).as_posix()))
    return report
