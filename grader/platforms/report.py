"""Reports: the score table (for people), JSON (for tools), Markdown and HTML (feedback
files, step summaries, release bodies); each platform renders its own from these
(Gradescope's results.json: platforms/gradescope/).

Every format shows a root cause once (feedback_once): when several checks of an exercise
failed because the student's code gave no answer for the same reason (a stub, a syntax
error, a timeout, a print flood, ...), the first of them carries the full feedback and says
how many more need that call; each of the others gets one line that names the cause and
the check that shows it. A format that lists checks one by one (JSON, Gradescope, pytest,
Markdown) keeps an entry per check; the text report leaves the others out.
"""
from __future__ import annotations

import html
import json
import os
import sys
from dataclasses import dataclass
from typing import Callable

from .. import messages
from ..checks.feedback import Feedback
from ..course import exercise
from ..results import Report, Result, by_exercise, points_available, points_earned
from ..untrusted import clean, fence, one_line

BAR = 20


def _bar(earned: int, available: int) -> str:
    filled = round(BAR * earned / available) if available else 0
    return "[" + "#" * filled + "." * (BAR - filled) + "]"


def exercise_totals(results: list[Result]) -> list[tuple[str, int, int]]:
    """(exercise id, points earned, points available) for each exercise, in course order."""
    return Report("", results).exercise_totals()


def feedback_text(feedback: Feedback) -> str:
    """A failed check's feedback as text: the message, the student's line, then what was
    called, what came back, what was expected, the likely mistake, and what the code printed."""
    lines = [feedback.message]
    if feedback.code:
        lines.extend("    " + line for line in feedback.code.rstrip("\n").splitlines())
    for label, value in (("called", feedback.called), ("got", feedback.got),
                         ("expected", feedback.expected), ("likely", feedback.likely)):
        if value:
            lines.append(f"  {label + ':':<10}{value}")
    if feedback.output:
        lines.append("  your code printed:")
        lines.extend("    " + line for line in feedback.output.rstrip("\n").splitlines())
    return "\n".join(lines)


def result_text(result: Result) -> str:
    """A result's feedback as text; "" for a check that passed."""
    return feedback_text(result.feedback) if result.feedback and not result.passed else ""


