"""Probes for ex03_predict: the functions run on the grader's own model, so this exercise
is graded even when build_model is not done yet."""
import torch

from ..plain import describe
from . import probe
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
