"""`--format json`: the report as JSON (report.to_json), for scripts."""
from __future__ import annotations

from ..registry import Platform


def render(report, seconds: float) -> str:
    from .report import to_json
    return to_json(report)


PLATFORM = Platform(name="json", render=render)
