"""The nbgrader course, written by `python -m grader nbgrader OUT` from the same sources as
the exercise files; nothing of it is committed.

The notebook OUT/source/multiclass/multiclass.ipynb follows solutions/lesson.md: its
text becomes markdown cells, its ```python blocks demonstration cells, and three kinds of
directive become the graded parts:

    <!-- imports -->           the imports of the solution files (a locked cell)
    <!-- solution NAME -->     function NAME from its solution file, markers included,
                               so that nbgrader's generate_assignment clears it
    <!-- tests EXERCISE -->    the autograder cell, worth the exercise's points in the
                               manifest: in the student's kernel, grader.platforms.notebook.grade_cell
                               (advice); at autograde, grader.platforms.nbgrader_grades

An exercise the lesson does not mention at all (a new one, say) goes at the end: a heading
with its title, its functions' solution cells and its autograder cell. So adding an exercise
needs no edit here; placing it among the lesson's text is the author's choice.

The notebook is built with nbformat, validated at build time, and written with fixed cell
ids and no outputs or execution counts, so the same sources always give the same bytes.
"""
from __future__ import annotations

import argparse
import ast
import re
import shutil
import sys
from pathlib import Path

from .markers import BEGIN, MarkerError, strip_solutions
from .notebook_format import nbformat, new_code_cell, new_markdown_cell, new_notebook
from ..course import ROOT, exercise, exercises, render
from ..registry import Platform, write_into

ASSIGNMENT = "multiclass"
COURSE_ID = "multiclass-pytorch"
LESSON = Path("solutions") / "lesson.md"
DIRECTIVE = re.compile(r"^<!--\s*(imports|solution|tests)\s*(\S*)\s*-->$")
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def lesson_text(root: Path) -> str:
    """solutions/lesson.md with the lesson's constants put in (it is a string.Template)."""
    return render((root / LESSON).read_text())


