"""Probes for ex03_predict: the functions run on the grader's own model, so this exercise
is graded even when build_model is not done yet."""
import os
import traceback

import torch

from .plain import describe
from .registry import probe
from .student import MissingFunction, NotImplementedYet
from .models import ForwardRecorder, build, canary


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
    """Stops the call once the first layer has computed: computing on the 'meta' device
    gives no values, and what the call does after the forward pass is judged on the CPU
    (the checks ask for the same call there first)."""


def _stopper(report: dict):
    def stop(module, args, output):
        # torch itself computed this layer, which it does only on X on the layer's device.
        # The report says so, not the exception, which student code could raise itself.
        report["reached"] = True
        raise _ForwardReached()
    return stop


def _moving_the_model(exc: BaseException) -> bool:
    """Whether exc came from moving a model (nn.Module.to) rather than from a computation."""
    return any(f.name == "to" and f.filename.endswith(os.path.join("nn", "modules", "module.py"))
               for f in traceback.extract_tb(exc.__traceback__))


def _on_device(student, function: str, spec: dict, X) -> dict:
    """`function` on a model that lives on another device than X, stopped once its first
    layer has computed ("reached"): torch computes it only on X moved to that device. Errors
    that torch raises about devices are reported as data (they are the evidence that X was
    not moved); any other error is the student's, as in every call."""
    model = build(spec)
    recorder = ForwardRecorder(model)         # where X was: for the message's words only
    report = {"result": None, "error": None, "reached": False}
    model[0].register_forward_hook(_stopper(report))
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
    report["passes"] = recorder.passes
    return report


@probe("ex03")
def predict_proba_on_device(student, spec: dict, X) -> dict:
    return _on_device(student, "predict_proba", spec, X)


@probe("ex03")
def predict_on_device(student, spec: dict, X) -> dict:
    return _on_device(student, "predict", spec, X)
