"""Adding an exercise touches the manifest, its solution, its checks, its probes and its
catalogue, and nothing else besides generated files. Proven on a copy of the course: a
throwaway exercise, count_classes(y), is added with exactly those five files, then
`python -m grader build` writes the rest, the grader gives its solution full marks and its
stub 0, and `python -m grader check-course` passes, all run as an author runs them (in the
copy, with no PYTHONPATH).

The lesson (solutions/lesson.md) does not mention the new exercise, so the notebook gets it
at the end; placing it among the lesson's text is up to the author."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.course import ROOT, exercises

NEW = f"ex{len(exercises()) + 1:02d}"
FILE = f"{NEW}_count.py"
POINTS = 4

# The five files an author writes, by path in the course.
MANIFEST_ENTRY = f'''
[[exercise]]
id = "{NEW}"
file = "{FILE}"
title = "Counting classes"
functions = ["count_classes"]
points = {POINTS}
learn = "the number of classes, from the labels, as a Python `int`"

[[exercise.hints]]
levels = [
"""The labels are 0..C-1, so there is one class more than the largest label. Tensor.max()
returns a tensor; .item() turns a one-element tensor into a Python number.""",
]
'''

SOLUTION = '''\
"""Exercise: how many classes a label vector holds."""


def count_classes(y):
    """The number of classes in y, a vector of class indices 0..C-1, as a Python int."""
    ### BEGIN SOLUTION
    return int(y.max().item()) + 1
    ### END SOLUTION
'''

PROBES = f'''\
"""Probes for {FILE[:-3]}: call count_classes and report what came back."""
from .plain import describe
from .registry import probe


@probe("{NEW}")
def count_classes(student, y) -> dict:
    return {{"result": describe(student.call("count_classes", y))}}
'''

CHECKS = f'''\
"""Checks for the counting exercise: count_classes."""
from __future__ import annotations

import torch

from .feedback import expect
from .reading import phrase
from .registry import check

LABELS = torch.tensor([0, 1, 2, 3, 3, 1, 0, 2, 2])


@check("{NEW}", 1, "count_classes returns a Python int", requires={{"count_classes": "as a Python int"}})
def returns_int(ctx):
    r = ctx.run("count_classes", y=LABELS)
    got = r.data["result"]
    expect(got["kind"] == "int", "count_classes should return a Python int (use .item())",
           called=r.called, got=phrase(got), expected="an int")


@check("{NEW}", 3, "count_classes counts the classes, not the samples",
       requires={{"count_classes": "The number of classes in y"}})
def counts_classes(ctx):
    r = ctx.run("count_classes", y=LABELS)
    got = r.data["result"]
    value = got["data"].item() if got["kind"] == "tensor" and not got["shape"] else got.get("value")
    expect(value != len(LABELS), "count_classes counted the samples, not the classes",
           called=r.called, got=str(value), expected="4")
    expect(value == 4, f"count_classes returned {{value}}", called=r.called, got=str(value),
           expected="4")
'''

CATALOGUE = f'''\
"""Wrong and right answers to the counting exercise."""
from . import Variant

MISTAKES = [
    Variant("samples counted", "{NEW}", """
        def count_classes(y):
            return len(y)
        """, {{"{NEW}.counts_classes": "counted the samples"}}),
    Variant("a tensor returned", "{NEW}", """
        def count_classes(y):
            return y.max() + 1
        """, {{"{NEW}.returns_int": "Python int"}}),
]

ALTERNATIVES = [
    Variant("distinct labels", "{NEW}", """
        import torch

        def count_classes(y):
            return len(torch.unique(y))
        """),
]
'''

COPIED = ["grader", "solutions", "exercises", "tests/catalogue", "README.md", "docs/students.md",
          "constraints.txt", "pyproject.toml", "marimo"]


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def run(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "HOME": str(course.parent)}     # no PYTHONPATH
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("new-exercise") / "course"
    for name in COPIED:
        source, target = ROOT / name, course / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    return course


def test_a_new_exercise_needs_five_files_and_the_build(course):
    before = snapshot(course)
    written = {"grader/course.toml": (course / "grader/course.toml").read_text() + MANIFEST_ENTRY,
               f"solutions/{FILE}": SOLUTION, f"grader/checks/{FILE}": CHECKS,
               f"grader/probes/{FILE}": PROBES, f"tests/catalogue/{FILE}": CATALOGUE}
    for rel, text in written.items():
        (course / rel).write_text(text)

    build = run(course, "build")
    assert build.returncode == 0, build.stdout + build.stderr
    changed = {rel for rel, data in snapshot(course).items() if before.get(rel) != data}
    generated = {f"exercises/{FILE}", f"exercises/test_{FILE}", "README.md", "docs/students.md",
                 "grader/authoring/templates/student_README.md",
                 "marimo/lesson.py"}
    assert changed == set(written) | generated
    assert sorted(line.removeprefix("wrote ") for line in build.stdout.splitlines()) == sorted(generated)

    # What the build wrote: the stub, its tests, the READMEs' rows, the notebook's cells.
    assert "raise NotImplementedError()" in (course / "exercises" / FILE).read_text()
    assert f'EXERCISE = "{NEW}"' in (course / "exercises" / f"test_{FILE}").read_text()
    assert f"| `{FILE}` | `count_classes` |" in (course / "README.md").read_text()
    # The nbgrader course is built on demand, not kept: it has the new exercise's cells.
    nbgrader = run(course, "nbgrader", str(course.parent / "nbgrader-course"))
    assert nbgrader.returncode == 0, nbgrader.stdout + nbgrader.stderr
    notebook = json.loads((course.parent / "nbgrader-course/source/multiclass/multiclass.ipynb").read_text())
    assert [c["id"] for c in notebook["cells"][-2:]] == ["count_classes", f"test_{NEW}"]
    assert notebook["cells"][-1]["metadata"]["nbgrader"]["points"] == POINTS


def test_the_new_exercise_is_graded(course):
    solution = run(course, "--target", "solutions", "--only", NEW, "--format", "json")
    assert solution.returncode == 0, solution.stdout + solution.stderr
    report = json.loads(solution.stdout)
    assert report["score"] == report["max_score"] == POINTS
    stub = run(course, "--only", NEW, "--format", "json")
    assert stub.returncode == 1
    report = json.loads(stub.stdout)
    assert report["score"] == 0 and report["max_score"] == POINTS
    assert all(c["feedback"].splitlines()[0] == "count_classes() is not implemented yet" for c in report["checks"])


def test_the_new_exercise_passes_check_course(course):
    proc = run(course, "check-course", "--only", NEW)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(exercises()) + 1} exercises" in proc.stdout
    assert "2 mistakes and 1 alternatives" in proc.stdout
    assert proc.stdout.splitlines()[-1] == "The course is in order."
