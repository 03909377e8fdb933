"""Probes for ex03_predict: the functions run on the grader's own model, so this exercise
is graded even when build_model is not done yet."""
import os
import traceback

import torch

from .plain import TENSOR, describe
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
    """Stops the call at the first layer, once the input's device is known: computing on the
    'meta' device gives no values (and its first computation costs seconds of imports),
    and what the call does after the forward pass is judged on the CPU (the checks ask for
    the same call there first)."""


def _stopper(report: dict, device_of=TENSOR.device.__get__):
    """A hook for this one call. It reads the device through torch's C type, bound when
    this module was imported, before any student code (student code can redefine
    Tensor.device, not that), and writes it into the report itself: an exception of this
    module student code could raise on its own."""
    def stop(module, args):
        x = args[0] if args else None
        report["input_device"] = device_of(x).type if isinstance(x, torch.Tensor) else None
        raise _ForwardReached()
    return stop


def _moving_the_model(exc: BaseException) -> bool:
    """Whether exc came from moving a model (nn.Module.to) rather than from a computation."""
    return any(f.name == "to" and f.filename.endswith(os.path.join("nn", "modules", "module.py"))
               for f in traceback.extract_tb(exc.__traceback__))


def _on_device(student, function: str, spec: dict, X) -> dict:
    """`function` on a model that lives on another device than X, stopped at its first layer
    (model.forward(X) reaches it too), with the device of that layer's input. Errors that
    torch raises about devices are reported as data (they are the evidence that X was not
    moved); any other error is the student's, as in every call."""
    model = build(spec)
    report: dict[str, object] = {"result": None, "error": None, "input_device": None}
    model[0].register_forward_pre_hook(_stopper(report))
    try:
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
