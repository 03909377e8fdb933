"""Checks for exercise 3: predict_proba, predict and accuracy, on the grader's own models."""
from __future__ import annotations

import re

import torch

from .. import messages as M
from . import oracle
from .cases import LESSON
from .feedback import expect, fail
from .model_runs import judge
from .registry import check
from .reading import array_values, number, phrase


def _cases(ctx):
    """(name, spec, X): the lesson's model on the test set's size, and a model of other
    sizes with N != C, so that softmax over the wrong dim shows."""
    c = ctx.cases
    X_test = c.default_train_data[2]
    custom = c.predict_sizes
    return [("default", c.spec(LESSON.sizes, salt=1), X_test),
            ("custom", c.spec(custom, salt=2), c.inputs(c.predict_n, custom[0], salt=2))]


def _logits(spec: dict, X: torch.Tensor) -> torch.Tensor:
    return oracle.logits({k: v.double() for k, v in spec["state"].items()}, X.double())


def _proba(ctx, spec, X):
    r = ctx.run("predict_proba", spec=spec, X=X)
    d = r.data["result"]
    p = array_values(d, "the probabilities", "predict_proba", r.called)
    return r, d, p.double()


@check("ex03", 3, "predict_proba returns [N, C] values between 0 and 1",
       requires={"predict_proba": "float tensor of shape [N, C]"})
def proba_shape_range(ctx):
    for _, spec, X in _cases(ctx):
        r, d, p = _proba(ctx, spec, X)
        n, c = len(X), spec["sizes"][-1]
        expect(d["kind"] == "tensor", M.NUMPY_NOT_TENSOR.format(what="the result") if d["kind"] == "ndarray"
               else "predict_proba should return a tensor", called=r.called, got=phrase(d),
               expected=f"a float tensor of shape [{n}, {c}]")
        expect(list(p.shape) == [n, c], f"the probabilities have shape {list(p.shape)}",
               called=r.called, got=phrase(d), expected=f"shape [{n}, {c}]: a row per sample, a column per class")
        if not bool(((p >= 0) & (p <= 1)).all()):
            z = _logits(spec, X)
            likely = None
            if p.shape == z.shape and torch.allclose(p, torch.log_softmax(z, dim=1), atol=1e-4):
                likely = "negative values: this looks like log_softmax"
            elif p.shape == z.shape and torch.allclose(p, z, atol=1e-4):
                likely = "these look like raw logits: apply torch.softmax(logits, dim=1)"
            fail("some probabilities lie outside [0, 1]", called=r.called,
                 got=f"values from {p.min().item():.3g} to {p.max().item():.3g}",
                 expected="values in [0, 1]", likely=likely)


@check("ex03", 3, "each row of predict_proba sums to 1 (softmax over dim=1)",
       requires={"predict_proba": ("softmax over dim 1", "each row sums to 1")})
def proba_rows_sum_to_one(ctx):
    for _, spec, X in _cases(ctx):
        r, d, p = _proba(ctx, spec, X)
        if p.ndim != 2:
            fail("the probabilities should be a 2-D tensor", called=r.called, got=phrase(d),
                 expected="shape [N, C]")
        rows = p.sum(dim=1)
        if torch.allclose(rows, torch.ones_like(rows), atol=1e-4):
            continue
        cols = p.sum(dim=0)
        likely = None
        if torch.allclose(cols, torch.ones_like(cols), atol=1e-4):
            likely = M.SOFTMAX_WRONG_DIM
        elif p.shape == (len(X), spec["sizes"][-1]) and torch.allclose(
                p, torch.sigmoid(_logits(spec, X)), atol=1e-4):
            likely = M.SIGMOID_NOT_SOFTMAX
        fail("the rows do not sum to 1", called=r.called,
             got=f"row sums {[round(v, 3) for v in rows[:4].tolist()]}...",
             expected="every row sums to 1", likely=likely)


@check("ex03", 3, "predict_proba equals softmax(model(X), dim=1)",
       requires={"predict_proba": "softmax over dim 1 of the model's logits"})
def proba_matches_softmax(ctx):
    for _, spec, X in _cases(ctx):
        r, d, p = _proba(ctx, spec, X)
        want = torch.softmax(_logits(spec, X), dim=1)
        if p.shape == want.shape and torch.allclose(p, want, atol=1e-5):
            continue
        likely = None
        if p.shape == want.shape and torch.allclose(p, torch.softmax(want, dim=1), atol=1e-5):
            likely = "softmax was applied twice"
        fail("the probabilities differ from softmax of the model's logits", called=r.called,
             got=f"first row {[round(v, 4) for v in p.reshape(-1)[:4].tolist()]}",
             expected=f"first row {[round(v, 4) for v in want[0].tolist()]}", likely=likely)


