"""The nbgrader course, through real nbgrader, as an instructor and students use it: in a
copy of nbgrader/ outside the repository, with PYTHONPATH unset, through a local exchange.

    nbgrader validate source/...           the solved notebook passes
    nbgrader generate_assignment
    nbgrader validate --invert release/...  the handed-out notebook passes no test
    nbgrader release_assignment / fetch_assignment / submit / collect
    nbgrader autograde / generate_feedback / export

Each student's grades must equal `python -m grader` on the same functions. Select it alone
with `pytest -m nbgrader`; it runs in the default run too. nbgrader is slow (seconds to
start, several more per notebook run), so the cycle runs once, for three students, and
the tests read what it left.
"""
from __future__ import annotations

import csv
import importlib.util
import json
import os
import py_compile
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.checks.registry import all_checks
from grader.course import ROOT, exercises, total_points
from grader.authoring.nbcourse import ASSIGNMENT, COURSE_ID, GRADER_MISSING, UNAVAILABLE
from grader.authoring.release import grader_files

from .conftest import SOLUTIONS
from .release_tools import solution_leaks

pytestmark = pytest.mark.nbgrader
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbgrader")

HIDDEN = "HIDDEN-SENTINEL-7f3a"          # planted in a hidden region; never in feedback
POINTS = {ex.id: sum(c.points for c in all_checks(ex.id)) for ex in exercises()}
CONFIG_BROKEN = "Exception while loading config"     # nbgrader logs it and carries on

# The typical mistake: (function, text in its solution, replacement, words the feedback shows)
MISTAKE = ("make_dataset", "torch.from_numpy(y).type(torch.long)", "torch.from_numpy(y).type(torch.float32)",
           "y is float32; CrossEntropyLoss needs int64")
# ... made by a student who also edited their copy of the grader to give every point.
TAMPERED = ("grader/platforms/notebook.py", "return sum(r.points for r in results)",
            "return sum(r.check.points for r in results)")


