"""Grading inside a notebook: the checks of `python -m grader`, run on the functions a
student defined in the notebook's cells. An nbgrader test cell is

    from grader.platforms.notebook import grade_cell
    grade_cell("ex01", globals())

It prints every check's verdict, with the feedback of those that failed, and returns the
points earned: nbgrader takes a number returned by a test cell as the cell's score, so a
failed check costs its own points, not the whole cell's. Nothing reaches stderr, because
nbgrader scores a test cell that wrote to stderr as 0.

When the checks cannot run (a package they need is missing), the cell raises
GraderUnavailable, which says so and how to fix it, instead of printing a score of 0 as if
every check had failed; the course's nbgrader configuration then stops the autograding of
that submission rather than record a 0 (grader/authoring/nbcourse.py).
"""
from __future__ import annotations

import contextlib
import io
import os
import warnings


# Set in the kernels nbgrader's autograde starts (grader/platforms/nbgrader_execute.py):
# there the grade comes from the code, graded outside the kernel, so the cell only says so
# and returns OUTSIDE; anything else it returns means the kernel interfered.
GRADED_OUTSIDE = "MULTICLASS_GRADED_OUTSIDE_THE_KERNEL"
OUTSIDE = "graded outside this kernel"


class GraderUnavailable(RuntimeError):
    """The checks cannot run here: not the student's doing, and no score."""


NEEDS = "torch, scikit-learn, numpy and matplotlib"


def grade_cell(exercise_id: str, namespace: dict) -> int | str:
    """Run the checks of one exercise on the functions in namespace (a notebook's
    globals()); print what they found and return the points earned. The kernel's later
    optimizers then start without torch._dynamo's import (about 1.4 s; gateway.keep_dynamo_lazy)."""
    with contextlib.suppress(ImportError):           # no torch: said below, when grading
        from ..gateway import keep_dynamo_lazy
        keep_dynamo_lazy()
    if os.environ.get(GRADED_OUTSIDE) == "1":
        print(f"{exercise_id}: {OUTSIDE}, from the code of the solution cells")
        return OUTSIDE
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        # Imported here, under the silencer: torch may warn while loading.
        try:
            from ..checks.cases import Cases
            from ..gateway import NotebookGateway
            from ..checks.registry import all_checks
            from ..runner import Context, run_check
        except ImportError as error:
            raise GraderUnavailable(
                f"the checks cannot run: {error}. The Python that runs this notebook needs "
                f"{NEEDS}: install them into it (pip install torch scikit-learn numpy "
                f"matplotlib), restart the kernel and run the notebook again") from None

        from ..results import points_earned

        # The functions live in the notebook: feedback names it, not the exercise file.
        ctx = Context(NotebookGateway(namespace), Cases(), file_shown_as="this notebook")
        results = [run_check(check, ctx) for check in all_checks(exercise_id)]
    print(render(exercise_id, results))
    _publish(exercise_id, results)
    return points_earned(results)


# The verdicts as data, for the class overview (grader/instructor/gradebook.py reads them
# from the autograded notebooks). Jupyter and nbgrader's feedback show the empty
# text/plain part, so the student sees nothing more than the printed verdicts.
RESULTS_MIMETYPE = "application/vnd.multiclass-grader.checks+json"


def _publish(exercise_id: str, results) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is None:            # not in a kernel: nothing to attach the data to
        return
    display({RESULTS_MIMETYPE: verdicts(exercise_id, results), "text/plain": ""}, raw=True)


def verdicts(exercise_id: str, results) -> dict:
    """The results as data (results.Result.to_data), which the overview reads back."""
    return {"exercise": exercise_id, "checks": [r.to_data() for r in results]}


def render(exercise_id: str, results) -> str:
    from ..course import exercise
    from ..results import points_available, points_earned
    from .report import feedback_once

    ex = exercise(exercise_id)
    points, top = points_earned(results), points_available(results)
    lines = [f"{ex.id}  {ex.title}: {points}/{top} points", ""]
    for shown in feedback_once(results, name=lambda first: f"'{first.check.name}' above"):
        r = shown.result
        lines.append(f"{'ok  ' if r.passed else 'FAIL'}  {r.check.name} [{r.points}/{r.check.points}]")
        if not r.passed:      # the gateway named the notebook, not the exercise file
            lines.extend("        " + line for line in shown.feedback.splitlines())
    if points < top:
        lines += ["", "Hint:", *("    " + line for line in ex.hint.splitlines())]
    return "\n".join(lines)
