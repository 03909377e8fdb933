"""grader/platforms/marimo_cell.py, the marimo lesson's side of the grader, without marimo:
the verdicts it gives, the student's functions it hands the demonstrations (and what they
do when the student's code fails), the signatures it reads, the files it watches."""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from grader import messages
from grader.checks.registry import all_checks
from grader.course import exercise
from grader.platforms import marimo_cell
from grader.platforms.marimo_cell import Verdict

from .catalogue import all_mistakes
from .conftest import EXERCISES, SOLUTIONS


class Stopped(BaseException):
    """What mo.stop does to the cell: ends it, with a message."""


def stop(message: str):
    raise Stopped(message)


def runnable(ex_id: str) -> Verdict:
    ex = exercise(ex_id)
    return Verdict(ex_id, ex.title, ex.file, 1, 0, 1, (), (), None, ex.hint)


def message_of(call) -> str:
    with pytest.raises(Stopped) as stopped:
        call()
    return str(stopped.value)


# -- verdicts -------------------------------------------------------------------------------
def test_the_reference_earns_every_point_and_the_stubs_none():
    for target, earned in ((SOLUTIONS, True), (EXERCISES, False)):
        v = marimo_cell.grade("ex01", target)
        points = sum(c.points for c in all_checks("ex01"))
        assert (v.earned, v.available) == ((points if earned else 0), points)
        assert v.passed is earned and v.blocked is None
    stubbed = marimo_cell.grade("ex01", EXERCISES)
    assert stubbed.not_implemented == exercise("ex01").functions
    # One callout per function: its checks share the one message.
    assert [f.stub for f in stubbed.failures] == list(exercise("ex01").functions)
    assert stubbed.failures[0].markdown.startswith("`make_dataset()` is not implemented yet (16 points:")
    assert sum(f.points for f in stubbed.failures) == stubbed.available
    assert marimo_cell.course_points([stubbed]) == (0, sum(c.points for c in all_checks()))


def test_a_mistake_shows_the_graders_message(submission):
    mistake = next(m for m in all_mistakes() if m.name == "float labels")
    v = marimo_cell.grade("ex01", submission(ex01=mistake.code))
    [failure, *_] = [f for f in v.failures if "expected scalar type Long" in f.message]
    assert failure.stub is None
    assert failure.markdown.endswith(f"```text\n{failure.message}\n```")
    assert 0 < v.earned < v.available


@pytest.mark.skipif(not marimo_cell.worker_available(), reason="prefetched only where the worker grades")
def test_a_prefetched_verdict_is_taken_only_for_the_files_it_graded(submission, monkeypatch):
    target = submission()
    graded_here = []
    real = marimo_cell._grade

    def counted(ex_id, where):
        if threading.current_thread() is threading.main_thread():
            graded_here.append(ex_id)
        return real(ex_id, where)

    monkeypatch.setattr(marimo_cell, "_grade", counted)
    marimo_cell.prefetch(target)
    assert marimo_cell.grade("ex02", target).passed and graded_here == []   # the prefetch's
    # Saved after the prefetch graded it: its digest differs, and it is graded again.
    mistake = next(m for m in all_mistakes() if m.name == "float labels")
    file = exercise("ex01").file
    (target / file).write_text((submission(ex01=mistake.code) / file).read_text())
    v = marimo_cell.grade("ex01", target)
    assert graded_here == ["ex01"] and 0 < v.earned < v.available
    # Each prefetched verdict is taken once: a save grades again, whatever the digests.
    assert marimo_cell.grade("ex02", target).passed and graded_here == ["ex01", "ex02"]
    for ex_id in ("ex03", "ex04"):          # the rest, taken: no thread is left grading
        marimo_cell.grade(ex_id, target)


@pytest.mark.parametrize("ex_id, code, kind", [
    ("ex01", "import os\nos._exit(3)\n", "import"),
    ("ex04", "def train(*args, **kwargs):\n    import os\n    os._exit(0)\n", "call"),
    ("ex01", "def make_dataset(:\n", "syntax"),
])
def test_code_that_ends_or_breaks_the_worker_is_never_loaded_here(submission, monkeypatch, ex_id, code, kind):
    v = marimo_cell.grade(ex_id, submission(**{ex_id: code}))
    assert v.blocked, v
    monkeypatch.setattr(marimo_cell, "InProcessGateway", None)     # no import in this process
    functions = marimo_cell.load(ex_id, submission(), v, stop)
    text = message_of(functions[-1])
    assert "does not run" in text and v.blocked in text
    assert "?." not in text and ".." not in text


