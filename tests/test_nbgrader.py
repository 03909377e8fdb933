"""The nbgrader course, run through real nbgrader, offline, in a temporary copy:
generate_assignment, autograde, generate_feedback and export, as an instructor runs them.
Each submission's scores must equal `python -m grader`'s on the same code.

Select it alone with `pytest -m nbgrader`; it runs in the default run too.
"""
from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.course import ROOT, exercises, total_points

from .conftest import SOLUTIONS

pytestmark = pytest.mark.nbgrader
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbgrader")

ASSIGNMENT = "multiclass"
HIDDEN = "HIDDEN-SENTINEL-7f3a"          # planted in a hidden region; never in feedback
AUTOGRADE_LIMIT_S = 60                   # per submission; it takes about 10 s

# Typical mistakes: (function, text in its solution, replacement, words the feedback must show)
MISTAKES = {
    "softmax_dim0": ("predict_proba", "torch.softmax(logits, dim=1)", "torch.softmax(logits, dim=0)",
                     "softmax ran over dim=0"),
    "float_labels": ("make_dataset", "torch.from_numpy(y).type(torch.long)",
                     "torch.from_numpy(y).type(torch.float32)", "y is float32; CrossEntropyLoss needs int64"),
}


def functions(nb) -> dict[str, dict]:
    return {c.metadata.nbgrader["grade_id"]: c for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


class Course:
    """A temporary copy of nbgrader/, with its own Jupyter directories and kernel."""

    def __init__(self, root: Path):
        # The course beside the grader, as in the repository: nbgrader_config.py must put
        # it on the kernels' path by itself.
        self.root = root / "nbgrader"
        shutil.copytree(ROOT / "nbgrader", self.root)
        (root / "grader").symlink_to(ROOT / "grader", target_is_directory=True)
        jupyter = root / "jupyter"
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("JUPYTER", "MPL", "PYTHONPATH"))}
        self.env.update(
            JUPYTER_CONFIG_DIR=str(jupyter / "config"),      # no user configuration
            JUPYTER_DATA_DIR=str(jupyter / "data"),          # the kernel installed below
            JUPYTER_RUNTIME_DIR=str(jupyter / "runtime"),
            JUPYTER_PREFER_ENV_PATH="0",
            MPLCONFIGDIR=str(root / "mpl"),
            # nbgrader runs the `alembic` script beside this Python, as in an activated venv
            PATH=os.pathsep.join([str(Path(sys.executable).parent), self.env.get("PATH", "")]),
        )
        # The kernel runs this Python, whatever other kernels the machine has.
        self.run([sys.executable, "-m", "ipykernel", "install", "--user", "--name", "python3"])
        self.timings: dict[str, float] = {}

    def run(self, args: list[str]) -> subprocess.CompletedProcess:
        proc = subprocess.run(args, cwd=self.root, env=self.env, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, f"{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        return proc

    def nbgrader(self, *args: str) -> subprocess.CompletedProcess:
        return self.run([sys.executable, "-m", "nbgrader", *args])

    def path(self, step: str, student: str | None = None) -> Path:
        parts = [step] + ([student] if student else []) + [ASSIGNMENT, f"{ASSIGNMENT}.ipynb"]
        return self.root.joinpath(*parts)

    def submit(self, student: str, nb) -> None:
        path = self.path("submitted", student)
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)

    def autograde(self, student: str) -> None:
        start = time.perf_counter()
        self.nbgrader("autograde", ASSIGNMENT, "--student", student)
        self.timings[student] = time.perf_counter() - start

    def cell_scores(self, student: str) -> dict[str, float]:
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            return {ex.id: gb.find_grade(f"test_{ex.id}", ASSIGNMENT, ASSIGNMENT, student).score
                    for ex in exercises()}


def plant_hidden_test(course: Course) -> None:
    """A hidden region in a test cell of the course copy, to prove the feedback drops it."""
    path = course.path("source")
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == "test_ex01")
    cell.source = f"### BEGIN HIDDEN TESTS\n_hidden = '{HIDDEN}'\n### END HIDDEN TESTS\n" + cell.source
    nbformat.write(nb, path)


def filled_in(release, source):
    """The release notebook with every solution cell holding the reference solution."""
    nb = copy.deepcopy(release)
    reference = functions(source)
    for name, cell in functions(nb).items():
        cell.source = reference[name].source
    return nb


def with_mistake(nb, mistake: str):
    function, old, new, _ = MISTAKES[mistake]
    nb = copy.deepcopy(nb)
    cell = functions(nb)[function]
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    return nb


