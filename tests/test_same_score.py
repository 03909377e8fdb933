"""The same files get the same score however they are graded: `pytest exercises`,
`python -m grader` (its worker), `--in-process`, `--submission` and `batch`, for the ways
students import one exercise from another and write helpers of their own.

What student code can import is decided by the grader (grader/gateway/imports.py), not by
the process it runs in: pytest puts exercises/ on sys.path, `python -m` the working
directory, and --submission and batch grade a copy of the exercise files alone. A student
file next to the exercises (utils.py) is not part of a submission, so it is importable
nowhere, and `from .ex03_predict import ...` fails everywhere, each with a message that
says what to do.

The reproduction runs through the real commands, as a student and an instructor type them;
the patterns run through the same entry points inside this process, with a decoy
`ex03_predict` and `utils` on sys.path and in sys.modules that no grading may see.
"""
from __future__ import annotations

import csv
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.platforms.report import result_text
from grader import messages
from grader.course import ROOT, exercise, exercises
from grader.checks.registry import all_checks
from grader.gateway.worker import PRELOADED
from grader.probes.registry import load_all
from grader.platforms.submission import grade_submission
from grader.runner import Options, grade

from .release_tools import drop_in, release

ONLY_FILES = messages.ONLY_EXERCISE_FILES.format(first=exercises()[0].file, last=exercises()[-1].file)

pytest_plugins = ["pytester"]

SOLUTIONS, STUBS = ROOT / "solutions", ROOT / "exercises"

# The reference evaluate's last two lines, which the patterns rewrite.
EVALUATE_TAIL = """        correct = (logits.argmax(dim=1) == y).sum().item()
    return loss, correct / len(y) * 100"""


@dataclass(frozen=True)
class Pattern:
    name: str
    score: int                              # what every way of grading must give `only`
    evaluate_tail: str | None = None        # replaces EVALUATE_TAIL in ex04_train.py
    top: str = ""                           # put at the top of ex04_train.py
    end: str = ""                           # appended to ex04_train.py (its defs replace)
    files: dict[str, str | None] = field(default_factory=dict)   # other files; None: removed
    only: str = "ex04"
    message: str | None = None              # in the feedback of every failed check


