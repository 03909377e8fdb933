"""The reference solutions earn every point; the generated stubs earn none, and every
check says why in one line."""
from __future__ import annotations

import json

import pytest
import torch

from grader.checks import oracle

from grader.platforms.report import result_text
from grader.course import exercise_ids, exercises, total_points
from grader.checks.registry import all_checks
from grader.platforms.report import to_dict
from grader.runner import grade

from .conftest import SOLUTIONS


def test_the_checks_share_out_each_exercises_points_and_ids_are_unique():
    checks = all_checks()
    for ex in exercises():
        assert sum(c.points for c in checks if c.exercise == ex.id) == ex.points > 0, ex.id
    assert sum(c.points for c in checks) == total_points()
    assert len({c.id for c in checks}) == len(checks)
    assert all(c.points > 0 for c in checks)
    assert {c.exercise for c in checks} == set(exercise_ids())


def test_solutions_earn_full_marks(reference_report):
    failed = {r.check.id: result_text(r) for r in reference_report.results if not r.passed}
    assert not failed
    assert reference_report.score == reference_report.max_score == total_points()


def test_stubs_earn_0_and_every_check_says_not_implemented(stub_report):
    assert stub_report.score == 0
    for r in stub_report.results:
        assert result_text(r).endswith("is not implemented yet"), result_text(r)
        assert "\n" not in result_text(r)     # one line, not a wall of traceback


def test_grading_is_deterministic(reference_report, submission):
    # A submission with mistakes, graded twice in fresh sessions, gets the same report.
    broken = submission(ex03="def accuracy(y_true, y_pred):\n    return (y_true == y_pred).float().mean().item()\n")
    first, second = to_dict(grade(broken)), to_dict(grade(broken))
    assert json.dumps(first) == json.dumps(second)
    lost = [c for c in first["checks"] if not c["passed"]]
    assert [c["id"] for c in lost] == ["ex03.accuracy_percent"]
    assert first["score"] == total_points() - lost[0]["max_points"]


def test_a_seed_changes_the_cases_but_not_the_verdict_on_correct_code():
    from grader.checks.cases import Cases

    assert Cases(1).blobs != Cases(2).blobs
    assert grade(SOLUTIONS, cases=Cases(7)).score == total_points()


@pytest.mark.parametrize("samples, features, classes, std, seed", [
    (1000, 2, 4, 1.2, 12345), (1000, 2, 5, 1.5, 23), (1001, 3, 7, 0.8, 0), (10, 2, 3, 2.0, 42),
    (997, 2, 8, 1.2, 2**31 - 1)])
def test_the_oracles_data_is_make_blobs_and_its_split_train_test_split(samples, features, classes, std, seed):
    """The oracle draws the data and the split with numpy (the grading process never imports
    scikit-learn); scikit-learn, at the version constraints.txt pins, draws the same."""
    import numpy as np
    from sklearn.datasets import make_blobs
    from sklearn.model_selection import train_test_split

    X, y = oracle.blobs(samples, features, classes, std, seed)
    want_X, want_y, want_centres = make_blobs(n_samples=samples, n_features=features, centers=classes,
                                              cluster_std=std, random_state=seed, return_centers=True)
    assert torch.equal(X, torch.tensor(want_X, dtype=torch.float32))
    assert torch.equal(y, torch.tensor(want_y, dtype=torch.int64))
    # What the reference's best_possible measures with, in float64 as make_blobs returns it.
    arrays = oracle.blob_arrays(samples, features, classes, std, seed)
    assert all(np.array_equal(a, b) for a, b in zip(arrays, (want_X, want_y, want_centres)))
    for test_size in (0.2, 0.25, 0.1, 0.33):
        train, test = oracle.split_indices(samples, test_size, seed)
        want_train, want_test = train_test_split(np.arange(samples), test_size=test_size, random_state=seed)
        assert train.tolist() == want_train.tolist() and test.tolist() == want_test.tolist()
