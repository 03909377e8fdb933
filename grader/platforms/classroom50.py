"""Classroom 50: the grading half of the autograder folder (`python -m grader classroom50`
writes it; its autograder.py readies a Python with the pinned packages and calls main).

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
import re
import shutil
import stat
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..course import DEFAULT_SEED
from ..exits import PASSED, USAGE
from ..files import find_exercise_files, write_atomically
from ..untrusted import clean

if TYPE_CHECKING:                 # the runner imports torch: a broken set-up fails before it
    from ..runner import Report, Result

SCHEMA = "classroom50/result/v1"
RESULT, BODY = "result.json", "release-body.md"
# GitHub refuses a release body over 125,000 characters; the runner may append a note.
BODY_LIMIT = 100_000
# Each test's feedback in result.json, which the gradebook (scores.json) keeps for every
# submission: a long one is cut, the release body has it whole.
FEEDBACK_LIMIT = 4_000
TITLE = "Multi-class classification with PyTorch"
# What the runner gives the autograder (and checks or copies into the result).
IDENTITY = {"classroom": "CLASSROOM", "assignment": "ASSIGNMENT", "submission": "SUBMISSION_TAG",
            "commit": "COMMIT_URL", "release": "RELEASE_URL"}
# Stamped by the runner before it validates; written when given, for runners that do not.
STAMPED = {"owner": "OWNER", "assignment_type": "ASSIGNMENT_TYPE"}
UNSAFE_IN_NAME = re.compile(r"[|\x00-\x1f\x7f]")


class SetupError(Exception):
    """The autograder cannot grade here (not run by the runner, a broken folder): the run
    must end in an error, never in a score."""


def identity(env=os.environ) -> dict[str, str]:
    missing = [var for var in IDENTITY.values() if not env.get(var)]
    if missing:
        raise SetupError(f"{', '.join(missing)} not set: this autograder is run by Classroom 50's "
                         "runner, which sets them")
    if not env["SUBMISSION_TAG"].startswith("submit/"):
        raise SetupError(f"SUBMISSION_TAG is {env['SUBMISSION_TAG']!r}; the runner's tags start with 'submit/'")
    fields = {key: env[var] for key, var in IDENTITY.items()}
    fields["review"] = env.get("REVIEW_URL") or env["COMMIT_URL"]
    fields.update({key: env[var] for key, var in STAMPED.items() if env.get(var)})
    return fields


def entry_name(result: Result) -> str:
    return UNSAFE_IN_NAME.sub(" ", f"{result.check.id}: {result.check.name}")


def _cut(text: str, limit: int, note: str) -> str:
    return text if len(text) <= limit else text[: limit - len(note)] + note


def result_json(report: Report, env=os.environ) -> dict:
    """The v1 result: one test per check, in the grader's order, with its feedback."""
    from .report import result_text

    tests = [{"test-name": entry_name(r), "passed": r.passed, "score": r.points,
              "max-score": r.check.points, "check": r.check.id,
              "feedback": _cut(clean(result_text(r)), FEEDBACK_LIMIT, "\n... (cut; the Release has it whole)")}
             for r in report.results]
    return {"schema": SCHEMA, **identity(env),
            # The runner replaces it with the graded commit's date.
            "datetime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "score": report.score, "max-score": report.max_score, "tests": tests}


def release_body(report: Report, seed: int, limit: int = BODY_LIMIT) -> str:
    """The score table, the report's notes (links refused) and every failing check's
    message (platforms.report.to_markdown), cut to `limit` characters with a note that
    says so."""
    from .report import to_markdown

    body = to_markdown(report, f"{TITLE}: {report.score}/{report.max_score}", only_failed=True)
    failed = sum(not r.passed for r in report.results)
    body += (f"\n{failed} of {len(report.results)} checks failed: their messages are above.\n" if failed
             else f"\nAll {len(report.results)} checks passed.\n")
    if seed != DEFAULT_SEED:
        body += ("\nGraded with your instructor's own cases. `python3 course.py grade` on your machine "
                 "uses other ones; a correct solution passes both.\n")
    if len(body) <= limit:
        return body
    note = ("\n\n*The rest of the feedback is cut here (a release body has a size limit): "
            "`python3 course.py grade` in your repository prints all of it.*\n")
    kept = body[: body.rfind("\n", 0, limit - len(note) - 10) + 1]
    left_open = open_fence(kept)
    if left_open:                      # close a code block left open by the cut
        kept += f"  {left_open}\n"
    return kept + note


FENCE = re.compile(r"\s*(`{3,})(\S*)\s*")


def open_fence(markdown: str) -> str | None:
    """The fence of a code block `markdown` leaves open (a fence is longer than any
    backtick run in its block: untrusted.fence), or None."""
    opened = None
    for line in markdown.splitlines():
        found = FENCE.fullmatch(line)
        if not found:
            continue
        if opened is None:
            opened = found.group(1)
        elif not found.group(2) and len(found.group(1)) >= len(opened):
            opened = None
    return opened


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
    from ..checks.cases import Cases
    from .report import to_text
    from .submission import grade_files

    found = find_exercise_files(checkout)
    files = found.files
    print(f"Grading {', '.join(sorted(p.name for p in files.values())) or 'no exercise file'} "
          f"(exercises/ or the top level of the checkout)", flush=True)
    started = time.perf_counter()
    report = grade_files(files, "your repository", cases=Cases(seed), notes=found.refused)
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
