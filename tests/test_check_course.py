"""python -m grader check-course: the course passes it, and each kind of problem it looks
for is found, named in one line, and makes it exit 1."""
from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import types

from grader.authoring import check_course
from grader.authoring.check_course import (Stage, catalogue_stage, generated_problems,
                                           manifest_problems, registry_problems,
                                           solution_problems, stub_problems)
from grader.checks.cases import Cases
from grader.checks.registry import all_checks
from grader.course import ROOT, Exercise, exercise, exercises
from grader.runner import Report, Result


def test_the_course_passes_check_course():
    """Every stage, the whole catalogue graded: about a minute on two cores."""
    proc = subprocess.run([sys.executable, "-m", "grader", "check-course"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert [l.split()[0] for l in lines[:-1]] == ["manifest", "generated", "stubs", "solutions", "catalogue"]
    assert all(" ok: " in l for l in lines[:-1]) and lines[-1] == "The course is in order."
    assert proc.stderr == ""


def test_missing_pieces_are_named_by_where_they_belong():
    ex01 = dataclasses.replace(exercise("ex01"), hint="", points=0)
    stray = Exercise("ex09", "ex09_none.py", "None", (), "a hint", 5, "nothing")
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
    for name in ("README.md", "constraints.txt", "grader/authoring/templates/student_README.md"):
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
    stubs = Report("stubs", [Result(checks[0], True, ""),
                             Result(checks[1], False, "make_dataset() raised ValueError\n  at line 3"),
                             *[Result(c, False, "split_dataset() is not implemented yet") for c in checks[2:]]])
    assert stub_problems(stubs) == [
        f"{checks[0].id}: the stub passes it (a check must fail a stub)",
        f"{checks[1].id}: on the stub it says 'make_dataset() raised ValueError', "
        "not '... is not implemented yet' in one line"]
    solutions = Report("solutions", [Result(checks[0], False, "wrong\nmore"), *[Result(c, True, "") for c in checks[1:]]])
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
    assert check_course.main([]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "manifest        ok: 4 exercises", "stubs           FAILED", "  ex01.a: one", "  ex01.b: two",
        "2 problem(s)"]
