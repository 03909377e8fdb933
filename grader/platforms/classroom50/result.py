"""Classroom 50's result.json (schema classroom50/result/v1): the identity of the submission
the runner gives the autograder, and one test per check with integer points and its
feedback, which the gradebook (scores.json) keeps for every submission."""
from __future__ import annotations

import os
import re
import time
from typing import TYPE_CHECKING

from ...untrusted import clean
from ..report import result_text

if TYPE_CHECKING:                 # the runner imports torch: a broken set-up fails before it
    from ...runner import Report, Result

SCHEMA = "classroom50/result/v1"
# Each test's feedback in result.json, which the gradebook (scores.json) keeps for every
# submission: a long one is cut, the release body has it whole.
FEEDBACK_LIMIT = 4_000
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
    tests = [{"test-name": entry_name(r), "passed": r.passed, "score": r.points,
              "max-score": r.check.points, "check": r.check.id,
              "feedback": _cut(clean(result_text(r)), FEEDBACK_LIMIT, "\n... (cut; the Release has it whole)")}
             for r in report.results]
    return {"schema": SCHEMA, **identity(env),
            # The runner replaces it with the graded commit's date.
            "datetime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "score": report.score, "max-score": report.max_score, "tests": tests}
