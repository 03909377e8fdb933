"""The marimo lesson (marimo/lesson.py), written from the same sources as the nbgrader
notebook: the text and demonstration code of solutions/lesson.md, and the course manifest.

The student's functions are not in it. They stay in the exercise files, and the notebook
loads them from there (grader.platforms.marimo_cell), so the file the student edits is the
file that `pytest exercises`, the watch mode and every platform grade. The directives of
the lesson become:

    <!-- imports -->           the imports of the solution files, for the demonstrations
    <!-- solution NAME -->     the function's signature and docstring, read from the
                               student's file; before an exercise's first one, the cell
                               that loads its functions
    <!-- tests EXERCISE -->    the cell that grades it (the worker, as `python -m grader`)
                               and the cell that shows the verdicts

Where the lesson relies on Jupyter's ways (text about running cells, a name given a second
value, the experiments at the end), the marimo version differs: see NOTEBOOK_TEXT, RENAMES
and CONTROLS in grader/authoring/marimo_cells.py. Each is matched against the lesson, and
the build fails when the lesson no longer has what they replace.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..course import ROOT, exercise, exercises
from . import marimo_cells as fixed
from .lesson import Part, parts
from .markers import MarkerError
from .nbcourse import LESSON

NOTEBOOK = Path("marimo") / "lesson.py"


@dataclass
class Cell:
    code: str
    hidden: bool = False
    markdown: bool = False
    defs: set[str] = field(default_factory=set)
    refs: set[str] = field(default_factory=set)


def _marimo_version(root: Path) -> str:
    found = re.search(r"^marimo==(\S+)$", (root / "constraints.txt").read_text(), re.M)
    if not found:
        raise MarkerError("constraints.txt does not pin marimo")
    return found.group(1)


# -- text -----------------------------------------------------------------------------------
def _text(part: Part, unused: dict[str, Callable[[], str]]) -> str:
    """The lesson's text, its paragraphs about Jupyter's ways replaced by marimo's."""
    paragraphs = part.text.split("\n\n")
    for i, paragraph in enumerate(paragraphs):
        for start, replacement in fixed.NOTEBOOK_TEXT.items():
            if paragraph.startswith(start):
                unused.pop(start, None)
                paragraphs[i] = replacement()
    return "\n\n".join(p for p in paragraphs if p)


def _markdown_cell(text: str, where: str) -> Cell:
    if '"""' in text or text.endswith("\\"):
        raise MarkerError(f"{where}: the text cannot go into a marimo markdown cell as it is")
    return Cell(f'mo.md(r"""\n{text}\n""")', hidden=True, markdown=True)


# -- code -----------------------------------------------------------------------------------
def _demo(code: str, where: str) -> list[Cell]:
    """A demonstration block as marimo cells. A block the lesson ends with `plot(...);`
    (Jupyter shows the figure and hides the Axes' repr) ends with the plot itself here: a
    marimo cell shows its last expression, and nothing else."""
    if code in fixed.CONTROLS:
        return [Cell(c) for c in fixed.CONTROLS[code]]
    lines = code.rstrip().splitlines()
    if lines and lines[-1].rstrip().endswith(";"):
        lines[-1] = lines[-1].rstrip()[:-1].rstrip()
    try:
        ast.parse("\n".join(lines))
    except SyntaxError as exc:
        raise MarkerError(f"{where}: the code block does not parse: {exc}") from None
    return [Cell("\n".join(lines))]


def _scoped(tree: ast.AST):
    """The nodes of a cell's own scope (not inside its functions, classes, lambdas or
    comprehensions), and everything read anywhere in it."""
    stack, own = [tree], []
    while stack:
        node = stack.pop()
        own.append(node)
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                      ast.Lambda, ast.comprehension)):
                stack.append(child)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                own.append(child)               # its name is defined here
    return own


def _defs(code: str) -> set[str]:
    names = set()
    for node in _scoped(ast.parse(code)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return {n for n in names if not n.startswith("_")}


def _reads(code: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)}


