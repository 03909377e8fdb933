"""Every check is proven able to fail: realistic wrong implementations fail the checks
they should, with the message that names the mistake; correct implementations written
differently from the reference earn full marks."""
from __future__ import annotations

import pytest

from grader.checks.registry import all_checks
from grader.runner import grade

from .catalogue import all_alternatives, all_mistakes
from .conftest import results_by_id

MISTAKES = all_mistakes()
ALTERNATIVES = all_alternatives()


@pytest.mark.parametrize("variant", MISTAKES, ids=lambda v: f"{v.exercise}-{v.name}")
def test_mistake_is_caught_with_its_message(variant, submission):
    report = grade(submission(**{variant.exercise: variant.code}), only=variant.exercise)
    results = results_by_id(report)
    for check_id, text in variant.fails.items():
        result = results[check_id]
        assert not result.passed, f"{check_id} passed the mistake '{variant.name}'"
        assert text.lower() in result.feedback.lower(), (
            f"{check_id} failed '{variant.name}' without naming it:\n{result.feedback}")
    assert report.score < report.max_score


@pytest.mark.parametrize("variant", ALTERNATIVES, ids=lambda v: f"{v.exercise}-{v.name}")
def test_correct_alternative_earns_full_marks(variant, submission):
    report = grade(submission(**{variant.exercise: variant.code}), only=variant.exercise)
    failed = {r.check.id: r.feedback for r in report.results if not r.passed}
    assert not failed, f"'{variant.name}' is correct but failed: {failed}"


def test_every_check_is_made_to_fail_by_some_mistake():
    caught = {check_id for v in MISTAKES for check_id in v.fails}
    never = [c.id for c in all_checks() if c.id not in caught]
    assert not never, f"no mistake in the catalogue makes these checks fail: {never}"
