"""The nbgrader course, through real nbgrader, as an instructor and students use it: built
by `python -m grader nbgrader OUT` outside the repository, run with PYTHONPATH unset,
through a local exchange.

    nbgrader generate_assignment / release_assignment / fetch_assignment / submit / collect
    nbgrader autograde / generate_feedback / export

The grades come from the code of the solution cells, graded outside the student's kernel:
they equal `python -m grader` on the same functions, and nothing a kernel does (a patched
grader, a planted module, an input transformer) changes them. nbgrader is slow (seconds to
start, more for each notebook it runs), so the course is built and the cycle runs once per
session, for every student below in one autograde; the tests read what it left. Select it
alone with `pytest -m nbgrader`; it runs in the default run too.
"""
from __future__ import annotations

import csv
import importlib.util
import os
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.checks.registry import all_checks
from grader.course import ROOT, exercises, total_points
from grader.authoring.nbcourse import ASSIGNMENT, COURSE_ID, GRADER_MISSING
from grader.authoring.release import grader_files
from grader.messages import KERNEL_IGNORED, ONLY_SOLUTION_CELLS

from .conftest import SOLUTIONS
from .release_tools import solution_leaks

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbgrader")

HIDDEN = "HIDDEN-SENTINEL-7f3a"          # planted in a hidden region; never in feedback
POINTS = {ex.id: sum(c.points for c in all_checks(ex.id)) for ex in exercises()}
TOTAL = sum(POINTS.values())
CONFIG_BROKEN = "Exception while loading config"     # nbgrader logs it and carries on

# The typical mistake: (function, text in its solution, replacement, words the feedback shows)
MISTAKE = ("make_dataset", "torch.from_numpy(y).type(torch.long)", "torch.from_numpy(y).type(torch.float32)",
           "y is float32; CrossEntropyLoss needs int64")
# ... and a helper defined outside the solution cells, which the kernel sees and grading
# does not: (function, text in its solution, replacement, the helper's own cell)
HELPER = ("predict", "return predict_proba(model, X).argmax(dim=1)", "return _rows_argmax(predict_proba(model, X))",
          "def _rows_argmax(p):\n    return p.argmax(dim=1)")
# ... by a student who also edited what the course shipped: their copy of the grader,
# to give every point, and the locked autograder cell, to claim them.
TAMPERED = ("grader/platforms/notebook.py", "return points_earned(results)",
            "return sum(r.check.points for r in results)")

