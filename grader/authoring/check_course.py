"""python -m grader check-course [--only ex0N]: what a course author runs after an edit
(rustlings has `dev check`). It prints one line for each problem and exits 1 if there is any:

- the manifest: every exercise has its solution, its checks, its probes, a hint, what it
  teaches and its points, and its checks' points add up to those points;
- the generated files are in sync (`python -m grader build` writes them);
- every check names the phrases of the docstrings it enforces, and each stub's docstring
  says them (a check grades nothing the student was not told);
- every stub earns 0, each check saying "... is not implemented yet";
- the solutions earn full marks;
- the reference run on the lesson's data reaches min_reference_accuracy ([lesson] in the
  manifest), and the line says the threshold ex04's accuracy check derives from it;
- the catalogue (tests/catalogue/, where the course has one): each mistake fails the checks
  it names with the words it names (graded by those checks alone: 8 s against 21 s for the
  102 mistakes, with the same verdicts, tests/test_catalogue.py), each correct alternative
  earns full marks, and every check is failed by at least one mistake.

`--only` grades one exercise's stub, solution and catalogue; the manifest and the generated
files are always checked whole.
"""
from __future__ import annotations

import argparse
import ast
import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import messages
from ..exits import FAILED, PASSED
from ..checks.feedback import FailureKind
from ..course import ROOT, Exercise, exercise, exercise_ids, exercises
from ..platforms.report import result_text
from . import catalogue
from .build import stale_files
from .markers import MarkerError
from ..registry import Platform

NOT_IMPLEMENTED = messages.NOT_IMPLEMENTED.split("() ", 1)[1]     # "is not implemented yet"
MANIFEST = "grader/course.toml"


@dataclass
class Stage:
    name: str
    problems: list[str]
    summary: str = ""           # what was found in order, when nothing is wrong


def manifest_problems(root: Path, course: tuple[Exercise, ...]) -> list[str]:
    """What each exercise must have, by the files and fields that hold it."""
    problems = []
    ids = [ex.id for ex in course]
    problems += [f"{i}: listed twice in {MANIFEST}" for i in sorted(set(ids)) if ids.count(i) > 1]
    for ex in course:
        for what, folder in (("solution", "solutions"), ("checks", "grader/checks"),
                             ("probes", "grader/probes")):
            if not (root / folder / ex.file).is_file():
                problems.append(f"{ex.id}: no {what}: {folder}/{ex.file} is missing")
        for field in ("functions", "hint", "learn"):
            if not getattr(ex, field):
                problems.append(f"{ex.id}: no {field} in {MANIFEST}")
        if not isinstance(ex.points, int) or isinstance(ex.points, bool) or ex.points <= 0:
            problems.append(f"{ex.id}: no points in {MANIFEST} (a whole number above 0)")
    return problems


def registry_problems(course: tuple[Exercise, ...]) -> list[str]:
    """The checks and probes each exercise registers, and the points its checks share out."""
    problems = []
    for ex in course:
        for package in ("checks", "probes"):
            try:
                importlib.import_module(f"..{package}.{ex.module}", __package__)
            except Exception as exc:       # the author's code: report it, never crash
                problems.append(f"{ex.id}: grader/{package}/{ex.file} cannot be imported: "
                                f"{type(exc).__name__}: {exc}")
    if problems:
        return problems
    from ..checks.registry import all_checks
    from ..probes.registry import load_all

    known = {ex.id for ex in course}
    try:
        checks = all_checks()
    except KeyError as exc:
        return [f"a check is registered for exercise {exc}, which {MANIFEST} does not list"]
    probes = load_all().values()
    problems += [f"probe {p.name}: registered for exercise {p.exercise!r}, which {MANIFEST} "
                 f"does not list" for p in probes if p.exercise not in known]
    check_ids = [c.id for c in checks]
    problems += [f"{i}: registered twice" for i in sorted(set(check_ids)) if check_ids.count(i) > 1]
    problems += [f"{c.id}: worth {c.points} points (a check is worth at least 1)"
                 for c in checks if c.points < 1]
    for ex in course:
        mine = [c for c in checks if c.exercise == ex.id]
        if not mine:
            problems.append(f"{ex.id}: no checks: grader/checks/{ex.file} registers none")
        elif sum(c.points for c in mine) != ex.points:
            problems.append(f"{ex.id}: its checks are worth {sum(c.points for c in mine)} points, "
                            f"its points in {MANIFEST} are {ex.points}")
        if not any(p.exercise == ex.id for p in probes):
            problems.append(f"{ex.id}: no probes: grader/probes/{ex.file} registers none")
    return problems


def generated_problems(root: Path) -> list[str]:
    try:
        stale = stale_files(root)
    except (MarkerError, OSError, SyntaxError) as exc:
        return [f"the build fails: {exc}"]
    return [f"{path.relative_to(root).as_posix()}: "
            f"{'out of date' if path.exists() else 'missing'}; run `python -m grader build`"
            for path in stale]


def _words(text: str) -> str:
    return " ".join(text.split())


def stub_docstrings(path: Path) -> dict[str, str]:
    """The docstring of each top-level function of a stub, its whitespace made single spaces."""
    try:
        tree = ast.parse(path.read_text())
    except (OSError, SyntaxError):
        return {}
    return {node.name: _words(ast.get_docstring(node) or "") for node in tree.body
            if isinstance(node, ast.FunctionDef)}


