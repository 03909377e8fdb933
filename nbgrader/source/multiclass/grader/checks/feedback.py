"""A failed check, told the way a tutor would: what was called, what came back, what was
expected, and the likely mistake."""
from __future__ import annotations

from typing import NoReturn


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

    def render(self) -> str:
        lines = [self.summary]
        if self.code:
            lines.extend("    " + line for line in self.code.rstrip("\n").splitlines())
        for label, value in (("called", self.called), ("got", self.got),
                             ("expected", self.expected), ("likely", self.likely)):
            if value:
                lines.append(f"  {label + ':':<10}{value}")
        if self.output:
            lines.append("  your code printed:")
            lines.extend("    " + line for line in self.output.rstrip("\n").splitlines())
        return "\n".join(lines)


def fail(summary: str, **details: str | None) -> NoReturn:
    raise CheckFailed(summary, **details)


def expect(condition: bool, summary: str, **details: str | None) -> None:
    if not condition:
        raise CheckFailed(summary, **details)
