"""`pytest exercises` as a student runs it, driven through pytester."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from grader.checks.registry import all_checks
from grader.course import ROOT, exercise, total_points

TOTAL = total_points()

pytest_plugins = ["pytester"]


def copy_exercises(pytester, modules_from):
    for path in (ROOT / "exercises").glob("*.py"):
        if path.name.startswith(("test_", "conftest")):
            shutil.copy(path, pytester.path / path.name)
    for path in (ROOT / modules_from).glob("ex0*.py"):
        shutil.copy(path, pytester.path / path.name)


def run_exercises(pytester, modules_from, *args):
    copy_exercises(pytester, modules_from)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", f"pythonpath={ROOT}", *args)


def test_solutions_pass_every_check_and_end_with_the_table(pytester):
    result = run_exercises(pytester, "solutions")
    result.assert_outcomes(passed=len(all_checks()))
    lines = [l for l in result.outlines if l.strip()]
    assert lines[-1].startswith("total") and lines[-1].endswith(f"{TOTAL}/{TOTAL}")
    assert "score" in lines[-6]


def test_stubs_fail_with_one_line_each(pytester):
    result = run_exercises(pytester, "exercises")
    result.assert_outcomes(failed=len(all_checks()))
    text = result.stdout.str()
    assert "Traceback" not in text and "raise NotImplementedError" not in text
    result.stdout.fnmatch_lines(["*_ test_returns_tensors _*", "make_dataset() is not implemented yet",
                                 "(and 5 more checks of this exercise, worth 14 points, need this call)",
                                 "*_ test_labels_int64 _*", "make_dataset() is not implemented yet",
                                 "*_ test_device_type _*", "get_device() is not implemented yet",
                                 f"total*0/{TOTAL}"])


@pytest.fixture(scope="module")
def mistakes(tmp_path_factory) -> pytest.RunResult:
    """`pytest` in a folder of exercises (as pytester's runpytest_subprocess runs it) where
    each exercise file has its own mistake: ex01 gives float32 labels, ex02 calls os._exit(0)
    at import, ex03's accuracy calls os._exit(0). One run; each test judges its own."""
    folder = tmp_path_factory.mktemp("mistakes") / "exercises"
    folder.mkdir()
    for path in (ROOT / "exercises").glob("*.py"):
        if path.name.startswith(("test_", "conftest")):
            shutil.copy(path, folder / path.name)
    for path in (ROOT / "solutions").glob("ex0*.py"):
        shutil.copy(path, folder / path.name)
    ex01 = folder / "ex01_data.py"
    ex01.write_text(ex01.read_text().replace("torch.from_numpy(y).type(torch.long)",
                                             "torch.from_numpy(y).type(torch.float32)"))
    (folder / "ex02_model.py").write_text("import os\nos._exit(0)\n")
    ex03 = folder / "ex03_predict.py"
    ex03.write_text(ex03.read_text() + "\nimport os\ndef accuracy(y_true, y_pred):\n    os._exit(0)\n")
    home = folder.parent / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "TOX_"))}
    env.update(HOME=str(home), PY_COLORS="0")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", f"pythonpath={ROOT}",
                           f"--basetemp={folder.parent / 'basetemp'}"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=600)
    return pytest.RunResult(proc.returncode, proc.stdout.splitlines(), proc.stderr.splitlines(), 0.0)


EXITS = [c for c in all_checks() if c.exercise == "ex02" or c.id.startswith("ex03.accuracy")]


def test_a_wrong_answer_shows_its_feedback(mistakes):
    mistakes.assert_outcomes(passed=len(all_checks()) - 1 - len(EXITS), failed=1 + len(EXITS))
    ex01, lost = exercise("ex01").points, next(c.points for c in all_checks("ex01") if c.id == "ex01.labels_int64")
    mistakes.stdout.fnmatch_lines(["*y is float32; CrossEntropyLoss needs int64 class indices*",
                                   "*called:*make_dataset()*", "*expected:*int64*", f"ex01 *{ex01 - lost}/{ex01}"])


def test_os_exit_in_student_code_cannot_make_pytest_pass(mistakes):
    """os._exit(0) would end an in-process pytest with status 0, a pass on GitHub Classroom."""
    assert mistakes.ret == 1
    mistakes.assert_outcomes(passed=len(all_checks()) - 1 - len(EXITS), failed=1 + len(EXITS))
    mistakes.stdout.fnmatch_lines(["*ended the process (os._exit(0)) while importing ex02_model.py*",
                                   "*ended the process (os._exit(0)) inside accuracy()*"])


def test_in_process_runs_the_code_in_pytest_and_says_so(pytester):
    result = run_exercises(pytester, "solutions", "--in-process")
    result.assert_outcomes(passed=len(all_checks()))
    result.stdout.fnmatch_lines(["*Running your code inside the grader (--in-process)*"])
