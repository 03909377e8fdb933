"""Classroom 50's release-body.md: what the student reads on the submission's Release."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...course import DEFAULT_SEED
from ..report import to_markdown

if TYPE_CHECKING:                 # the runner imports torch: a broken set-up fails before it
    from ...runner import Report

# GitHub refuses a release body over 125,000 characters; the runner may append a note.
BODY_LIMIT = 100_000
TITLE = "Multi-class classification with PyTorch"


def release_body(report: Report, seed: int, limit: int = BODY_LIMIT) -> str:
    """The score table, the report's notes (links refused) and every failing check's
    message (platforms.report.to_markdown), cut to `limit` characters with a note that
    says so."""
    body = to_markdown(report, f"{TITLE}: {report.score}/{report.max_score}", only_failed=True)
    failed = sum(not r.passed for r in report.results)
    body += (f"\n{failed} of {len(report.results)} checks failed: their messages are above.\n" if failed
             else f"\nAll {len(report.results)} checks passed.\n")
    if seed != DEFAULT_SEED:
        body += ("\nGraded with your instructor's own cases. `python3 course.py grade` on your machine "
                 "uses other ones; a correct solution passes both.\n")
    if len(body) <= limit:
        return body
    note = ("\n\n*The rest of the feedback is cut here (a release body has a size limit): "
            "`python3 course.py grade` in your repository prints all of it.*\n")
    kept = body[: body.rfind("\n", 0, limit - len(note) - 10) + 1]
    left_open = open_fence(kept)
    if left_open:                      # close a code block left open by the cut
        kept += f"  {left_open}\n"
    return kept + note


FENCE = re.compile(r"\s*(`{3,})(\S*)\s*")


def open_fence(markdown: str) -> str | None:
    """The fence of a code block `markdown` leaves open (a fence is longer than any
    backtick run in its block: untrusted.fence), or None."""
    opened = None
    for line in markdown.splitlines():
        found = FENCE.fullmatch(line)
        if not found:
            continue
        if opened is None:
            opened = found.group(1)
        elif not found.group(2) and len(found.group(1)) >= len(opened):
            opened = None
    return opened