@check("ex03", 3, "predict_proba builds no autograd graph",
       requires={"predict_proba": "inside torch.inference_mode(), so that no autograd graph is built"})
def proba_no_grad(ctx):
    for _, spec, X in _cases(ctx):
        r, d, _ = _proba(ctx, spec, X)
        if d.get("grad_fn") or d.get("requires_grad"):
            fail(M.GRAPH_BUILT.format(grad_fn=d.get("grad_fn")), called=r.called,
                 got="a tensor with requires_grad=True", expected="a tensor with no graph")
    # A result detached afterwards shows no graph: the values on a model that changes
    # while autograd records it show whether the forward pass ran with autograd on.
    judge(ctx, "predict_proba", "no_grad", *ctx.cases.mode_case(salt=3))


@check("ex03", 2, "predict_proba puts the model in eval mode",
       requires={"predict_proba": "Put the model in eval mode (model.eval())"})
def proba_eval_mode(ctx):
    judge(ctx, "predict_proba", "eval", *ctx.cases.mode_case(salt=3))


def _on_another_device(ctx, function: str, salt: int) -> None:
    """`function` must move X to the model's device. It must first run to the end on the
    CPU: the call on the other device stops at the forward pass, and a check never passes
    on a call that raised (or is not written yet). It passes on the model's output on that
    device (grader.probes.devices), which must be the logits of X recomputed here."""
    c = ctx.cases
    spec = c.spec(c.predict_sizes, salt=salt, device="meta")
    X = c.inputs(c.predict_n, c.predict_sizes[0], salt=salt)
    ctx.run(function, spec={**spec, "device": "cpu"}, X=X)
    r = ctx.run(f"{function}_on_device", spec=spec, X=X)
    called = r.called + f" with the model on {M.SIMULATED_DEVICE}"
    expected = "model(X.to(next(model.parameters()).device))"
    result, error, x_device = r.data["result"], r.data["error"], r.data["input_device"]
    if r.data.get("model_moved"):
        fail(M.MODEL_MOVED.format(function=function), called=called,
             got="model.to(...) inside " + function, expected=expected)
    if x_device == "meta":
        # The model's output there, recomputed here: not the probe's word that X got there.
        output = r.data.get("output")
        if isinstance(output, torch.Tensor) and output.shape == (len(X), spec["sizes"][-1]) \
                and torch.allclose(output.double(), _logits(spec, X), atol=1e-4):
            return
        fail(M.NO_OUTPUT_ON_DEVICE.format(function=function), called=called,
             got="no output of the model's forward pass on its device that matches X", expected=expected)
    if x_device:
        fail(M.DEVICE_MISMATCH.format(x_device=x_device, model_device=M.SIMULATED_DEVICE), called=called,
             got=f"the forward pass got X on {x_device}", expected=expected)
    if error:
        # It ran on the CPU, so this error comes from the other device; say which unless
        # torch's own words tell that the tensors were on different devices.
        mismatch = "expected device" in error or "same device" in error
        # torch names the simulated device "meta", a detail of how the check works.
        error = re.sub(r"\bmeta\b", M.SIMULATED_DEVICE, error)
        fail(f"{function}() raised {error} with the model on another device (on the CPU it did not)",
             called=called, got=error, expected=expected,
             likely=M.DEVICE_MISMATCH.format(x_device="cpu", model_device=M.SIMULATED_DEVICE)
             if mismatch else None)
    fail(f"{function}() returned {phrase(result) if result else 'nothing'} without running the "
         "model on X", called=called, got=phrase(result) if result else "no forward pass",
         expected=expected)


@check("ex03", 2, "predict_proba moves X to the model's device",
       requires={"predict_proba": "move X to the model's device"})
def proba_device(ctx):
    _on_another_device(ctx, "predict_proba", salt=4)


def _predict(ctx, spec, X):
    r = ctx.run("predict", spec=spec, X=X)
    d = r.data["result"]
    return r, d, array_values(d, "the predictions", "predict", r.called)