# 32 is full marks for ex04; 12 is what train_step's checks give when evaluate (and so
# train, which calls it) fails.
PATTERNS = [
    # The reproduction: fine under `pytest exercises`, ModuleNotFoundError under the grader.
    Pattern("sibling_import_inside_a_function", 32, evaluate_tail="""
    from ex03_predict import accuracy
    return loss, accuracy(y, logits.argmax(dim=1))"""),
    Pattern("sibling_import_at_the_top", 32, top="from ex03_predict import accuracy\n",
            evaluate_tail="""
    return loss, accuracy(y, logits.argmax(dim=1))"""),
    Pattern("sibling_module_under_another_name", 32, top="import ex03_predict as p\n",
            evaluate_tail="""
    return loss, p.accuracy(y, logits.argmax(dim=1))"""),
    Pattern("sibling_module_imported_inside_a_function", 32, evaluate_tail="""
    import ex03_predict
    return loss, ex03_predict.accuracy(y, logits.argmax(dim=1))"""),
    Pattern("star_import_of_a_sibling", 32, top="from ex03_predict import *\n", evaluate_tail="""
    return loss, accuracy(y, logits.argmax(dim=1))"""),
    Pattern("importlib_at_call_time", 32, evaluate_tail="""
    import importlib
    return loss, importlib.import_module("ex03_predict").accuracy(y, logits.argmax(dim=1))"""),
    Pattern("sibling_functions_that_run_the_model", 32, evaluate_tail="""
    from ex03_predict import accuracy, predict
    return loss, accuracy(y, predict(model, X))"""),
    Pattern("a_chain_of_siblings", 32, top="from ex03_predict import accuracy\n",
            evaluate_tail="""
    return loss, accuracy(y, logits.argmax(dim=1))""",
            files={"ex03_predict.py": "from ex02_model import get_device\n"
                                      + (SOLUTIONS / "ex03_predict.py").read_text()}),
    Pattern("helper_function_and_constants_of_its_own", 32,
            top="PERCENT = 100\n\n\ndef percent_correct(logits, y):\n"
                "    return (logits.argmax(dim=1) == y).sum().item() / len(y) * PERCENT\n",
            evaluate_tail="""
    return loss, percent_correct(logits, y)"""),
    Pattern("a_sibling_that_is_not_done_yet", 12, evaluate_tail="""
    from ex03_predict import accuracy
    return loss, accuracy(y, logits.argmax(dim=1))""",
            files={"ex03_predict.py": (STUBS / "ex03_predict.py").read_text()},
            message="raised NotImplementedError"),
    Pattern("a_sibling_that_is_missing", 0, top="from ex03_predict import accuracy\n",
            files={"ex03_predict.py": None}, message="No module named 'ex03_predict'"),
    # A file of one's own is not part of a submission: importable nowhere.
    Pattern("own_helper_module_at_the_top", 0, top="from utils import percent\n",
            files={"utils.py": "def percent(part, whole):\n    return part / whole * 100\n"},
            message=ONLY_FILES),
    Pattern("own_helper_module_inside_a_function", 12, evaluate_tail="""
    from utils import percent
    return loss, percent((logits.argmax(dim=1) == y).sum().item(), len(y))""",
            files={"utils.py": "def percent(part, whole):\n    return part / whole * 100\n"},
            message=ONLY_FILES),
    Pattern("own_helper_module_through_sys_path", 0,
            top="import os, sys\nsys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
                "from utils import percent\n",
            files={"utils.py": "def percent(part, whole):\n    return part / whole * 100\n"},
            message=ONLY_FILES),
    # The exercise files are not a package: a relative import fails in pytest too.
    Pattern("relative_import_at_the_top", 0, top="from .ex03_predict import accuracy\n",
            message=messages.RELATIVE_IMPORT),
    Pattern("relative_import_inside_a_function", 12, evaluate_tail="""
    from .ex03_predict import accuracy
    return loss, accuracy(y, logits.argmax(dim=1))""", message=messages.RELATIVE_IMPORT),
    # Changing an argument in place: in a worker each call gets its own copy of the
    # inputs; in the grader's own process too. (Wrong, but wrong the same way everywhere.)
    Pattern("inputs_changed_in_place", 24, evaluate_tail="""
        X -= X.mean(dim=0)
    return loss, (model(X).argmax(dim=1) == y).float().mean().item() * 100"""),
]
REPRODUCTION = PATTERNS[0]


def write_exercises(folder: Path, pattern: Pattern) -> None:
    """The reference exercise files with the pattern's changes, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in SOLUTIONS.glob("ex0*.py"):
        shutil.copy(path, folder / path.name)
    ex04 = folder / "ex04_train.py"
    text = ex04.read_text()
    if pattern.evaluate_tail is not None:
        assert EVALUATE_TAIL in text
        text = text.replace(EVALUATE_TAIL, pattern.evaluate_tail.lstrip("\n"))
    ex04.write_text(pattern.top + text + pattern.end)
    for name, content in pattern.files.items():
        if content is None:
            (folder / name).unlink()
        else:
            (folder / name).write_text(content)


def student_repository(root: Path, pattern: Pattern) -> Path:
    """A student's repository as graded in place: exercises/ with the pytest files."""
    exercises = root / pattern.name / "exercises"
    write_exercises(exercises, pattern)
    for path in STUBS.glob("*.py"):
        if path.name.startswith(("test_", "conftest")):
            shutil.copy(path, exercises / path.name)
    return root / pattern.name


