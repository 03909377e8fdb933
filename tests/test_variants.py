"""Course variants: `python -m grader variant OUT KEY=VALUE ...` writes a copy of the course
whose lesson constants are others, and everything follows them. For each variant of the
matrix: it is built, its solutions earn full marks and its stubs 0, its lesson, notebook and
docstrings name its constants, and its reference accuracy and the threshold derived from it
are printed at the end of the test run. `python -m grader check-course` passes in each (its
catalogue of mistakes caught and named). Today's constants give back the repository
itself, byte for byte. Constants the checks cannot hold for are refused, with the reason.

Each variant is built once, in the copy and by its own grader, as its author would."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from grader import cli
from grader.authoring import variant as V
from grader.course import ROOT, Lesson, course_lesson, lesson_words

# The matrix: the textbook's chapter (5 classes, cluster_std 1.5, seed 23), tight clusters,
# and many classes with a wider model. check-course runs in each.
MATRIX = {
    "5-classes": ("classes=5", "cluster_std=1.5", "data_seed=23"),
    "3-classes": ("classes=3", "cluster_std=0.8"),
    "8-classes": ("classes=8", "hidden_units=16"),
}

# In the copy, by its own grader and in one process (each start of torch costs seconds):
# `python -m grader build`; the stubs and the solutions graded, with one set of reference
# results; its reference run (computed by then); and check-course, which reuses those two
# reports rather than grade them again.
GRADE = """
import contextlib, io, json, sys
from dataclasses import asdict
import grader.runner as runner
from grader import cli
from grader.authoring import build
from grader.authoring.reference import reference
from grader.checks.cases import Cases

out = {"built": [str(p) for p in build.build()]}
reports, grade = {}, runner.grade
def graded_once(target, *args, **kwargs):
    key = (str(target), kwargs.get("only"))
    if key not in reports:
        reports[key] = grade(target, *args, **kwargs)
    return reports[key]
runner.grade = graded_once
cases = Cases()
for name in ("exercises", "solutions"):
    report = runner.grade(build.ROOT / name, cases=cases)
    out[name] = {"score": report.score, "max": report.max_score,
                 "failed": {r.check.id: r.feedback.message.strip().splitlines()[0] for r in report.results if not r.passed}}
out["reference"] = asdict(reference())
said = io.StringIO()
with contextlib.redirect_stdout(said):
    out["check_course"] = cli.main(["check-course"])
