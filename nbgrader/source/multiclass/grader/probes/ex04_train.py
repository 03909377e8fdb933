"""Probes for ex04_train: train_step, evaluate and train on the grader's own model, with
the parameters after each call."""
import torch
from torch import nn

from .plain import describe
from .registry import probe
from .losses import loss_evidence
from .models import build, canary, linear_state


def describe_series(value) -> dict:
    """A history list: its kind, length, the kinds of its items, and its values."""
    if not isinstance(value, (list, tuple)):
        return describe(value)
    kinds = sorted({describe(v)["kind"] if not isinstance(v, (list, tuple, dict)) else type(v).__name__
                    for v in value})
    values = []
    for v in value:
        try:
            values.append(float(v))
        except (TypeError, ValueError, RuntimeError):
            values.append(float("nan"))
    return {"kind": type(value).__name__, "length": len(value), "item_kinds": kinds,
            "values": torch.tensor(values, dtype=torch.float64)}


@probe("ex04")
def train_step(student, spec: dict, X, y, lr: float, steps: int) -> dict:
    model = build(spec)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    returned, states = [], []
    for _ in range(steps):
        with loss_evidence(student, model, [y]):
            returned.append(describe(student.call("train_step", model, X, y, loss_fn, optimizer)))
        states.append(linear_state(model))
    return {"returned": returned, "states": states}


@probe("ex04")
def evaluate(student, spec: dict, X, y) -> dict:
    model = build(spec)
    report = canary(model, X, spec)
    with loss_evidence(student, model, [y]):
        report["result"] = describe(student.call("evaluate", model, X, y, nn.CrossEntropyLoss()))
    report["state"] = linear_state(model)
    return report


# The reference trains 100 epochs in well under a second; 15 s leaves room for a slow
# machine (and --time-scale for slower ones) while an endless loop costs seconds, not minutes.
@probe("ex04", time_limit=15.0)
def train(student, spec: dict, X_train, y_train, X_test, y_test, kwargs: dict) -> dict:
    model = build(spec)
    with loss_evidence(student, model, [y_train, y_test]):
        history = student.call("train", model, X_train, y_train, X_test, y_test, **kwargs)
    report = {"result": describe(history), "state": linear_state(model)}
    if isinstance(history, dict):
        report["history"] = {str(k): describe_series(v) for k, v in list(history.items())[:8]}
    return report
