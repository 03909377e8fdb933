"""python -m grader variant OUT KEY=VALUE ...: a copy of the course with other lesson
constants ([lesson] in grader/course.toml), in the repository's layout, built.

What a constant's text becomes is said once, in REWRITES: the code and docstrings of the
solutions, the catalogue's mistakes and the README say the lesson's constants as Python
does (`n_classes=4`, `nn.Linear(8, 4)`, "Every 10 epochs"), and each such phrase is
rewritten from this course's lesson to the variant's. The lesson's text and the hints are
templates ($classes...) that the build fills in; the checks read the manifest. Then the
copy is built, and its reference run must reach what the checks demand
(grader/authoring/reference.py), or the variant is refused and nothing is left behind.
`python -m grader check-course` in the copy proves the rest (--check runs it).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from dataclasses import fields, replace
from pathlib import Path
from string import Template
from typing import Any

from ..course import ROOT, Lesson, course_lesson, lesson_words
from ..exits import PASSED, USAGE
from .nbcourse import LESSON
from ..registry import Platform

MANIFEST = Path("grader") / "course.toml"
# The files whose text says the lesson's constants in Python's words.
REWRITTEN = ("solutions/*.py", "tests/catalogue/*.py", "README.md", "docs/students.md",
             "grader/authoring/templates/student_README.md")
# Each phrase, as a template of the lesson's words (grader.course.lesson_words).
REWRITES = (
    "n_samples=$samples", "n_features=$features", "n_classes=$classes", "centers=$classes",
    "cluster_std=$cluster_std", "seed=$data_seed", "random_state=$data_seed",
    "test_size=$test_size", "in_features=$features", "out_features=$classes",
    "hidden_units=$hidden_units", "epochs=$epochs", "lr=$learning_rate", "range($epochs)",
    "has $epochs entries",
    "nn.Linear($features, $hidden_units)", "nn.Linear($hidden_units, $hidden_units)",
    "nn.Linear($hidden_units, $classes)", "nn.Linear(in_features, $hidden_units)",
    "nn.Linear($hidden_units, out_features)",
    "% $report_every == 0", "Every $report_every epochs", "Epoch: $report_every |",
    "$features -> $hidden_units -> $hidden_units -> $classes",
    "$classes_word clusters of $features-D points", "its class: $class_list",
    "hold out $test_percent%", "within $accuracy_margin points",
)
# Folders and files a copy leaves out: environments, caches, and what grading writes.
LEFT_OUT = {".git", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache",
            ".grader", "build", "grades", ".grader-progress.json", "__marimo__"}
# Of the repository's tests, a copy keeps the catalogue of mistakes (check-course grades
# it): the others pin this course's own constants and messages.
TESTS_KEPT = Path("tests") / "catalogue"


class Refused(ValueError):
    """A lesson the checks cannot hold for: its message says why."""


def parse(assignments: list[str], base: Lesson) -> Lesson:
    """The lesson of KEY=VALUE assignments over base."""
    kinds = {f.name: type(getattr(base, f.name)) for f in fields(Lesson)}
    changes: dict[str, Any] = {}
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep or key not in kinds:
            raise Refused(f"{assignment!r}: expected KEY=VALUE with KEY one of {', '.join(kinds)}")
        try:
            changes[key] = kinds[key](value)
        except ValueError:
            raise Refused(f"{key}={value}: {key} is {'a whole number' if kinds[key] is int else 'a number'}") from None
    return replace(base, **changes)


def range_problems(lesson: Lesson) -> list[str]:
    """What makes a lesson one whose checks cannot hold, before anything is trained."""
    L = lesson
    rules = [
        (L.features == 2, f"features={L.features}: the lesson's plots draw the points on the plane, "
                          "so there are 2 features"),
        (2 <= L.classes <= 20, f"classes={L.classes}: a classifier needs 2 classes at least (and the "
                               "lesson names up to 20)"),
        (L.hidden_units >= L.classes, f"hidden_units={L.hidden_units}: fewer hidden units than classes "
                                      f"({L.classes}) squeeze the classes through a narrower layer than "
                                      "the output"),
        (L.hidden_units <= 256, f"hidden_units={L.hidden_units}: at most 256"),
        (100 <= L.samples <= 20000, f"samples={L.samples}: from 100 to 20000 (the checks train on them "
                                    "within a time limit)"),
        (0 < L.cluster_std <= 10, f"cluster_std={L.cluster_std}: above 0, at most 10"),
        (0 <= L.data_seed < 2**32, f"data_seed={L.data_seed}: from 0 to 2**32 - 1 (numpy's seeds)"),
        (0.05 <= L.test_size <= 0.5, f"test_size={L.test_size}: from 0.05 to 0.5"),
        (L.test_count >= 4 * L.classes, f"test_size={L.test_size}: {L.test_count} test points are too few "
                                        f"for {L.classes} classes (4 a class at least)"),
        (0 < L.learning_rate <= 10, f"learning_rate={L.learning_rate}: above 0, at most 10"),
        (10 <= L.epochs <= 1000, f"epochs={L.epochs}: from 10 to 1000"),
        (2 <= L.report_every <= L.epochs // 2,
         f"report_every={L.report_every}: from 2 (printing every epoch is a mistake the checks name) "
         f"to epochs // 2 = {L.epochs // 2} (two progress lines at least)"),
        (0 < L.accuracy_margin < 50, f"accuracy_margin={L.accuracy_margin}: above 0, below 50"),
        (100 / L.classes + L.accuracy_margin < L.min_reference_accuracy <= 100,
         f"min_reference_accuracy={L.min_reference_accuracy}: at most 100, and more than "
         f"accuracy_margin above guessing ({100 / L.classes:.1f}% with {L.classes} classes)"),
    ]
    return [message for holds, message in rules if not holds]


def rewrites(old: Lesson, new: Lesson) -> dict[str, str]:
    """Each phrase as this course says it, and as the variant says it."""
    before, after = lesson_words(old), lesson_words(new)
    pairs: dict[str, str] = {}
    for phrase in REWRITES:
        was, becomes = Template(phrase).substitute(before), Template(phrase).substitute(after)
        if pairs.setdefault(was, becomes) != becomes:
            raise ValueError(f"{was!r} would become both {pairs[was]!r} and {becomes!r}")
    return pairs


def rewrite(text: str, pairs: dict[str, str]) -> str:
    """Every phrase of pairs replaced in one pass, where it is not part of a longer word or
    number ("seed=1" is not in "seed=12")."""
    if not pairs:
        return text
    pattern = "|".join(re.escape(p) for p in sorted(pairs, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{pattern})(?!\w|\.\d)").sub(lambda m: pairs[m.group(0)], text)


def manifest_text(text: str, lesson: Lesson) -> str:
    """course.toml with its [lesson] table holding the lesson's values (comments kept)."""
    head, sep, rest = text.partition("\n[lesson]\n")
    if not sep:
        raise ValueError(f"{MANIFEST}: no [lesson] table")
    table, sep2, tail = rest.partition("\n[")
    for f in fields(Lesson):
        value = getattr(lesson, f.name)
        table, count = re.subn(rf"(?m)^{f.name} = \S+", f"{f.name} = {value!r}", table)
        if not count:
            table = f"{table.rstrip()}\n{f.name} = {value!r}\n"
    return head + sep + table + sep2 + tail


