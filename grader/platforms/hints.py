"""`python -m grader hint` (`python3 course.py hint`): the hint for the check a student is
stuck on, one level at a time.

The hints live in the course manifest (grader/course.toml, [[exercise.hints]]), each set in
levels (the idea, the API, almost the code) and tied to the checks it is for. Which check:
the exercise is graded (with no exercise named, exercise after exercise until one fails,
which costs a few seconds at most) and the first failing check picks the set. The level
reached for each set is remembered in .grader/hints.json, beside the exercises folder
(.gitignore keeps it out of commits): `hint` shows that level again, `hint --more` the
next one, `hint --level N` level N (an error where there is no level N).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..checks.feedback import FailureKind
from ..course import Exercise, Hints, exercise, exercises
from ..files import write_atomically
from ..judge import grade
from ..options import Options
from ..results import Result

LEVELS = ("the idea", "the API", "almost the code")
# The command as printed for students: it works from the repository without an activated
# .venv (course.py runs the grader with the .venv's Python).
COMMAND = "python3 course.py hint"


class NoSuchLevel(ValueError):
    """--level N where the hints for the failing check have fewer levels."""


@dataclass(frozen=True)
class Found:
    exercise: Exercise
    hints: Hints
    failed: Result | None         # the failing check the hints are for (None: all pass)


def state_path(target: Path) -> Path:
    """.grader/hints.json in the folder that holds the exercises folder (the repository)."""
    return Path(target).resolve().parent / ".grader" / "hints.json"


def first_failing(target: Path, ex_ids: list[str], options: Options = Options(),
                  on_activity=None) -> tuple[Exercise, list[Result]] | None:
    """The first of ex_ids with a failing check, and its results; grading stops there."""
    for ex_id in ex_ids:
        results = grade(target, only=ex_id, options=options, on_activity=on_activity).results
        if not all(r.passed for r in results):
            return exercise(ex_id), results
    return None


def hints_for(ex: Exercise, results: list[Result]) -> Found:
    """The hint set of the first failing check that has one; else the exercise's own."""
    failed = [r for r in results if not r.passed]
    for r in failed:
        name = r.check.id.split(".", 1)[1]
        for hints in ex.hints:
            if name in hints.checks:
                return Found(ex, hints, r)
    general = next((h for h in ex.hints if not h.checks), Hints((), (ex.hint,)))
    return Found(ex, general, failed[0] if failed else None)


def _key(found: Found) -> str:
    hints = found.hints
    return f"{found.exercise.id}.{hints.checks[0]}" if hints.checks else found.exercise.id


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def choose_level(found: Found, state: Path, more: bool = False, level: int | None = None) -> int:
    """The level to show (1-based), remembering the highest one shown for this hint set."""
    data = _read(state)
    reached = data.get(_key(found), 0)
    reached = reached if isinstance(reached, int) else 0
    count = len(found.hints.levels)
    if level is not None and not 1 <= level <= count:
        raise NoSuchLevel(f"there is no hint {level}: the hints for "
                          f"{found.failed.check.name if found.failed else found.exercise.id} "
                          f"have {count} levels, --level 1 to {count}")
    if level is not None:
        shown = level
    elif more:
        shown = min(reached + 1, count)
    else:
        shown = min(max(reached, 1), count)
    if shown > reached:
        data[_key(found)] = shown
        try:
            state.parent.mkdir(exist_ok=True)
            write_atomically(state, json.dumps(data, indent=1, sort_keys=True) + "\n")
        except OSError:
            pass                      # a read-only checkout: the hint still shows
    return shown


def render(found: Found, shown: int, in_watch: bool = False) -> str:
    """The hint at level `shown`, with what it is for and how to get the next one (in the
    watch, h shows the next level; elsewhere the command does)."""
    ex, hints = found.exercise, found.hints
    count = len(hints.levels)
    named = (lambda n: f", {LEVELS[n - 1]}") if count == len(LEVELS) else (lambda n: "")
    lines = [f"{ex.id}: {ex.title} ({ex.file}: {', '.join(ex.functions)})"]
    if found.failed is not None:
        lines.append(f"failing: {found.failed.check.name}")
        cause = found.failed.cause
        if cause is not None and cause.kind != FailureKind.NOT_IMPLEMENTED:
            lines.append(f"  first fix this: {cause.summary}")
    lines += ["", f"Hint {shown} of {count}{named(shown)}:", ""]
    lines += ["    " + line for line in hints.levels[shown - 1].splitlines()]
    lines.append("")
    command = f"{COMMAND} {ex.id}"
    if shown < count:
        how = "press h again" if in_watch else f"{command} --more"
        lines.append(f"More: {how}  (hint {shown + 1} of {count}{named(shown + 1)})")
    elif in_watch:
        lines.append(f"That is the last hint for this check; h shows it again, and {command} "
                     "--level N (in another terminal) shows hint N.")
    else:
        lines.append(f"That is the last hint for this check; {command} --level N shows hint N again.")
    return "\n".join(lines)


def hint(target: Path, ex_id: str | None, *, more: bool = False, level: int | None = None,
         options: Options = Options(), on_activity=None) -> str:
    """What `python -m grader hint [EXERCISE]` prints."""
    ids = [ex_id] if ex_id else [ex.id for ex in exercises()]
    found = first_failing(target, ids, options, on_activity)
    if found is None:
        if ex_id:
            return f"Every check of {ex_id} passes: no hint needed. (`{COMMAND}` finds the next exercise.)"
        return "Every check passes: no hint needed."
    chosen = hints_for(*found)
    shown = choose_level(chosen, state_path(target), more=more, level=level)
    return render(chosen, shown)
