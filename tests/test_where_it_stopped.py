"""Messages that point at the student's line: an endless loop names the line it was
stopped at (also when it swallows the time limit and its worker has to be killed), and a
leftover breakpoint() or pdb.set_trace() outside --in-process says how to debug instead
of failing with BdbQuit."""
from __future__ import annotations

import linecache
import re
import sys

import pytest

from grader.platforms.report import result_text
from grader import runner
from grader.course import ROOT
from grader.runner import Options, grade

from .catalogue.ex04_train import _train
from .conftest import SOLUTIONS

QUICK = Options(time_scale=0.05)            # accuracy's 10 s limit becomes 0.5 s


def failures(report) -> dict[str, str]:
    return {r.check.id: result_text(r) for r in report.results if not r.passed}


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
    line = line_of(folder / "ex03_predict.py", "    while True:")
    assert "accuracy() did not finish within 0.5 s; it was stopped inside _count()" in text
    assert f"    stopped in the loop at ex03_predict.py, line {line}, in _count():\n        while True:" in text, text


def test_a_loop_that_swallows_the_time_limit_still_names_its_line(submission):
    """The worker is killed GRACE seconds after the limit; where the limit found the code
    was sent to the grader when the limit struck."""
    code = ("import time\ndef accuracy(y_true, y_pred):\n    while True:\n        try:\n"
            "            time.sleep(0.05)\n        except BaseException:\n            pass\n")
    folder = submission(ex03=code)
    lost = failures(grade(folder, only="ex03", options=QUICK))
    text = lost["ex03.accuracy_percent"]
    line = line_of(folder / "ex03_predict.py", "    while True:")
    assert "accuracy() did not finish within 0.5 s" in text
    assert f"stopped in the loop at ex03_predict.py, line {line}, in accuracy():\n        while True:" in text, text


def test_an_endless_loop_at_import_names_its_line(submission):
    folder = submission(ex03="#!file\nx = 0\nwhile True:\n    x += 1\n")
    text = failures(grade(folder, only="ex03", options=QUICK))["ex03.accuracy_float"]
    assert "ex03_predict.py could not be imported" in text and "did not finish within 1 s" in text
    assert "stopped in the loop at ex03_predict.py, line 3, in <module>():\n        while True:" in text, text


@pytest.mark.parametrize("call", ["breakpoint()", "import pdb; pdb.set_trace()"])
def test_a_leftover_breakpoint_says_how_to_debug(submission, call):
    code = f"def accuracy(y_true, y_pred):\n    {call}\n    return 100.0\n"
    folder = submission(ex03=code)
    lost = failures(grade(folder, only="ex03"))
    assert set(lost) == {"ex03.accuracy_percent", "ex03.accuracy_float"}
    text = lost["ex03.accuracy_percent"]
    assert text.startswith(f"{call.split('; ')[-1]} only works with --in-process")
    assert "python3 course.py grade --in-process --only ex03" in text
    assert "pytest exercises/test_ex03_predict.py --in-process -s" in text
    assert "BdbQuit" not in text
    line = line_of(folder / "ex03_predict.py", call)
    assert f"ex03_predict.py, line {line}, in accuracy()" in text


def test_with_in_process_breakpoint_reaches_the_debugger(submission, monkeypatch):
    stops = []
    monkeypatch.setattr(sys, "breakpointhook", lambda *a, **k: stops.append("stopped"))
    folder = submission(ex03="def accuracy(y_true, y_pred):\n    breakpoint()\n    return 100.0\n")
    report = grade(folder, only="ex03", options=Options(in_process=True))
    assert stops and "only works with --in-process" not in "".join(result_text(r) for r in report.results)


ENDLESS_TRAIN = _train(loop="epoch = 0\n    while epoch < epochs:")     # the increment forgotten


@pytest.mark.parametrize("worker", [True, False], ids=["worker", "contained-in-process"])
def test_an_endless_loop_is_named_by_its_own_header_wherever_it_was_stopped(submission, monkeypatch,
                                                                           worker):
    """train's loop calls the model and evaluate: the limit stops it wherever it happens to
    be, but the line shown is the loop's header, the same in every tool."""
    monkeypatch.setattr(runner, "worker_available", lambda: worker)
    folder = submission(ex04=ENDLESS_TRAIN)
    lost = failures(grade(folder, only="ex04", options=QUICK))
    line = line_of(folder / "ex04_train.py", "while epoch < epochs:")
    for check_id, text in lost.items():
        assert check_id.startswith("ex04.train_"), check_id
        assert text.startswith("train() did not finish within 0.75 s: is there an endless loop?"), text
        assert (f"\n    stopped in the loop at ex04_train.py, line {line}, in train():\n"
                "        while epoch < epochs:\n") in text, text


