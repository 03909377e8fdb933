"""The catalogue (tests/catalogue/): realistic wrong implementations, each of which must
fail the checks it names with the message that names its mistake, and correct ones written
differently, which must earn full marks. `python -m grader check-course` grades all of it
(tests/test_check_course.py runs it on the course); here, that each exercise's catalogue is
found by its id, and that check-course's judgement of a variant can fail."""
from __future__ import annotations

import pytest

from grader.authoring import catalogue
from grader.checks.registry import all_checks
from grader.course import ROOT, exercise, exercises
from grader.checks.feedback import Feedback
from grader.runner import Report, Result

from .catalogue import Variant, variants


def report_of(exercise_id: str, failed: dict[str, str]) -> Report:
    """A made-up report: the checks in `failed` failed with that feedback, the others passed."""
    return Report("made up", [Result(c, c.id not in failed, Feedback(failed[c.id]) if c.id in failed else None)
                              for c in all_checks(exercise_id)])


def test_each_exercise_has_its_catalogue_found_by_its_id():
    loaded = catalogue.load(ROOT)          # as check-course loads it: by its path
    for ex in exercises():
        mistakes, alternatives = variants(ex)
        assert mistakes and all(v.exercise == ex.id for v in mistakes + alternatives), ex.id
        assert [v.name for v in loaded.variants(ex)[0]] == [v.name for v in mistakes]


def test_a_mistake_judged_right_has_no_problem_and_is_caught():
    mistake = Variant("no softmax", "ex03", "", {"ex03.proba_rows_sum_to_one": "sum to 1"})
    report = report_of("ex03", {"ex03.proba_rows_sum_to_one": "The rows do not sum to 1"})
    assert catalogue.variant_problems(mistake, report) == []
    assert catalogue.caught_by(mistake, report) == {"ex03.proba_rows_sum_to_one"}


@pytest.mark.parametrize("fails, feedback, problem", [
    ({"ex03.proba_rows_sum_to_one": "sum to 1"}, {}, "ex03.proba_rows_sum_to_one passes it"),
    ({"ex03.proba_rows_sum_to_one": "dim=0"}, {"ex03.proba_rows_sum_to_one": "Wrong.\nmore"},
     "ex03.proba_rows_sum_to_one fails it without the words 'dim=0': Wrong."),
    ({"ex03.no_such_check": "x"}, {}, "names ex03.no_such_check, which is not a check of ex03"),
    ({}, {"ex03.accuracy_percent": "accuracy returned 0.9"},
     "is correct, but fails ex03.accuracy_percent: accuracy returned 0.9"),
])
def test_a_variant_judged_wrong_is_a_problem(fails, feedback, problem):
    variant = Variant("v", "ex03", "", fails)
    report = report_of("ex03", feedback)
    assert catalogue.variant_problems(variant, report) == [f"catalogue ex03 'v': {problem}"]
    assert not catalogue.caught_by(variant, report) - set(feedback)


def test_a_real_mistake_is_graded_on_a_copy_of_the_solutions(catalogue_report):
    mistake = next(v for v in variants(exercise("ex03"))[0] if len(v.fails) == 1)
    report = catalogue_report(mistake)          # catalogue.grade_variant, once per session
    assert {r.check.exercise for r in report.results} == {"ex03"}
    assert catalogue.variant_problems(mistake, report) == []
    assert catalogue.caught_by(mistake, report) == set(mistake.fails)


def test_a_mistake_graded_by_its_named_checks_alone_gets_the_same_verdicts(catalogue_report):
    """check-course grades a mistake by the checks it names only (judged_only): they say
    what they say when every check of the exercise runs, in order. The last mistake of each
    exercise, whose named checks come after others that share its calls."""
    from grader.checks.cases import Cases
    from grader.platforms.report import result_text

    from .conftest import SOLUTIONS

    cases = Cases()
    for ex in exercises():
        mistake = variants(ex)[0][-1]
        full = {r.check.id: (r.passed, result_text(r)) for r in catalogue_report(mistake).results}
        named = catalogue.grade_variant(mistake, SOLUTIONS, cases, judged_only=True)
        assert [r.check.id for r in named.results] == [c.id for c in all_checks(ex.id) if c.id in mistake.fails]
        assert {r.check.id: (r.passed, result_text(r)) for r in named.results} == {
            check_id: full[check_id] for check_id in mistake.fails}, mistake.name
