"""Checks for exercise 4: train_step, evaluate and train, on the grader's own models,
compared with SGD written out by hand (grader.checks.oracle)."""
from __future__ import annotations

import math

import torch

from .. import messages as M
from . import oracle
from .cases import LESSON
from .feedback import expect, fail
from .model_runs import judge
from .registry import check
from .reading import number, phrase, unpack

HISTORY_KEYS = ["train_loss", "train_acc", "test_loss", "test_acc"]
EVERY = LESSON.report_every                     # a progress line every EVERY epochs
MARGIN = f"{LESSON.accuracy_margin:g}"         # points below the reference's accuracy


def accuracy_threshold(reference: float) -> float:
    """The final test accuracy train_accuracy demands, derived from the reference's."""
    return reference - LESSON.accuracy_margin


def _step_cases(ctx):
    """(spec, X, y, lr): the lesson's sizes and data, and other sizes, data and lr."""
    c = ctx.cases
    X, y = c.default_train_data[:2]
    Xc, yc = c.train_data[:2]
    return [(c.spec(LESSON.sizes, salt=5), X, y, LESSON.learning_rate),
            (c.spec(c.train_sizes, salt=6), Xc, yc, c.train_lr)]


def _steps(ctx, spec, X, y, lr):
    r = ctx.run("train_step", spec=spec, X=X, y=y, lr=lr, steps=3)
    return r, r.data["returned"], r.data["states"]


# The mistakes whose parameters after a step can be told apart, and what each is called.
STEP_MISTAKES = {oracle.SOFTMAX_FIRST: M.SOFTMAX_BEFORE_LOSS,
                 oracle.OWN_PREDICTIONS: M.LOSS_AGAINST_PREDICTIONS}


def _first_variant(spec, X, y, lr, state) -> str | None:
    """Which way of taking one step (right, or one of STEP_MISTAKES) gives `state`."""
    for variant in (oracle.RIGHT, *STEP_MISTAKES):
        if oracle.states_close(state, oracle.sgd_steps(spec["state"], X, y, lr, 1, variant)[1][0]):
            return variant
    return None


def _unchanged(spec, states) -> bool:
    return all(oracle.states_close(s, spec["state"], atol=1e-8, rtol=0) for s in states)


@check("ex04", 3, "train_step returns the step's loss (before the update) as a Python float",
       requires={"train_step": "the loss of this step's forward pass (before the update), as a Python float"})
def step_returns_loss(ctx):
    for spec, X, y, lr in _step_cases(ctx):
        r, returned, states = _steps(ctx, spec, X, y, lr)
        before = [spec["state"]] + states[:-1]
        for k, (d, state) in enumerate(zip(returned, before)):
            got = number(d, "the returned loss", "train_step", r.called)
            with torch.no_grad():
                z = oracle.logits(state, X)
                right = oracle.loss_of(z, y).item()
                softmaxed = oracle.loss_of(z, y, oracle.SOFTMAX_FIRST).item()
                own = oracle.loss_of(z, y, oracle.OWN_PREDICTIONS).item()
            close = lambda value: math.isclose(got, value, rel_tol=1e-4, abs_tol=1e-5)  # noqa: B023 (used here)
            if close(right) or close(softmaxed):    # softmax first: step_first_update's business
                continue
            likely = None
            if close(oracle.cross_entropy(states[k], X, y)):
                likely = M.LOSS_AFTER_UPDATE
            elif close(own):
                likely = M.LOSS_AGAINST_PREDICTIONS
            fail(f"call {k + 1} of train_step returned loss {got:.6g}", called=r.called,
                 got=f"{got:.6g}", expected=f"{right:.6g}, the cross-entropy of that step's logits",
                 likely=likely)


@check("ex04", 5, "one train_step moves the parameters as SGD on CrossEntropyLoss of the logits",
       requires={"train_step": ("One full-batch training step: forward, loss, zero_grad, backward, step",
                                "pass it the raw logits and the int64 labels")})
def step_first_update(ctx):
    for spec, X, y, lr in _step_cases(ctx):
        r, _, states = _steps(ctx, spec, X, y, lr)
        variant = _first_variant(spec, X, y, lr, states[0])
        if variant == oracle.RIGHT:
            continue
        likely = M.NO_UPDATE if _unchanged(spec, states[:1]) else STEP_MISTAKES.get(variant)
        # Without evidence for one cause, say what was seen and where to look.
        fail("after one train_step the parameters are not where SGD puts them" if likely else M.WRONG_UPDATE,
             called=r.called, got="other parameters", expected=f"each parameter p moved to p - {lr} * grad",
             likely=likely)


@check("ex04", 4, "later train_steps use fresh gradients (zero_grad before backward)",
       requires={"train_step": ("zero_grad, backward, step", "gradients accumulate otherwise")})
