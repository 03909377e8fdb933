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
class Exercise:
    id: str
    file: str
    title: str
    functions: tuple[str, ...]
    hint: str

    @property
    def module(self) -> str:
        return self.file.removesuffix(".py")


@cache
def exercises() -> tuple[Exercise, ...]:
    data = tomllib.loads((Path(__file__).with_name("course.toml")).read_text())
    return tuple(
        Exercise(e["id"], e["file"], e["title"], tuple(e["functions"]), e["hint"].strip())
        for e in data["exercise"]
    )


def exercise(ex_id: str) -> Exercise:
    for ex in exercises():
        if ex.id == ex_id:
            return ex
    raise KeyError(ex_id)


def exercise_ids() -> list[str]:
    return [ex.id for ex in exercises()]