def docstring_problems(root: Path, checks) -> list[str]:
    """Each check must name what it enforces (requires=...), and the stub's docstring of
    each function it names must say it, so that no check grades an unstated requirement."""
    problems = []
    for check in checks:
        if not check.requires:
            problems.append(f"{check.id}: names no docstring phrase it enforces (add requires= to its @check)")
        stub = Path("exercises") / exercise(check.exercise).file
        docstrings = stub_docstrings(root / stub)
        for function, phrase in check.requires:
            if function not in docstrings:
                problems.append(f"{check.id}: {stub.as_posix()} has no function {function}()")
            elif _words(phrase) not in docstrings[function]:
                problems.append(f"{check.id}: the docstring of {function}() in {stub.as_posix()} does not "
                                f"say {_words(phrase)!r}, which the check enforces")
    return problems


def stub_problems(report) -> list[str]:
    problems = []
    for r in report.results:
        if r.passed:
            problems.append(f"{r.check.id}: the stub passes it (a check must fail a stub)")
        elif not (r.cause and r.cause.kind == FailureKind.NOT_IMPLEMENTED):
            problems.append(f"{r.check.id}: on the stub it says {catalogue.first_line(result_text(r))!r}, "
                            f"not '... {NOT_IMPLEMENTED}' in one line")
    return problems


def solution_problems(report) -> list[str]:
    return [f"{r.check.id}: the solution fails it: {catalogue.first_line(result_text(r))}"
            for r in report.results if not r.passed]


def catalogue_stage(root: Path, selected: list[Exercise], cases) -> Stage:
    package = catalogue.load(root)
    if package is None:
        return Stage("catalogue", [], f"none ({catalogue.CATALOGUE}/ is not in this course): not checked")
    from ..checks.registry import all_checks

    problems, caught, counts = [], set(), [0, 0]
    for ex in selected:
        try:
            mistakes, alternatives = package.variants(ex)
        except ModuleNotFoundError:
            problems.append(f"{ex.id}: no catalogue: {catalogue.CATALOGUE.as_posix()}/{ex.file} is missing")
            continue
        counts[0] += len(mistakes)
        counts[1] += len(alternatives)
        for variant in [*mistakes, *alternatives]:
            report = catalogue.grade_variant(variant, root / "solutions", cases, judged_only=True)
            problems += catalogue.variant_problems(variant, report)
            caught |= catalogue.caught_by(variant, report)
    for check in (c for ex in selected for c in all_checks(ex.id)):
        if check.id not in caught:
            problems.append(f"{check.id}: no mistake in the catalogue makes it fail")
    return Stage("catalogue", problems, f"{counts[0]} mistakes and {counts[1]} alternatives; "
                                        "every check fails one of the mistakes")


def stages(root: Path = ROOT, only: str | None = None) -> Iterator[Stage]:
    """The checks of the course, one stage at a time. A course without its pieces is not
    graded: the first two stages must pass for the others to run."""
    from ..checks.cases import Cases
    from ..checks.registry import all_checks
    from ..runner import grade

    course = exercises()
    problems = manifest_problems(root, course) or registry_problems(course)
    yield Stage("manifest", problems, "" if problems else
                f"{len(course)} exercises, {len(all_checks())} checks, "
                f"{sum(ex.points for ex in course)} points")
    generated = generated_problems(root)
    yield Stage("generated files", generated, "in sync")
    if problems or generated:
        return
    checks = [c for c in all_checks() if only in (None, c.exercise)]
    yield Stage("docstrings", docstring_problems(root, checks),
                f"the stubs state what each check enforces ({sum(len(c.requires) for c in checks)} phrases)")
    selected = [ex for ex in course if only in (None, ex.id)]
    cases = Cases()       # one for every run: the reference results it holds are computed once
    stubs = grade(root / "exercises", only=only, cases=cases)
    yield Stage("stubs", stub_problems(stubs), f"0/{stubs.max_score}, every check says "
                                               f"'{NOT_IMPLEMENTED}'")
    solutions = grade(root / "solutions", only=only, cases=cases)
    yield Stage("solutions", solution_problems(solutions), f"{solutions.score}/{solutions.max_score}")
    if only is None:
        from .reference import problems as reference_problems, reference

        ref = reference()
        yield Stage("reference", reference_problems(ref), ref.line())
    yield catalogue_stage(root, selected, cases)


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--only", choices=exercise_ids(),
                   help="grade one exercise's stub, solution and catalogue")


def run(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    count = 0
    for stage in stages(ROOT, args.only):
        print(f"{stage.name:<16}{'ok: ' + stage.summary if not stage.problems else 'FAILED'}", flush=True)
        for problem in stage.problems:
            print(f"  {problem}", flush=True)
        count += len(stage.problems)
    print(f"{count} problem(s)" if count else "The course is in order.")
    return FAILED if count else PASSED


PLATFORM = Platform(
    name="check-course", summary="python -m grader check-course",
    description="Check the course after an edit: the manifest, the generated files, the stubs, "
                "the solutions and the catalogue of mistakes. Exit 1 on any problem.",
    arguments=arguments, run=run)