def step_zero_grad(ctx):
    for spec, X, y, lr in _step_cases(ctx):
        r, _, states = _steps(ctx, spec, X, y, lr)
        if _unchanged(spec, states):
            fail(M.NO_UPDATE, called=r.called + " (3 times)", got="the same parameters after 3 steps",
                 expected="parameters that move every step")
        variant = _first_variant(spec, X, y, lr, states[0])
        if variant is None:
            fail("the later steps cannot be judged until the first step is right "
                 "(see the check on one train_step)", called=r.called)
        _, want = oracle.sgd_steps(spec["state"], X, y, lr, len(states), variant)
        if all(oracle.states_close(a, b) for a, b in zip(states, want)):
            continue
        _, summed = oracle.sgd_steps(spec["state"], X, y, lr, len(states), oracle.NO_ZERO_GRAD)
        summed_up = all(oracle.states_close(a, b) for a, b in zip(states, summed))
        fail("the second and third steps moved the parameters the wrong way" if summed_up else M.WRONG_UPDATE,
             called=r.called + " (3 times)", got="parameters off the SGD path after step 2",
             expected="each step uses only its own gradient", likely=M.NO_ZERO_GRAD if summed_up else None)


# --- evaluate -------------------------------------------------------------------------
def _evaluate_cases(ctx):
    c = ctx.cases
    return [(c.spec(LESSON.sizes, salt=7), *c.default_train_data[2:]),
            (c.spec(c.train_sizes, salt=8), *c.train_data[2:])]


@check("ex04", 3, "evaluate returns (loss, accuracy in percent) as floats",
       requires={"evaluate": "(loss, accuracy): two Python floats; accuracy as a percentage from 0 to 100"})
def evaluate_values(ctx):
    for spec, X, y in _evaluate_cases(ctx):
        r = ctx.run("evaluate", spec=spec, X=X, y=y)
        loss_d, acc_d = unpack(r.data["result"], ["loss", "accuracy"], "evaluate", r.called)
        loss = number(loss_d, "the loss", "evaluate", r.called)
        acc = number(acc_d, "the accuracy", "evaluate", r.called)
        want_loss = oracle.cross_entropy(spec["state"], X, y)
        z = oracle.logits(spec["state"], X).detach()
        want_acc = oracle.percent_correct(z, y)
        if not math.isclose(loss, want_loss, rel_tol=1e-4, abs_tol=1e-5):
            own = oracle.loss_of(z, y, oracle.OWN_PREDICTIONS).item()
            fail(f"the loss is {loss:.6g}", called=r.called, got=f"{loss:.6g}",
                 expected=f"{want_loss:.6g}, loss_fn(model(X), y)",
                 likely=M.LOSS_AGAINST_PREDICTIONS if math.isclose(loss, own, rel_tol=1e-4, abs_tol=1e-5) else None)
        if not math.isclose(acc, want_acc, abs_tol=1e-4):
            as_fraction = math.isclose(acc * 100, want_acc, abs_tol=1e-3)
            likely = M.ACCURACY_FRACTION.format(value=round(acc, 4)) if as_fraction else None
            fail(f"the accuracy is {acc:.6g}", called=r.called, got=f"{acc:.6g}",
                 expected=f"{want_acc:.6g} (percent)", likely=likely)


@check("ex04", 2, "evaluate runs the model in eval mode, builds no graph and leaves the model unchanged",
       requires={"evaluate": ("without changing it", "Put the model in eval mode",
                              "run the forward pass inside torch.inference_mode()")})
def evaluate_no_grad(ctx):
    for spec, X, y in _evaluate_cases(ctx):
        r = ctx.run("evaluate", spec=spec, X=X, y=y)
        expect(oracle.states_close(r.data["state"], spec["state"], atol=1e-8, rtol=0),
               M.EVALUATE_CHANGED_MODEL, called=r.called, got="changed parameters",
               expected="the parameters as they were")
    spec, X, y = _evaluate_cases(ctx)[-1]
    judge(ctx, "evaluate", "no_grad", spec, X, y=y)
    # The grader's model starts in training mode, as train() leaves it after a step.
    judge(ctx, "evaluate", "eval", spec, X, y=y)


# --- train ----------------------------------------------------------------------------
def _train(ctx, default: bool):
    """(probe result, spec, data, epochs, lr) of the default run (no epochs or lr given)
    or of a short run with other sizes, data, epochs and lr."""
    c = ctx.cases
    if default:
        spec, data, kwargs = c.default_train_spec, c.default_train_data, {}
        epochs, lr = LESSON.epochs, LESSON.learning_rate
    else:
        spec, data = c.spec(c.train_sizes, salt=10), c.train_data
        epochs, lr = c.train_epochs, c.train_lr
        kwargs = {"epochs": epochs, "lr": lr}
    r = ctx.run("train", spec=spec, X_train=data[0], y_train=data[1], X_test=data[2],
                y_test=data[3], kwargs=kwargs)
    return r, spec, data, epochs, lr


