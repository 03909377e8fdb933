"""The nbgrader notebook is built from solutions/ and the lesson, and its test cells
(grader.platforms.notebook.grade_cell) give the same verdicts as `python -m grader` on the same code.
Here in-process, on the notebook as `python -m grader nbgrader OUT` writes it;
tests/test_nbgrader.py runs real nbgrader."""
from __future__ import annotations

import json
import re
import shutil
import textwrap

import pytest

from grader.authoring.markers import MarkerError
from grader.course import ROOT, exercise, exercises, total_points
from grader.authoring.nbcourse import CELL_TIMEOUT, course_files, notebook, notebook_text, solution_parts, write_course
from grader.platforms.notebook import grade_cell
from grader.checks.registry import all_checks

from .catalogue import all_alternatives, all_mistakes
from .conftest import SOLUTIONS, results_by_id

# An advice cell (the checks in the student's kernel) with every function looping for ever
# stays within this; at autograde, such a cell is stopped after CELL_TIMEOUT, harmlessly.
ADVICE_WORST_CASE = 300


def cells_of(nb, **nbgrader):
    return [c for c in nb["cells"]
            if all(c["metadata"].get("nbgrader", {}).get(k) == v for k, v in nbgrader.items())]


def notebook_namespace(source=SOLUTIONS, **variants) -> dict:
    """The globals of a notebook whose cells hold the modules in `source`, then the
    variant code of an exercise in a cell of its own (its defs replace the others)."""
    namespace: dict = {}
    for ex in exercises():
        exec(compile((source / ex.file).read_text(), f"<cell {ex.file}>", "exec"), namespace)
    for ex_id, code in variants.items():
        exec(compile(textwrap.dedent(code), f"<cell {ex_id} variant>", "exec"), namespace)
    return namespace


# -- the notebook ------------------------------------------------------------------------

def test_one_solution_cell_per_function_built_from_its_solution_file():
    nb = json.loads(notebook_text())
    solution_cells = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
                      for c in cells_of(nb, solution=True)}
    wanted = [f for ex in exercises() for f in ex.functions]
    assert list(solution_cells) == wanted
    for ex in exercises():
        _, functions = solution_parts(SOLUTIONS / ex.file)
        for name in ex.functions:
            cell = solution_cells[name]
            assert cell == functions[name]
            assert cell.startswith(f"def {name}(") and "### BEGIN SOLUTION" in cell
            assert cell.rstrip().endswith("### END SOLUTION")


def test_test_cells_call_the_checks_and_carry_the_registry_points():
    nb = json.loads(notebook_text())
    tests = cells_of(nb, grade=True)
    assert [c["metadata"]["nbgrader"]["grade_id"] for c in tests] == [f"test_{e.id}" for e in exercises()]
    for cell, ex in zip(tests, exercises()):
        meta = cell["metadata"]["nbgrader"]
        assert meta["points"] == ex.points == sum(c.points for c in all_checks(ex.id))
        assert meta["locked"] and not meta["solution"]
        source = "".join(cell["source"])
        assert source.rstrip().endswith(f'grade_cell("{ex.id}", globals())')
        assert "assert" not in source                       # the checks live in the grader
    assert sum(c["metadata"]["nbgrader"]["points"] for c in tests) == total_points()


def test_each_exercise_is_tested_after_its_last_function():
    ids = [c["id"] for c in json.loads(notebook_text())["cells"]]
    for ex in exercises():
        assert max(ids.index(f) for f in ex.functions) < ids.index(f"test_{ex.id}")


