"""Checks: one verdict each, worth points. A check is a function of a Context that returns
when the student's code is right and raises CheckFailed (with teaching feedback) when not."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from ..course import exercise_ids, exercises


@dataclass(frozen=True)
class Check:
    id: str           # "ex01.labels_int64": stable, used by reports and tests
    exercise: str     # "ex01"
    name: str         # what it checks, in words
    points: int
    run: Callable
    # What it enforces, as the stub tells the student: (function, a phrase of that
    # function's docstring) pairs. `python -m grader check-course` fails when a stub's
    # docstring lacks one, so no check grades a requirement the student was never told.
    requires: tuple[tuple[str, str], ...] = ()


_CHECKS: list[Check] = []


def check(exercise: str, points: int, name: str, *, requires: dict[str, str | tuple[str, ...]]):
    """Registers a check; requires maps a function to the phrase (or phrases) of its
    docstring that the check enforces."""
    pairs = tuple((function, phrase) for function, phrases in requires.items()
                  for phrase in ((phrases,) if isinstance(phrases, str) else phrases))

    def register(fn):
        new = Check(f"{exercise}.{fn.__name__}", exercise, name, points, fn, pairs)
        # A module imported again (pytester drops imported modules between its runs)
        # replaces its checks rather than adding them twice.
        same = [i for i, c in enumerate(_CHECKS) if c.id == new.id]
        if same:
            _CHECKS[same[0]] = new
        else:
            _CHECKS.append(new)
        return fn
    return register


def all_checks(only: str | None = None) -> list[Check]:
    for ex in exercises():
        importlib.import_module(f"{__package__}.{ex.module}")   # registers its checks
    order = {ex: i for i, ex in enumerate(exercise_ids())}
    found = sorted(_CHECKS, key=lambda c: order[c.exercise])   # stable: keeps file order
    return [c for c in found if only in (None, c.exercise)]
