"""Where an endless loop is. The time limit looks at the stack a few times just before it
stops the code (limits.time_limit); the frame of the student's code that is in every one
of those looks is the one that kept running, and the innermost `for` or `while` of its
function that holds every line it was seen at is the loop. Its header is the line to show:
a single look would land on whatever line happened to be running (a different one in every
tool), often in a function the loop calls."""
from __future__ import annotations

import ast
import linecache
from collections.abc import Callable
from types import FrameType

# One look at the stack: (frame, the line it was at then), innermost first.
Look = list[tuple[FrameType, int]]

LOOKS = 5            # looks at the stack before the code is stopped
LOOK_EVERY = 0.05    # seconds between them, at most (a tenth of a short limit otherwise)


def look(frame: FrameType | None) -> Look:
    stack = []
    while frame is not None:
        stack.append((frame, frame.f_lineno))
        frame = frame.f_back
    return stack


def looping_frame(looks: list[Look], is_student: Callable[[str], bool]) -> tuple[FrameType, list[int]] | None:
    """The innermost frame of the student's code in every look, with its line in each; the
    innermost student frame of the last look when no frame is in all of them."""
    if not looks:
        return None
    mine = [[(f, line) for f, line in stack if is_student(f.f_code.co_filename)] for stack in looks]
    for frame, _ in mine[-1]:
        lines = [next((line for f, line in stack if f is frame), None) for stack in mine]
        found = [line for line in lines if line is not None]
        if len(found) == len(lines):
            return frame, found
    return (mine[-1][0][0], [mine[-1][0][1]]) if mine[-1] else None


def _enclosing_loop(tree: ast.AST, lines: list[int]) -> ast.For | ast.AsyncFor | ast.While | None:
    """The innermost for/while that holds every line, inside the innermost function (or
    class, or the module) that holds them: a loop around a nested def is not its loop."""
    low, high = min(lines), max(lines)
    found: ast.For | ast.AsyncFor | ast.While | None = None
    node = tree
    while True:
        inner = next((child for child in ast.iter_child_nodes(node)
                      if isinstance(child, (ast.stmt, ast.excepthandler))
                      and child.lineno <= low
                      and (child.end_lineno or child.lineno) >= high), None)
        if inner is None:
            return found
        if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found = None
        elif isinstance(inner, (ast.For, ast.AsyncFor, ast.While)):
            found = inner
        node = inner


def loop_header(filename: str, lines: list[int]) -> int | None:
    """The line of the loop header that holds all these lines of a file, or None."""
    source = "".join(linecache.getlines(filename))
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    loop = _enclosing_loop(tree, lines)
    return loop.lineno if loop is not None else None
