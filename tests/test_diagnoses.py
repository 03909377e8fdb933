"""Feedback that names the one real cause, and no points for a call that raised: what the
catalogue's "fails with this message" cannot say (a check that must pass, words that must
not appear, every check of an exercise at once)."""
from __future__ import annotations

import pytest

from grader.platforms.report import result_text
from grader import messages as M
from grader.checks.registry import all_checks
from grader.course import exercise, exercises
from grader.runner import Options, grade

from .catalogue import all_mistakes
from .catalogue.ex04_train import _train
from .conftest import results_by_id

EVALUATE_WITH_AUTOGRAD = """
def evaluate(model, X, y, loss_fn):
    model.eval()
    logits = model(X)
    loss = loss_fn(logits, y).item()
    correct = (logits.argmax(dim=1) == y).sum().item()
    return loss, correct / len(y) * 100
"""


def test_a_hard_coded_lr_is_named_and_not_read_as_training_on_the_test_data(submission):
    """evaluate without inference_mode puts autograd passes over X_test into train(), but
    no gradient from them reaches the parameters: only the lr is wrong."""
    wrong_lr = results_by_id(grade(submission(ex04=EVALUATE_WITH_AUTOGRAD + _train(
        optimizer="torch.optim.SGD(model.parameters(), lr=0.1)")), only="ex04"))
    assert "moved as with lr=0.1" in result_text(wrong_lr["ex04.train_sgd_lr"])
    assert wrong_lr["ex04.train_only_train_data"].passed, result_text(wrong_lr["ex04.train_only_train_data"])
    assert M.GRAD_ENABLED in result_text(wrong_lr["ex04.evaluate_no_grad"])

    lr_fixed = results_by_id(grade(submission(ex04=EVALUATE_WITH_AUTOGRAD + _train()), only="ex04"))
    failed = {check_id for check_id, r in lr_fixed.items() if not r.passed}
    assert failed == {"ex04.evaluate_no_grad"}


def test_an_unrelated_error_before_the_forward_pass_is_not_called_a_device_mismatch(submission):
    code = """
def predict_proba(model, X):
    X = X.to(next(model.parameters()).device)
    probabilities = {}[0]
"""
    results = results_by_id(grade(submission(ex03=code), only="ex03"))
    feedback = result_text(results["ex03.proba_device"])
    assert "predict_proba() raised KeyError: 0" in feedback
    assert "different devices" not in feedback


def test_an_endless_loop_in_train_step_is_named_where_it_was_when_train_ran_into_it(submission):
    code = """
def train_step(model, X, y, loss_fn, optimizer):
    while True:
        pass
""" + _train(update="train_step(model, X_train, y_train, loss_fn, optimizer)")
    report = grade(submission(ex04=code), only="ex04", options=Options(time_scale=0.05))
    for r in report.results:
        if r.check.id.startswith("ex04.train_"):
            assert "it was stopped inside train_step()" in result_text(r), result_text(r)
            assert result_text(r).startswith("train() did not finish"), result_text(r)
        elif r.check.id.startswith("ex04.step_"):
            assert result_text(r).startswith("train_step() did not finish"), result_text(r)


def test_an_endless_loop_costs_seconds_not_minutes():
    """train gets 15 s, not the minute it had: with train_step looping, grading spends its
    limit once on train_step and once on each of train's two runs (10 + 15 + 15 s)."""
    from grader.probes.registry import load_all

    limits = {name: probe.time_limit for name, probe in load_all().items()}
    assert limits["train"] <= 15 and limits["train_step"] <= 10


def test_a_loss_function_shows_as_itself_in_called_lines(submission):
    code = """
def train_step(model, X, y, loss_fn, optimizer):
    return None
"""
    feedback = result_text(results_by_id(grade(submission(ex04=code), only="ex04"))["ex04.step_returns_loss"])
    assert "train_step(<model>, <float32 tensor [800, 2]>, <int64 tensor [800]>, <CrossEntropyLoss>, " \
           "<SGD(lr=0.1)>)" in feedback