def _rename(code: str, old: str, new: str, until_redefined: bool) -> str:
    """code with the name old read or written as new. until_redefined: only up to the
    statement that gives old its new value (its right-hand side included)."""
    tree = ast.parse(code)
    spots = []
    for statement in tree.body:
        stores = [n for n in ast.walk(statement) if isinstance(n, ast.Name) and n.id == old
                  and isinstance(n.ctx, ast.Store)]
        if until_redefined and stores:
            spots += [n for n in ast.walk(getattr(statement, "value", statement))
                      if isinstance(n, ast.Name) and n.id == old and isinstance(n.ctx, ast.Load)]
            break
        spots += [n for n in ast.walk(statement) if isinstance(n, ast.Name) and n.id == old]
    lines = code.splitlines()
    for node in sorted(spots, key=lambda n: (n.lineno, n.col_offset), reverse=True):
        raw = lines[node.lineno - 1].encode()      # ast's columns count UTF-8 bytes
        line = (raw[:node.col_offset] + new.encode() + raw[node.end_col_offset:]).decode()
        longer = len(new) - len(old)
        if longer > 0:   # a comment lined up with others stays put, where the spaces allow
            keep = lambda m, longer=longer: m.group(0)[longer:]  # type: ignore[misc]  # mypy infers no lambda with a default
            line = re.sub(r" {%d,}#" % (longer + 2), keep, line, count=1)
        lines[node.lineno - 1] = line
    return "\n".join(lines)


def _one_definition_each(cells: list[Cell]) -> None:
    """marimo lets one cell define a name. Where the lesson gives a name a second value,
    its first value takes the name in RENAMES, from its cell to the one that redefines it."""
    code_cells = [c for c in cells if not c.markdown]
    for old, new in fixed.RENAMES.items():
        defining = [i for i, c in enumerate(code_cells) if old in _defs(c.code)]
        if len(defining) != 2:
            raise MarkerError(f"marimo lesson: RENAMES has {old!r}, which the lesson does not "
                              f"define twice (in {len(defining)} blocks)")
        first, second = defining
        for cell in code_cells[first:second]:
            cell.code = _rename(cell.code, old, new, until_redefined=False)
        code_cells[second].code = _rename(code_cells[second].code, old, new, until_redefined=True)


def _link(cells: list[Cell]) -> None:
    """Each code cell's definitions, and the names it reads from other cells."""
    code_cells = [c for c in cells if not c.markdown]
    owner: dict[str, int] = {}
    for i, cell in enumerate(code_cells):
        cell.defs = _defs(cell.code)
        for name in cell.defs:
            if name in owner:
                raise MarkerError(f"marimo lesson: {name!r} is defined by two cells; "
                                  f"add it to RENAMES in grader/authoring/marimo_cells.py")
            owner[name] = i
    for i, cell in enumerate(code_cells):
        cell.refs = {n for n in _reads(cell.code) if owner.get(n, i) != i}


# -- the notebook ---------------------------------------------------------------------------
def cells(root: Path = ROOT) -> list[Cell]:
    found: list[Cell] = []
    unused_text = dict(fixed.NOTEBOOK_TEXT)
    unused_controls = set(fixed.CONTROLS)
    placed: set[str] = set()
    for part in parts(root):
        if part.kind == "markdown":
            text = _text(part, unused_text)
            if text.strip():
                found.append(_markdown_cell(text, part.where))
        elif part.kind == "code":
            unused_controls.discard(part.text)
            found += _demo(part.text, part.where)
        elif part.kind == "imports":
            found.append(Cell(fixed.imports(root)))
        elif part.kind == "solution":
            ex = next((e for e in exercises() if part.text in e.functions), None)
            if ex is None or part.text in placed:
                raise MarkerError(f"{part.where}: no function {part.text!r} to place "
                                  f"(unknown or placed twice)")
            if ex.id not in {exercise_of(p) for p in placed}:
                found.append(Cell(fixed.load(ex), hidden=True))
            placed.add(part.text)
            found.append(Cell(fixed.describe(ex, part.text), hidden=True))
        else:
            ex = exercise(part.text)
            missing = [f for f in ex.functions if f not in placed]
            if missing:
                raise MarkerError(f"{part.where}: the tests of {ex.id} come before its "
                                  f"functions {missing}")
            found += [Cell(fixed.grade(ex), hidden=True), Cell(fixed.verdict(ex), hidden=True)]
    if unused_text or unused_controls:
        raise MarkerError(f"marimo lesson: the lesson no longer has what it replaces: "
                          f"{sorted(unused_text) + sorted(unused_controls)}")
    tested = {p.text for p in parts(root) if p.kind == "tests"}
    for ex in exercises():      # not mentioned by the lesson (a new exercise): appended, as
        if ex.id not in tested and not set(ex.functions) & placed:      # in the nbgrader notebook
            found.append(_markdown_cell(f"## {ex.title}", f"{LESSON} (appended {ex.id})"))
            found.append(Cell(fixed.load(ex), hidden=True))
            for name in ex.functions:
                placed.add(name)
                found.append(Cell(fixed.describe(ex, name), hidden=True))
            found += [Cell(fixed.grade(ex), hidden=True), Cell(fixed.verdict(ex), hidden=True)]
    unplaced = [f for e in exercises() for f in e.functions if f not in placed]
    if unplaced:
        raise MarkerError(f"solutions/lesson.md: not placed: functions {unplaced}")
    found += [Cell(code, hidden=True) for code in fixed.machinery()]
    _one_definition_each(found)
    for cell in found:
        if not cell.hidden:
            cell.code = _printing_under_the_cell(cell.code)
    _link(found)
    return found


