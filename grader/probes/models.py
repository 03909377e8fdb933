"""Reference models built from plain specs, used by the probes of ex03 and ex04, so that
those exercises are graded on the grader's model, not on the student's build_model.

Some of these models are rigged so that how student code runs them shows in the values
it returns, which the grading process recomputes: a Dropout(1.0) zeroes every hidden unit in
training mode, and an AutogradGate zeroes them while autograd is on. Either way the model
then outputs its last bias for every row. No probe reports what it saw of a forward pass
(autograd on, the mode): student code runs in this process and could rewrite any such report,
but not the arithmetic done where the checks run (see grader/checks/model_runs.py)."""
from __future__ import annotations

import torch
from torch import nn

from .plain import TENSOR, plain_tensor

_requires_grad = TENSOR.requires_grad.__get__  # type: ignore[attr-defined]  # a getset descriptor in torch, a value in its stubs


class AutogradGate(nn.Module):
    """Passes its input through while autograd is off; zeroes it while autograd is on
    (always=True: always). Its input comes from a Linear layer, so it requires grad exactly
    when autograd recorded that layer."""

    def __init__(self, always: bool = False):
        super().__init__()
        self.always = always

    def forward(self, x):
        return x * 0 if self.always or _requires_grad(x) else x


def build(spec: dict) -> nn.Sequential:
    """spec: {"sizes": [in, h, ..., out], "state": {name: tensor}, "dropout": p,
    "gate": None | "autograd" | "always", "device": str}. Linear layers with ReLU between
    them, and after each ReLU a Dropout(p) when p > 0 and an AutogradGate when gate is set."""
    sizes, p, gate = spec["sizes"], spec.get("dropout", 0.0), spec.get("gate")
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
            if p:
                layers.append(nn.Dropout(p))
            if gate:
                layers.append(AutogradGate(always=gate == "always"))
    model = nn.Sequential(*layers)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for i, layer in enumerate(linears):
            layer.weight.copy_(spec["state"][f"{i}.weight"])
            layer.bias.copy_(spec["state"][f"{i}.bias"])
    return model.to(spec.get("device", "cpu"))


def rigged(spec: dict) -> bool:
    """Whether a model built from spec outputs its last bias for every row when run in
    training mode with autograd on (as a model is handed to the student)."""
    return bool(spec.get("dropout") == 1.0 or spec.get("gate"))


def linear_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """The Linear layers' parameters, named as in the specs: "0.weight", "0.bias", ..."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    state = {}
    for i, layer in enumerate(linears):
        state[f"{i}.weight"] = layer.weight.detach().to("cpu", copy=True)
        if layer.bias is not None:          # Linear(..., bias=False) has none
            state[f"{i}.bias"] = layer.bias.detach().to("cpu", copy=True)
    return state


def canary(model: nn.Module, X: torch.Tensor, spec: dict) -> dict:
    """The rigged model's output as it is handed to student code (training mode, autograd
    on), for the checks to verify that it collapses to the last bias: if code imported
    before has changed torch (nn.Module.train, Dropout, the gate), it would not."""
    if not rigged(spec):
        return {}
    with torch.enable_grad():
        out = model(X)
    return {"canary": plain_tensor(out)}