def _unfinished(ex_id: str, ending: str) -> str:
    """Each function of the exercise does the reference's work, then raises."""
    lines = []
    for name in exercise(ex_id).functions:
        lines += [f"_done_{name} = {name}", f"def {name}(*args, **kwargs):",
                  f"    _done_{name}(*args, **kwargs)", f"    {ending}", ""]
    return "\n".join(lines)


@pytest.mark.parametrize("ending, words", [
    ("raise NotImplementedError()", "is not implemented yet"),
    ("raise RuntimeError('not finished')", "RuntimeError: not finished"),
])
@pytest.mark.parametrize("ex_id", [ex.id for ex in exercises()])
def test_no_check_passes_on_a_call_that_raised(ex_id, ending, words, submission):
    """The whole work done, and then an exception: every check of the exercise fails,
    each saying so, whatever the check stopped early or caught on the way."""
    report = grade(submission(**{ex_id: _unfinished(ex_id, ending)}), only=ex_id)
    passed = [r.check.id for r in report.results if r.passed]
    assert not passed and len(report.results) == len(all_checks(ex_id))
    assert all(words in result_text(r) for r in report.results), [result_text(r) for r in report.results]


def test_evaluate_in_training_mode_loses_points_and_is_named(submission):
    """model.train() inside evaluate gives the right numbers on a model without Dropout,
    but evaluation in training mode is what the docstring forbids."""
    code = next(m.code for m in all_mistakes() if m.name == "evaluate_in_training_mode")
    report = grade(submission(ex04=code), only="ex04")
    failed = {r.check.id: result_text(r) for r in report.results if not r.passed}
    assert list(failed) == ["ex04.evaluate_no_grad"]
    assert M.TRAIN_MODE in failed["ex04.evaluate_no_grad"]
    assert report.score < report.max_score


@pytest.mark.parametrize("loss, pytorch_says, mistake", [
    ("loss_fn(logits.argmax(dim=1).float(), y)", "Expected floating point type for target",
     M.LOSS_ON_PREDICTED_CLASSES),
    ("loss_fn(logits.argmax(dim=1).float(), y.float())", "element 0 of tensors does not require grad",
     M.LOSS_ON_PREDICTED_CLASSES),
    ("loss_fn(y, logits)", "not implemented for 'Long'", M.LOSS_ARGUMENTS_SWAPPED),
])
def test_a_loss_given_the_wrong_arguments_is_named_from_what_it_was_given(loss, pytorch_says, mistake,
                                                                          submission):
    """PyTorch's words point at the labels' dtype; the loss's own arguments tell the mistake."""
    code = f"""
def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    logits = model(X)
    loss = {loss}
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
""" + _train(update="loss = train_step(model, X_train, y_train, loss_fn, optimizer)")
    report = grade(submission(ex04=code), only="ex04")
    for r in report.results:
        if r.check.id.startswith(("ex04.step_", "ex04.train_")) and r.check.id != "ex04.train_progress":
            assert not r.passed and pytorch_says in result_text(r), result_text(r)
            assert f"likely:   {mistake}" in result_text(r), result_text(r)


@pytest.mark.parametrize("layers, failed", [
    ("nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 4)", {"ex02.sizes_honoured"}),
    ("nn.Linear(in_features, hidden_units), nn.ReLU(), nn.Linear(hidden_units, hidden_units), "
     "nn.ReLU(), nn.Linear(hidden_units, 2)", {"ex02.default_sizes", "ex02.sizes_honoured"}),
])
def test_wrong_layer_sizes_cost_only_the_checks_on_sizes(layers, failed, submission):
    """A model with its ReLUs and raw logits, built with sizes other than asked: the custom
    model cannot run on in_features inputs, but the default one shows it is non-linear."""
    code = f"""
def build_model(in_features=2, out_features=4, hidden_units=8):
    return nn.Sequential({layers})
"""
    report = grade(submission(ex02=code), only="ex02")
    assert {r.check.id for r in report.results if not r.passed} == failed
    assert report.max_score - report.score == sum(r.check.points for r in report.results
                                                  if r.check.id in failed)