# Calls whose printed lines the lesson means the student to read.
PRINTERS = {"print", "train"}


def _printing_under_the_cell(code: str) -> str:
    """code whose printed lines are the cell's output. marimo shows what a cell prints in
    its console, which `marimo run` hides; mo.redirect_stdout() would show them in both
    modes, but sends the whole output again at each write (a print is two), which the
    browser lays out again each time (train's progress lines: 0.7 s of Chromium's CPU on
    each step of a slider). So the lines are captured and shown in one piece once the cell
    has run, above what its last expression shows (which alone would replace them)."""
    tree = ast.parse(code)
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    if not calls & PRINTERS:
        return code
    lines = code.splitlines()
    last = tree.body[-1]
    printed = "show_printed(_printed)"
    if isinstance(last, ast.Expr) and not (
            isinstance(last.value, ast.Call) and getattr(last.value.func, "id", None) in PRINTERS):
        lines[last.lineno - 1] = "_shown = " + lines[last.lineno - 1]
        printed = "show_printed(_printed, _shown)"
    wrapped = ["with mo.capture_stdout() as _printed:  # printed lines show under the cell"]
    return "\n".join(wrapped + [("    " + line) if line.strip() else "" for line in lines] + [printed])


def exercise_of(function: str) -> str:
    return next(e.id for e in exercises() if function in e.functions)


def _tuple(code: str, elements: list[str], indent: bool = False, naked: bool = False) -> str:
    """code with "(...)" replaced by the elements, laid out as marimo lays them out: on one
    line if it fits in 80 columns, else one per line (marimo's codegen.format_tuple_elements)."""
    pad = (lambda text: "\n".join("    " + line for line in text.splitlines())) if indent else str
    if not elements:
        return pad(code.replace("(...)", "" if naked else "()").rstrip())
    if naked and len(elements) == 1:
        naked, elements = False, [elements[0] + ","]
    joined = ", ".join(elements)
    attempt = pad(code.replace("(...)", joined if naked else f"({joined})").rstrip())
    if len(attempt) < 80:
        return attempt
    elements = [e.strip(",") for e in elements] if len(elements) == 1 else elements
    inner = "\n".join("    " + line for line in ",\n".join(elements).splitlines())
    return pad(code.replace("(...)", f"(\n{inner},\n)"))


def _cell_text(cell: Cell, used: set[str]) -> str:
    decorator = "@app.cell(hide_code=True)" if cell.hidden else "@app.cell"
    body = "\n".join(("    " + line) if line.strip() else "" for line in cell.code.splitlines())
    last = ast.parse(cell.code).body[-1]
    # marimo (like ruff) leaves a blank line after a last import, function or class.
    gap = isinstance(last, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)) \
        and last.end_lineno == len(cell.code.rstrip().splitlines())
    returns = _tuple("return (...)", sorted(cell.defs & used), indent=True, naked=True)
    return "\n".join([decorator, _tuple("def _(...):", sorted(cell.refs)), body]
                     + ([""] if gap else []) + [returns]) + "\n"


def notebook_text(root: Path = ROOT) -> str:
    app = _tuple("app = marimo.App(...)", ['width="medium"', f'app_title="{fixed.title(root)}"',
                                           'css_file="lesson.css"'])
    head = fixed.HEADER.format(version=_marimo_version(root), app=app, setup=fixed.SETUP)
    found = cells(root)
    used = set().union(*(c.refs for c in found))
    return head + "\n\n".join(_cell_text(c, used) for c in found) + fixed.FOOTER


def lesson_files(root: Path = ROOT) -> dict[Path, str]:
    return {root / NOTEBOOK: notebook_text(root)}
