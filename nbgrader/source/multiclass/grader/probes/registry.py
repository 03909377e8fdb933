"""The probes, registered by exercise. A probe is a function
``probe(student, **params) -> dict`` registered with @probe; the probes of an exercise live
in grader/probes/<its module name>.py and are found from the course manifest, so no list of
them is kept anywhere."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from ..course import exercises


@dataclass(frozen=True)
class Probe:
    name: str
    exercise: str
    run: Callable[..., dict]
    time_limit: float


PROBES: dict[str, Probe] = {}


def probe(exercise: str, time_limit: float = 10.0):
    def register(fn):
        PROBES[fn.__name__] = Probe(fn.__name__, exercise, fn, time_limit)
        return fn
    return register


def load_all() -> dict[str, Probe]:
    """Every probe of every exercise in the manifest."""
    for ex in exercises():
        importlib.import_module(f"{__package__}.{ex.module}")   # registers its probes
    return PROBES
