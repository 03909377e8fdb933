"""The catalogue of mistakes, as `python -m grader check-course` uses it: realistic wrong
implementations that must fail the checks they name with the words they name, and correct
ones written differently that must earn full marks (tests/catalogue/, one module per
exercise; its package docstring describes the format).

The catalogue is the repository's test data, not part of the grader: it is loaded here by
its path, from the course being checked, and only when that course has one.
"""
from __future__ import annotations

import importlib.util
import sys
import tempfile
import textwrap
from pathlib import Path
from types import ModuleType

from ..checks.cases import Cases
from ..course import exercise, exercises
from ..platforms.report import result_text
from ..checks.registry import all_checks
from ..runner import Report, Session

CATALOGUE = Path("tests") / "catalogue"
PACKAGE = "_course_catalogue"       # a private name: the tests import it as tests.catalogue


def load(root: Path) -> ModuleType | None:
    """The catalogue package of the course at root, or None where it has none."""
    init = root / CATALOGUE / "__init__.py"
    if not init.is_file():
        return None
    loaded = sys.modules.get(PACKAGE)
    if loaded is not None and loaded.__file__ == str(init):
        return loaded
    spec = importlib.util.spec_from_file_location(PACKAGE, init, submodule_search_locations=[str(init.parent)])
    assert spec is not None and spec.loader is not None     # a .py file has a source loader
    package = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = package      # its modules import Variant from it
    spec.loader.exec_module(package)
    return package


def first_line(feedback: str) -> str:
    return feedback.strip().splitlines()[0] if feedback.strip() else "(no message)"


def grade_variant(variant, solutions: Path, cases: Cases, judged_only: bool = False) -> Report:
    """Grade the reference solutions with the variant's code appended to its exercise's
    file (its defs replace the reference ones): by every check of its exercise, or, with
    judged_only, by those that judge it (a mistake's named checks: variant_problems and
    caught_by read no other result; a correct variant's, all)."""
    checks = all_checks(variant.exercise)
    if judged_only and variant.fails:
        checks = [c for c in checks if c.id in variant.fails]
    with tempfile.TemporaryDirectory(prefix="check-course-") as tmp:
        for ex in exercises():
            if (solutions / ex.file).is_file():
                (Path(tmp) / ex.file).write_text((solutions / ex.file).read_text())
        target = Path(tmp) / exercise(variant.exercise).file
        target.write_text(target.read_text() + "\n\n# --- variant ---\n" + textwrap.dedent(variant.code))
        with Session(tmp, cases) as session:
            return session.run_all(checks)


def variant_problems(variant, report: Report) -> list[str]:
    """What is wrong with a variant's grading: a mistake must fail each check it names with
    the words it names; a correct variant (one that names none) must pass every check."""
    name = f"catalogue {variant.exercise} '{variant.name}'"
    results = {r.check.id: r for r in report.results}
    if not variant.fails:
        return [f"{name}: is correct, but fails {r.check.id}: {first_line(result_text(r))}"
                for r in report.results if not r.passed]
    problems = []
    for check_id, words in variant.fails.items():
        result = results.get(check_id)
        if result is None:
            problems.append(f"{name}: names {check_id}, which is not a check of {variant.exercise}")
        elif result.passed:
            problems.append(f"{name}: {check_id} passes it")
        elif words.lower() not in result_text(result).lower():      # what the student reads
            problems.append(f"{name}: {check_id} fails it without the words {words!r}: "
                            f"{first_line(result_text(result))}")
    return problems


def caught_by(variant, report: Report) -> set[str]:
    """The checks a mistake is proven to make fail: named by it, and failed."""
    return {r.check.id for r in report.results if not r.passed and r.check.id in variant.fails}
