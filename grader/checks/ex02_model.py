"""Checks for exercise 2: get_device and build_model."""
from __future__ import annotations

import torch

from .. import messages as M
from . import oracle
from .cases import LESSON, MODEL_DEFAULTS
from .feedback import expect, fail
from .registry import check
from .reading import NONE_RETURNED, phrase

# (cuda available, mps available) -> the device get_device must pick
DEVICE_CASES = {(False, False): "cpu", (True, False): "cuda", (False, True): "mps", (True, True): "cuda"}
ARCHITECTURE = ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
PROBABILITY_LAYERS = {"Softmax", "Sigmoid", "LogSoftmax", "Softmax2d", "Softmin"}


def _simulation(cuda: bool, mps: bool) -> str:
    return f"cuda {'available' if cuda else 'unavailable'}, mps {'available' if mps else 'unavailable'}"


@check("ex02", 1, "get_device returns a torch.device",
       requires={"get_device": "as a torch.device"})
def device_type(ctx):
    for (cuda, mps), want in DEVICE_CASES.items():
        r = ctx.run("get_device", cuda=cuda, mps=mps)
        d = r.data["result"]
        if d["kind"] == "str":
            fail(M.DEVICE_STRING.format(value=d["value"]), called=f"get_device() with {_simulation(cuda, mps)}",
                 got=phrase(d), expected=f"torch.device({want!r})")
        expect(d["kind"] == "device", "get_device should return a torch.device",
               called=f"get_device() with {_simulation(cuda, mps)}", got=phrase(d),
               expected=f"torch.device({want!r})")


@check("ex02", 3, "get_device picks cuda, then mps, then cpu",
       requires={"get_device": '"cuda" if torch.cuda.is_available(), else "mps" if '
                               'torch.backends.mps.is_available(), else "cpu"'})
def device_choice(ctx):
    for (cuda, mps), want in DEVICE_CASES.items():
        d = ctx.run("get_device", cuda=cuda, mps=mps).data["result"]
        got = d.get("type") if d["kind"] == "device" else d.get("value") if d["kind"] == "str" else None
        got = got.split(":")[0] if isinstance(got, str) else got
        if got != want:
            likely = {"cpu": "check torch.cuda.is_available() and torch.backends.mps.is_available() "
                             "before falling back to cpu",
                      "cuda": "check torch.cuda.is_available() first",
                      "mps": "when cuda is missing, check torch.backends.mps.is_available()"}[want]
            fail(f"get_device picked {phrase(d)} when {_simulation(cuda, mps)}",
                 called=f"get_device() with {_simulation(cuda, mps)} (simulated)",
                 got=phrase(d), expected=f"torch.device({want!r})", likely=likely)


def _model(ctx, custom: bool):
    kwargs = dict(ctx.cases.model) if custom else {}
    in_features = (ctx.cases.model if custom else MODEL_DEFAULTS)["in_features"]
    r = ctx.run("build_model", kwargs=kwargs, inputs=ctx.cases.model_inputs(in_features))
    d = r.data
    if d["result"]["kind"] == "None":
        fail(NONE_RETURNED.format(function="build_model"), called=r.called)
    expect("layers" in d, "build_model should return a torch.nn.Module", called=r.called,
           got=phrase(d["result"]), expected="an nn.Sequential")
    return r.called, d


def _linear_sizes(d: dict) -> list[tuple[int, int]]:
    return [(l["in_features"], l["out_features"]) for l in d["layers"] if l["type"] == "Linear"]


def _types(d: dict) -> list[str]:
    return [l["type"] for l in d["layers"]]


@check("ex02", 2, "build_model returns an nn.Sequential",
       requires={"build_model": "Build the classifier as an nn.Sequential"})
def sequential(ctx):
    for custom in (False, True):
        called, d = _model(ctx, custom)
        expect(d["is_sequential"], f"build_model returned a {d['type']}, not an nn.Sequential",
               called=called, got=f"a {d['type']}", expected="nn.Sequential(...)",
               likely="build the layers inside nn.Sequential(...) and return it")


