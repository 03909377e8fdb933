"""Reports: the score table (for people) and JSON (for tools)."""
from __future__ import annotations

import json

from .course import exercise
from .runner import Report, Result

BAR = 20


def _bar(earned: int, available: int) -> str:
    filled = round(BAR * earned / available) if available else 0
    return "[" + "#" * filled + "." * (BAR - filled) + "]"


def score_table(results: list[Result]) -> str:
    """Points earned out of points available per exercise, and the total."""
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(r.check.exercise, []).append(r)
    lines = []
    for ex_id, rs in groups.items():
        earned, available = sum(r.points for r in rs), sum(r.check.points for r in rs)
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