def _reference(ctx, default: bool):
    """(history, final state) of the reference on _train's run: computed once, shared (the
    default run is the one that chose the default start)."""
    if default:
        return ctx.cases.default_reference()

    def compute():
        _, spec, data, epochs, lr = _train(ctx, default)
        return oracle.train_history(spec["state"], *data, epochs, lr)
    return ctx.once(("reference_run", default), compute)


def _history(r, epochs: int) -> dict[str, torch.Tensor]:
    """The history's four series as float tensors, or a failure naming what is wrong."""
    d = r.data["result"]
    if d["kind"] != "dict":
        fail("train should return a dict of lists", called=r.called, got=phrase(d),
             expected=f"a dict with keys {HISTORY_KEYS}",
             likely="return the history dict at the end of train()" if d["kind"] == "None" else None)
    missing = [k for k in HISTORY_KEYS if k not in r.data["history"]]
    expect(not missing, f"the history has no {missing}", called=r.called, got=phrase(d),
           expected=f"keys {HISTORY_KEYS}")
    out = {}
    for key in HISTORY_KEYS:
        s = r.data["history"][key]
        expect(s["kind"] in ("list", "tuple"), f"history[{key!r}] should be a list",
               called=r.called, got=phrase(s), expected=f"a list of {epochs} floats")
        expect(s["length"] == epochs, f"history[{key!r}] has {s['length']} entries",
               called=r.called, got=f"{s['length']} entries", expected=f"{epochs}: one per epoch")
        bad = [k for k in s["item_kinds"] if k not in ("float", "int", "numpy scalar")]
        expect(not bad, f"history[{key!r}] holds {', '.join(bad)} items", called=r.called,
               got=f"items of kind {bad}", expected="Python floats",
               likely=M.NOT_PYTHON_FLOAT.format(kind="tensors") if "tensor" in bad else None)
        out[key] = s["values"]
    return out


@check("ex04", 3, "train returns a history: four lists with one float per epoch",
       requires={"train": "a dict of lists with one entry per epoch"})
def train_history(ctx):
    for default in (True, False):
        r, _, _, epochs, _ = _train(ctx, default)
        _history(r, epochs)


@check("ex04", 4, "train uses SGD with the lr it is given, on CrossEntropyLoss",
       requires={"train": "Train with nn.CrossEntropyLoss() and torch.optim.SGD(model.parameters(), lr=lr)"})
def train_sgd_lr(ctx):
    for default in (False, True):
        r, spec, data, epochs, lr = _train(ctx, default)
        _, final = _reference(ctx, default)
        tol = 1e-3 if default else 1e-4
        if oracle.states_close(r.data["state"], final, atol=tol):
            continue
        likely = _training_mistake(r, spec, data, epochs, lr, tol)
        # Without evidence for one cause, say what was seen and where to look.
        fail(f"after train(..., epochs={epochs}, lr={lr}) the parameters are not where SGD puts them"
             if likely else M.WRONG_UPDATE, called=r.called, got="other parameters",
             expected=f"{epochs} full-batch SGD steps with lr={lr}", likely=likely)


def _training_mistake(r, spec, data: oracle.TrainData, epochs: int, lr: float, tol: float) -> str | None:
    """The known mistake the parameters after train() show, or None."""
    history = r.data.get("history", {}).get("train_loss", {})
    if history.get("length") not in (None, epochs):
        return M.ARGUMENT_IGNORED.format(argument="epochs", value=epochs) + f" ({history['length']} epochs ran)"
    if _unchanged(spec, [r.data["state"]]):
        return M.NO_UPDATE

    def ends_as(lr_used: float, variant: str = oracle.RIGHT) -> bool:
        final = oracle.train_history(spec["state"], *data, epochs, lr_used, variant)[1]
        return oracle.states_close(r.data["state"], final, atol=tol)

    if lr != LESSON.learning_rate and ends_as(LESSON.learning_rate):
        return M.HARDCODED_LR.format(used=LESSON.learning_rate, given=lr)
    for variant, mistake in STEP_MISTAKES.items():
        if ends_as(lr, variant):
            return mistake
    return None


@check("ex04", 3, "the history means what it says: train metrics before, test metrics after each update",
       requires={"train": ('"train_loss", "train_acc": from that epoch\'s forward pass (before its update)',
                           '"test_loss", "test_acc": measured after that epoch\'s update')})
