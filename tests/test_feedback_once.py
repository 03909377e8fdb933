"""A root cause is shown once: a stub, a syntax error, a timeout or a print flood that fails
several checks of an exercise is shown in full on the first of them, with how many more
need that call, in every format (text, JSON, Gradescope, Markdown, HTML, pytest, the
notebook cell, the Classroom steps)."""
from __future__ import annotations

import subprocess
import sys

from grader.checks.feedback import FailureKind, Feedback
from grader.checks.registry import Check, all_checks
from grader.course import ROOT
from grader.platforms.notebook import render
from grader.platforms.gradescope.results_json import to_gradescope
from grader.platforms.report import (feedback_once, feedback_text, root_causes, to_dict, to_html, to_markdown,
                                     to_text)
from grader.runner import Cause, Report, Result, grade

pytest_plugins = ["pytester"]

FLOOD = Cause(FailureKind.OUTPUT_FLOOD, "train() printed more than 100,000 characters, so it was stopped")
FLOODED = Feedback(FLOOD.summary, called="train(...)", output="x\n" * 20)
FLOOD_TEXT = FLOOD.summary + "\n  called:   train(...)\n  your code printed:\n" + "\n".join(["    x"] * 20)
STUB = Cause(FailureKind.NOT_IMPLEMENTED, "evaluate() is not implemented yet", function="evaluate")
WRONG = Feedback("a wrong answer", got="1")
# A syntax error in ex03 costs every ex03 check; the first shows it, with how much more it costs.
EX03 = all_checks("ex03")
MORE_EX03 = (f"(and {len(EX03) - 1} more checks of this exercise, worth "
             f"{sum(c.points for c in EX03[1:])} points, need this file)")


def check(name: str, exercise: str = "ex04", points: int = 2) -> Check:
    return Check(f"{exercise}.{name}", exercise, f"the {name} check", points, lambda ctx: None)


def results() -> list[Result]:
    return [
        Result(check("a", "ex03"), False, FLOODED, FLOOD),    # same summary, other exercise
        Result(check("b"), False, FLOODED, FLOOD),
        Result(check("c"), True),
        Result(check("d", points=3), False, FLOODED, FLOOD),
        Result(check("e"), False, WRONG),    # a check's own verdict
        Result(check("f"), False, WRONG),
        Result(check("g", points=1), False, FLOODED, FLOOD),
        Result(check("h"), False, Feedback(STUB.summary), STUB),
        Result(check("i"), False, Feedback(STUB.summary), STUB),
    ]


def test_checks_of_one_exercise_with_one_cause_form_one_group():
    groups = root_causes(results())
    assert [r.check.id for r in groups["ex04.b"]] == ["ex04.b", "ex04.d", "ex04.g"]
    assert [r.check.id for r in groups["ex03.a"]] == ["ex03.a"]          # exercises never mix
    assert groups["ex04.e"] and groups["ex04.f"]                        # verdicts never group
    assert [r.check.id for r in groups["ex04.h"]] == ["ex04.h", "ex04.i"]


def test_the_first_shows_the_cause_in_full_and_the_others_one_line():
    shown = {s.result.check.id: s for s in feedback_once(results())}
    first = shown["ex04.b"]
    assert first.feedback.startswith(FLOOD_TEXT)
    assert first.feedback.endswith("(and 2 more checks of this exercise, worth 4 points, need this call)")
    repeat = shown["ex04.d"]
    assert repeat.first.check.id == "ex04.b" and "\n" not in repeat.feedback
    assert repeat.feedback == f"{FLOOD.summary} (the same cause as 'the b check', shown there in full)"
    assert shown["ex04.i"].feedback == STUB.summary                     # one line already: as is
    assert shown["ex04.h"].feedback.endswith("(and 1 more check of this exercise, worth 2 points, needs this call)")
    assert shown["ex04.f"].feedback == "a wrong answer\n  got:      1" == feedback_text(WRONG) and shown["ex04.c"].feedback == ""


