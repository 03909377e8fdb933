"""`--format text` (the default): the report a terminal shows (report.to_text)."""
from __future__ import annotations

from ..registry import Platform


def render(report, seconds: float) -> str:
    from .report import to_text
    return to_text(report)


PLATFORM = Platform(name="text", render=render)