def total(lines: list[str]) -> int:
    """The points of the score table's `total` line."""
    found = [re.search(r"(\d+)/(\d+)\s*$", l) for l in lines if l.startswith("total")]
    assert found and found[-1], lines[-20:]
    return int(found[-1].group(1))


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """Every pattern as one student's repository, and the class graded by `python -m grader
    batch` in its own process: {student: {exercise: points}}."""
    # Imported for good before any test's pytester fixture takes its snapshot of sys.modules:
    # its in-process runs drop what was imported since, and neither the registries (a check
    # module imported again registers its checks again) nor some extension modules that
    # scikit-learn loads may be imported twice in one process.
    for name in PRELOADED:
        importlib.import_module(name)
    all_checks(), load_all()
    root = tmp_path_factory.mktemp("class")
    for pattern in PATTERNS:
        student_repository(root / "submissions", pattern)
    proc = subprocess.run([sys.executable, "-m", "grader", "batch", str(root / "submissions"),
                           "--csv", str(root / "grades.csv"), "--jobs", "1", "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    with open(root / "grades.csv", newline="") as f:
        scores = {row["student"]: {k: int(row[k]) for k in (*(ex.id for ex in exercises()), "total")}
                  for row in csv.DictReader(f)}          # the other columns say where files came from
    return root / "submissions", scores


@pytest.fixture
def decoys(tmp_path, monkeypatch):
    """A wrong ex03_predict and a working utils on sys.path, and a wrong ex03_predict in
    sys.modules: whatever the process grading holds, student code sees the submission."""
    folder = tmp_path / "decoys"
    folder.mkdir()
    (folder / "ex03_predict.py").write_text("def accuracy(*args):\n    return -1.0\n")
    (folder / "utils.py").write_text("def percent(part, whole):\n    return part / whole * 100\n")
    monkeypatch.syspath_prepend(str(folder))
    decoy = types.ModuleType("ex03_predict")
    decoy.accuracy = lambda *args: -1.0
    monkeypatch.setitem(sys.modules, "ex03_predict", decoy)


def failed_messages(report) -> list[str]:
    return [result_text(r) for r in report.results if not r.passed]


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.name)
def test_every_way_of_grading_gives_one_score(pattern, klass, decoys, pytester):
    submissions, batch_scores = klass
    repository = submissions / pattern.name
    exercises = repository / "exercises"
    test_file = exercises / f"test_{exercise(pattern.only).file}"

    # python -m grader [--in-process] and --submission: their entry points.
    worker = grade(exercises, only=pattern.only)
    in_process = grade(exercises, only=pattern.only, options=Options(in_process=True))
    submission = grade_submission(repository, only=pattern.only)
    # pytest exercises/test_ex0N_*.py, as the student runs it (here in this process).
    result = pytester.runpytest_inprocess(str(test_file), "-p", "no:cacheprovider")
    by_pytest = total(result.outlines)

    scores = {"pytest": by_pytest, "python -m grader": worker.score, "--in-process": in_process.score,
              "--submission": submission.score, "batch": batch_scores[pattern.name][pattern.only]}
    assert set(scores.values()) == {pattern.score}, scores
    verdicts = [[r.passed for r in report.results] for report in (worker, in_process, submission)]
    assert verdicts[0] == verdicts[1] == verdicts[2]
    if pattern.message:
        for report in (worker, in_process, submission):
            assert all(pattern.message in text for text in failed_messages(report)), failed_messages(report)


def test_the_reproduction_through_the_real_commands(klass, tmp_path):
    """`pytest exercises` and `python -m grader` in a student's copy of the template (only
    PATH and HOME set), --submission and batch as an instructor runs them: one score."""
    submissions, batch_scores = klass
    checkout = release(tmp_path / "student")
    write_exercises(tmp_path / "files", REPRODUCTION)
    drop_in(checkout, tmp_path / "files")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}

    def run(*args, cwd=checkout):
        proc = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode in (0, 1), proc.stdout[-2000:] + proc.stderr[-2000:]
        return proc

    def grader_json(*args, cwd=checkout) -> int:
        out = tmp_path / "report.json"
        run("-m", "grader", "--only", "ex04", "--format", "json", "--output", str(out), *args, cwd=cwd)
        return json.loads(out.read_text())["score"]

    scores = {
        "pytest": total(run("-m", "pytest", "-p", "no:cacheprovider", "exercises/test_ex04_train.py")
                        .stdout.splitlines()),
        "python -m grader": grader_json(),
        "--in-process": grader_json("--in-process"),
        "--submission": grader_json("--submission", str(submissions / REPRODUCTION.name), cwd=ROOT),
        "batch": batch_scores[REPRODUCTION.name]["ex04"],
    }
    assert set(scores.values()) == {32}, scores
