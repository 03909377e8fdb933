"""The generated parts of the READMEs, written from the manifest between marker comments:

    <!-- exercises:begin -->
    | exercise | you write | you learn |
    ...
    <!-- exercises:end -->

README.md and the student template's README have the table of exercises; README.md also
has an example of the score table that grading prints. The text around the markers is the
author's and is kept as it is.
"""
from __future__ import annotations

from pathlib import Path

from ..course import ROOT, exercises
from .markers import MarkerError

README = Path("README.md")
STUDENT_README = Path("grader") / "authoring" / "templates" / "student_README.md"


def exercise_table() -> str:
    rows = ["| exercise | you write | you learn |", "|---|---|---|"]
    for ex in exercises():
        functions = ", ".join(f"`{name}`" for name in ex.functions)
        rows.append(f"| `{ex.file}` | {functions} | {ex.learn} |")
    return "\n".join(rows)


def score_example() -> str:
    """The score table of a student who finished the first exercise and half of the
    second, as grading prints it."""
    from ..checks.registry import all_checks
    from ..platforms.report import score_table
    from ..runner import Result

    course = exercises()
    first, second = course[0], course[1] if len(course) > 1 else None
    results, earned = [], 0
    for check in all_checks():
        passed = check.exercise == first.id
        if second and check.exercise == second.id and earned + check.points <= second.points // 2:
            passed, earned = True, earned + check.points
        results.append(Result(check, passed, ""))
    return "```\n" + score_table(results) + "\n```"


def fill(text: str, name: str, content: str, where: Path) -> str:
    """text with the region between the markers of `name` replaced by content."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        raise MarkerError(f"{where}: needs one {begin} ... {end} region")
    head, rest = text.split(begin)
    tail = rest.split(end)[1]
    return f"{head}{begin}\n{content}\n{end}{tail}"


def readme_files(root: Path = ROOT) -> dict[Path, str]:
    table = exercise_table()
    readme = fill((root / README).read_text(), "exercises", table, README)
    readme = fill(readme, "score-example", score_example(), README)
    student = fill((root / STUDENT_README).read_text(), "exercises", table, STUDENT_README)
    return {root / README: readme, root / STUDENT_README: student}