# Attacks on the kernel, each in the first solution cell. They run in the worker too, as
# any code in a solution cell does (there is no IPython there, and the fake modules do not
# reach the grader's own), and the functions below them are graded as they are.
ATTACKS = {
    # Every later cell that defines nothing (the autograder cells) becomes `pass`, which
    # nbgrader would score full marks. It knows no name in the grader.
    "transformer": """\
try:
    get_ipython().input_transformers_post.append(
        lambda lines: lines if any(line.startswith("def ") for line in lines) else ["pass\\n"])
except NameError:
    pass
""",
    # The autograder cells' function, patched to claim every point.
    "patched": f"""\
try:
    import grader.platforms.notebook as _cell
    _cell.grade_cell = lambda exercise_id, namespace: {POINTS!r}[exercise_id]
except ImportError:
    pass
""",
    # A whole fake grader, planted where the autograder cells import it from.
    "fake": f"""\
import sys as _sys, types as _types
for _name in ("grader", "grader.platforms", "grader.platforms.notebook"):
    _sys.modules[_name] = _types.ModuleType(_name)
_sys.modules["grader.platforms.notebook"].grade_cell = lambda ex, ns: {POINTS!r}[ex]
""",
}
# Each attack on a blank notebook, where the kernel would claim every point; all three
# together on a solved one (a notebook that would score 100 anyway), to show that the code
# is graded as it is with them in it.
ALL_ATTACKS = "attacks-solved"
STUDENTS = ("solved", "blank", "mistaken", *(f"{attack}-blank" for attack in ATTACKS), ALL_ATTACKS)
ENDLESS = "endless"          # loops for ever in a demonstration cell: autograded on its own
EXCHANGED = ("mistaken",)      # submitted through the exchange (the rest are copied in: seconds each)
MISSING = "multiclass_missing_package"           # ENDLESS is autograded where it is missing


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
        self.exchange = root / "exchange"
        self.exchange.mkdir()
        self.env = clean_env(root)
        self.log: list[str] = []
        # The README's command, from the repository root (where `python -m grader` is found).
        self.build = self.run([sys.executable, "-m", "grader", "nbgrader", str(self.course)], cwd=ROOT)
        # The kernel runs this Python, whatever other kernels the machine has.
        self.run([sys.executable, "-m", "ipykernel", "install", "--user", "--name", "python3"], cwd=root)

    def run(self, args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(args, cwd=cwd, env=self.env, capture_output=True, text=True, timeout=900)
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

    def cell_scores(self, student: str) -> dict[str, float]:
        with self.gradebook() as gb:
            return {ex.id: gb.find_grade(f"test_{ex.id}", ASSIGNMENT, ASSIGNMENT, student).score
                    for ex in exercises()}

    def autograded_text(self, student: str) -> str:
        nb = nbformat.read(self.notebook("autograded", student), as_version=4)
        return "\n".join(o.get("text", "") for c in grade_cells(nb).values() for o in c.outputs)


def plant_hidden_test(path: Path) -> None:
    """A hidden region in a test cell, to prove the feedback leaves it out."""
    nb = nbformat.read(path, as_version=4)
    cell = grade_cells(nb)["test_ex01"]
    cell.source = f"### BEGIN HIDDEN TESTS\n_hidden = '{HIDDEN}'\n### END HIDDEN TESTS\n" + cell.source
    nbformat.write(nb, path)


def write_student(path: Path, reference: dict | None, mistake: tuple | None = None,
                  attack: str = "", demo: str | None = None, helper: bool = False) -> None:
    """The student's notebook: solution cells with the reference solution (None: left as
    released), the mistake, an attack at the top of the first solution cell, a
    demonstration cell's code replaced, or a helper in a cell of its own."""
    nb = nbformat.read(path, as_version=4)
    cells = solution_cells(nb)
    for name, cell in cells.items() if reference else ():
        cell.source = reference[name].source
    if mistake:
        function, old, new, _ = mistake
        assert old in cells[function].source
        cells[function].source = cells[function].source.replace(old, new)
    if helper:
        function, old, new, code = HELPER
        assert old in cells[function].source
        cells[function].source = cells[function].source.replace(old, new)
        nb.cells.insert(nb.cells.index(cells[function]), nbformat.v4.new_code_cell(code))
    first = next(iter(cells.values()))
    first.source = attack + first.source
    if demo is not None:
        next(c for c in nb.cells if c.cell_type == "code" and "nbgrader" not in c.metadata).source = demo
    nbformat.write(nb, path)


def tamper_with_the_course(folder: Path) -> None:
    """A student's edits to what the course shipped: their grader gives every point, and
    the locked autograder cell of ex01 claims them."""
    path, old, new = TAMPERED
    target = folder / path
    assert old in target.read_text()
    target.write_text(target.read_text().replace(old, new))
    notebook = folder / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    grade_cells(nb)["test_ex01"].source = str(POINTS["ex01"])
    nbformat.write(nb, notebook)


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


def local_grade(nb, directory: Path) -> dict:
    """`python -m grader --format json` on the submission's functions, written into the
    exercise files (the solution file's docstring and imports, then the cells)."""
    import json

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


@pytest.fixture(scope="session")
def cycle(tmp_path_factory):
    cycle = Cycle(tmp_path_factory.mktemp("nbgrader-course"))
    source = cycle.notebook("source")
    plant_hidden_test(source)
    reference = solution_cells(nbformat.read(source, as_version=4))

    cycle.nbgrader("generate_assignment", ASSIGNMENT)
    cycle.nbgrader("release_assignment", ASSIGNMENT)
    # The students: each fetches the same folder (fetched once, copied for the others).
    first = cycle.home(STUDENTS[0])
    first.parent.mkdir(parents=True)
    cycle.nbgrader("fetch_assignment", ASSIGNMENT, "--course", COURSE_ID, cwd=first.parent)
    for student in (*STUDENTS[1:], ENDLESS):
        shutil.copytree(first, cycle.home(student))
    for student in STUDENTS:
        attack = ATTACKS.get(student.removesuffix("-blank"), "")
        if student == ALL_ATTACKS:
            attack = "".join(ATTACKS[a] for a in ("patched", "fake", "transformer"))
        solved = student in ("solved", "mistaken", ALL_ATTACKS)
        write_student(cycle.home(student) / f"{ASSIGNMENT}.ipynb", reference if solved else None,
                      MISTAKE if student == "mistaken" else None, attack, helper=student == "mistaken")
    write_student(cycle.home(ENDLESS) / f"{ASSIGNMENT}.ipynb", None, demo="while True:\n    pass")
    tamper_with_the_course(cycle.home("mistaken"))
    cycle.submitted = {s: nbformat.read(cycle.home(s) / f"{ASSIGNMENT}.ipynb", as_version=4) for s in STUDENTS}
    for student in EXCHANGED:
        cycle.nbgrader("submit", ASSIGNMENT, "--course", COURSE_ID, "--student", student,
                       cwd=cycle.home(student).parent)

    # The instructor. (Every student here is the same system user, which collect's
    # owner check would warn about.) The other folders come in by hand, as the README
    # allows: nbgrader's submit costs seconds each.
    cycle.nbgrader("collect", ASSIGNMENT, "--CollectApp.check_owner=False")
    for student in (*STUDENTS, ENDLESS):
        if student not in EXCHANGED:
            shutil.copytree(cycle.home(student), cycle.notebook("submitted", student).parent)
    plant_compiled_checks(cycle.notebook("submitted", "mistaken").parent)
    endless = cycle.course / "submitted" / ENDLESS
    endless.rename(cycle.root / ENDLESS)             # autograded on its own, below
    cycle.autograde = cycle.nbgrader("autograde", ASSIGNMENT)
    # The endless loop, with short limits so that the test stays short, graded where a
    # package the grader needs is missing (one told to the configuration, none of its own).
    (cycle.root / ENDLESS).rename(endless)
    cycle.endless = cycle.nbgrader("autograde", ASSIGNMENT, "--student", ENDLESS, "--Execute.timeout=4",
                                   "--TimedExecute.report_every=1", f"--GradeFromCode.packages={MISSING}={MISSING}",
                                   check=False)

    cycle.nbgrader("generate_feedback", ASSIGNMENT)
    cycle.export = cycle.nbgrader("export")
    with open(cycle.course / "grades.csv", newline="") as f:
        cycle.grades = {row["student_id"]: row for row in csv.DictReader(f)}
    yield cycle
    print(f"\n(nbgrader course kept at {cycle.course})")


def test_the_course_is_built_outside_the_repository_and_runs_without_pythonpath(cycle):
    assert "PYTHONPATH" not in cycle.env
    assert not any(CONFIG_BROKEN in out for out in cycle.log)      # the configuration loaded
    assert "Using exporter: ScoresOnlyWhenGraded" in cycle.export.stdout + cycle.export.stderr
    assert {"nbgrader_config.py", "source"} <= {p.name for p in cycle.course.iterdir()}
    assert "wrote" in cycle.build.stdout


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
    """The solved notebook ran, every cell, from the released folder, with no error; its
    honest kernel left nothing for the grader to ignore."""
    assert sorted(p.name for p in cycle.home("solved").iterdir()) == ["grader", f"{ASSIGNMENT}.ipynb"]
    nb = nbformat.read(cycle.notebook("autograded", "solved"), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]


def test_grades_are_solved_100_blank_0_and_a_mistake_partial(cycle):
    scores = {s: float(cycle.grades[s]["score"]) for s in STUDENTS}
    print(f"\ngrades: {scores}")
    assert scores["solved"] == TOTAL and scores["blank"] == 0
    assert 0 < scores["mistaken"] < TOTAL
    assert {float(cycle.grades[s]["max_score"]) for s in STUDENTS} == {float(TOTAL)}


def test_nbgrader_grades_equal_the_local_grader(cycle, tmp_path):
    local = local_grade(cycle.submitted["mistaken"], tmp_path / "mistaken")
    cells = cycle.cell_scores("mistaken")
    print(f"\nmistaken: nbgrader {cells} | python -m grader {local}")
    assert cells == {ex.id: local[ex.id] for ex in exercises()}
    assert float(cycle.grades["mistaken"]["score"]) == local["total"]
    assert cycle.cell_scores("solved") == POINTS
    assert cycle.cell_scores("blank") == {ex.id: 0 for ex in exercises()}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_an_attack_on_the_kernel_scores_0_on_a_blank_notebook(cycle, attack):
    blank = f"{attack}-blank"
    assert cycle.cell_scores(blank) == {ex.id: 0 for ex in exercises()}
    # The kernel interfered: its results were ignored, and the feedback says so, once a cell.
    assert cycle.autograded_text(blank).count(KERNEL_IGNORED) == len(exercises())
    assert "make_dataset() is not implemented yet" in cycle.autograded_text(blank)


def test_the_attacks_on_a_solved_notebook_score_100(cycle):
    first = next(iter(solution_cells(cycle.submitted[ALL_ATTACKS]).values())).source
    assert all(ATTACKS[a] in first for a in ATTACKS)
    assert cycle.cell_scores(ALL_ATTACKS) == POINTS
    assert cycle.autograded_text(ALL_ATTACKS).count(KERNEL_IGNORED) == len(exercises())


def test_honest_kernels_get_no_word_about_tampering(cycle):
    assert all(KERNEL_IGNORED not in cycle.autograded_text(s) for s in ("solved", "blank", "mistaken"))


def test_a_helper_outside_the_solution_cells_is_not_graded_and_the_feedback_says_so(cycle):
    text = cycle.autograded_text("mistaken")
    assert "_rows_argmax" in text and ONLY_SOLUTION_CELLS in text
    assert 0 < cycle.cell_scores("mistaken")["ex03"] < POINTS["ex03"]


def test_an_edited_copy_of_what_the_course_shipped_gains_nothing(cycle):
    submitted = cycle.notebook("submitted", "mistaken").parent
    assert TAMPERED[2] in (submitted / TAMPERED[0]).read_text()          # it was submitted
    ex01 = cycle.cell_scores("mistaken")["ex01"]                        # the mistake still costs
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


def test_autograder_cells_hold_only_the_graders_outputs(cycle):
    for student in STUDENTS:
        nb = nbformat.read(cycle.notebook("autograded", student), as_version=4)
        for grade_id, cell in grade_cells(nb).items():
            kinds = [o.output_type for o in cell.outputs]
            assert kinds == ["stream", "display_data", "execute_result"], (student, grade_id)
            assert cell.outputs[0].name == "stdout"


def test_a_long_cell_is_named_in_the_log(cycle):
    log = cycle.endless.stdout + cycle.endless.stderr
    assert f"{ENDLESS}: cell " in log and "'while True:'" in log and "still running after 2 s" in log


def test_a_missing_package_stops_autograde_and_records_no_score(cycle):
    """nbgrader would score an autograder cell that failed 0, as if every check had: the
    submission is stopped instead, with the install command, and export leaves it empty."""
    log = cycle.endless.stdout + cycle.endless.stderr
    assert cycle.endless.returncode == 1
    assert f"the package {MISSING} is missing" in log
    assert f"Install it with: {sys.executable} -m pip install {MISSING} ;" in log
    assert f"There was an error processing assignment '{ASSIGNMENT}' for student '{ENDLESS}'" in log
    assert not cycle.notebook("autograded", ENDLESS).exists()
    with cycle.gradebook() as gb:
        grades = [gb.find_grade(f"test_{ex.id}", ASSIGNMENT, ASSIGNMENT, ENDLESS) for ex in exercises()]
        assert all(g.auto_score is None and g.needs_manual_grade for g in grades)
    assert cycle.grades[ENDLESS]["score"] == "" and cycle.grades[ENDLESS]["raw_score"] == ""
    assert f"{ENDLESS}, {ASSIGNMENT}: not graded" in cycle.export.stderr
    assert not (cycle.course / "feedback" / ENDLESS / ASSIGNMENT / f"{ASSIGNMENT}.html").exists()


def test_the_class_overview_reads_the_gradebook_and_the_autograded_notebooks(cycle):
    # As the README says: with the course's own copy of the grader, no repository.
    cycle.run([sys.executable, "-m", "grader", "overview", "--nbgrader", "../.."],
              cwd=cycle.notebook("source").parent)
    overview = (cycle.course / f"{ASSIGNMENT}-overview.md").read_text()
    n = len(STUDENTS)
    assert f"{n + 1} student(s), {n} graded. Totals out of {total_points()}:" in overview
    assert f"- {ENDLESS}: not graded" in overview
    line = next(l for l in overview.splitlines() if "y is int64" in l)
    assert MISTAKE[3] in line
    assert (cycle.course / f"{ASSIGNMENT}-overview.png").is_file()


# -- without a kernel ------------------------------------------------------------------------

def test_a_missing_package_stops_autograde_with_the_courses_install_command(monkeypatch):
    from grader.authoring.nbcourse import pins
    from grader.platforms.nbgrader_grades import GradeFromCode, GraderCannotRun

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    with pytest.raises(GraderCannotRun) as error:
        GradeFromCode(pins=pins()).grade(nbformat.v4.new_notebook())
    message = str(error.value)
    assert "the package torch is missing" in message
    assert (f"{sys.executable} -m pip install --extra-index-url https://download.pytorch.org/whl/cpu "
            f"torch=={pins()['torch']}") in message
    assert "grader build" not in message


def test_a_test_cell_without_the_grader_says_what_to_do(tmp_path):
    """The student's side: an autograder cell run without the released grader/ beside it."""
    from grader.authoring.nbcourse import notebook

    source = grade_cells(notebook())["test_ex01"].source
    proc = subprocess.run([sys.executable, "-c", source], cwd=tmp_path, env=clean_env(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert f"ImportError: {GRADER_MISSING}" in proc.stderr
