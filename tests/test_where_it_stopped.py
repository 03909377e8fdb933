"""Messages that point at the student's line: an endless loop names the line it was
stopped at (also when it swallows the time limit and its worker has to be killed), and a
leftover breakpoint() or pdb.set_trace() outside --in-process says how to debug instead
of failing with BdbQuit."""
from __future__ import annotations

import sys

import pytest

from grader import runner
from grader.runner import Options, grade

QUICK = Options(time_scale=0.05)            # accuracy's 10 s limit becomes 0.5 s


def failures(report) -> dict[str, str]:
    return {r.check.id: r.feedback for r in report.results if not r.passed}


def line_of(path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize("worker", [True, False], ids=["worker", "contained-in-process"])
def test_an_endless_loop_names_the_line_it_was_stopped_at(submission, monkeypatch, worker):
    """In the worker, and in the grader's own process where there is no worker (macOS)."""
    monkeypatch.setattr(runner, "worker_available", lambda: worker)
    code = ("def _count(n):\n    while True:\n        n += 1\n\n"
            "def accuracy(y_true, y_pred):\n    return _count(0)\n")
    folder = submission(ex03=code)
    lost = failures(grade(folder, only="ex03", options=QUICK))
    assert set(lost) == {"ex03.accuracy_percent", "ex03.accuracy_float"}
    text = lost["ex03.accuracy_percent"]
    line = line_of(folder / "ex03_predict.py", "        n += 1")
    assert "accuracy() did not finish within 0.5 s" in text
    assert (f"    stopped at ex03_predict.py, line {line}, in _count():\n        n += 1" in text
            or f"    stopped at ex03_predict.py, line {line - 1}, in _count():\n        while True:" in text), text


def test_a_loop_that_swallows_the_time_limit_still_names_its_line(submission):
    """The worker is killed GRACE seconds after the limit; where the limit found the code
    was sent to the grader when the limit struck."""
    code = ("import time\ndef accuracy(y_true, y_pred):\n    while True:\n        try:\n"
            "            time.sleep(0.05)\n        except BaseException:\n            pass\n")
    folder = submission(ex03=code)
    lost = failures(grade(folder, only="ex03", options=QUICK))
    text = lost["ex03.accuracy_percent"]
    line = line_of(folder / "ex03_predict.py", "time.sleep(0.05)")
    assert "accuracy() did not finish within 0.5 s" in text
    assert f"stopped at ex03_predict.py, line {line}, in accuracy():\n        time.sleep(0.05)" in text, text


def test_an_endless_loop_at_import_names_its_line(submission):
    folder = submission(ex03="#!file\nx = 0\nwhile True:\n    x += 1\n")
    text = failures(grade(folder, only="ex03", options=QUICK))["ex03.accuracy_float"]
    assert "ex03_predict.py could not be imported" in text and "did not finish within 1 s" in text
    assert "stopped at ex03_predict.py, line " in text and ", in <module>():" in text


@pytest.mark.parametrize("call", ["breakpoint()", "import pdb; pdb.set_trace()"])
def test_a_leftover_breakpoint_says_how_to_debug(submission, call):
    code = f"def accuracy(y_true, y_pred):\n    {call}\n    return 100.0\n"
    folder = submission(ex03=code)
    lost = failures(grade(folder, only="ex03"))
    assert set(lost) == {"ex03.accuracy_percent", "ex03.accuracy_float"}
    text = lost["ex03.accuracy_percent"]
    assert text.startswith(f"{call.split('; ')[-1]} only works with --in-process")
    assert "python -m grader --in-process --only ex03" in text
    assert "pytest exercises/test_ex03_predict.py --in-process -s" in text
    assert "BdbQuit" not in text
    line = line_of(folder / "ex03_predict.py", call)
    assert f"ex03_predict.py, line {line}, in accuracy()" in text


def test_with_in_process_breakpoint_reaches_the_debugger(submission, monkeypatch):
    stops = []
    monkeypatch.setattr(sys, "breakpointhook", lambda *a, **k: stops.append("stopped"))
    folder = submission(ex03="def accuracy(y_true, y_pred):\n    breakpoint()\n    return 100.0\n")
    report = grade(folder, only="ex03", options=Options(in_process=True))
    assert stops and "only works with --in-process" not in "".join(r.feedback for r in report.results)