out["check_course_said"] = said.getvalue()
json.dump(out, sys.stdout)
"""


class Built:
    def __init__(self, path: Path, lesson: Lesson, graded: dict):
        self.path, self.lesson, self.graded = path, lesson, graded
        self.stubs, self.solutions = graded["exercises"], graded["solutions"]
        self.reference = graded["reference"]

    def text(self, rel: str) -> str:
        return (self.path / rel).read_text()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Built]:
    """Each variant of the matrix, written, built, graded and checked once.
    The command's own vetting (make_variant) is left to the tests of refusals: here its
    reference run comes with the grading, in the same process."""
    variants = {}
    for name, constants in MATRIX.items():
        out = tmp_path_factory.mktemp("variants") / name
        lesson = V.parse(list(constants), course_lesson())
        assert V.range_problems(lesson) == []
        V.write_variant(out, lesson)
        proc = subprocess.run([sys.executable, "-c", GRADE], cwd=out, capture_output=True,
                              text=True, env=V.clean_environment())
        assert proc.returncode == 0, proc.stderr
        variants[name] = Built(out, lesson, json.loads(proc.stdout))
    return variants


def test_todays_constants_give_back_the_repository(tmp_path):
    """Every phrase rewritten to itself, and the copy the repository's files, byte for byte:
    nothing the rewrites touch differs from what the build and the tests pin."""
    lesson = course_lesson()
    assert all(a == b for a, b in V.rewrites(lesson, lesson).items())
    written = V.write_variant(tmp_path / "today", lesson)
    assert written
    for target in written:
        rel = target.relative_to(tmp_path / "today")
        assert target.read_bytes() == (ROOT / rel).read_bytes(), rel
    assert {p.relative_to(tmp_path / "today").parts[0] for p in written} >= {
        "grader", "solutions", "exercises", "marimo", "README.md", "tests"}


def test_every_phrase_rewritten_is_in_the_course():
    """A phrase of REWRITES that the course no longer says would leave a variant's copy of
    it behind silently: each is found in the files it rewrites."""
    text = "\n".join(p.read_text() for pattern in V.REWRITTEN for p in ROOT.glob(pattern))
    pairs = V.rewrites(course_lesson(), course_lesson())
    assert [p for p in pairs if p not in text] == []


@pytest.mark.slow
@pytest.mark.parametrize("name", MATRIX)
def test_solutions_earn_everything_and_stubs_nothing(built, name, record_property):
    b = built[name]
    ref = b.reference
    record_property("variant_reference", f"{name} ({' '.join(MATRIX[name])}): reference {ref['accuracy']:.1f}% "
                    f"from start {ref['start']} (nearest true centre {ref['best_possible']:.1f}%), "
                    f"train_accuracy threshold {ref['threshold']:.1f}% "
                    f"(reference - {ref['accuracy_margin']:g}), good start at >= {ref['min_reference_accuracy']:g}%")
    assert b.solutions["failed"] == {} and b.solutions["score"] == b.solutions["max"] == 100
    assert b.stubs["score"] == 0 and b.stubs["max"] == 100
    assert all(line.endswith("is not implemented yet") for line in b.stubs["failed"].values())
    assert ref["good"] and ref["threshold"] == ref["accuracy"] - b.lesson.accuracy_margin


@pytest.mark.slow
@pytest.mark.parametrize("name", MATRIX)
def test_the_text_names_the_variants_constants(built, name):
    b = built[name]
    L, words = b.lesson, lesson_words(b.lesson)
    manifest = b.text("grader/course.toml")
    assert all(f"\n{f.name} = {getattr(L, f.name)!r}" in manifest for f in fields(Lesson))
    ex01, ex02, ex04 = (b.text(f"exercises/{f}") for f in ("ex01_data.py", "ex02_model.py", "ex04_train.py"))
    assert (f"def make_dataset(n_samples={L.samples}, n_features={L.features}, n_classes={L.classes}, "
            f"cluster_std={L.cluster_std}, seed={L.data_seed}):") in ex01
    assert f"We make {words['classes_word']} clusters" in ex01 and f"its class: {words['class_list']}." in ex01
    assert f"that is {L.features} -> {L.hidden_units} -> {L.hidden_units} -> {L.classes}." in ex02
    assert f"def build_model(in_features={L.features}, out_features={L.classes}, hidden_units={L.hidden_units}):" in ex02
    assert f"epochs={L.epochs}, lr={L.learning_rate}" in ex04 and f"Every {L.report_every} epochs" in ex04
    lesson = b.text("marimo/lesson.py")
    assert f"tells {words['classes_word']} clusters of 2-D points apart" in lesson
    assert f"around {L.classes} centres" in lesson and f"ln {L.classes} ≈ {words['ln_classes']}" in lesson
    assert f"nn.Linear(_units, {L.classes})" in lesson
    for readme in ("README.md", "grader/authoring/templates/student_README.md"):
        assert f"{words['classes_word']} clusters of 2-D points" in b.text(readme)
    # No trace of today's classes where the variant's belong.
    assert "four clusters" not in lesson + ex01 and "n_classes=4" not in ex01


@pytest.mark.slow
@pytest.mark.parametrize("name", MATRIX)
def test_check_course_passes_in_each_variant(built, name):
    """The whole of check-course in each variant: the generated files in sync, the stubs and
    the solutions, the reference, and every catalogue mistake caught and named."""
    graded = built[name].graded
    assert graded["check_course"] == 0, graded["check_course_said"]
    lines = graded["check_course_said"].splitlines()
    assert lines[-1] == "The course is in order."
    reached = f"reference       ok: the reference reaches {graded['reference']['accuracy']:.1f}% test accuracy"
    assert any(l.startswith(reached) for l in lines), lines
    assert any(l.startswith("catalogue       ok:") and l.endswith("every check fails one of the mistakes")
               for l in lines)


@pytest.mark.parametrize("constants, says", [
    (["classes=1"], "classes=1: a classifier needs 2 classes at least"),
    (["classes=9"], "hidden_units=8: fewer hidden units than classes (9)"),
    (["cluster_std=5"], "the best possible classifier (the nearest of make_blobs' centres) gets 69.0%"),
    (["report_every=1"], "printing every epoch is a mistake the checks name"),
    (["features=3"], "so there are 2 features"),
    (["colour=red"], "expected KEY=VALUE with KEY one of samples, features, classes"),
    (["classes=many"], "classes=many: classes is a whole number"),
])
def test_a_lesson_the_checks_cannot_hold_for_is_refused(tmp_path, capsys, constants, says):
    out = tmp_path / "refused"
    assert cli.main(["variant", str(out), *constants]) == 2
    assert says in capsys.readouterr().err
    assert not out.exists()


def test_a_folder_that_is_not_empty_is_left_alone(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert cli.main(["variant", str(tmp_path), "classes=5"]) == 2
    assert "exists and is not an empty folder" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.slow
def test_a_reference_that_learns_too_little_is_refused(tmp_path):
    """Data the nearest centre classifies perfectly, but a learning rate too small to learn
    it in 10 epochs (a lucky start may still guess 80% of the 20 test points right, so the
    checks demand 95% here): the copy's own reference run refuses it, and nothing is left."""
    out = tmp_path / "refused"
    lesson = V.parse(["samples=100", "epochs=10", "report_every=5", "learning_rate=0.001",
                      "min_reference_accuracy=95"], course_lesson())
    with pytest.raises(V.Refused, match="reaches at most .* below min_reference_accuracy"):
        V.make_variant(out, lesson)
    assert not out.exists()
