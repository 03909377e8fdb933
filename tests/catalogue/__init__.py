"""Catalogues of submissions to grade, one module per exercise, found from the course
manifest like its checks and probes: the catalogue of exercise `ex0N` is
tests/catalogue/<its file>. It holds

    MISTAKES        realistic wrong implementations; each must fail the named checks with
                    the named message, and every check must be failed by one of them
    ALTERNATIVES    correct implementations written differently from the reference; each
                    must earn full marks (optional)

A variant is source code appended to the reference solution of its exercise: a `def`
there replaces the reference function of the same name. `python -m grader check-course`
grades them all (it loads this package by its path).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType

from grader.course import Exercise, exercises


@dataclass(frozen=True)
class Variant:
    name: str
    exercise: str                 # "ex01"
    code: str                     # appended to solutions/<exercise file>
    # check id -> a piece of text its feedback must contain; empty for a correct variant
    fails: dict[str, str] = field(default_factory=dict)


def catalogue(ex: Exercise) -> ModuleType:
    """The catalogue module of one exercise (ModuleNotFoundError when it has none)."""
    return importlib.import_module(f"{__name__}.{ex.module}")


def variants(ex: Exercise) -> tuple[list[Variant], list[Variant]]:
    """The mistakes and the correct alternatives of one exercise."""
    module = catalogue(ex)
    return list(module.MISTAKES), list(getattr(module, "ALTERNATIVES", []))


def all_mistakes() -> list[Variant]:
    return [v for ex in exercises() for v in variants(ex)[0]]


def all_alternatives() -> list[Variant]:
    return [v for ex in exercises() for v in variants(ex)[1]]