@check("ex02", 3, "the layers are Linear, ReLU, Linear, ReLU, Linear, each Linear with a bias",
       requires={"build_model": ("Linear(in_features, hidden_units), ReLU(), Linear(hidden_units, hidden_units), "
                                 "ReLU(), Linear(hidden_units, out_features)",
                                 "Each Linear layer keeps its bias")})
def layer_order(ctx):
    for custom in (False, True):
        called, d = _model(ctx, custom)
        types = _types(d)
        without_bias = [i for i, layer in enumerate(d["layers"])
                        if layer.get("type") == "Linear" and not layer.get("bias", True)]
        if without_bias:
            fail(M.NO_BIAS, called=called,
                 got=f"Linear layer(s) {without_bias} (counting from 0) without a bias",
                 expected="every Linear layer with its bias (the default, bias=True)")
        if types == ARCHITECTURE:
            continue
        if not d["is_sequential"] and sorted(types) == sorted(ARCHITECTURE):
            continue    # a custom module's order is unknown; `sequential` names that mistake
        likely = None
        others = [t for t in types if t not in ("Linear", "ReLU", "Dropout", "Identity")]
        if types and types[-1] in PROBABILITY_LAYERS:
            likely = M.SOFTMAX_IN_MODEL.format(layer=types[-1])
        elif "ReLU" not in types and others:
            likely = M.OTHER_ACTIVATION.format(activation=others[0])
        elif "ReLU" not in types:
            likely = M.MISSING_RELU
        fail("the layers are not Linear, ReLU, Linear, ReLU, Linear", called=called,
             got=", ".join(types) or "no layers", expected=", ".join(ARCHITECTURE), likely=likely)


def _check_sizes(called: str, d: dict, in_features: int, hidden_units: int, out_features: int) -> None:
    in_f, hidden, out_f = in_features, hidden_units, out_features
    want = [(in_f, hidden), (hidden, hidden), (hidden, out_f)]
    got = _linear_sizes(d)
    if got == want:
        return
    show = lambda sizes: ", ".join(f"Linear({a}, {b})" for a, b in sizes)
    likely = None
    if got and got[-1][1] in (1, 2) and out_f > 2:
        likely = M.BINARY_OUTPUT.format(units=got[-1][1], classes=out_f)
    else:
        # An argument was ignored only if the default stands where the value asked for should.
        seen = {"in_features": got[0][0] if got else None, "out_features": got[-1][1] if got else None,
                "hidden_units": got[0][1] if len(got) > 1 else None}
        asked = {"in_features": in_f, "out_features": out_f, "hidden_units": hidden}
        for name, value in asked.items():
            if seen[name] != value and seen[name] == MODEL_DEFAULTS[name]:
                likely = M.ARGUMENT_IGNORED.format(argument=name, value=value)
                break
    fail("the Linear layers have the wrong sizes", called=called, got=show(got) or "no Linear layers",
         expected=show(want), likely=likely)


_LAYERS = " -> ".join(map(str, LESSON.sizes))      # "2 -> 8 -> 8 -> 4"


@check("ex02", 3, f"the default model is {_LAYERS}",
       requires={"build_model": f"With the default arguments that is {_LAYERS}"})
def default_sizes(ctx):
    called, d = _model(ctx, custom=False)
    _check_sizes(called, d, **MODEL_DEFAULTS)


@check("ex02", 3, "build_model honours in_features, hidden_units and out_features",
       requires={"build_model": "Linear(in_features, hidden_units), ReLU(), Linear(hidden_units, hidden_units), "
                                "ReLU(), Linear(hidden_units, out_features)"})
def sizes_honoured(ctx):
    called, d = _model(ctx, custom=True)
    _check_sizes(called, d, **ctx.cases.model)