def train_history_meaning(ctx):
    r, spec, data, epochs, lr = _train(ctx, default=False)
    got = _history(r, epochs)
    want, final = _reference(ctx, default=False)
    expect(oracle.states_close(r.data["state"], final), "the history cannot be judged while the "
           "training itself is off (see the check on SGD and lr)", called=r.called)
    for key in HISTORY_KEYS:
        w = torch.tensor(want[key], dtype=torch.float64)
        g = got[key]
        if torch.allclose(g, w, rtol=1e-4, atol=1e-4):
            continue
        likely = None
        if key.endswith("acc") and torch.allclose(g * 100, w, atol=1e-3):
            likely = M.ACCURACY_FRACTION.format(value=round(g[-1].item(), 4))
        elif key == "test_loss":
            # measured before each update: the previous epoch's values, shifted by one
            before = [oracle.cross_entropy(spec["state"], data[2], data[3])] + want["test_loss"][:-1]
            if torch.allclose(g, torch.tensor(before, dtype=torch.float64), rtol=1e-4, atol=1e-4):
                likely = M.TEST_BEFORE_UPDATE
        elif key == "train_loss" and torch.allclose(g, torch.tensor(want["test_loss"], dtype=torch.float64)):
            likely = "train_loss holds the test loss"
        elif key == "train_loss":
            after = [oracle.cross_entropy(s, data[0], data[1]) for s in
                     oracle.sgd_steps(spec["state"], data[0], data[1], lr, epochs)[1]]
            if torch.allclose(g, torch.tensor(after, dtype=torch.float64), rtol=1e-4, atol=1e-4):
                likely = M.LOSS_AFTER_UPDATE
        close = torch.isclose(g, w, rtol=1e-4, atol=1e-4)
        first = int((~close).nonzero()[0]) if not bool(close.all()) else 0
        fail(f"history[{key!r}] does not match the training run, from epoch {first} on",
             called=r.called, got=f"epoch {first}: {g[first].item():.6g}",
             expected=f"epoch {first}: {w[first].item():.6g}", likely=likely)


@check("ex04", 2, "train touches only the training data: the test set never produces gradients",
       requires={"train": "one train_step on the training data, then evaluate on the test data"})
def train_only_train_data(ctx):
    c = ctx.cases
    spec, X_train, y_train, X_test, y_test = c.marked_train_case
    r = ctx.run("train", spec=spec, X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test,
                kwargs={"epochs": c.train_epochs, "lr": c.train_lr})
    # Evidence, not inference from all the parameters (which a wrong lr moves as well): the
    # weights of a feature that is 0 in X_train and 1 in X_test move only with a gradient
    # from the test rows.
    before = spec["state"]["0.weight"][:, -1]
    after = r.data["state"].get("0.weight")
    expect(after is not None and after.shape == spec["state"]["0.weight"].shape,
           "the model's first Linear layer is gone or changed its shape", called=r.called,
           got=f"first-layer weights {list(after.shape) if after is not None else 'missing'}",
           expected=f"shape {list(spec['state']['0.weight'].shape)}")
    moved = (after[:, -1] - before).abs().max().item()
    expect(moved == 0, M.TRAINED_ON_TEST, called=r.called + " with one more feature: 0 in X_train, 1 in X_test",
           got=f"the first layer's weights for that feature moved (by up to {moved:.3g})",
           expected="those weights unchanged: only a gradient from X_test can move them")


@check("ex04", 1, f"train prints a progress line every {EVERY} epochs",
       requires={"train": f"Every {EVERY} epochs, print a line"})
def train_progress(ctx):
    for default in (True, False):
        r, _, _, epochs, _ = _train(ctx, default)
        lines = [l for l in r.output.splitlines() if l.strip() and any(ch.isdigit() for ch in l)]
        low, high = epochs // EVERY, math.ceil(epochs / EVERY) + 1
        expect(low <= len(lines) <= high, f"train printed {len(lines)} progress lines in {epochs} epochs",
               called=r.called, got=f"{len(lines)} lines", expected=f"{low} to {high} lines, one every {EVERY} epochs",
               likely=f"print inside `if epoch % {EVERY} == 0:`" if len(lines) > high else
               f"print a line with the epoch, loss and accuracy every {EVERY} epochs")


@check("ex04", 2, f"with the defaults, test accuracy comes within {MARGIN} points of the reference",
       requires={"train": f"With the defaults, the final test accuracy comes within {MARGIN} points of the "
                          "reference solution's"})
def train_accuracy(ctx):
    r, spec, data, epochs, lr = _train(ctx, default=True)
    history = _history(r, epochs)
    want, _ = _reference(ctx, default=True)
    threshold = accuracy_threshold(want["test_acc"][-1])
    got = history["test_acc"][-1].item()
    expect(got >= threshold, f"the final test accuracy is {got:.1f}%", called=r.called,
           got=f"{got:.1f}%", expected=f"at least {threshold:.1f}% (the reference reaches "
           f"{want['test_acc'][-1]:.1f}% from the same weights and data)")
