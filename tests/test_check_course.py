"""python -m grader check-course: the course passes it, and each kind of problem it looks
for is found, named in one line, and makes it exit 1."""
from __future__ import annotations

import dataclasses
import shutil
import types

from grader import cli
from grader.authoring import check_course
from grader.authoring.check_course import (Stage, catalogue_stage, docstring_problems,
                                           generated_problems, manifest_problems,
                                           registry_problems, solution_problems, stub_problems)
from grader.checks.cases import Cases
from grader.checks.registry import Check, all_checks
from grader.course import ROOT, Exercise, Hints, exercise, exercises
from grader.checks.feedback import FailureKind, Feedback
from grader.runner import Cause, Report, Result


def test_the_course_passes_check_course(monkeypatch, capsys, catalogue_report):
    """Every stage, the whole catalogue graded (each variant once per test session: the
    notebook's tests judge the same reports, by all of the exercise's checks, which
    check-course's judged_only narrows). tests/test_new_exercise.py runs the command
    itself, `python -m grader check-course`, in a copy of the course."""
    def graded_once(variant, solutions, cases, judged_only):
        assert solutions == ROOT / "solutions" and judged_only
        return catalogue_report(variant)

    monkeypatch.setattr(check_course.catalogue, "grade_variant", graded_once)
    assert cli.main(["check-course"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert [l.split()[0] for l in lines[:-1]] == ["manifest", "generated", "docstrings", "stubs",
                                                  "solutions", "reference", "catalogue"]
    assert all(" ok: " in l for l in lines[:-1]) and lines[-1] == "The course is in order."
    assert err == ""


def test_missing_pieces_are_named_by_where_they_belong():
    ex01 = dataclasses.replace(exercise("ex01"), hints=tuple(h for h in exercise("ex01").hints if h.checks),
                               points=0)
    stray = Exercise("ex09", "ex09_none.py", "None", (), 5, "nothing", (Hints((), ("a hint",)),))
    problems = manifest_problems(ROOT, (ex01, stray, stray))
    assert "ex09: listed twice in grader/course.toml" in problems
    assert {"ex01: no hint in grader/course.toml",
            "ex01: no points in grader/course.toml (a whole number above 0)",
            "ex09: no solution: solutions/ex09_none.py is missing",
            "ex09: no checks: grader/checks/ex09_none.py is missing",
            "ex09: no probes: grader/probes/ex09_none.py is missing",
            "ex09: no functions in grader/course.toml"} <= set(problems)
    assert manifest_problems(ROOT, exercises()) == []


def test_checks_that_do_not_add_up_to_the_points_are_named():
    course = tuple(dataclasses.replace(ex, points=ex.points + 1) if ex.id == "ex02" else ex
                   for ex in exercises())
    points = exercise("ex02").points
    assert registry_problems(course) == [
        f"ex02: its checks are worth {points} points, its points in grader/course.toml are {points + 1}"]
    assert registry_problems(exercises()) == []


def test_generated_files_out_of_date_or_missing_are_named(tmp_path):
    for folder in ("grader", "solutions", "exercises", "marimo"):
        shutil.copytree(ROOT / folder, tmp_path / folder, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("README.md", "constraints.txt", "pyproject.toml", "docs/students.md",
                 "grader/authoring/templates/student_README.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    assert generated_problems(tmp_path) == []
    readme = tmp_path / "README.md"
    readme.write_text(readme.read_text().replace("| `ex01_data.py` |", "| `ex01.py` |"))
    (tmp_path / "exercises" / "test_ex02_model.py").unlink()
    assert sorted(generated_problems(tmp_path)) == [
        "README.md: out of date; run `python -m grader build`",
        "exercises/test_ex02_model.py: missing; run `python -m grader build`"]
    (tmp_path / "solutions" / "lesson.md").write_text("<!-- imports -->\n<!-- imports -->\n")
    assert generated_problems(tmp_path) == [
        "the build fails: solutions/lesson.md:2: the imports come twice"]


def test_a_stub_that_passes_or_says_more_and_a_solution_that_fails_are_named():
    checks = all_checks("ex01")
    stub = Cause(FailureKind.NOT_IMPLEMENTED, "split_dataset() is not implemented yet", function="split_dataset")
    raised = Cause(FailureKind.RAISED, "make_dataset() raised ValueError", "ValueError")
    stubs = Report("stubs", [Result(checks[0], True),
                             Result(checks[1], False, Feedback(raised.summary, code="at line 3"), raised),
                             *[Result(c, False, Feedback(stub.summary), stub) for c in checks[2:]]])
    assert stub_problems(stubs) == [
        f"{checks[0].id}: the stub passes it (a check must fail a stub)",
        f"{checks[1].id}: on the stub it says 'make_dataset() raised ValueError', "
        "not '... is not implemented yet' in one line"]
    solutions = Report("solutions", [Result(checks[0], False, Feedback("wrong", got="more")),
                                     *[Result(c, True) for c in checks[1:]]])
    assert solution_problems(solutions) == [f"{checks[0].id}: the solution fails it: wrong"]


def test_a_check_that_no_mistake_makes_fail_is_named(monkeypatch):
    empty = types.SimpleNamespace(variants=lambda ex: ([], []))
    monkeypatch.setattr(check_course.catalogue, "load", lambda root: empty)
    stage = catalogue_stage(ROOT, [exercise("ex02")], Cases())
    assert stage.problems == [f"{c.id}: no mistake in the catalogue makes it fail" for c in all_checks("ex02")]

    def missing(ex):
        raise ModuleNotFoundError(ex.module)
    monkeypatch.setattr(check_course.catalogue, "load", lambda root: types.SimpleNamespace(variants=missing))
    assert catalogue_stage(ROOT, [exercise("ex02")], Cases()).problems[0] == \
        "ex02: no catalogue: tests/catalogue/ex02_model.py is missing"


def test_one_line_per_problem_and_exit_1(monkeypatch, capsys):
    monkeypatch.setattr(check_course, "stages", lambda root, only: iter([
        Stage("manifest", [], "4 exercises"), Stage("stubs", ["ex01.a: one", "ex01.b: two"])]))
    assert cli.main(["check-course"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "manifest        ok: 4 exercises", "stubs           FAILED", "  ex01.a: one", "  ex01.b: two",
        "2 problem(s)"]


def test_a_requirement_a_check_grades_must_be_stated_in_the_stubs_docstring(tmp_path):
    """Each check names the phrases of the docstrings it enforces; a stub that does not
    say one, a function that is not there, and a check that names none are problems."""
    checks = all_checks()
    assert all(c.requires for c in checks) and docstring_problems(ROOT, checks) == []
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises")
    stub = tmp_path / "exercises" / "ex03_predict.py"
    # predict_proba's docstring no longer asks for the device
    stub.write_text(stub.read_text().replace("move X to the model's device", "compute"))
    unnamed = Check("ex03.made_up", "ex03", "made up", 1, lambda ctx: None)
    elsewhere = Check("ex03.elsewhere", "ex03", "made up", 1, lambda ctx: None, (("nothing", "x"),))
    device = next(c for c in checks if c.id == "ex03.proba_device")
    assert docstring_problems(tmp_path, [device, unnamed, elsewhere]) == [
        "ex03.proba_device: the docstring of predict_proba() in exercises/ex03_predict.py does not "
        "say \"move X to the model's device\", which the check enforces",
        "ex03.made_up: names no docstring phrase it enforces (add requires= to its @check)",
        "ex03.elsewhere: exercises/ex03_predict.py has no function nothing()"]