def test_in_a_notebook_the_loop_is_named_by_its_cell_line(monkeypatch):
    from grader.checks.cases import Cases
    from grader.checks.registry import all_checks
    from grader.gateway import in_process
    from grader.gateway.notebook import NotebookGateway
    from grader.runner import Context, run_check

    real_init = in_process.InProcessGateway.__init__
    monkeypatch.setattr(in_process.InProcessGateway, "__init__",
                        lambda self, target, **kw: real_init(self, target, **{**kw, "time_scale": 0.05}))
    cell = "<cell train>"
    source = "import torch\nfrom torch import nn\n" + ENDLESS_TRAIN
    linecache.cache[cell] = (len(source), None, source.splitlines(keepends=True), cell)  # as IPython does
    namespace: dict = {}
    exec(compile((SOLUTIONS / "ex04_train.py").read_text(), "<cell ex04>", "exec"), namespace)
    exec(compile(source, cell, "exec"), namespace)
    ctx = Context(NotebookGateway(namespace), Cases())
    text = result_text(run_check(next(c for c in all_checks("ex04") if c.id == "ex04.train_history"), ctx))
    line = next(i for i, l in enumerate(source.splitlines(), 1) if "while epoch < epochs:" in l)
    assert (f"stopped in the loop at line {line} of the cell that defines train():\n"
            "        while epoch < epochs:") in text, text


def test_a_call_that_ran_out_of_time_is_not_made_again_with_other_arguments(submission, monkeypatch):
    """train runs twice (the defaults, then other sizes): with an endless loop, once, so
    that each save in the watch costs the train limit once."""
    monkeypatch.setattr(runner, "worker_available", lambda: False)
    from grader.gateway.in_process import InProcessGateway

    runs: list[str] = []
    real_run = InProcessGateway._run
    monkeypatch.setattr(InProcessGateway, "_run", lambda self, probe, params: (
        runs.append(probe.name), real_run(self, probe, params))[1])
    lost = failures(grade(submission(ex04=ENDLESS_TRAIN), only="ex04", options=QUICK))
    assert runs.count("train") == 1 and len(lost) == 6
    assert len({text.split("\n  called:")[0] for text in lost.values()}) == 1


def test_the_readme_quotes_the_real_time_limit():
    """The time limits are the probes' own (grader/probes/); the README's example shows the
    one of the call it names."""
    from grader.probes.registry import load_all

    limits = {name: probe.time_limit for name, probe in load_all().items()}
    for readme in (ROOT / "docs" / "students.md", ROOT / "grader" / "authoring" / "templates" / "student_README.md"):
        text = readme.read_text()
        shown = re.findall(r"(\w+)\(\) did not finish within (\d+(?:\.\d+)?) s", text)
        shown += [(name, seconds) for seconds, name in re.findall(r"(\d+) s for `(\w+)`", text)]
        others = re.findall(r"(\d+) s for the others", text)
        assert shown and others, readme
        assert all(float(seconds) == limits[name] for name, seconds in shown), (readme, shown, limits)
        assert {float(s) for s in others} == {v for k, v in limits.items() if k not in dict(shown)}, readme


def test_a_loop_that_prints_without_end_is_named_by_its_header(submission):
    """The increment forgotten in a loop that prints: the output limit stops it first, at
    the print, and the message names the loop around it."""
    code = ("def accuracy(y_true, y_pred):\n    i = 0\n    while i < len(y_true):\n"
            "        print('sample', i, y_true[i].item(), '-' * 1000)\n    return 100.0\n")
    folder = submission(ex03=code)
    text = failures(grade(folder, only="ex03"))["ex03.accuracy_percent"]
    line = line_of(folder / "ex03_predict.py", "    while i < len(y_true):")
    assert text.startswith("accuracy() printed more than 100,000 characters"), text
    assert (f"\n    stopped in the loop at ex03_predict.py, line {line}, in accuracy():\n"
            "        while i < len(y_true):\n") in text, text