def test_a_question_ends_the_sentence_that_blocks_an_exercise(submission):
    v = marimo_cell.grade("ex01", submission(ex01="import os\nos._exit(3)\n"))
    endless = messages.TIMED_OUT.format(where="train()", seconds=15)       # ends in "?"
    text = message_of(marimo_cell.load("ex01", submission(), replace(v, blocked=endless), stop)[0])
    assert endless in text and "?." not in text


# -- the demonstrations' functions ---------------------------------------------------------
def load(ex_id: str, target: Path):
    return dict(zip(exercise(ex_id).functions, marimo_cell.load(ex_id, target, runnable(ex_id), stop)))


def test_the_students_functions_run_as_written(submission):
    functions = load("ex01", SOLUTIONS)
    X, y = functions["make_dataset"]()
    assert tuple(X.shape) == (1000, 2) and str(y.dtype) == "torch.int64"


def test_a_stub_stops_its_cell_with_not_implemented_yet():
    functions = load("ex04", EXERCISES)
    text = message_of(lambda: functions["evaluate"](None, None, None, None))
    assert messages.NOT_IMPLEMENTED.format(function="evaluate") in text
    assert "exercises/ex04_train.py" in text


def test_a_stub_called_by_a_written_function_is_named(submission):
    folder = submission(ex04="""
        def evaluate(model, X, y, loss_fn):
            raise NotImplementedError()
        """)
    functions = load("ex04", folder)
    import torch
    model = torch.nn.Linear(2, 4)
    X, y = torch.zeros(8, 2), torch.zeros(8, dtype=torch.long)
    text = message_of(lambda: functions["train"](model, X, y, X, y, epochs=1))
    assert "evaluate() is not implemented yet" in text


@pytest.mark.parametrize("code, expected", [
    ("def make_dataset(*a, **k):\n    return 1 / 0\n", "raised `ZeroDivisionError: division by zero (ex01_data.py, line"),
    ("def make_dataset(*a, **k):\n    import sys\n    sys.exit(2)\n", "ended the process (sys.exit(2))"),
    ("def make_dataset(*a, **k):\n    while True:\n        pass\n", "did not finish within 0.5 s"),
    ("del make_dataset\n", "has no function make_dataset()"),
    ("make_dataset = 3\n", "make_dataset is a int, not a function"),
])
def test_a_failing_call_stops_its_cell_with_the_graders_words(submission, monkeypatch, code, expected):
    monkeypatch.setattr(marimo_cell, "DEMO_LIMIT", 0.5)
    functions = load("ex01", submission(ex01=code))
    assert expected in message_of(functions["make_dataset"])


# -- signatures and saved files -------------------------------------------------------------
def test_describe_reads_the_signature_and_docstring_without_running_the_file(submission):
    stubbed = marimo_cell.grade("ex02", EXERCISES)
    text = marimo_cell.describe(stubbed, "build_model", EXERCISES)
    assert text.startswith("**Your function** `build_model(in_features=2, out_features=4, hidden_units=8)`")
    assert "It is not implemented yet." in text and "Build the classifier" in text
    broken = submission(ex02="#!file\nimport os\nos._exit(1)\ndef build_model(:\n")
    assert "cannot be read there now" in marimo_cell.describe(stubbed, "build_model", broken)


def test_watch_sets_the_state_of_a_saved_file_once_and_stops_when_told(tmp_path):
    target = tmp_path
    path = target / exercise("ex01").file
    path.write_text("x = 1\n")
    seen = {"ex01": marimo_cell.digest(target, "ex01")}
    changes, done = [], threading.Event()
    thread = threading.Thread(target=marimo_cell.watch, daemon=True,
                              args=(target, {"ex01": changes.append}, seen, done.is_set, 0.05))
    thread.start()
    time.sleep(0.3)
    assert changes == []
    path.write_text("x = 2\n")
    deadline = time.monotonic() + 5
    while not changes and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert changes == [marimo_cell.digest(target, "ex01")]
    done.set()
    thread.join(5)
    assert not thread.is_alive()