def test_the_notebook_is_valid_and_has_no_outputs():
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.reads(notebook_text(), as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert len({c.id for c in nb.cells}) == len(nb.cells)


def test_the_lesson_teaches_each_topic():
    text = "\n".join("".join(c["source"]) for c in json.loads(notebook_text())["cells"])
    for topic in ["plots.plot_data", "int64", "LongTensor", "80/20" if "80/20" in text else "20%",
                  "get_device()", "raw logits", "CrossEntropyLoss", "torch.optim.SGD",
                  "torch.softmax(row, dim=1)", "argmax(dim=1)", "plots.plot_history",
                  "plots.plot_decision_boundary", "Without the ReLUs"]:
        assert topic in text, topic


def _lesson_copy(tmp_path, replacements: list[tuple[str, str]]):
    shutil.copytree(SOLUTIONS, tmp_path / "solutions")
    lesson = tmp_path / "solutions" / "lesson.md"
    text = lesson.read_text()
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    lesson.write_text(text)
    return tmp_path


@pytest.mark.parametrize("replacements, message", [
    ([("<!-- solution train -->", ""), ("<!-- tests ex04 -->", "")],
     "not placed: functions ['train'], tests ['ex04']"),
    ([("<!-- solution predict -->", "<!-- solution predict -->\n<!-- solution predict -->")], "used twice"),
    ([("<!-- solution predict -->", "<!-- solution predcit -->")], "no function 'predcit'"),
    ([("<!-- solution accuracy -->", "")], "the tests of ex03 come before its functions ['accuracy']"),
    ([("<!-- tests ex01 -->", "<!-- tests ex01 -->\n<!-- tests ex01 -->")], "the tests of ex01 come twice"),
    ([("```python\nfrom grader import plots\n```", "```python\nfrom grader import plots\n")], "never closed"),
])
def test_lesson_mistakes_stop_the_build(tmp_path, replacements, message):
    with pytest.raises(MarkerError, match=re.escape(message)):
        notebook(_lesson_copy(tmp_path, replacements))


def test_an_exercise_the_lesson_does_not_mention_goes_at_the_end(tmp_path):
    ex = exercise("ex02")
    root = _lesson_copy(tmp_path, [(f"<!-- solution {name} -->", "") for name in ex.functions]
                        + [("<!-- tests ex02 -->", "")])
    ids = [c["id"] for c in notebook(root)["cells"]]
    tail = ids[-len(ex.functions) - 2:]
    assert tail[1:] == [*ex.functions, "test_ex02"]
    assert "".join(notebook(root)["cells"][ids.index(tail[0])]["source"]) == f"## {ex.title}"


def test_solution_files_may_hold_only_imports_and_functions(tmp_path):
    root = _lesson_copy(tmp_path, [])
    path = root / "solutions" / "ex03_predict.py"
    path.write_text(path.read_text() + "\nTHRESHOLD = 0.5\n")
    with pytest.raises(MarkerError, match="only imports and functions"):
        notebook(root)


def test_the_build_is_deterministic_and_writes_the_course(tmp_path):
    first, second = course_files(tmp_path), course_files(tmp_path)
    assert first == second
    from grader.authoring.release import grader_files

    assert {p.relative_to(tmp_path).as_posix() for p in first} == {
        "nbgrader_config.py", "source/multiclass/multiclass.ipynb",
        *(f"source/multiclass/{name}" for name in grader_files())}


def test_a_rebuild_replaces_the_grader_and_keeps_the_gradebook(tmp_path):
    write_course(tmp_path)
    gone = tmp_path / "source" / "multiclass" / "grader" / "checks" / "ex05_gone.py"
    gone.write_text("")
    (tmp_path / "gradebook.db").write_text("kept")
    write_course(tmp_path)
    assert not gone.exists() and (tmp_path / "gradebook.db").read_text() == "kept"
    (tmp_path / "nbgrader_config.py").unlink()
    with pytest.raises(ValueError, match="neither empty nor an nbgrader course"):
        write_course(tmp_path)


def test_the_config_grades_after_execution_and_hides_hidden_tests(tmp_path):
    from traitlets.config import Config

    write_course(tmp_path)
    c, config = Config(), tmp_path / "nbgrader_config.py"
    exec(compile(config.read_text(), str(config), "exec"), {"get_config": lambda: c, "__file__": str(config)})
    steps = [s.__name__ for s in c.Autograde.autograde_preprocessors]
    assert steps.index("TimedExecute") + 1 == steps.index("GradeFromCode") < steps.index("SaveAutoGrades")
    assert "Execute" not in steps
    assert c.Execute.timeout == CELL_TIMEOUT and c.Execute.iopub_timeout >= 30
    assert c.Execute.shutdown_kernel == "immediate"
    assert c.GradeFromCode.pins["torch"] == "2.13.0"
    assert "nbgrader.preprocessors.ClearHiddenTests" in c.GenerateFeedback.preprocessors


# -- grading in the notebook ---------------------------------------------------------------

def test_reference_earns_every_point_and_nothing_reaches_stderr(capsys):
    namespace = notebook_namespace()
    points = [grade_cell(ex.id, namespace) for ex in exercises()]
    out, err = capsys.readouterr()
    assert points == [sum(c.points for c in all_checks(ex.id)) for ex in exercises()]
    assert all(isinstance(p, int) for p in points)
    assert err == ""
    assert "FAIL" not in out and f"ex04  Training loop: {exercise('ex04').points}/{exercise('ex04').points} points" in out


def test_stubs_earn_0_and_say_not_implemented(capsys):
    namespace = notebook_namespace(ROOT / "exercises")
    assert [grade_cell(ex.id, namespace) for ex in exercises()] == [0] * len(exercises())
    out, err = capsys.readouterr()
    assert err == "" and "Traceback" not in out
    assert "make_dataset() is not implemented yet" in out
    assert "train() is not implemented yet" in out and "raised" not in out


def test_a_missing_function_is_named_in_the_notebooks_terms(capsys):
    namespace = notebook_namespace()
    del namespace["split_dataset"]
    assert grade_cell("ex01", namespace) == sum(c.points for c in all_checks("ex01") if "split" not in c.id)
    assert "MISSING FUNCTION: this notebook has no function split_dataset()" in capsys.readouterr().out


def test_failed_checks_print_feedback_and_the_hint(capsys):
    code = "def predict_proba(model, X):\n    with torch.inference_mode():\n" \
           "        return torch.softmax(model(X), dim=0)\n"
    points = grade_cell("ex03", notebook_namespace(ex03=code))
    out = capsys.readouterr().out
    rows = next(c for c in all_checks("ex03") if c.id == "ex03.proba_rows_sum_to_one")
    assert 0 < points < exercise("ex03").points
    assert f"ex03  From logits to predictions: {points}/{exercise('ex03').points} points" in out
    assert f"FAIL  each row of predict_proba sums to 1 (softmax over dim=1) [0/{rows.points}]" in out
    assert "softmax ran over dim=0" in out
    assert exercise("ex03").hint.splitlines()[0] in out


def test_an_endless_loop_costs_only_its_checks_within_the_cell_timeout(monkeypatch, capsys):
    """Every function of every exercise loops for ever: the grader's own limits stop each
    call, and all of them together fit well within an autograder cell's timeout. The worst
    case is the sum of the limits of the calls that were stopped, not a measured time (a
    busy machine would make that a coin toss); here the limits are scaled down to run fast."""
    from grader.gateway import in_process

    scale = 0.01
    real_init, real_limit = in_process.InProcessGateway.__init__, in_process.time_limit
    monkeypatch.setattr(in_process.InProcessGateway, "__init__",
                        lambda self, target, **kw: real_init(self, target, **{**kw, "time_scale": scale}))
    limits: list[float] = []

    def recorded(seconds, *args, **kwargs):
        limits.append(seconds / scale)            # the limit at the real time scale
        return real_limit(seconds, *args, **kwargs)

    monkeypatch.setattr(in_process, "time_limit", recorded)
    for ex in exercises():
        loops = "".join(f"def {name}(*a, **k):\n    while True:\n        pass\n" for name in ex.functions)
        limits.clear()
        assert grade_cell(ex.id, notebook_namespace(**{ex.id: loops})) == 0
        assert limits and sum(limits) < ADVICE_WORST_CASE / 1.5, (ex.id, limits)
    out = capsys.readouterr().out
    assert "did not finish within" in out and "endless loop" in out


@pytest.mark.parametrize("variant", all_mistakes() + all_alternatives(),
                         ids=lambda v: f"{v.exercise}-{v.name}")
def test_same_verdicts_as_the_grader_on_the_same_code(variant, catalogue_report, capsys):
    files = catalogue_report(variant)       # the grader on files, graded once per session
    points = grade_cell(variant.exercise, notebook_namespace(**{variant.exercise: variant.code}))
    assert points == files.score
    out = capsys.readouterr().out
    for r in results_by_id(files).values():
        assert f"{'ok  ' if r.passed else 'FAIL'}  {r.check.name} [{r.points}/" in out


def test_in_autograde_kernels_the_cell_leaves_grading_to_the_grader(monkeypatch, capsys):
    """nbgrader's autograde grades the code outside the kernel (nbgrader_grades.py): its
    kernels' autograder cells skip the checks and return a marker the grader recognises."""
    from grader.platforms.notebook import GRADED_OUTSIDE, OUTSIDE

    monkeypatch.setenv(GRADED_OUTSIDE, "1")
    assert grade_cell("ex01", {}) == OUTSIDE
    assert OUTSIDE in capsys.readouterr().out


def test_a_kernel_with_autograd_off_is_graded_as_a_fresh_process_would_be(capsys):
    """A cell that turned gradients off, or left inference mode on, changes neither the
    grader's references (training needs gradients) nor a verdict: a predict_proba without
    torch.no_grad() still loses those points."""
    import torch

    forgot = ("def predict_proba(model, X):\n    model.eval()\n"
              "    return torch.softmax(model(X.to(next(model.parameters()).device)), dim=1)\n")
    fresh = grade_cell("ex03", notebook_namespace(ex03=forgot))
    before = torch.is_grad_enabled()
    torch.set_grad_enabled(False)
    try:
        with torch.inference_mode():
            assert grade_cell("ex04", notebook_namespace()) == exercise("ex04").points
            assert grade_cell("ex03", notebook_namespace(ex03=forgot)) == fresh < exercise("ex03").points
        assert not torch.is_grad_enabled()          # the kernel's own state, as it was
    finally:
        torch.set_grad_enabled(before)
    assert "FAIL  predict_proba builds no autograd graph" in capsys.readouterr().out
