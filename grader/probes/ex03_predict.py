"""Probes for ex03_predict: the functions run on the grader's own model, so this exercise
is graded even when build_model is not done yet."""
import os
import traceback

import torch

from . import devices
from .plain import TENSOR, describe, plain_tensor
from .registry import probe
from .student import MissingFunction, NotImplementedYet
from .models import build, canary


def _call_on_model(student, function: str, spec: dict, X) -> dict:
    model = build(spec)
    model.train()              # predict_proba must switch to eval mode itself
    report = canary(model, X, spec)
    report["result"] = describe(student.call(function, model, X))
    return report


@probe("ex03")
def predict_proba(student, spec: dict, X) -> dict:
    return _call_on_model(student, "predict_proba", spec, X)


@probe("ex03")
def predict(student, spec: dict, X) -> dict:
    return _call_on_model(student, "predict", spec, X)


@probe("ex03")
def accuracy(student, y_true, y_pred) -> dict:
    return {"result": describe(student.call("accuracy", y_true, y_pred))}


class _ForwardReached(BaseException):
    """Stops the call once the model's forward pass is done (or has got X on the wrong
    device): what the call does after it is judged on the CPU (the checks ask for the same
    call there first), and a model on the simulated device cannot be copied back."""


def _hooks(model, report: dict, device_of=TENSOR.device.__get__) -> None:
    """Hooks for this one call: the first layer's input, on the simulated device or not
    (its device read through torch's C type, bound when this module was imported, before
    any student code; student code can redefine Tensor.device, not that), and the last
    layer's output, the values the check recomputes. They write into the report
    themselves: an exception of this module student code could raise on its own."""
    def first(module, args):
        x = args[0] if args else None
        if not isinstance(x, torch.Tensor):
            report["input_device"] = None
        elif devices.on_device(x):
            report["input_device"] = devices.SIMULATED.type
            return
        else:
            report["input_device"] = device_of(x).type
        raise _ForwardReached()

    def last(module, args, output):
        report["output"] = plain_tensor(output) if isinstance(output, torch.Tensor) else None
        raise _ForwardReached()
    model[0].register_forward_pre_hook(first)
    model[-1].register_forward_hook(last)


def _moving_the_model(exc: BaseException) -> bool:
    """Whether exc came from moving a model (nn.Module.to) rather than from a computation."""
    return any(f.name == "to" and f.filename.endswith(os.path.join("nn", "modules", "module.py"))
               for f in traceback.extract_tb(exc.__traceback__))


def _on_device(student, function: str, spec: dict, X) -> dict:
    """`function` on a model that lives on another device than X (grader.probes.devices),
    stopped once its forward pass is done (model.forward(X) reaches the hooks too), with the
    device of the first layer's input and the last layer's output. Errors that torch
    raises about devices are reported as data (they are the evidence that X was not
    moved); any other error is the student's, as in every call."""
    model = devices.place(build({**spec, "device": "cpu"}))
    report: dict[str, object] = {"result": None, "error": None, "input_device": None, "output": None}
    _hooks(model, report)
    try:
        with devices.simulated():
            report["result"] = describe(student.call(function, model, X))
    except _ForwardReached:
        pass
    except (NotImplementedYet, MissingFunction):
        raise
    except Exception as exc:
        if _moving_the_model(exc):
            report["model_moved"] = True      # model.to(...) fails on the simulated device
        elif "device" not in str(exc).lower():
            raise
        report["error"] = f"{type(exc).__name__}: {exc}"[:300]
    return report
@probe("ex03")
def predict_proba_on_device(student, spec: dict, X) -> dict:
    return _on_device(student, "predict_proba", spec, X)


@probe("ex03")
def predict_on_device(student, spec: dict, X) -> dict:
    return _on_device(student, "predict", spec, X)
