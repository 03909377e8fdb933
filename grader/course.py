"""The course's exercises, read from course.toml (the one place that lists them)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The seed of the randomized cases that students see; instructors may grade with another.
DEFAULT_SEED = 2026


@dataclass(frozen=True)
class Hints:
    """Hints in levels, from the idea to the API to almost the code, for the checks they
    name (check ids without the exercise prefix; none: the exercise as a whole)."""
    checks: tuple[str, ...]
    levels: tuple[str, ...]


@dataclass(frozen=True)
class Exercise:
    id: str
    file: str
    title: str
    functions: tuple[str, ...]
    points: int                         # its budget: its checks' points add up to it
    learn: str                          # what it teaches, for the READMEs' table
    hints: tuple[Hints, ...] = ()       # the hints in levels, per check, and one set for none

    @property
    def module(self) -> str:
        return self.file.removesuffix(".py")

    @property
    def hint(self) -> str:
        """The exercise's hint as a whole (the notebook and the marimo lesson show it): its
        set of hints for no check in particular; empty where it has none."""
        general = next((h for h in self.hints if not h.checks), None)
        return "\n".join(general.levels) if general else ""


@cache
def exercises() -> tuple[Exercise, ...]:
    data = tomllib.loads((Path(__file__).with_name("course.toml")).read_text())
    # A missing hint, points or learn reads as empty: grading still works, and
    # `python -m grader check-course` names what is missing.
    return tuple(
        Exercise(e["id"], e["file"], e["title"], tuple(e["functions"]),
                 e.get("points", 0), e.get("learn", "").strip(),
                 tuple(Hints(tuple(h.get("checks", ())), tuple(level.strip() for level in h["levels"]))
                       for h in e.get("hints", ())))
        for e in data["exercise"]
    )


def exercise(ex_id: str) -> Exercise:
    for ex in exercises():
        if ex.id == ex_id:
            return ex
    raise KeyError(ex_id)


def exercise_ids() -> list[str]:
    return [ex.id for ex in exercises()]


def total_points() -> int:
    """The course's total: the sum of the exercises' budgets."""
    return sum(ex.points for ex in exercises())

