"""Gradescope's results.json (`python -m grader --format gradescope`, what the autograder's
run_autograder runs), rendered from a Report through the generic reports' parts."""
from __future__ import annotations

import json

from ...course import exercise
from ...results import Report
from ...untrusted import one_line
from ..report import feedback_once, score_table


def to_gradescope(report: Report, execution_time: float) -> dict:
    """Gradescope's results.json (its autograder specification): the score, the run's
    execution time in seconds, and one test per check with its points, its status and its
    feedback as output, visible to the student."""
    numbers: dict[str, str] = {}
    for r in report.results:
        ex_id = r.check.exercise
        count = sum(1 for n in numbers if n.startswith(ex_id + ".")) + 1
        numbers[r.check.id] = f"{int(ex_id.removeprefix('ex'))}.{count}"
    tests = []
    for s in feedback_once(report.results, name=lambda first: f"test {numbers[first.check.id]}"):
        r, ex_id = s.result, s.result.check.exercise
        tests.append({
            "name": f"{ex_id} {exercise(ex_id).title}: {r.check.name}",
            "number": numbers[r.check.id],
            "score": r.points,
            "max_score": r.check.points,
            "status": "passed" if r.passed else "failed",
            "output": s.feedback or "passed",
            "visibility": "visible",
        })
    return {
        "score": report.score,
        "execution_time": round(execution_time),
        "output": "\n\n".join([*(one_line(n) for n in report.notes), score_table(report.results)]),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def to_gradescope_json(report: Report, execution_time: float) -> str:
    return json.dumps(to_gradescope(report, execution_time), indent=2) + "\n"
