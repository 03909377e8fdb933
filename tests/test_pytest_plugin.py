"""`pytest exercises` as a student runs it, driven through pytester."""
from __future__ import annotations

import shutil


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


def test_a_wrong_answer_shows_its_feedback(pytester):
    copy_exercises(pytester, "solutions")
    path = pytester.path / "ex01_data.py"
    path.write_text(path.read_text().replace("torch.from_numpy(y).type(torch.long)",
                                             "torch.from_numpy(y).type(torch.float32)"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", f"pythonpath={ROOT}",
                                           "test_ex01_data.py")
    result.assert_outcomes(passed=len(all_checks("ex01")) - 1, failed=1)
    ex01, lost = exercise("ex01").points, next(c.points for c in all_checks("ex01") if c.id == "ex01.labels_int64")
    result.stdout.fnmatch_lines(["*y is float32; CrossEntropyLoss needs int64 class indices*",
                                 "*called:*make_dataset()*", "*expected:*int64*", f"total*{ex01 - lost}/{ex01}"])


def test_os_exit_in_student_code_cannot_make_pytest_pass(pytester):
    """os._exit(0) would end an in-process pytest with status 0, a pass on GitHub Classroom."""
    copy_exercises(pytester, "solutions")
    (pytester.path / "ex01_data.py").write_text("import os\nos._exit(0)\n")
    path = pytester.path / "ex03_predict.py"
    path.write_text(path.read_text() + "\nimport os\ndef accuracy(y_true, y_pred):\n    os._exit(0)\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", f"pythonpath={ROOT}")
    assert result.ret == 1
    lost = len(all_checks("ex01")) + len([c for c in all_checks("ex03") if c.id.startswith("ex03.accuracy")])
    result.assert_outcomes(passed=len(all_checks()) - lost, failed=lost)
    result.stdout.fnmatch_lines(["*ended the process (os._exit(0)) while importing ex01_data.py*",
                                 "*ended the process (os._exit(0)) inside accuracy()*"])


def test_in_process_runs_the_code_in_pytest_and_says_so(pytester):
    result = run_exercises(pytester, "solutions", "--in-process")
    result.assert_outcomes(passed=len(all_checks()))
    result.stdout.fnmatch_lines(["*Running your code inside the grader (--in-process)*"])
