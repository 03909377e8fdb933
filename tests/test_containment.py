"""Broken student code costs only its own exercise's checks, with a message that says
what happened, and the other exercises are still graded. Tested once each, elsewhere:
sys.exit(0) and a sleep at import, and input(), in tests/test_hostile.py (which also proves
they cost what an exception costs); endless loops, in the worker and in the grader's own
process, in tests/test_where_it_stopped.py, and in train() in tests/test_hostile.py."""
from __future__ import annotations

import pytest

from grader.platforms.report import result_text
from grader.checks.registry import all_checks
from grader.course import total_points
from grader.runner import grade

EX01_POINTS = sum(c.points for c in all_checks("ex01"))


def only_ex01_lost(report) -> list[str]:
    """The feedback of the failed checks, after asserting that all of them are ex01's."""
    failed = [r for r in report.results if not r.passed]
    assert {r.check.exercise for r in failed} == {"ex01"}
    assert report.score == total_points() - EX01_POINTS
    return [result_text(r) for r in failed]


@pytest.mark.parametrize("code, message", [
    ("#!file\ndef make_dataset(:\n    pass\n", "could not be imported"),
    ("#!file\nimport torch\nraise RuntimeError('boom at import')\n", "RuntimeError: boom at import"),
    ("#!file\nimport sys\nsys.exit('bye')\n", "ended the process"),
    ("#!file\nwhile True:\n    print('spam')\n", "printed more than"),
])
def test_a_module_that_cannot_load_fails_only_its_own_checks(code, message, submission):
    feedback = only_ex01_lost(grade(submission(ex01=code)))
    assert all(message in f and "ex01_data.py" in f for f in feedback), feedback[0]


def test_a_syntax_error_names_the_line(submission):
    feedback = only_ex01_lost(grade(submission(ex01="#!file\nx = 1\ndef make_dataset(:\n    pass\n")))
    assert "SyntaxError" in feedback[0] and "line 3" in feedback[0]


def test_a_missing_file_is_reported(submission, tmp_path):
    directory = submission()
    (directory / "ex01_data.py").unlink()
    feedback = only_ex01_lost(grade(directory))
    assert all("MISSING FILE: ex01_data.py" in f for f in feedback)


@pytest.mark.parametrize("code, message", [
    ("del make_dataset\ndel split_dataset\n", "MISSING FUNCTION: ex01_data.py has no function make_dataset()"),
    ("make_dataset = 42\nsplit_dataset = 42\n", "make_dataset is a int, not a function"),
    ("def make_dataset(*a, **k):\n    raise ValueError('oops')\n"
     "def split_dataset(*a, **k):\n    raise ValueError('oops')\n", "raised ValueError: oops (ex01_data.py, line"),
    ("import sys\ndef make_dataset(*a, **k):\n    sys.exit(3)\ndef split_dataset(*a, **k):\n    sys.exit(3)\n",
     "ended the process (sys.exit(3)) inside make_dataset()"),
    ("def make_dataset(*a, **k):\n    while True:\n        print('x' * 1000)\n"
     "def split_dataset(*a, **k):\n    while True:\n        print('x' * 1000)\n", "printed more than 100,000"),
    ("def make_dataset(*a, **k):\n    return None\ndef split_dataset(*a, **k):\n    return None\n",
     "returned None"),
    ("def make_dataset(*a, **k):\n    return 'data'\ndef split_dataset(*a, **k):\n    return 'data'\n",
     "should return"),
])
def test_a_failing_function_fails_only_its_checks(code, message, submission):
    feedback = only_ex01_lost(grade(submission(ex01=code)))
    assert any(message in f for f in feedback), feedback


def test_student_prints_are_shown_under_a_failed_check(submission):
    code = ("def make_dataset(*a, **k):\n    print('debugging: here')\n    return None, None\n")
    report = grade(submission(ex01=code), only="ex01")
    feedback = [result_text(r) for r in report.results if not r.passed]
    assert feedback and all("your code printed:" in f and "debugging: here" in f for f in feedback
                            if "make_dataset" in f)


def test_warnings_from_student_code_do_not_escape(submission, recwarn):
    code = ("import warnings\n_ref = make_dataset\n"
            "def make_dataset(*a, **k):\n    warnings.warn('noisy', UserWarning)\n    return _ref(*a, **k)\n")
    report = grade(submission(ex01=code), only="ex01")
    assert report.score == EX01_POINTS
    assert not [w for w in recwarn if "noisy" in str(w.message)]


def test_one_exercise_importing_another_is_allowed(submission):
    code = "from ex03_predict import accuracy as _acc\n"
    assert grade(submission(ex04=code), only="ex04").score == sum(c.points for c in all_checks("ex04"))


def test_without_the_worker_the_grader_grades_in_its_own_process(submission, monkeypatch):
    """Windows and macOS have no worker (no fork or no sandbox): the in-process gateway
    then grades (its time limit: tests/test_where_it_stopped.py, contained-in-process)."""
    from grader import runner

    monkeypatch.setattr(runner, "worker_available", lambda: False)
    with runner.Session(submission()) as session:
        assert type(session.ctx.gateway).__name__ == "InProcessGateway"
    assert grade(submission()).score == total_points()
