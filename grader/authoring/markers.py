"""nbgrader's solution markers. A solution region (### BEGIN SOLUTION ... ### END SOLUTION)
becomes nbgrader's code stub, "# YOUR CODE HERE" then "raise NotImplementedError()", at the
indentation of the BEGIN line; every other line is kept. This is what nbgrader's
ClearSolutions does to a cell."""
from __future__ import annotations

import re

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


class MarkerError(ValueError):
    pass


def strip_solutions(source: str, name: str = "<source>") -> str:
    out: list[str] = []
    begun_at = None
    for number, line in enumerate(source.split("\n"), start=1):
        if BEGIN in line:
            if begun_at is not None:
                raise MarkerError(f"{name}:{number}: nested {BEGIN} (the one at line {begun_at} is open)")
            begun_at = number
            indent = re.match(r"\s*", line).group(0)  # type: ignore[union-attr]  # \s* matches any line
            out.extend(indent + stub for stub in STUB)
        elif END in line:
            if begun_at is None:
                raise MarkerError(f"{name}:{number}: {END} without {BEGIN}")
            begun_at = None
        elif begun_at is None:
            out.append(line)
    if begun_at is not None:
        raise MarkerError(f"{name}:{begun_at}: {BEGIN} is never closed")
    return "\n".join(out)