def solution_parts(path: Path) -> tuple[list[str], dict[str, str]]:
    """A solution file's import statements, and each function's source by name."""
    text = path.read_text()
    tree = ast.parse(text)
    lines = text.splitlines()
    imports: list[str] = []
    functions: dict[str, str] = {}
    for i, node in enumerate(tree.body):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            segment = ast.get_source_segment(text, node)
            assert segment is not None        # the node was parsed from text
            imports.append(segment)
        elif isinstance(node, ast.FunctionDef):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            last = node.end_lineno            # the last statement; then the indented
            assert last is not None           # ast.parse sets every statement's end
            while last < len(lines) and (not lines[last].strip() or lines[last][0].isspace()):
                last += 1                     # comments after it, "### END SOLUTION" too
            functions[node.name] = "\n".join(lines[first - 1:last]).rstrip()
        elif not (i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            # Anything else would be silently missing from the notebook.
            raise MarkerError(f"{path.name}:{node.lineno}: only imports and functions can "
                              f"go into the notebook")
    return imports, functions


def _nbgrader(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _cell(kind: str, cell_id: str, source: str, metadata: dict | None = None):
    new = new_code_cell if kind == "code" else new_markdown_cell
    return new(source.strip("\n"), id=cell_id, metadata=metadata or {})


# An autograder cell that cannot import the grader says so, and how to fix it.
GRADER_MISSING = ("the checks cannot run: the folder grader/ that came with this notebook "
                  "must be next to it")


def _test_source(ex_id: str, points: int) -> str:
    ex = exercise(ex_id)
    return (f"# Autograder, exercise {ex_id[2:].lstrip('0')} ({points} points): the checks of "
            f"`pytest exercises/test_{ex.file}`.\n"
            f"# It prints what each check found; the number at the end is your score.\n"
            f"try:\n"
            f"    from grader.platforms.notebook import grade_cell\n"
            f"except ImportError as error:\n"
            f'    raise ImportError("{GRADER_MISSING}") from error\n'
            f'grade_cell("{ex_id}", globals())')


class _Lesson:
    """Turns the lesson's lines into cells, one block at a time."""

    def __init__(self, root: Path):
        self.imports: list[str] = []
        self.functions: dict[str, str] = {}
        for ex in exercises():
            imports, functions = solution_parts(root / "solutions" / ex.file)
            self.imports += [i for i in imports if i not in self.imports]
            for name in ex.functions:
                if name not in functions:
                    raise MarkerError(f"solutions/{ex.file} has no function {name}()")
                strip_solutions(functions[name], f"{ex.file}:{name}")   # balanced markers
                if BEGIN not in functions[name]:
                    raise MarkerError(f"solutions/{ex.file}: {name}() has no solution region")
                self.functions[name] = functions[name]
        self.cells: list = []
        self.used: list[str] = []
        self.tested: list[str] = []

    def markdown(self, text: str) -> None:
        if text.strip():
            self.cells.append(_cell("markdown", f"text-{len(self.cells):02d}", text))

    def code(self, text: str) -> None:
        self.cells.append(_cell("code", f"demo-{len(self.cells):02d}", text))

    def directive(self, kind: str, arg: str, where: str) -> None:
        if kind == "imports":
            if any(c["id"] == "imports" for c in self.cells):
                raise MarkerError(f"{where}: the imports come twice")
            self.cells.append(_cell("code", "imports", "\n".join(self.imports),
                                    _nbgrader("imports", locked=True)))
        elif kind == "solution":
            if arg not in self.functions or arg in self.used:
                raise MarkerError(f"{where}: no function {arg!r} to place (unknown or used twice)")
            self.used.append(arg)
            self.cells.append(_cell("code", arg, self.functions[arg],
                                    _nbgrader(arg, solution=True)))
        else:
            if arg in self.tested:
                raise MarkerError(f"{where}: the tests of {arg} come twice")
            missing = [f for f in exercise(arg).functions if f not in self.used]
            if missing:
                raise MarkerError(f"{where}: the tests of {arg} come before its functions {missing}")
            self.tested.append(arg)
            grade_id, points = f"test_{arg}", exercise(arg).points
            self.cells.append(_cell("code", grade_id, _test_source(arg, points),
                                    _nbgrader(grade_id, grade=True, locked=True, points=points)))

    def finish(self) -> list:
        for ex in exercises():      # not mentioned by the lesson: appended, in course order
            if ex.id not in self.tested and not set(ex.functions) & set(self.used):
                self.markdown(f"## {ex.title}")
                for name in ex.functions:
                    self.directive("solution", name, f"{LESSON} (appended {ex.id})")
                self.directive("tests", ex.id, f"{LESSON} (appended {ex.id})")
        unplaced = [f for f in self.functions if f not in self.used]
        untested = [e.id for e in exercises() if e.id not in self.tested]
        if unplaced or untested:
            raise MarkerError(f"{LESSON}: not placed: functions {unplaced}, tests {untested}")
        return self.cells


def notebook(root: Path = ROOT) -> nbformat.NotebookNode:
    lesson = _Lesson(root)
    block: list[str] = []
    fence: list[str] | None = None                # the code block being read, if any
    for number, line in enumerate(lesson_text(root).splitlines(), start=1):
        where = f"{LESSON}:{number}"
        if fence is not None:
            if line.strip() == "```":
                lesson.code("\n".join(fence))
                fence = None
            elif line.startswith("```"):
                raise MarkerError(f"{where}: the ```python block above is never closed")
            else:
                fence.append(line)
        elif line.strip() == "```python":
            lesson.markdown("\n".join(block))
            block, fence = [], []
        elif match := DIRECTIVE.match(line.strip()):
            lesson.markdown("\n".join(block))
            block = []
            lesson.directive(match.group(1), match.group(2), where)
        elif line.startswith("#") and block:      # a heading starts a new text cell
            lesson.markdown("\n".join(block))
            block = [line]
        else:
            block.append(line)
    if fence is not None:
        raise MarkerError(f"{LESSON}: a ```python block is never closed")
    lesson.markdown("\n".join(block))
    nb = new_notebook(cells=lesson.finish(),
                      metadata={"kernelspec": KERNELSPEC, "language_info": {"name": "python"}})
    nbformat.validate(nb)             # raises: a notebook nbgrader cannot read is never written
    return nb


def notebook_text(root: Path = ROOT) -> str:
    # nbformat's own writer and layout (as nbformat.write: a final newline), so that saving
    # in Jupyter changes little.
    return nbformat.writes(notebook(root)) + "\n"


CONFIG = """\
# nbgrader configuration of this course; the assignment is "{assignment}".
# Written by `python -m grader nbgrader OUT` (grader/authoring/nbcourse.py): build the
# course again rather than edit it.
#
# The course needs nothing outside this folder: source/{assignment}/ holds the notebook and
# the course's grader (source/{assignment}/grader/), which generate_assignment releases with
# the notebook for the students' own checks, and which grades here, outside their kernels.
import csv
import sys
from pathlib import Path

from nbgrader.converters import Autograde
from nbgrader.plugins import CsvExportPlugin
from nbgrader.preprocessors import Execute

c = get_config()  # noqa: F821  (nbgrader defines it)

# This course's grader, wherever the folder lies, with no PYTHONPATH.
sys.path.insert(0, str(Path(__file__).resolve().parent / "source" / "{assignment}"))
from grader.platforms.nbgrader_execute import TimedExecute  # noqa: E402
from grader.platforms.nbgrader_grades import GradeFromCode  # noqa: E402

c.CourseDirectory.course_id = "{course_id}"

# Autograde runs each notebook in a kernel, as students run it (the demonstrations and
# plots), and TimedExecute logs a cell that runs long. Then GradeFromCode grades the code
# of the solution cells in the grader's worker, exactly as `python -m grader` grades files,
# and writes each autograder cell's points and feedback over what the kernel left there:
# nothing the student's kernel does reaches the gradebook. When the grader cannot run (a
# package missing here), it stops that submission with the install command: no score is
# recorded, and export leaves it empty.
_steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
_at = _steps.index(Execute)
c.Autograde.autograde_preprocessors = _steps[:_at] + [TimedExecute, GradeFromCode] + _steps[_at + 1:]
c.GradeFromCode.pins = {pins!r}

# A cell still running after this many seconds is stopped (an endless loop in a student's
# function), and the batch goes on with the next cell; the autograder cells run there only
# as the students' advice. TimedExecute says which cell runs, every report_every seconds.
c.Execute.timeout = {timeout}
c.TimedExecute.report_every = {report_every}
# After stopping a cell, nbgrader waits this long for the kernel to report it done, and
# otherwise gives up on the whole submission (nbgrader's default, 4 s, is too short on a
# busy machine).
c.Execute.iopub_timeout = {iopub_timeout}
# Each kernel is killed, with anything it started, once its notebook has run: nothing it
# would do while shutting down counts, and asking it to shut down costs 2-3 s a notebook.
c.Execute.shutdown_kernel = "immediate"


# nbgrader export writes 0 for a cell that was never scored, such as those of a submission
# stopped above. Its score stays empty instead, with a warning naming the student, until
# it is autograded again (or graded by hand).
class ScoresOnlyWhenGraded(CsvExportPlugin):
    def export(self, gradebook):
        super().export(gradebook)
        unscored = {{(a.name, s.student.id) for a in gradebook.assignments for s in a.submissions
                    if any(g.auto_score is None and g.manual_score is None
                           for nb in s.notebooks for g in nb.grades)}}
        path = Path(self.to or "grades.csv")
        with path.open(newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
        for row in rows:
            if (row["assignment"], row["student_id"]) in unscored:
                self.log.warning("%s, %s: not graded (a cell has no score); its score is left "
                                 "empty", row["student_id"], row["assignment"])
                row["raw_score"] = row["score"] = ""
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=reader.fieldnames, lineterminator="\\n")
            writer.writeheader()
            writer.writerows(rows)


c.ExportApp.plugin_class = ScoresOnlyWhenGraded

# The feedback shows the autograded notebook, by default with the hidden tests in it.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
"""

CELL_TIMEOUT = 60          # seconds; the lesson's cells take about one
REPORT_EVERY = 20          # seconds between the log's lines about a cell still running
IOPUB_TIMEOUT = 30         # seconds for a stopped cell's last messages
# The packages grading needs, pinned as the course's constraints.txt pins them, for the
# install command GradeFromCode prints when one is missing.
PINNED = ("torch", "numpy", "scikit-learn", "matplotlib")


def pins(root: Path = ROOT) -> dict[str, str]:
    found = {}
    for line in (root / "constraints.txt").read_text().splitlines():
        name, _, version = line.split("#")[0].strip().partition("==")
        if name.lower() in PINNED:
            found[name.lower()] = version
    return found


def config_text(root: Path = ROOT) -> str:
    return CONFIG.format(assignment=ASSIGNMENT, course_id=COURSE_ID, timeout=CELL_TIMEOUT,
                         iopub_timeout=IOPUB_TIMEOUT, report_every=REPORT_EVERY, pins=pins(root))


def course_files(out: Path, root: Path = ROOT) -> dict[Path, str]:
    """The course directory OUT: the configuration, the notebook, and beside it the grader
    (the one students and graders get everywhere: release.grader_files, no authoring code)."""
    from .release import grader_files

    assignment = out / "source" / ASSIGNMENT
    files = {out / "nbgrader_config.py": config_text(root),
             assignment / f"{ASSIGNMENT}.ipynb": notebook_text(root)}
    for rel, data in grader_files(root).items():
        files[assignment / rel] = data.decode("utf-8")
    return files


def write_course(out: Path, root: Path = ROOT) -> list[Path]:
    """Write the course into OUT: a new or empty folder, or a course this wrote before
    (its gradebook, submissions and feedback are kept; its grader is replaced whole, so
    no module since removed stays)."""
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not (out / "nbgrader_config.py").is_file():
        raise ValueError(f"{out} is neither empty nor an nbgrader course written by this command")
    shutil.rmtree(out / "source" / ASSIGNMENT / "grader", ignore_errors=True)
    files = course_files(out, root)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return sorted(files)


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", help="the course directory")


def run(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    return write_into(p, args.out, write_course, ". Next, in that folder: "
                      f"{sys.executable} -m nbgrader generate_assignment multiclass (docs/nbgrader.md).")


PLATFORM = Platform(
    name="nbgrader", summary="python -m grader nbgrader OUT",
    description="Write the nbgrader course into OUT: nbgrader_config.py and source/multiclass/ (the "
                "notebook and the grader that grades it). OUT may be new, empty, or a course written "
                "by this command before (its gradebook and submissions are kept).",
    arguments=arguments, run=run)