def solution_cells(nb) -> dict[str, dict]:
    return {c.metadata.nbgrader["grade_id"]: c for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def grade_cells(nb) -> dict[str, dict]:
    return {c.metadata.nbgrader["grade_id"]: c for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")}


def clean_env(root: Path) -> dict[str, str]:
    """The environment of an instructor's shell: no PYTHONPATH, Jupyter's directories of
    its own (the kernel below, no user configuration), this Python's scripts on PATH
    (nbgrader runs `alembic` from there, as in an activated virtual environment)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "MPL", "PYTHONPATH", "PYTHONHOME", "GITHUB_STEP_SUMMARY"))}
    jupyter = root / "jupyter"
    env.update(JUPYTER_CONFIG_DIR=str(jupyter / "config"), JUPYTER_DATA_DIR=str(jupyter / "data"),
               JUPYTER_RUNTIME_DIR=str(jupyter / "runtime"), JUPYTER_PREFER_ENV_PATH="0",
               MPLCONFIGDIR=str(root / "mpl"),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]))
    return env


class Cycle:
    """A course directory, an exchange and the students' home folders, in one temporary
    folder: the commands run there as an instructor and the students would run them."""

    def __init__(self, root: Path):
        assert not root.resolve().is_relative_to(ROOT)
        self.root = root
        self.course = root / "course"
        shutil.copytree(ROOT / "nbgrader", self.course,
                        ignore=shutil.ignore_patterns("__pycache__", "release", "submitted",
                                                      "autograded", "feedback", "gradebook.db", "grades.csv"))
        self.exchange = root / "exchange"
        self.exchange.mkdir()
        self.env = clean_env(root)
        self.log: list[str] = []
        # The kernel runs this Python, whatever other kernels the machine has.
        self.run([sys.executable, "-m", "ipykernel", "install", "--user", "--name", "python3"], cwd=root)

    def run(self, args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(args, cwd=cwd, env=self.env, capture_output=True, text=True, timeout=600)
        self.log.append(proc.stdout + proc.stderr)
        if check:
            assert proc.returncode == 0, f"{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        return proc

    def nbgrader(self, *args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
        return self.run([sys.executable, "-m", "nbgrader", *args, f"--Exchange.root={self.exchange}"],
                        cwd=cwd or self.course, check=check)

    def notebook(self, step: str, student: str | None = None) -> Path:
        parts = [step] + ([student] if student else []) + [ASSIGNMENT, f"{ASSIGNMENT}.ipynb"]
        return self.course.joinpath(*parts)

    def home(self, student: str) -> Path:
        return self.root / "home" / student / ASSIGNMENT

    def gradebook(self):
        from nbgrader.api import Gradebook
        return Gradebook(f"sqlite:///{self.course / 'gradebook.db'}")


def plant_hidden_test(path: Path) -> None:
    """A hidden region in a test cell, to prove the feedback leaves it out."""
    nb = nbformat.read(path, as_version=4)
    cell = grade_cells(nb)["test_ex01"]
    cell.source = f"### BEGIN HIDDEN TESTS\n_hidden = '{HIDDEN}'\n### END HIDDEN TESTS\n" + cell.source
    nbformat.write(nb, path)


def fill_in(path: Path, reference, mistake: tuple | None = None) -> None:
    """The student's notebook with every solution cell holding the reference solution
    (with the mistake, if any)."""
    nb = nbformat.read(path, as_version=4)
    for name, cell in solution_cells(nb).items():
        cell.source = reference[name].source
    if mistake:
        function, old, new, _ = mistake
        cell = solution_cells(nb)[function]
        assert old in cell.source
        cell.source = cell.source.replace(old, new)
    nbformat.write(nb, path)


def tamper_with_grader(folder: Path) -> None:
    """A student's edit to their copy of the grader: every check gives its points."""
    path, old, new = TAMPERED
    target = folder / path
    assert old in target.read_text()
    target.write_text(target.read_text().replace(old, new))


def plant_compiled_checks(folder: Path) -> None:
    """A compiled ex01 whose checks all pass, of the kind Python loads without looking at
    its source (unchecked-hash). The exchange leaves compiled files out; here one comes
    in with a submission collected some other way."""
    checks = folder / "grader" / "checks" / "ex01_data.py"
    fake = folder / "fake.py"
    fake.write_text(checks.read_text() + PASS_EVERY_CHECK)
    py_compile.compile(str(fake), cfile=importlib.util.cache_from_source(str(checks)),
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    fake.unlink()


PASS_EVERY_CHECK = """
from .registry import _CHECKS, Check
_CHECKS[:] = [Check(c.id, c.exercise, c.name, c.points, lambda ctx: None) for c in _CHECKS]
"""


def unchecked_pycs(folder: Path) -> list[Path]:
    """Compiled files that Python would use whatever their source says."""
    return [p for p in folder.rglob("*.pyc") if int.from_bytes(p.read_bytes()[4:8], "little") == 1]


def local_grade(nb, directory: Path) -> dict:
    """`python -m grader --format json` on the submission's functions, written into the
    exercise files (the solution file's docstring and imports, then the cells)."""
    from grader.cli import main

    directory.mkdir()
    cells = solution_cells(nb)
    for ex in exercises():
        text = (SOLUTIONS / ex.file).read_text()
        header = text[:text.index("\ndef ")]
        body = "\n\n\n".join(cells[name].source for name in ex.functions)
        (directory / ex.file).write_text(f"{header}\n\n{body}\n")
    out = directory / "report.json"
    assert main(["--target", str(directory), "--format", "json", "--output", str(out)]) in (0, 1)
    report = json.loads(out.read_text())
    per_exercise = {ex.id: 0 for ex in exercises()}
    for check in report["checks"]:
        per_exercise[check["exercise"]] += check["points"]
    return {"total": report["score"], **per_exercise}


STUDENTS = ("solved", "blank", "mistaken")


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    cycle = Cycle(tmp_path_factory.mktemp("nbgrader-course"))
    source = cycle.notebook("source")
    plant_hidden_test(source)
    reference = solution_cells(nbformat.read(source, as_version=4))

    # Before handing out: the released notebook passes no test. (That the solved one passes
    # all of them is validated below, in a student's folder.)
    cycle.nbgrader("generate_assignment", ASSIGNMENT)
    cycle.validate_release = cycle.nbgrader("validate", "--invert", str(cycle.notebook("release"))).stdout
    cycle.nbgrader("release_assignment", ASSIGNMENT)

    # The students: each fetches the same folder (fetched once, copied for the others).
    first = cycle.home(STUDENTS[0])
    first.parent.mkdir(parents=True)
    cycle.nbgrader("fetch_assignment", ASSIGNMENT, "--course", COURSE_ID, cwd=first.parent)
    for student in STUDENTS[1:]:
        shutil.copytree(first, cycle.home(student))
    fill_in(cycle.home("solved") / f"{ASSIGNMENT}.ipynb", reference)
    fill_in(cycle.home("mistaken") / f"{ASSIGNMENT}.ipynb", reference, MISTAKE)
    tamper_with_grader(cycle.home("mistaken"))
    # The solved notebook passes every test, and runs top to bottom without an error or a
    # word on stderr (validate_all), with nothing but the released folder: validated where
    # the student has it (the same command as on source/ before handing out).
    cycle.validate_solved = cycle.nbgrader("validate", "--Validator.validate_all=True", f"{ASSIGNMENT}.ipynb",
                                           cwd=cycle.home("solved")).stdout
    cycle.submitted = {s: nbformat.read(cycle.home(s) / f"{ASSIGNMENT}.ipynb", as_version=4) for s in STUDENTS}
    for student in STUDENTS:
        cycle.nbgrader("submit", ASSIGNMENT, "--course", COURSE_ID, "--student", student,
                       cwd=cycle.home(student).parent)

    # The instructor. (Every student here is the same system user, which collect's
    # owner check would warn about.)
    cycle.nbgrader("collect", ASSIGNMENT, "--CollectApp.check_owner=False")
    plant_compiled_checks(cycle.notebook("submitted", "mistaken").parent)
    start, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    cycle.autograde = cycle.nbgrader("autograde", ASSIGNMENT)
    cycle.autograde_seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cycle.autograde_cpu = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime

    # A submission graded where the grader cannot be imported: the source lost its copy.
    hidden = cycle.root / "grader-moved-away"
    (source.parent / "grader").rename(hidden)
    broken = cycle.notebook("submitted", "nograder")
    broken.parent.mkdir(parents=True)
    shutil.copy(cycle.notebook("release"), broken)
    cycle.failed = cycle.nbgrader("autograde", ASSIGNMENT, "--student", "nograder", check=False)
    hidden.rename(source.parent / "grader")

    cycle.nbgrader("generate_feedback", ASSIGNMENT)
    cycle.export = cycle.nbgrader("export")
    with open(cycle.course / "grades.csv", newline="") as f:
        cycle.grades = {row["student_id"]: row for row in csv.DictReader(f)}
    cycle.local = {s: local_grade(nb, cycle.root / f"local-{s}") for s, nb in cycle.submitted.items()}
    yield cycle
    print(f"\n(nbgrader course kept at {cycle.course})")


def test_the_course_runs_outside_the_repository_without_pythonpath(cycle):
    assert "PYTHONPATH" not in cycle.env
    assert not any(CONFIG_BROKEN in out for out in cycle.log)      # the configuration loaded
    assert "Using exporter: ScoresOnlyWhenGraded" in cycle.export.stdout + cycle.export.stderr


def test_the_solved_notebook_validates_and_the_release_passes_no_test(cycle):
    assert "Success! Your notebook passes all the tests." in cycle.validate_solved
    assert "Success! The notebook does not pass any tests." in cycle.validate_release


def test_the_release_carries_the_grader_and_no_solution(cycle):
    def grader_in(folder):
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in (folder / "grader").rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}

    shipped = grader_in(cycle.notebook("release").parent)
    assert shipped == grader_in(cycle.notebook("source").parent)      # all of it, nothing else
    assert set(shipped) == set(grader_files())                        # the grader students get
    assert not any("authoring" in name for name in shipped)
    # The grader computes its answers and stores none: no solution line in it but those
    # the student template is known to hold, for the same reasons.
    assert solution_leaks({name: data.decode() for name, data in shipped.items()}) == []
    release = cycle.notebook("release").read_text()
    assert "BEGIN SOLUTION" not in release and HIDDEN not in release
    nb = nbformat.read(cycle.notebook("release"), as_version=4)
    for name, cell in solution_cells(nb).items():
        assert "raise NotImplementedError()" in cell.source, name
    release_lines = {line.strip() for cell in nb.cells for line in cell.source.splitlines()}
    for ex in exercises():
        inside = False
        for line in (SOLUTIONS / ex.file).read_text().splitlines():
            if "### END SOLUTION" in line:
                inside = False
            elif inside and len(line.strip()) > 12:
                assert line.strip() not in release_lines, line
            elif "### BEGIN SOLUTION" in line:
                inside = True


def test_a_student_with_only_the_released_folder_runs_it_top_to_bottom(cycle):
    assert sorted(p.name for p in cycle.home("solved").iterdir()) == ["grader", f"{ASSIGNMENT}.ipynb"]
    assert "Success! Your notebook passes all the tests." in cycle.validate_solved   # every cell


def test_grades_are_solved_100_blank_0_and_a_mistake_partial(cycle):
    total = sum(POINTS.values())
    scores = {s: float(cycle.grades[s]["score"]) for s in STUDENTS}
    assert scores["solved"] == total and scores["blank"] == 0
    assert 0 < scores["mistaken"] < total
    assert {float(cycle.grades[s]["max_score"]) for s in STUDENTS} == {float(total)}


def test_nbgrader_grades_equal_the_local_grader(cycle):
    print("\nstudent: nbgrader (grades.csv; per test cell) | python -m grader (total; per exercise)")
    with cycle.gradebook() as gb:
        for student in STUDENTS:
            cells = {ex.id: gb.find_grade(f"test_{ex.id}", ASSIGNMENT, ASSIGNMENT, student).score
                     for ex in exercises()}
            local = cycle.local[student]
            print(f"  {student:<9} {cycle.grades[student]['score']:>5} {cells} | "
                  f"{local['total']:>3} {[local[ex.id] for ex in exercises()]}")
            assert cells == {ex.id: local[ex.id] for ex in exercises()}, student
            assert float(cycle.grades[student]["score"]) == local["total"], student


def test_an_edited_copy_of_the_grader_gains_nothing(cycle):
    submitted, graded = (cycle.notebook(step, "mistaken").parent for step in ("submitted", "autograded"))
    assert TAMPERED[2] in (submitted / TAMPERED[0]).read_text()          # it was submitted ...
    assert unchecked_pycs(submitted)
    source = cycle.notebook("source").parent                            # ... and replaced
    assert (graded / TAMPERED[0]).read_text() == (source / TAMPERED[0]).read_text()
    assert not unchecked_pycs(graded)
    with cycle.gradebook() as gb:                                       # the mistake still costs
        ex01 = gb.find_grade("test_ex01", ASSIGNMENT, ASSIGNMENT, "mistaken").score
    assert 0 < ex01 < POINTS["ex01"]


def test_feedback_names_the_mistake_and_hides_the_hidden_tests(cycle):
    def feedback(student):
        html = (cycle.course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        return html.replace("&quot;", '"').replace("&#39;", "'")

    assert MISTAKE[3] in feedback("mistaken")
    assert all(HIDDEN not in feedback(s) for s in STUDENTS)
    assert HIDDEN in cycle.notebook("autograded", "solved").read_text()      # it did run
    # A stub left in a cell is "not implemented yet", as in an exercise file.
    blank = feedback("blank")
    assert "make_dataset() is not implemented yet" in blank and "train() is not implemented yet" in blank
    assert "raised NotImplementedError" not in blank


def test_test_cells_write_nothing_to_stderr(cycle):
    for student in STUDENTS:
        nb = nbformat.read(cycle.notebook("autograded", student), as_version=4)
        for grade_id, cell in grade_cells(nb).items():
            assert not [o for o in cell.outputs if o.get("name") == "stderr"
                        or o.output_type == "error"], (student, grade_id)


def test_without_the_grader_autograde_stops_and_records_no_score(cycle):
    """nbgrader scores an autograder cell that raised 0, as if every check had failed: the
    course's configuration stops that submission instead, and export leaves it empty."""
    out = cycle.failed.stdout + cycle.failed.stderr
    assert cycle.failed.returncode == 1
    assert "the checks could not run, so this submission is not graded" in out
    assert GRADER_MISSING in out
    assert "There was an error processing assignment 'multiclass' for student 'nograder'" in out
    assert not cycle.notebook("autograded", "nograder").exists()
    with cycle.gradebook() as gb:
        grades = [gb.find_grade(f"test_{ex.id}", ASSIGNMENT, ASSIGNMENT, "nograder") for ex in exercises()]
        assert all(g.auto_score is None and g.needs_manual_grade for g in grades)
    assert cycle.grades["nograder"]["score"] == "" and cycle.grades["nograder"]["raw_score"] == ""
    assert "nograder, multiclass: not graded" in cycle.export.stderr
    assert not (cycle.course / "feedback" / "nograder" / ASSIGNMENT / f"{ASSIGNMENT}.html").exists()


def test_the_class_overview_reads_the_gradebook_and_the_autograded_notebooks(cycle):
    # As the README says: with the course's own copy of the grader, no repository.
    cycle.run([sys.executable, "-m", "grader", "overview", "--nbgrader", "../.."],
              cwd=cycle.notebook("source").parent)
    overview = (cycle.course / f"{ASSIGNMENT}-overview.md").read_text()
    assert f"4 student(s), 3 graded. Totals out of {total_points()}:" in overview
    line = next(l for l in overview.splitlines() if "y is int64" in l)
    assert "| 1/3 | 1/3 |" in line and MISTAKE[3] in line               # mistaken; blank
    assert "- nograder: not graded" in overview
    assert (cycle.course / f"{ASSIGNMENT}-overview.png").is_file()


def test_autograde_time_per_submission(cycle):
    """Measured, not asserted (benchmarks/batch_speed.py measures it on more submissions)."""
    n = len(STUDENTS)
    print(f"\nnbgrader autograde: {cycle.autograde_seconds:.1f} s for {n} submissions, "
          f"{cycle.autograde_seconds / n:.1f} s each, {cycle.autograde_cpu / n:.1f} s of CPU each "
          f"(the command's start included)")


# -- what nbgrader does with an autograder cell, without a kernel ---------------------------

def _cell(outputs):
    return nbformat.from_dict({"cell_type": "code", "source": "", "outputs": outputs, "metadata": {
        "nbgrader": {"grade": True, "solution": False, "points": 22, "grade_id": "test_ex01"}}})


def test_nbgrader_scores_an_erroring_cell_like_a_returned_0():
    """Why the configuration stops a submission whose checks could not run: nbgrader 0.9.6
    gives a cell that raised the same 0 as a cell whose checks all failed."""
    from nbgrader.utils import determine_grade

    error = {"output_type": "error", "ename": "ModuleNotFoundError", "evalue": "No module named 'grader'",
             "traceback": []}
    zero = {"output_type": "execute_result", "execution_count": 1, "metadata": {}, "data": {"text/plain": "0"}}
    assert determine_grade(_cell([error])) == determine_grade(_cell([zero])) == (0, 22)


def test_the_configuration_stops_only_cells_whose_checks_could_not_run():
    from traitlets.config import Config

    c = Config()
    namespace = {"get_config": lambda: c}
    exec(compile((ROOT / "nbgrader" / "nbgrader_config.py").read_text(), "nbgrader_config.py", "exec"), namespace)
    assert c.Execute.iopub_timeout >= 30          # a stopped cell must not fail the submission
    steps = [getattr(s, "__name__", s) for s in c.Autograde.autograde_preprocessors]
    assert steps.index("Execute") < steps.index("ChecksMustRun") < steps.index("SaveAutoGrades")
    check = namespace["ChecksMustRun"]()
    partial = {"output_type": "execute_result", "execution_count": 1, "metadata": {}, "data": {"text/plain": "7"}}
    check.preprocess_cell(_cell([partial]), {}, 0)
    for ename in UNAVAILABLE:
        error = {"output_type": "error", "ename": ename, "evalue": "why", "traceback": []}
        with pytest.raises(RuntimeError, match=f"test_ex01: the checks could not run.*{ename}: why"):
            check.preprocess_cell(_cell([error]), {}, 0)


def test_a_test_cell_without_the_grader_says_what_to_do(tmp_path):
    nb = nbformat.read(ROOT / "nbgrader" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    source = grade_cells(nb)["test_ex01"].source
    proc = subprocess.run([sys.executable, "-c", source], cwd=tmp_path, env=clean_env(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert f"ImportError: {GRADER_MISSING}" in proc.stderr


def test_a_missing_package_is_named_not_scored(monkeypatch):
    from grader.platforms.notebook import GraderUnavailable, grade_cell

    monkeypatch.setitem(sys.modules, "grader.checks.cases", None)     # as if torch were missing
    with pytest.raises(GraderUnavailable, match="the checks cannot run: .*pip install torch"):
        grade_cell("ex01", {})
