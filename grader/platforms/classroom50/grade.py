"""Classroom 50: grading a student's checkout, in the autograder folder (its autograder.py
readies a Python with the pinned packages and calls main).

Classroom 50's runner runs autograder.py in the student's checkout and reads two files
there: result.json (schema classroom50/result/v1: the identity of the submission, and one
test per check with integer points) and release-body.md (what the student reads on the
submission's Release). Both are written here, by the grader's own process, after grading
and over whatever is there: student code runs only in the grader's workers, so nothing it
writes or does (os._exit(0) included) stands in for them.

Only the checkout's exercise files are graded, from a private copy (as `batch` does), with
the folder's own grader: a student's edits to grader/, the tests or the workflows change
nothing.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ...exits import PASSED, USAGE
from ...files import find_exercise_files, write_atomically
from ..report import to_text
from .release_body import release_body
from .result import SetupError, identity, result_json

if TYPE_CHECKING:                 # the runner imports torch: a broken set-up fails before it
    from ...runner import Report

RESULT, BODY = "result.json", "release-body.md"


def write_outputs(checkout: Path, result: dict, body: str) -> None:
    """Over whatever is there: the runner deletes both before grading, but the graded code
    ran since then."""
    for name in (RESULT, BODY):
        path = checkout / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif os.path.lexists(path) and not stat.S_ISREG(os.lstat(path).st_mode):
            os.unlink(path)            # a link or a FIFO left by graded code: replaced, not followed
    write_atomically(checkout / BODY, body)
    write_atomically(checkout / RESULT, json.dumps(result, indent=2) + "\n")


def read_seed(bundle: Path) -> int:
    try:
        return int((bundle / "seed").read_text().strip())
    except (OSError, ValueError) as exc:
        raise SetupError(f"the autograder folder's seed file: {exc}") from exc


def grade_checkout(bundle: Path, checkout: Path, env=os.environ) -> Report:
    seed = read_seed(bundle)
    identity(env)                       # before grading: a missing variable is no score
    from ..submission import grade_files

    found = find_exercise_files(checkout)
    files = found.files
    print(f"Grading {', '.join(sorted(p.name for p in files.values())) or 'no exercise file'} "
          f"(exercises/ or the top level of the checkout)", flush=True)
    started = time.perf_counter()
    report = grade_files(files, "your repository", seed=seed, notes=found.refused)
    sys.stdout.write(to_text(report))
    print(f"Graded in {time.perf_counter() - started:.1f} s.", flush=True)
    write_outputs(checkout, result_json(report, env), release_body(report, seed))
    return report


def main(bundle: Path, checkout: Path) -> int:
    """0 when grading ran and both files are written, whatever the score; 2 when it could
    not grade, with a line the Actions log shows as an error."""
    try:
        grade_checkout(bundle, checkout)
    except SetupError as exc:
        print(f"::error::autograder: {exc}", flush=True)
        return USAGE
    except ImportError as exc:          # the grader's own imports: student code runs in workers
        print(f"::error::autograder: the grader cannot import {exc.name or exc}: write the "
              "folder again with `python -m grader classroom50`", flush=True)
        return USAGE
    return PASSED