def test_the_text_report_leaves_the_repeats_out():
    text = to_text(Report("t", results()))
    assert text.count(FLOOD_TEXT.splitlines()[1]) == 2                  # ex03 and ex04, once each
    assert "the d check" not in text and "the g check" not in text and "the i check" not in text
    assert "    (and 2 more checks of this exercise, worth 4 points, need this call)" in text.splitlines()


def test_json_and_gradescope_keep_an_entry_per_check_naming_the_first():
    report = Report("t", results())
    checks = {c["id"]: c for c in to_dict(report)["checks"]}
    assert len(checks) == 9
    assert checks["ex04.d"]["same_cause_as"] == "ex04.b" and checks["ex04.b"]["same_cause_as"] is None
    assert checks["ex04.d"]["feedback"] == f"{FLOOD.summary} (the same cause as ex04.b, shown there in full)"
    tests = {t["name"].rsplit(": ", 1)[1]: t for t in to_gradescope(report, 1.0)["tests"]}
    assert tests["the b check"]["number"] == "4.1"
    assert tests["the d check"]["output"].endswith("(the same cause as test 4.1, shown there in full)")
    assert tests["the b check"]["output"].startswith(FLOOD_TEXT)


def test_markdown_and_html_show_a_repeat_in_one_line():
    md = to_markdown(Report("t", results()))
    assert md.count("your code printed:") == 2
    assert f"- **FAILED** the d check (0/3): {FLOOD.summary} (the same cause as 'the b check' above" in md
    page = to_html(Report("t", results()))
    assert page.count("your code printed:") == 2 and "the same cause as &#x27;the b check&#x27; above" in page


def test_the_notebook_cell_shows_a_cause_once():
    ex04 = [r for r in results() if r.check.exercise == "ex04"]
    assert render("ex04", ex04).count("your code printed:") == 1


def test_a_syntax_error_is_one_message_with_its_line_and_caret(submission):
    broken = submission(ex03="def broken(:\n    pass\n")
    report = grade(broken, only="ex03")
    assert len({r.cause for r in report.results}) == 1 and report.results[0].cause.kind == "import_failed"
    text = to_text(report)
    assert text.count("SyntaxError: invalid syntax") == 1
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "def broken(:")
    assert lines[at + 1].strip() == "^" and lines[at + 1].index("^") == lines[at].index(":")  # as Python puts it
    assert MORE_EX03 in text


def test_pytest_shows_a_cause_once_and_points_to_it(pytester):
    for path in (ROOT / "exercises").glob("*.py"):
        if path.name.startswith(("test_", "conftest")):
            (pytester.path / path.name).write_text(path.read_text())
    (pytester.path / "ex03_predict.py").write_text("def predict_proba(:\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", f"pythonpath={ROOT}",
                                           "test_ex03_predict.py")
    result.assert_outcomes(failed=len(all_checks("ex03")))
    text = result.stdout.str()
    # Before pytest's own summary, which under CI=true repeats each message in full.
    failures = text.split("short test summary info")[0]
    assert failures.count("def predict_proba(:") == 1 and "Traceback" not in text
    result.stdout.fnmatch_lines([
        "*_ test_proba_shape_range _*", "*SyntaxError: invalid syntax (ex03_predict.py, line 1)",
        "    def predict_proba(:", "*^", MORE_EX03,
        "*_ test_proba_rows_sum_to_one _*",
        "*SyntaxError: invalid syntax (ex03_predict.py, line 1) (the same cause as test_proba_shape_range above, shown there in full)"])


def test_the_stubs_report_each_stub_once():
    proc = subprocess.run([sys.executable, "-m", "grader", "--only", "ex03"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert [line.split(": ", 1)[1] for line in lines if "FAIL" in line] == [
        "predict_proba() is not implemented yet", "predict() is not implemented yet",
        "accuracy() is not implemented yet"]
    assert len(lines) == 14, proc.stdout             # 23 lines before causes were shown once
