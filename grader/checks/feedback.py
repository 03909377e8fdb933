"""A failed check, told the way a tutor would: what was called, what came back, what was
expected, and the likely mistake. The parts stay apart (Feedback) until a report renders
them (grader/platforms/report.py)."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import Callable, NoReturn

from .. import messages


class FailureKind(StrEnum):
    """Why the student's code gave a check no answer (StudentCodeError.kind). The values
    are the names the worker's replies and the recorded results use."""
    NOT_IMPLEMENTED = "not_implemented"     # a stub left as it was
    MISSING_FILE = "missing_file"
    MISSING_FUNCTION = "missing_function"
    NOT_CALLABLE = "not_callable"           # the name is there, but not a function
    IMPORT_FAILED = "import_failed"
    RAISED = "raised"
    EXITED = "exited"
    TIMED_OUT = "timed_out"
    BREAKPOINT = "breakpoint"
    OUTPUT_FLOOD = "output_flood"
    OUT_OF_MEMORY = "out_of_memory"
    CRASHED = "crashed"                     # a signal ended the worker
    STOPPED = "stopped"                     # the worker was stopped (SIGSTOP, ...)
    TOO_LARGE = "too_large"                 # the answer was too large to send
    TAMPERED = "tampered"                   # the worker sent something unreadable
    LOST = "lost"                           # the zygote that ran the worker was lost
    GRADER_ERROR = "grader_error"

    @property
    def attempted(self) -> bool:
        """False when there is nothing of the student's to grade: the stub as it was, the
        file or the function missing (the class overview counts these apart)."""
        return self not in (FailureKind.NOT_IMPLEMENTED, FailureKind.MISSING_FILE, FailureKind.MISSING_FUNCTION)

    @property
    def about_a_file(self) -> bool:
        """The whole file gave no answer (not one call of it)."""
        return self in (FailureKind.IMPORT_FAILED, FailureKind.MISSING_FILE)


@dataclass(frozen=True)
class Feedback:
    """The parts of a failed check's feedback, each plain text."""
    message: str                    # the verdict in a sentence
    called: str | None = None       # what the grader called
    got: str | None = None          # what came back
    expected: str | None = None
    likely: str | None = None       # the likely mistake
    code: str | None = None         # the student's line it is about, as Python shows it
    output: str | None = None       # what the student's code printed

    def map(self, change: Callable[[str], str]) -> Feedback:
        """Every part passed through change (cleaning, naming a folder)."""
        return replace(self, **{f.name: change(value) for f in fields(self)
                                if isinstance(value := getattr(self, f.name), str)})


class CheckFailed(Exception):
    """Raised by a check (or by the gateway on the check's behalf) to fail it."""

    def __init__(self, summary: str, *, called: str | None = None, got: str | None = None,
                 expected: str | None = None, likely: str | None = None,
                 output: str | None = None, code: str | None = None):
        super().__init__(summary)
        self.summary = summary
        self.called, self.got, self.expected, self.likely = called, got, expected, likely
        self.output = output
        self.code = code      # the student's line it is about, as Python shows it (a caret, ...)

    def feedback(self) -> Feedback:
        return Feedback(self.summary, self.called, self.got, self.expected, self.likely,
                        self.code, self.output)


def grader_error(error: str) -> str:
    """The message of a check the grader itself failed on: never the student's doing."""
    return messages.GRADER_ERROR.format(error=error)


def fail(summary: str, **details: str | None) -> NoReturn:
    raise CheckFailed(summary, **details)


def expect(condition: bool, summary: str, **details: str | None) -> None:
    if not condition:
        raise CheckFailed(summary, **details)
