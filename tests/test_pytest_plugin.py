"""`pytest exercises` as a student runs it, driven through pytester."""
from __future__ import annotations

import shutil

import pytest

from grader.course import ROOT

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
    result.assert_outcomes(passed=40)
    lines = [l for l in result.outlines if l.strip()]
    assert lines[-1].startswith("total") and lines[-1].endswith("100/100")
    assert "score" in lines[-6]


def test_stubs_fail_with_one_line_each(pytester):
    result = run_exercises(pytester, "exercises")
    result.assert_outcomes(failed=40)
    text = result.stdout.str()
    assert "Traceback" not in text and "raise NotImplementedError" not in text
    result.stdout.fnmatch_lines(["*_ test_labels_int64 _*", "make_dataset() is not implemented yet",
                                 "*_ test_device_type _*", "get_device() is not implemented yet",
                                 "total*0/100"])


def test_a_wrong_answer_shows_its_feedback(pytester):
    copy_exercises(pytester, "solutions")
    path = pytester.path / "ex01_data.py"
    path.write_text(path.read_text().replace("torch.from_numpy(y).type(torch.long)",
                                             "torch.from_numpy(y).type(torch.float32)"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", f"pythonpath={ROOT}",
                                           "test_ex01_data.py")
    result.assert_outcomes(passed=9, failed=1)
    result.stdout.fnmatch_lines(["*y is float32; CrossEntropyLoss needs int64 class indices*",
                                 "*called:*make_dataset()*", "*expected:*int64*", "total*18/22"])


def test_os_exit_in_student_code_cannot_make_pytest_pass(pytester):
    """os._exit(0) would end an in-process pytest with status 0, a pass on GitHub Classroom."""
    copy_exercises(pytester, "solutions")
    (pytester.path / "ex01_data.py").write_text("import os\nos._exit(0)\n")
    path = pytester.path / "ex03_predict.py"
    path.write_text(path.read_text() + "\nimport os\ndef accuracy(y_true, y_pred):\n    os._exit(0)\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", f"pythonpath={ROOT}")
    assert result.ret == 1
    result.assert_outcomes(passed=40 - 10 - 2, failed=12)
    result.stdout.fnmatch_lines(["*ended the process (os._exit(0)) while importing ex01_data.py*",
                                 "*ended the process (os._exit(0)) inside accuracy()*"])


def test_in_process_runs_the_code_in_pytest_and_says_so(pytester):
    result = run_exercises(pytester, "solutions", "--in-process")
    result.assert_outcomes(passed=40)
    result.stdout.fnmatch_lines(["*Running your code inside the grader (--in-process)*"])
