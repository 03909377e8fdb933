"""How student code runs the grader's model (eval mode, autograd off), judged from values
computed here, never from what the worker says it saw.

Student code runs in the worker's process, beside the probes, so it can rewrite any report
of an observation there (a recorder of forward passes, torch.is_grad_enabled,
Module.training). It cannot rewrite what the grading process computes. So the probes hand
student code rigged models (grader.probes.models): Dropout(1.0) zeroes every hidden unit in
training mode, an AutogradGate zeroes them while autograd is on, and either way the model
outputs its last bias for every row (it collapses). A function that runs the model in eval
mode without autograd returns on the rigged model exactly what it returns on the same model
unrigged; one that does not returns what it returns on a model that always collapses. And
the rigged model's output as it was handed over (its canary) must be the collapse, which
shows that nothing had changed torch before the call."""
from __future__ import annotations

import math

import torch

from .. import messages as M
from .feedback import fail
from .reading import phrase

# rig name -> (what it adds to a spec, the mistake it shows, how the call is described)
RIGS: dict[str, tuple[dict, str, str]] = {
    "eval": ({"dropout": 1.0}, M.TRAIN_MODE, "on a model with Dropout(p=1.0), in training mode"),
    "no_grad": ({"gate": "autograd"}, M.GRAD_ENABLED,
                "on a model whose hidden units are zeroed while autograd records it"),
}
COLLAPSING = {"gate": "always"}


def flat(d) -> list:
    """The numbers and words in a piece of plain data, in order, for comparing results."""
    if not isinstance(d, dict):
        return [d]
    kind = d.get("kind")
    if kind in ("tensor", "ndarray"):
        data = d.get("data")
        values = data.double().reshape(-1).tolist() if isinstance(data, torch.Tensor) else []
        return [kind, d.get("dtype"), *d.get("shape", []), *values]
    if kind in ("tuple", "list"):
        return [kind, d["length"], *(x for item in d["items"] for x in flat(item))]
    if kind == "dict":
        return [kind, *d["keys"], *(x for item in d["items"].values() for x in flat(item))]
    return [kind, d.get("value"), d.get("type")]


def same(a: dict, b: dict) -> bool:
    """Whether two results are the same data (numbers equal up to rounding)."""
    fa, fb = flat(a), flat(b)

    def close(x, y) -> bool:
        if isinstance(x, float) and isinstance(y, float):
            return math.isclose(x, y, rel_tol=1e-5, abs_tol=1e-6) or (math.isnan(x) and math.isnan(y))
        return x == y
    return len(fa) == len(fb) and all(close(x, y) for x, y in zip(fa, fb))


def collapse(spec: dict, rows: int) -> torch.Tensor:
    """What a rigged model outputs in training mode with autograd on: its last bias, for
    every row."""
    bias = spec["state"][f"{len(spec['sizes']) - 2}.bias"]
    return bias.expand(rows, len(bias))


def judge(ctx, function: str, rig: str, spec: dict, X: torch.Tensor, **params) -> None:
    """Fail unless `function` runs the model as `rig` asks ("eval": in eval mode, "no_grad":
    without autograd), seen in what it returns on the rigged model."""
    additions, mistake, described = RIGS[rig]
    rigged = ctx.run(function, spec={**spec, **additions}, X=X, **params)
    called = f"{rigged.called} {described}"
    canary = rigged.data.get("canary")
    if not (isinstance(canary, torch.Tensor) and canary.shape == collapse(spec, len(X)).shape
            and torch.allclose(canary, collapse(spec, len(X)), atol=1e-6)):
        fail(M.MODEL_CHANGED_BEFORE.format(function=function), called=called,
             got="a model that did not output its last bias for every row in training mode",
             expected="the model as the grader built it")
    plain = ctx.run(function, spec=spec, X=X, **params).data["result"]
    collapsed = ctx.run(function, spec={**spec, **COLLAPSING}, X=X, **params).data["result"]
    if same(plain, collapsed):
        fail(M.RESULT_IGNORES_MODEL.format(function=function), called=called,
             got=f"{phrase(plain)}, also from a model that outputs only its last bias",
             expected="a result computed from the model's output")
    result = rigged.data["result"]
    if same(result, plain):
        return
    fail(mistake, called=called,
         got=f"{phrase(result)}, as from a model whose hidden units were all zeroed"
         if same(result, collapsed) else f"{phrase(result)}, unlike on the same model without the rig",
         expected=f"what {function} returns on the same model without it "
                  f"({'eval mode' if rig == 'eval' else 'autograd off'}: the rig changes nothing)")
