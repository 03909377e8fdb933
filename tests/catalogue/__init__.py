"""Catalogues of submissions to grade: realistic wrong implementations (each must fail the
named checks with the named message) and correct ones written differently from the
reference (each must earn full marks).

A variant is source code appended to the reference solution of its exercise: a `def`
there replaces the reference function of the same name.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Variant:
    name: str
    exercise: str                 # "ex01"
    code: str                     # appended to solutions/<exercise file>
    # check id -> a piece of text its feedback must contain; empty for a correct variant
    fails: dict[str, str] = field(default_factory=dict)


def all_mistakes() -> list[Variant]:
    from . import ex01_mistakes, ex02_mistakes, ex03_mistakes, ex04_mistakes
    return [*ex01_mistakes.MISTAKES, *ex02_mistakes.MISTAKES, *ex03_mistakes.MISTAKES,
            *ex04_mistakes.MISTAKES]


def all_alternatives() -> list[Variant]:
    from . import alternatives
    return alternatives.ALTERNATIVES
