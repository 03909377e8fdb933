"""Probes for ex03_predict: the functions run on the grader's own model, so this exercise
is graded even when build_model is not done yet."""
import torch

from .plain import describe
from .registry import probe
from .student import MissingFunction, NotImplementedYet
from .models import ForwardRecorder, build


def _call_on_model(student, function: str, spec: dict, X) -> dict:
    model = build(spec)
    model.train()              # predict_proba must switch to eval mode itself
    recorder = ForwardRecorder(model)
    report = {"result": describe(student.call(function, model, X))}
    report["passes"] = recorder.passes
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
    """Stops predict_proba once the input's device is known (computing on the 'meta'
    device would only cost time)."""


def _stop(module, args):
    raise _ForwardReached()


@probe("ex03")
def predict_proba_on_device(student, spec: dict, X) -> dict:
    """predict_proba on a model that lives on another device than X. Errors are reported
    as data, because where they happened (before or after the forward pass) matters."""
    model = build(spec)
    recorder = ForwardRecorder(model)
    model.register_forward_pre_hook(_stop)
    report = {"result": None, "error": None}
    try:
        report["result"] = describe(student.call("predict_proba", model, X))
    except _ForwardReached:
        pass
    except (NotImplementedYet, MissingFunction):
        raise
    except Exception as exc:
        report["error"] = f"{type(exc).__name__}: {exc}"[:300]
    report["passes"] = recorder.passes
    return report
