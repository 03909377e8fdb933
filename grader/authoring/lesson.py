"""solutions/lesson.md read as a sequence of parts, for the notebook writers.

The lesson is Markdown with ```python blocks (demonstration code) and directive lines
(grader.authoring.nbcourse.DIRECTIVE: where the imports, each student function and each
exercise's checks go). A heading starts a new text part, as it starts a new cell.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .markers import MarkerError
from .nbcourse import DIRECTIVE, LESSON, lesson_text


@dataclass(frozen=True)
class Part:
    kind: str          # "markdown", "code", or a directive: "imports", "solution", "tests"
    text: str          # the Markdown or the code; a directive's argument
    where: str         # "solutions/lesson.md:LINE", for error messages


def parts(root: Path) -> list[Part]:
    found: list[Part] = []
    block: list[str] = []
    block_start = 1
    fence: list[str] | None = None              # the code block being read, if any
    fence_start = 0

    def text_part() -> None:
        if "\n".join(block).strip():
            found.append(Part("markdown", "\n".join(block).strip("\n"), f"{LESSON}:{block_start}"))

    for number, line in enumerate(lesson_text(root).splitlines(), start=1):
        where = f"{LESSON}:{number}"
        if fence is not None:
            if line.strip() == "```":
                found.append(Part("code", "\n".join(fence), f"{LESSON}:{fence_start}"))
                fence = None
                block, block_start = [], number + 1
            elif line.startswith("```"):
                raise MarkerError(f"{where}: the ```python block above is never closed")
            else:
                fence.append(line)
        elif line.strip() == "```python":
            text_part()
            fence, fence_start = [], number
        elif match := DIRECTIVE.match(line.strip()):
            text_part()
            found.append(Part(match.group(1), match.group(2), where))
            block, block_start = [], number + 1
        elif line.startswith("#") and "\n".join(block).strip():
            text_part()
            block, block_start = [line], number
        else:
            block.append(line)
    if fence is not None:
        raise MarkerError(f"{LESSON}: a ```python block is never closed")
    text_part()
    return found