def course_files(root: Path) -> list[Path]:
    """The course's files, relative to root, less what LEFT_OUT names."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in LEFT_OUT)
        found += [Path(folder, f).relative_to(root) for f in sorted(files) if f not in LEFT_OUT]
    return [rel for rel in found if rel.parts[0] != "tests" or rel.is_relative_to(TESTS_KEPT)]


def out_problems(out: Path, root: Path) -> list[str]:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        return [f"{out}: exists and is not an empty folder"]
    if out.resolve().is_relative_to(root.resolve()):
        return [f"{out}: inside the course it copies"]
    return []


def write_variant(out: Path, lesson: Lesson, root: Path = ROOT) -> list[Path]:
    """Copy the course at root into out (new or empty), its constants those of lesson."""
    problems = out_problems(out, root)
    if problems:
        raise Refused(problems[0])
    pairs = rewrites(course_lesson(), lesson)
    rewritten = {p for pattern in REWRITTEN for p in root.glob(pattern)}
    written = []
    for rel in course_files(root):
        source, target = root / rel, out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel == MANIFEST:
            target.write_text(manifest_text(source.read_text(), lesson))
        elif source in rewritten:
            target.write_text(rewrite(source.read_text(), pairs))
        else:
            shutil.copy2(source, target)
        written.append(target)
    return written


def clean_environment() -> dict[str, str]:
    """This environment less PYTHONPATH: the copy imports its own grader."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def run_in(course: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m grader ARGS` as the copy's author runs it: in the copy, its own grader."""
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=course, env=clean_environment(),
                          capture_output=True, text=True)


