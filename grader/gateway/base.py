"""The gateway into student code: the interface every implementation offers the checks.

A check never touches student objects. It asks a gateway to run a probe (grader.probes),
which calls the student's functions and reports plain data; the gateway returns that as a
ProbeResult, or raises StudentCodeError when the student's code gave no answer (missing,
raised, exited, timed out, ...), which fails only the checks that needed that call.

Three implementations, named for where the student's code runs:
  InProcessGateway  (in_process.py)  in this process, under time and output limits;
  WorkerGateway     (worker.py)      in a sandboxed worker process (the default on Linux);
  NotebookGateway   (notebook.py)    on the functions defined in a notebook's cells.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..checks.feedback import CheckFailed, FailureKind
from ..probes.registry import Probe, load_all

IMPORT_LIMIT = 20.0         # seconds for importing a student's module
OUTPUT_LIMIT = 100_000      # characters of print output kept per call
SHOWN_OUTPUT = 1_500        # characters of it shown under a failed check
SHOWN_LINES = 20            # and at most this many lines


class StudentCodeError(CheckFailed):
    """The student's code could not give an answer: it is missing, raised, exited, ...
    exception names the type of what it raised, when it raised; function the student's
    function it is about, when it is a stub or missing."""

    def __init__(self, kind: FailureKind, summary: str, exception: str | None = None,
                 function: str | None = None, **details):
        super().__init__(summary, **details)
        self.kind = kind
        self.exception, self.function = exception, function


@dataclass
class ProbeResult:
    data: dict
    calls: list[str]
    output: str

    @property
    def called(self) -> str:
        return "; ".join(self.calls)


def shorten(text: str) -> str:
    """Printed output as shown under a failed check: its start, and how much more."""
    kept = "".join(text.splitlines(keepends=True)[:SHOWN_LINES])[:SHOWN_OUTPUT]
    if len(kept) == len(text):
        return text
    rest = text[len(kept):]
    lines = rest.count("\n") + (not rest.endswith("\n"))
    return kept.rstrip("\n") + f"\n... ({lines:,} more lines, {len(rest):,} more characters)"


def _freeze(value):
    """A hashable key for plain-data params."""
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, torch.Tensor):
        return ("tensor", str(value.dtype), tuple(value.shape), value.numpy().tobytes())
    return value


class Gateway:
    """What a gateway offers the checks: run(probe, **params), the probe's ProbeResult or
    a raised StudentCodeError. Each distinct call runs once per grading run; subclasses
    say how, in _run."""

    def __init__(self):
        self._probes = load_all()
        self._cache: dict[tuple, ProbeResult | StudentCodeError] = {}
        # A probe whose call ran out of time is not run again with other arguments: an
        # endless loop costs its time limit once per grading, not once per call.
        self._timed_out: dict[str, StudentCodeError] = {}
        # Told, in words, what the student's code is doing ("importing ex04_train.py",
        # "train(<model>, ...)"): a terminal can show it while a run takes long.
        self.on_activity = lambda text: None

    def run(self, probe_name: str, **params) -> ProbeResult:
        probe = self._probes[probe_name]
        key = (probe_name, _freeze(params))
        if key not in self._cache:
            self._cache[key] = self._timed_out.get(probe_name) or self._run(probe, params)
        found = self._cache[key]
        if isinstance(found, StudentCodeError) and found.kind == FailureKind.TIMED_OUT:
            self._timed_out.setdefault(probe_name, found)
        if isinstance(found, StudentCodeError):
            raise found
        return found

    def _run(self, probe: Probe, params: dict) -> ProbeResult | StudentCodeError:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the gateway holds (a worker process, say)."""