def _output(called: str, d: dict, rows: int, out_f: int) -> torch.Tensor:
    if "forward_error" in d:
        error = d["forward_error"]
        # The root cause, where the error shows it: grouped by it in the class overview.
        float64 = "Double" in error and ("dtype" in error or "scalar type" in error)
        fail(M.MODEL_FLOAT64 if float64 else M.FORWARD_FAILED,
             called=called + f"; model(<float32 tensor [{rows}, ...]>)",
             got=error, expected=f"logits of shape [{rows}, {out_f}]")
    out = d["output"]
    # Another number of columns than out_features comes from the last Linear layer's size,
    # which the checks on sizes grade: judged here, it would cost a second time.
    sizes = _linear_sizes(d)
    columns = {out_f, sizes[-1][1]} if sizes else {out_f}
    expect(out.get("kind") == "tensor" and len(out["shape"]) == 2 and out["shape"][0] == rows
           and out["shape"][1] in columns,
           "the model's output has the wrong shape", called=called + "; model(X)",
           got=phrase(out), expected=f"a tensor of shape [{rows}, {out_f}]: one logit per class")
    return out["data"].double()


def _runnable_models(ctx):
    """(called, probe data, build_model's arguments) of the default model and the one built
    with other sizes, less a model whose first Linear layer does not take in_features inputs
    and so cannot run on them: the checks on sizes grade that mistake, and the others judge
    the model that runs. Fails when none can run."""
    models, skipped = [], []
    for custom in (False, True):
        called, d = _model(ctx, custom)
        args = ctx.cases.model if custom else MODEL_DEFAULTS
        sizes = _linear_sizes(d)
        if "forward_error" in d and sizes and sizes[0][0] != args["in_features"]:
            skipped.append((called, d, args))
            continue
        models.append((called, d, args))
    if not models:
        called, d, args = skipped[0]
        fail("the model cannot be judged until its first Linear layer takes in_features inputs "
             "(see the checks on sizes)", called=called, got=d["forward_error"],
             expected=f"Linear({args['in_features']}, ...) first")
    return models


@check("ex02", 2, "the model is non-linear (it has ReLU activations)",
       requires={"build_model": "the ReLUs matter"})
def relu_nonlinearity(ctx):
    for called, d, args in _runnable_models(ctx):
        z = _output(called, d, 49, args["out_features"])
        a, b, ab, zero = z[:16], z[16:32], z[32:48], z[48:]
        # An affine map f has f(a + b) = f(a) + f(b) - f(0) for every pair.
        gap = (ab - a - b + zero).abs().max().item()
        expect(gap > 1e-4, "the model is linear in its input", called=called,
               got="f(a + b) = f(a) + f(b) - f(0) for every pair tried",
               expected="a non-linear model", likely=M.MISSING_RELU)
        others = [t for t in _types(d) if t not in ("Linear", "ReLU", "Dropout", "Identity")]
        expect("ReLU" in _types(d), "the model has no ReLU", called=called,
               got=", ".join(_types(d)), expected="ReLU activations between the Linear layers",
               likely=M.OTHER_ACTIVATION.format(activation=others[0]) if others else M.MISSING_RELU)


@check("ex02", 3, "the model outputs raw logits: no softmax or sigmoid at the end",
       requires={"build_model": ("returns raw logits of shape [N, out_features]", "no softmax at the end")})
def outputs_logits(ctx):
    for called, d, args in _runnable_models(ctx):
        types = _types(d)
        if types and types[-1] in PROBABILITY_LAYERS:
            fail(M.SOFTMAX_IN_MODEL.format(layer=types[-1]), called=called,
                 got=f"last layer {types[-1]}", expected="last layer Linear")
        z = _output(called, d, 49, args["out_features"])
        looks_like_probabilities = bool(((z >= 0) & (z <= 1)).all()) and torch.allclose(
            z.sum(dim=1), torch.ones(len(z), dtype=z.dtype), atol=1e-4)
        expect(not looks_like_probabilities, M.SOFTMAX_IN_MODEL.format(layer="a softmax"),
               called=called, got="rows of probabilities that sum to 1", expected="raw logits")
        has_bias = all(l.get("bias", True) for l in d["layers"])
        if types == ARCHITECTURE and has_bias:
            inputs = ctx.cases.model_inputs(args["in_features"])
            want = oracle.logits({k: v.double() for k, v in d["state"].items()}, inputs.double())
            expect(torch.allclose(z, want, atol=1e-4), "the output is not the last Linear layer's",
                   called=called, got="outputs that differ from Linear-ReLU-Linear-ReLU-Linear "
                   "applied with the model's own weights", expected="the raw output of the last Linear")