def make_variant(out: Path, lesson: Lesson, root: Path = ROOT) -> str:
    """Write, build and vet the variant; return its reference's line. Refused: nothing is
    left in out."""
    problems = out_problems(out, root) + range_problems(lesson)
    if problems:
        raise Refused("\n".join(problems))
    from .reference import best_possible

    best = best_possible(lesson)
    if best < lesson.min_reference_accuracy:
        raise Refused(f"cluster_std={lesson.cluster_std}: the clusters overlap so much that the best "
                      f"possible classifier (the nearest of make_blobs' centres) gets {best:.1f}% of the "
                      f"test points right, below min_reference_accuracy ({lesson.min_reference_accuracy:g}%), "
                      "which the reference must reach for the checks to hold")
    existed = out.exists()
    try:
        write_variant(out, lesson, root)
        said = {}
        for command in ("reference", "build"):     # the reference first: it may refuse
            proc = run_in(out, command)
            if proc.returncode != 0:
                raise Refused(f"`python -m grader {command}` in the copy: {(proc.stdout + proc.stderr).strip()}")
            said[command] = proc.stdout.strip()
        return said["reference"]
    except BaseException:
        if existed:
            for child in out.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        else:
            shutil.rmtree(out, ignore_errors=True)
        raise


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", help="a new or empty folder")
    p.add_argument("constants", nargs="*", metavar="KEY=VALUE",
                   help="a constant of [lesson] in grader/course.toml: "
                        + ", ".join(f.name for f in fields(Lesson)))
    p.add_argument("--check", action="store_true", help="then run `python -m grader check-course` in OUT")


def run(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    out, root = Path(args.out), ROOT
    try:
        lesson = parse(args.constants, course_lesson())
        line = make_variant(out, lesson)
    except Refused as exc:
        print(f"python -m grader variant: refused: {exc}", file=sys.stderr)
        return USAGE
    changed = {f.name: getattr(lesson, f.name) for f in fields(Lesson)
               if getattr(lesson, f.name) != getattr(course_lesson(), f.name)}
    print(f"wrote {out} ({', '.join(f'{k}={v}' for k, v in changed.items()) or 'the same constants'}), built.")
    print(line)
    if not args.check:
        python = Path(sys.executable)
        if python.absolute().is_relative_to(root):     # this course's .venv, seen from out
            python = Path(os.path.relpath(python.absolute(), out.absolute()))
        print(f"Next: cd {out} && {python} -m grader check-course "
              f"(the stubs, the solutions and the catalogue of mistakes, with {LESSON} and the "
              "checks as this variant has them)")
        return PASSED
    proc = run_in(out, "check-course")
    print(proc.stdout, end="")
    return proc.returncode


PLATFORM = Platform(
    name="variant", summary="python -m grader variant OUT KEY=VALUE ...",
    description="Write a copy of the course into OUT with other lesson constants: the lesson, "
                "the docstrings, the notebooks, the checks and their thresholds follow them. "
                "OUT is built (python -m grader build), and refused with the reason where the "
                "checks could not hold. Example: python -m grader variant ../multiclass-5 "
                "classes=5 cluster_std=1.5 data_seed=23",
    arguments=arguments, run=run)
