"""nbgrader's autograde, graded from the notebook's code rather than from its kernel.

`nbgrader autograde` runs the student's notebook in a kernel, so the demonstrations and
plots run; but whatever a cell does there can change what a later autograder cell reports
(patch the grader, plant a module, rewrite the cells with an input transformer). This
preprocessor runs after execution and ignores all of that. It takes the code of the
solution cells (found by their nbgrader metadata), writes it as the exercise modules (the
locked imports cell, then each function's cell), grades those in the grader's worker as
`python -m grader` grades files, and writes each autograder cell's points and feedback
into that cell's output, replacing the kernel's. nbgrader then records these points.

Only the solution cells are graded: code a student put anywhere else (a helper in a
demonstration cell, a cell of their own) is not part of the exercise modules, and the
functions must not depend on it. The imports cell is the instructor's (nbgrader restores
locked cells). The course's nbgrader_config.py registers it after Execute.
"""
from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Dict, Unicode

from ..course import exercises
from ..messages import GRADER_CANNOT_RUN, KERNEL_IGNORED, ONLY_SOLUTION_CELLS
from .notebook import OUTSIDE

IMPORTS_CELL = "imports"
# The packages grading needs in nbgrader's own process, by module and by pip name.
PACKAGES = {"torch": "torch", "numpy": "numpy", "sklearn": "scikit-learn", "matplotlib": "matplotlib"}



class GraderCannotRun(RuntimeError):
    """The instructor's environment lacks what grading needs: no score is recorded."""


class GradeFromCode(NbGraderPreprocessor):
    packages = Dict(PACKAGES, help="the modules grading needs, each with its pip name").tag(config=True)
    pins = Dict(help="pip name -> the course's pinned version, for the install command").tag(config=True)
    torch_index = Unicode("https://download.pytorch.org/whl/cpu",
                          help="where the CPU build of torch comes from").tag(config=True)

    def preprocess(self, nb, resources):
        report = self.grade(nb)
        by_exercise = report.by_exercise()
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            ex_id = str(meta.get("grade_id", "")).removeprefix("test_")
            if cell.cell_type == "code" and meta.get("grade") and ex_id in by_exercise:
                cell.outputs = _outputs(ex_id, by_exercise[ex_id], cell)
        return nb, resources

    def grade(self, nb):
        """The Report of `python -m grader` on the solution cells' code."""
        self.require_packages()
        from .submission import grade_files

        sources = _cell_sources(nb)
        with tempfile.TemporaryDirectory(prefix="grader-notebook-") as folder:
            files = {}
            for ex in exercises():
                path = Path(folder) / ex.file
                path.write_text(module_text(sources, ex.functions))
                files[ex.id] = path
            return grade_files(files, "this notebook", shown="this notebook",
                               file_shown_as="this notebook")

    def require_packages(self) -> None:
        for module, name in self.packages.items():
            try:
                found = importlib.util.find_spec(module) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                raise GraderCannotRun(GRADER_CANNOT_RUN.format(
                    package=name, python=sys.executable, command=self.install_command(name)))

    def install_command(self, name: str) -> str:
        pinned = f"{name}=={self.pins[name]}" if name in self.pins else name
        index = f" --extra-index-url {self.torch_index}" if name == "torch" else ""
        return f"{sys.executable} -m pip install{index} {pinned}"


def _cell_sources(nb) -> dict[str, str]:
    """Each solution cell's code, and the imports cell's, by grade_id (the first of a
    duplicated id, as nbgrader's DeduplicateIds keeps)."""
    sources: dict[str, str] = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        wanted = meta.get("solution") or grade_id == IMPORTS_CELL
        if cell.cell_type == "code" and wanted and grade_id not in sources:
            sources[grade_id] = cell.source
    return sources


def module_text(sources: dict[str, str], functions) -> str:
    """An exercise module: the imports cell, then the cells of its functions."""
    parts = [sources.get(IMPORTS_CELL, "")] + [sources[f] for f in functions if f in sources]
    return "\n\n\n".join(p.strip("\n") for p in parts) + "\n"


def _kernel_interfered(cell) -> bool:
    """Whether the kernel's run of the autograder cell returned anything but what the
    cell returns when grading happens outside the kernel (see TimedExecute)."""
    results = [o.get("data", {}).get("text/plain") for o in cell.get("outputs", [])
               if o.output_type in ("execute_result", "error")]
    return results != [repr(OUTSIDE)]


def _outputs(ex_id: str, results, cell) -> list:
    from ..results import points_earned
    from .notebook import RESULTS_MIMETYPE, render, verdicts

    points = points_earned(results)
    text = render(ex_id, results)
    if any(r.cause and r.cause.exception == "NameError" for r in results):
        text += "\n\n" + ONLY_SOLUTION_CELLS
    if _kernel_interfered(cell):
        text += "\n\n" + KERNEL_IGNORED
    return [new_output("stream", name="stdout", text=text + "\n"),
            new_output("display_data", data={RESULTS_MIMETYPE: verdicts(ex_id, results), "text/plain": ""}),
            new_output("execute_result", data={"text/plain": str(points)},
                       execution_count=cell.get("execution_count"))]