def score_table(results: list[Result], notes: dict[str, str] | None = None) -> str:
    """Points earned out of points available per exercise, and the total. notes adds a
    few words after an exercise's line (the watch's lasting progress)."""
    lines = []
    for ex_id, earned, available in exercise_totals(results):
        title = exercise(ex_id).title
        note = f"  {notes[ex_id]}" if notes and notes.get(ex_id) else ""
        lines.append(f"{ex_id}  {title:<28}{_bar(earned, available)} {earned:>3}/{available}{note}")
    total, top = points_earned(results), points_available(results)
    lines.append(f"{'total':<34}{_bar(total, top)} {total:>3}/{top}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Shown:
    """A check's result as a report shows it among the others of its run."""
    result: Result
    feedback: str                       # what to show; "" for a check that passed
    first: Result | None = None         # a repeat: the check that shows its cause in full
    more: tuple[Result, ...] = ()       # the first of a cause: the other checks it failed

    @property
    def repeat(self) -> bool:
        return self.first is not None


def root_causes(results: list[Result]) -> dict[str, list[Result]]:
    """The failed checks grouped by root cause, by the id of the first check of each
    group: checks of one exercise whose code gave no answer for the same reason (kind and
    summary) are one group; every other failed check is a group of its own."""
    groups: dict[str, list[Result]] = {}
    first_of: dict[tuple, str] = {}
    for r in results:
        if r.passed:
            continue
        key = (r.check.exercise, r.cause) if r.cause else (r.check.id,)
        first = first_of.setdefault(key, r.check.id)
        groups.setdefault(first, []).append(r)
    return groups


def _points(n: int) -> str:
    return f"{n} point" if n == 1 else f"{n} points"


def more_checks(others: tuple[Result, ...] | list[Result]) -> str:
    """'and 5 more checks of this exercise, worth 14 points, need this call'."""
    count, cause = len(others), others[0].cause if others else None
    return messages.MORE_CHECKS.format(
        count=count, checks="check" if count == 1 else "checks",
        points=_points(points_available(others)), need="needs" if count == 1 else "need",
        what="file" if cause and cause.kind.about_a_file else "call")


def feedback_once(results: list[Result],
                  name: Callable[[Result], str] = lambda r: f"'{r.check.name}'") -> list[Shown]:
    """Each result with the feedback to show for it: a root cause in full on the first check
    it failed, with a line that says how many more need that call; on each of the others,
    the cause's one-line summary and the first check, named by `name`."""
    groups = root_causes(results)
    first_of = {r.check.id: group[0] for group in groups.values() for r in group}
    shown = []
    for r in results:
        first = first_of.get(r.check.id)
        if first is None:
            shown.append(Shown(r, clean(result_text(r))))
        elif first is r:
            more = tuple(groups[r.check.id][1:])
            text = result_text(r) + (f"\n({more_checks(more)})" if more else "")
            shown.append(Shown(r, clean(text), more=more))
        else:
            assert r.cause is not None          # results share a first only through their cause
            summary = r.cause.summary
            text = summary if result_text(r) == summary else messages.SAME_CAUSE.format(
                summary=summary, first=name(first))
            shown.append(Shown(r, clean(text), first=first))
    return shown


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def failed_checks(results: list[Result]) -> list[str]:
    """Each failing check with its message, under its exercise's file (lines of text); a
    root cause is shown once (feedback_once), with how many more checks it costs."""
    out = []
    shown = [s for s in feedback_once(results) if not s.result.passed and not s.repeat]
    for ex_id in by_exercise(results):
        bad = [s for s in shown if s.result.check.exercise == ex_id]
        if not bad:
            continue
        out.append(f"{ex_id} ({exercise(ex_id).file}):")
        for s in bad:
            r = s.result
            head = f"  FAIL {r.check.name} [{r.check.points} pts]"
            feedback = clean(result_text(r))      # the "more checks" line comes below
            if "\n" in feedback:
                out.extend([head, _indent(feedback)])
            else:
                out.append(f"{head}: {feedback}")
            if s.more:
                out.append(f"    ({more_checks(s.more)})")
        out.append("")
    return out


def to_text(report: Report) -> str:
    out = [f"Grading {one_line(report.target)}", ""]
    out += [f"Note: {one_line(note)}" for note in report.notes] + ([""] if report.notes else [])
    failed = [r for r in report.results if not r.passed]
    out += failed_checks(report.results)
    out.append(score_table(report.results))
    if failed:
        first = failed[0].check.exercise
        out.append("")
        out.append(f"{len(failed)} check(s) failed. Next: {exercise(first).file}; "
                   f"a hint: python3 course.py hint {first}")
    else:
        out.append("")
        out.append("All checks passed.")
    return "\n".join(out) + "\n"


def check_entry(shown: Shown) -> dict:
    """A check's entry in the JSON report (and the Classroom results cache): its verdict and
    the feedback to show, the first check of its cause named by id."""
    return {**shown.result.verdict(), "feedback": shown.feedback,
            "same_cause_as": shown.first.check.id if shown.first else None}


def by_id(first: Result) -> str:
    return first.check.id


def to_dict(report: Report) -> dict:
    return {
        "score": report.score,
        "max_score": report.max_score,
        **({"notes": [one_line(n) for n in report.notes]} if report.notes else {}),
        "checks": [check_entry(s) for s in feedback_once(report.results, name=by_id)],
    }


def to_json(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2) + "\n"


def exercise_scores(report: Report) -> dict[str, int]:
    """Points earned per exercise, in course order."""
    return {ex_id: earned for ex_id, earned, _ in exercise_totals(report.results)}


def to_markdown(report: Report, title: str | None = None, only_failed: bool = False) -> str:
    """The score table and each check's message, as Markdown (feedback files, GitHub step
    summaries). only_failed leaves out the checks that passed."""
    out = [f"# {one_line(title or 'Grading ' + report.target)}", "",
           "| exercise | points |", "|---|---:|"]
    for ex_id, earned, available in exercise_totals(report.results):
        out.append(f"| {ex_id} {exercise(ex_id).title} | {earned}/{available} |")
    out += [f"| **total** | **{report.score}/{report.max_score}** |", ""]
    out += [f"- {one_line(note)}" for note in report.notes] + ([""] if report.notes else [])
    every = feedback_once(report.results, name=lambda first: f"'{first.check.name}' above")
    for ex_id in report.by_exercise():
        shown = [s for s in every if s.result.check.exercise == ex_id
                 and not (only_failed and s.result.passed)]
        if not shown:
            continue
        out += [f"## {ex_id}: {exercise(ex_id).title} ({exercise(ex_id).file})", ""]
        for s in shown:
            r = s.result
            mark = "passed" if r.passed else "FAILED"
            head = f"- **{mark}** {r.check.name} ({r.points}/{r.check.points})"
            if s.repeat:                  # one line: the cause, shown in full above
                out.append(f"{head}: {one_line(s.feedback)}")
            elif s.feedback:              # a fence no backtick run in the feedback can close
                ticks = fence(s.feedback)
                out += [head, "", f"  {ticks}text", _indent(s.feedback, "  "), f"  {ticks}", ""]
            else:
                out.append(head)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def to_html(report: Report, title: str | None = None) -> str:
    """The same content as to_markdown, as a page that needs nothing else to display."""
    heading = html.escape(one_line(title or "Grading " + report.target))
    rows = "".join(
        f"<tr><td>{ex_id} {html.escape(exercise(ex_id).title)}</td><td>{earned}/{available}</td></tr>"
        for ex_id, earned, available in exercise_totals(report.results))
    items = "".join(
        f"<li class='{'pass' if r.passed else 'fail'}'><b>{'passed' if r.passed else 'FAILED'}</b> "
        f"{html.escape(r.check.name)} ({r.points}/{r.check.points})"
        + (f": {html.escape(s.feedback)}" if s.repeat
           else f"<pre>{html.escape(s.feedback)}</pre>" if s.feedback else "") + "</li>"
        for s in feedback_once(report.results, name=lambda first: f"'{first.check.name}' above")
        for r in [s.result])
    return (f"<!doctype html><meta charset='utf-8'><title>{heading}</title>"
            "<style>.fail b{color:#b00}.pass b{color:#070}pre{background:#f4f4f4;padding:.5em}</style>"
            f"<h1>{heading}</h1><table><tr><th>exercise</th><th>points</th></tr>{rows}"
            f"<tr><td><b>total</b></td><td><b>{report.score}/{report.max_score}</b></td></tr></table>"
            + "".join(f"<p>{html.escape(one_line(note))}</p>" for note in report.notes) +
            f"<ul>{items}</ul>\n")


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