def _predict_mistake(d: dict, v: torch.Tensor, spec: dict, X: torch.Tensor) -> str | None:
    """The mistake predict's result shows, judged from its values, or None."""
    z = _logits(spec, X)
    p = torch.softmax(z, dim=1)
    v = v.double()
    same = lambda *wants: any(v.shape == w.shape and torch.allclose(v, w.double(), atol=1e-4)
                              for w in wants)
    if same(torch.round(torch.sigmoid(z))):
        return M.SIGMOID_ROUND
    if same(p):
        return "these are the probabilities: predict returns their argmax(dim=1), the classes"
    # argmax of the logits or of the probabilities: the same classes, other indices
    if same(z.argmax(dim=0), p.argmax(dim=0)):
        return M.ARGMAX_WRONG_DIM
    if same(z.argmax(), p.argmax()):
        return M.ARGMAX_NO_DIM
    if same(z.argmax(dim=1, keepdim=True)):
        return "argmax(dim=1, keepdim=True) keeps a column; drop keepdim to get shape [N]"
    if same(z.argmax(dim=1)) and d.get("dtype") != "int64":
        return (f"these are the right classes as {d.get('dtype')}: argmax returns int64 indices "
                "already, so drop the conversion")
    return None


@check("ex03", 2, "predict returns int64 class indices of shape [N]",
       requires={"predict": "int64 tensor of shape [N]"})
def predict_shape_dtype(ctx):
    for _, spec, X in _cases(ctx):
        r, d, v = _predict(ctx, spec, X)
        n = len(X)
        expect(d["kind"] == "tensor", M.NUMPY_NOT_TENSOR.format(what="the result") if d["kind"] == "ndarray"
               else "predict should return a tensor", called=r.called, got=phrase(d),
               expected=f"an int64 tensor of shape [{n}]")
        if d["shape"] != [n] or d["dtype"] != "int64":
            fail(f"predict returned {phrase(d)}", called=r.called, got=phrase(d),
                 expected=f"an int64 tensor of shape [{n}]", likely=_predict_mistake(d, v, spec, X))


@check("ex03", 3, "predict is the argmax over dim=1",
       requires={"predict": "the argmax over dim 1"})
def predict_matches_argmax(ctx):
    for _, spec, X in _cases(ctx):
        r, d, v = _predict(ctx, spec, X)
        n = len(X)
        want = _logits(spec, X).argmax(dim=1)
        if list(v.shape) == [n] and torch.equal(v.long(), want):
            continue
        if list(v.shape) != [n]:
            fail(f"predict returned shape {list(v.shape)}, so its classes cannot be compared",
                 called=r.called, got=phrase(d), expected=f"shape [{n}]: {want[:8].tolist()}...",
                 likely=_predict_mistake(d, v, spec, X))
        wrong = int((v.long() != want).sum())
        fail(f"{wrong} of {n} predictions differ from the argmax of the logits", called=r.called,
             got=f"{phrase(d)}: {v.reshape(-1)[:8].tolist()}", expected=f"{want[:8].tolist()}",
             likely=_predict_mistake(d, v, spec, X))


@check("ex03", 2, "predict runs the model as predict_proba does: eval mode, no autograd, X on its device",
       requires={"predict": "Run the model as predict_proba does: in eval mode, inside "
                            "torch.inference_mode(), with X moved to the model's device"})
def predict_inference(ctx):
    for rig in ("eval", "no_grad"):
        judge(ctx, "predict", rig, *ctx.cases.mode_case(salt=3))
    _on_another_device(ctx, "predict", salt=11)


def _accuracies(ctx):
    for y_true, y_pred in ctx.cases.accuracy_cases:
        r = ctx.run("accuracy", y_true=y_true, y_pred=y_pred)
        want = (y_true == y_pred).double().mean().item() * 100
        yield r, r.data["result"], want


@check("ex03", 2, "accuracy is a percentage from 0 to 100",
       requires={"accuracy": "as a percentage from 0 to 100"})
def accuracy_percent(ctx):
    for r, d, want in _accuracies(ctx):
        got = number(d, "the accuracy", "accuracy", r.called, tensor_ok=True)
        if abs(got - want) <= 1e-6 * 100:
            continue
        likely = M.ACCURACY_FRACTION.format(value=round(got, 4)) if abs(got * 100 - want) < 1e-4 else None
        fail(f"accuracy returned {got!r}", called=r.called, got=repr(got), expected=repr(want),
             likely=likely)


@check("ex03", 1, "accuracy returns a Python float",
       requires={"accuracy": "a Python float"})
def accuracy_float(ctx):
    for r, d, _ in _accuracies(ctx):
        number(d, "the accuracy", "accuracy", r.called)
        expect(d["kind"] != "int", "accuracy returned an int", called=r.called, got=phrase(d),
               expected="a float such as 37.5", likely="divide with / (not //) and do not round")