def local_grade(nb, directory: Path) -> dict:
    """`python -m grader --format json` on the submission's functions, written into the
    exercise files (the solution file's docstring and imports, then the cells)."""
    directory.mkdir()
    cells = functions(nb)
    for ex in exercises():
        text = (SOLUTIONS / ex.file).read_text()
        header = text[:text.index("\ndef ")]
        body = "\n\n\n".join(cells[name].source for name in ex.functions)
        (directory / ex.file).write_text(f"{header}\n\n{body}\n")
    out = directory / "report.json"
    proc = subprocess.run([sys.executable, "-m", "grader", "--target", str(directory),
                           "--format", "json", "--output", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1) and out.exists(), proc.stderr[-3000:]
    report = json.loads(out.read_text())
    per_exercise = {ex.id: 0 for ex in exercises()}
    for check in report["checks"]:
        per_exercise[check["exercise"]] += check["points"]
    return {"total": report["score"], **per_exercise}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("nbgrader")
    course = Course(root)
    plant_hidden_test(course)
    course.nbgrader("generate_assignment", ASSIGNMENT)
    release = nbformat.read(course.path("release"), as_version=4)
    full = filled_in(release, nbformat.read(course.path("source"), as_version=4))
    course.submissions = {"full": full, "untouched": release,
                          **{m: with_mistake(full, m) for m in MISTAKES}}
    for student, nb in course.submissions.items():
        course.submit(student, nb)
        course.autograde(student)
    course.nbgrader("generate_feedback", ASSIGNMENT)
    course.nbgrader("export")
    with open(course.root / "grades.csv", newline="") as f:
        course.grades = {row["student_id"]: row for row in csv.DictReader(f)}
    course.local = {s: local_grade(nb, root / f"local-{s}") for s, nb in course.submissions.items()}
    yield course
    print(f"\n(nbgrader course kept at {course.root})")


def test_the_release_notebook_holds_no_solution_code(course):
    release = course.path("release").read_text()
    assert "BEGIN SOLUTION" not in release and HIDDEN not in release
    nb = nbformat.read(course.path("release"), as_version=4)
    for name, cell in functions(nb).items():
        assert "raise NotImplementedError()" in cell.source, name
    solution_lines = set()
    for ex in exercises():
        inside = False
        for line in (SOLUTIONS / ex.file).read_text().splitlines():
            if "### END SOLUTION" in line:
                inside = False
            elif inside and len(line.strip()) > 12:
                solution_lines.add(line.strip())
            elif "### BEGIN SOLUTION" in line:
                inside = True
    release_lines = {line.strip() for cell in nb.cells for line in cell.source.splitlines()}
    assert not solution_lines & release_lines


def test_scores_full_untouched_and_partial(course):
    scores = {s: float(row["score"]) for s, row in course.grades.items()}
    assert scores["full"] == total_points()
    assert scores["untouched"] == 0.0
    for mistake in MISTAKES:
        assert 0 < scores[mistake] < total_points(), mistake
    assert {float(row["max_score"]) for row in course.grades.values()} == {total_points()}


def test_nbgrader_scores_equal_the_local_graders(course):
    print("\nsubmission: nbgrader (grades.csv; per test cell) | python -m grader (total; per exercise)")
    for student in course.submissions:
        nbgrader_scores = course.cell_scores(student)
        local = course.local[student]
        print(f"  {student:<12} {course.grades[student]['score']:>5} {nbgrader_scores} | "
              f"{local['total']:>3} {[local[ex.id] for ex in exercises()]}")
        assert {ex: int(points) for ex, points in nbgrader_scores.items()} == \
               {ex.id: local[ex.id] for ex in exercises()}, student
        assert float(course.grades[student]["score"]) == local["total"], student


def test_feedback_names_the_mistake_and_hides_the_hidden_tests(course):
    for mistake, (_, _, _, words) in MISTAKES.items():
        html = (course.root / "feedback" / mistake / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert words in html.replace("&quot;", '"').replace("&#39;", "'"), mistake
    for student in course.submissions:
        html = (course.root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert HIDDEN not in html, student
    # A stub left in a cell is "not implemented yet", as in an exercise file.
    untouched = (course.root / "feedback" / "untouched" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "make_dataset() is not implemented yet" in untouched and "train() is not implemented yet" in untouched
    assert "raised NotImplementedError" not in untouched
    # ... while the autograded notebook did run them.
    assert HIDDEN in course.path("autograded", "full").read_text()


def test_test_cells_write_nothing_to_stderr(course):
    for student in course.submissions:
        nb = nbformat.read(course.path("autograded", student), as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade"):
                assert not [o for o in cell.outputs if o.get("name") == "stderr"
                            or o.output_type == "error"], (student, cell.id)


def test_autograde_time_per_submission(course):
    print("\nautograde seconds per submission:",
          {s: round(t, 1) for s, t in course.timings.items()})
    assert max(course.timings.values()) < AUTOGRADE_LIMIT_S