def test_the_lessons_figures_are_drawn_once_and_others_go_marimos_way(monkeypatch):
    """marimo gives matplotlib's Artist an _mime_ that saves the figure trimmed (drawn
    twice); draw_figures_once() draws the lesson's plots once, at their own size, as SVG, and
    leaves any other figure to marimo's, and wraps marimo's only once. A figure shown is
    handed back to be drawn on again by its cell (tests/test_plots.py)."""
    import base64

    import matplotlib.pyplot as plt
    import torch
    from matplotlib.artist import Artist

    from grader import plots

    def marimos(artist):
        return "marimo's", ""

    monkeypatch.setattr(Artist, "_mime_", marimos, raising=False)
    monkeypatch.setattr(plots, "_where", None)
    handed_back = []
    monkeypatch.setattr(plots, "hand_back", handed_back.append)
    draws = []
    monkeypatch.setattr(plots, "svg", lambda figure, svg=plots.svg: draws.append(figure) or svg(figure))
    marimo_cell.draw_figures_once()
    marimo_cell.draw_figures_once()
    try:
        ax = plots.plot_data(torch.zeros(3, 2), torch.tensor([0, 1, 1]))
        mime, url = ax._mime_()
        assert mime == "image/svg+xml" and draws == [ax.figure] and handed_back == [ax.figure]
        svg = base64.b64decode(url.removeprefix("data:image/svg+xml;base64,"))
        assert svg.startswith(b"<?xml") and b"</svg>" in svg
        assert ax.figure._mime_()[0] == mime and draws == [ax.figure] * 2     # the figure itself
        _, other = plt.subplots()
        assert other._mime_() == ("marimo's", "") and len(draws) == 2 and len(handed_back) == 2
        assert plots._where is marimo_cell._running_cell
    finally:
        plt.close("all")


def test_a_figure_shown_is_drawn_on_again_by_its_cell_on_its_next_run(monkeypatch):
    """As marimo runs a cell: the figure shown (_mime_), then every figure closed; the
    cell's next run draws on it again. Saving it and closing it are no change to it."""
    import weakref

    import torch
    from marimo._output.mpl import close_figures
    from matplotlib.artist import Artist

    from grader import plots

    class Run:
        pass

    runs = [Run()]
    monkeypatch.setattr(Artist, "_mime_", lambda artist: ("marimo's", ""), raising=False)
    monkeypatch.setattr(plots, "_where", None)
    monkeypatch.setattr(plots, "_spares", {})
    monkeypatch.setattr(plots, "_made", weakref.WeakKeyDictionary())
    monkeypatch.setattr(marimo_cell, "_running_cell", lambda: ("cell", runs[0]))
    marimo_cell.draw_figures_once()
    try:
        shown = plots.plot_data(torch.zeros(3, 2), torch.tensor([0, 1, 1]))
        assert shown._mime_()[0] == "image/svg+xml"
        close_figures()
        runs[0] = Run()
        assert plots.plot_data(torch.ones(3, 2), torch.tensor([1, 0, 1])) is shown
    finally:
        close_figures()


def test_a_figure_is_made_at_the_marimo_cell_running_and_at_this_run_of_it():
    """What plots.reuse_figures keys the figures on: the cell, and a new run each time it
    runs; nothing outside a cell's run."""
    import marimo

    app = marimo.App()

    @app.cell
    def _():
        from grader.platforms import marimo_cell
        first = marimo_cell._running_cell()
        return first, marimo_cell

    @app.cell
    def _(marimo_cell):
        second = marimo_cell._running_cell()
        return (second,)

    _, defs = app.run()
    (first_cell, first_run), (second_cell, second_run) = defs["first"], defs["second"]
    assert isinstance(first_cell, str) and first_cell != second_cell
    assert first_run is not second_run
    assert marimo_cell._running_cell() is None


def test_what_the_lesson_imports_is_left_out_of_later_collections():
    """The setup's import_for_good: torch and the rest imported, and every object alive then
    frozen, so that a redraw's collections do not walk them again."""
    import gc
    import sys

    try:
        marimo_cell.import_for_good()
        assert {"torch", "sklearn.datasets", "matplotlib.pyplot"} <= set(sys.modules)
        assert gc.get_freeze_count() > 100_000
        assert len(gc.get_objects()) < gc.get_freeze_count()
    finally:
        gc.unfreeze()                 # this test process collects as before
