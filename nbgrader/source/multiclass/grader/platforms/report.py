"""Reports: the score table (for people) and JSON (for tools)."""
from __future__ import annotations

import html
import json
import os
import sys

from ..course import exercise
from ..runner import Report, Result

BAR = 20


def _bar(earned: int, available: int) -> str:
    filled = round(BAR * earned / available) if available else 0
    return "[" + "#" * filled + "." * (BAR - filled) + "]"


def exercise_totals(results: list[Result]) -> list[tuple[str, int, int]]:
    """(exercise id, points earned, points available) for each exercise, in course order."""
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(r.check.exercise, []).append(r)
    return [(ex_id, sum(r.points for r in rs), sum(r.check.points for r in rs))
            for ex_id, rs in groups.items()]


def score_table(results: list[Result]) -> str:
    """Points earned out of points available per exercise, and the total."""
    lines = []
    for ex_id, earned, available in exercise_totals(results):
        title = exercise(ex_id).title
        lines.append(f"{ex_id}  {title:<28}{_bar(earned, available)} {earned:>3}/{available}")
    earned = sum(r.points for r in results)
    available = sum(r.check.points for r in results)
    lines.append(f"{'total':<34}{_bar(earned, available)} {earned:>3}/{available}")
    return "\n".join(lines)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def to_text(report: Report) -> str:
    out = [f"Grading {report.target}", ""]
    failed = [r for r in report.results if not r.passed]
    for ex_id, rs in report.by_exercise().items():
        bad = [r for r in rs if not r.passed]
        if not bad:
            continue
        out.append(f"{ex_id} ({exercise(ex_id).file}):")
        for r in bad:
            head = f"  FAIL {r.check.name} [{r.check.points} pts]"
            if "\n" in r.feedback:
                out.extend([head, _indent(r.feedback)])
            else:
                out.append(f"{head}: {r.feedback}")
        out.append("")
    out.append(score_table(report.results))
    if failed:
        first = failed[0].check.exercise
        out.append("")
        out.append(f"{len(failed)} check(s) failed. Next: {exercise(first).file}; "
                   f"a hint: python -m grader hint {first}")
    else:
        out.append("")
        out.append("All checks passed.")
    return "\n".join(out) + "\n"


def to_dict(report: Report) -> dict:
    return {
        "score": report.score,
        "max_score": report.max_score,
        "checks": [
            {"id": r.check.id, "exercise": r.check.exercise, "name": r.check.name,
             "points": r.points, "max_points": r.check.points, "passed": r.passed,
             "feedback": r.feedback}
            for r in report.results
        ],
    }


def to_json(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2) + "\n"


def exercise_scores(report: Report) -> dict[str, int]:
    """Points earned per exercise, in course order."""
    return {ex_id: earned for ex_id, earned, _ in exercise_totals(report.results)}


def to_markdown(report: Report, title: str | None = None, only_failed: bool = False) -> str:
    """The score table and each check's message, as Markdown (feedback files, GitHub step
    summaries). only_failed leaves out the checks that passed."""
    out = [f"# {title or 'Grading ' + report.target}", "",
           "| exercise | points |", "|---|---:|"]
    for ex_id, earned, available in exercise_totals(report.results):
        out.append(f"| {ex_id} {exercise(ex_id).title} | {earned}/{available} |")
    out += [f"| **total** | **{report.score}/{report.max_score}** |", ""]
    for ex_id, rs in report.by_exercise().items():
        shown = [r for r in rs if not (only_failed and r.passed)]
        if not shown:
            continue
        out += [f"## {ex_id}: {exercise(ex_id).title} ({exercise(ex_id).file})", ""]
        for r in shown:
            mark = "passed" if r.passed else "FAILED"
            out.append(f"- **{mark}** {r.check.name} ({r.points}/{r.check.points})")
            if r.feedback:
                out += ["", "  ```text", _indent(r.feedback, "  "), "  ```", ""]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def to_html(report: Report, title: str | None = None) -> str:
    """The same content as to_markdown, as a page that needs nothing else to display."""
    heading = html.escape(title or "Grading " + report.target)
    rows = "".join(
        f"<tr><td>{ex_id} {html.escape(exercise(ex_id).title)}</td><td>{earned}/{available}</td></tr>"
        for ex_id, earned, available in exercise_totals(report.results))
    items = "".join(
        f"<li class='{'pass' if r.passed else 'fail'}'><b>{'passed' if r.passed else 'FAILED'}</b> "
        f"{html.escape(r.check.name)} ({r.points}/{r.check.points})"
        + (f"<pre>{html.escape(r.feedback)}</pre>" if r.feedback else "") + "</li>"
        for r in report.results)
    return (f"<!doctype html><meta charset='utf-8'><title>{heading}</title>"
            "<style>.fail b{color:#b00}.pass b{color:#070}pre{background:#f4f4f4;padding:.5em}</style>"
            f"<h1>{heading}</h1><table><tr><th>exercise</th><th>points</th></tr>{rows}"
            f"<tr><td><b>total</b></td><td><b>{report.score}/{report.max_score}</b></td></tr></table>"
            f"<ul>{items}</ul>\n")


def to_gradescope(report: Report, execution_time: float) -> dict:
    """Gradescope's results.json (its autograder specification): the score, the run's
    execution time in seconds, and one test per check with its points, its status and its
    feedback as output, visible to the student."""
    numbers: dict[str, int] = {}
    tests = []
    for r in report.results:
        ex_id = r.check.exercise
        numbers[ex_id] = numbers.get(ex_id, 0) + 1
        tests.append({
            "name": f"{ex_id} {exercise(ex_id).title}: {r.check.name}",
            "number": f"{int(ex_id.removeprefix('ex'))}.{numbers[ex_id]}",
            "score": r.points,
            "max_score": r.check.points,
            "status": "passed" if r.passed else "failed",
            "output": r.feedback or "passed",
            "visibility": "visible",
        })
    return {
        "score": report.score,
        "execution_time": round(execution_time),
        "output": score_table(report.results),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def to_gradescope_json(report: Report, execution_time: float) -> str:
    return json.dumps(to_gradescope(report, execution_time), indent=2) + "\n"


def write_step_summary(report, title: str) -> None:
    """In a GitHub Actions step: the score table and each failing check's message, appended
    to the file GITHUB_STEP_SUMMARY names (nothing happens elsewhere)."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(to_markdown(report, title, only_failed=True) + "\n")
    except OSError as exc:
        print(f"could not write the step summary {path}: {exc}", file=sys.stderr)
