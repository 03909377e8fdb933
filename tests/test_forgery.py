"""Forgery: student code runs in the worker's process, beside the probes, and can rewrite
what they would report of how it ran the model (a recorder of forward passes, the torch
functions it asks, nn.Module.train, Tensor.device, the probes' own helpers). The checks
judge values computed in the grading process instead (grader/checks/model_runs.py), so each
real forgery below, added at import to wrong code, gains no points over the same wrong code
without it."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from grader.platforms.report import result_text
from grader.course import ROOT
from grader.runner import Report, grade

from .conftest import results_by_id

# Wrong code, each graded on its own and then with each forgery added.
LAZY_PREDICT_PROBA = '''
def predict_proba(model, X):
    # no eval mode, autograd on (detached afterwards), X not moved
    return torch.softmax(model(X), dim=1).detach()
'''
EVALUATE_WITH_AUTOGRAD = '''
def evaluate(model, X, y, loss_fn):
    model.eval()
    logits = model(X)
    return loss_fn(logits, y).item(), (logits.argmax(dim=1) == y).float().mean().item() * 100
'''
TRAIN_ON_TRAIN_AND_TEST = '''
def train(model, X_train, y_train, X_test, y_test, epochs=100, lr=0.1):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    X_all, y_all = torch.cat([X_train, X_test]), torch.cat([y_train, y_test])
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for epoch in range(epochs):
        model.train()
        logits = model(X_all)
        loss = loss_fn(logits, y_all)
        train_acc = (logits.argmax(dim=1) == y_all).float().mean().item() * 100
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        test_loss, test_acc = evaluate(model, X_test, y_test, loss_fn)
        for key, value in zip(history, (loss.item(), train_acc, test_loss, test_acc)):
            history[key].append(value)
        if epoch % 10 == 0:
            print(f"Epoch {epoch} | loss {loss.item():.4f} | test acc {test_acc:.1f}%")
    return history
'''

# The forgeries, run when the exercise file is imported. Each is written as an attacker
# would, against the grader as it was (a recorder of forward passes) and as it is.
RECORDER = '''
import sys as _sys
_models = _sys.modules.get("grader.probes.models")
if _models is not None and hasattr(_models, "ForwardRecorder"):
    _real_record = _models.ForwardRecorder._record
    def _forged_record(self, module, args):
        _real_record(self, module, args)
        self.passes[-1].update(grad_enabled=False, inference_mode=True, training=False,
                               input_device=next(module.parameters()).device.type,
                               input="train", backward=True)
    _models.ForwardRecorder._record = _forged_record
'''
TORCH_QUERIES = '''
import sys as _sys
_TB = torch._C.TensorBase
def _asked_by(*names):
    return _sys._getframe(2).f_code.co_name in names
_real_grad_enabled, _real_inference = torch.is_grad_enabled, torch.is_inference_mode_enabled
torch.is_grad_enabled = lambda: False if _asked_by("_record") else _real_grad_enabled()
torch.is_inference_mode_enabled = lambda: True if _asked_by("_record") else _real_inference()
torch.Tensor.requires_grad = property(
    lambda self: False if _asked_by("describe") else _TB.requires_grad.__get__(self),
    lambda self, value: _TB.requires_grad.__set__(self, value))
torch.Tensor.grad_fn = property(lambda self: None if _asked_by("describe") else _TB.grad_fn.__get__(self))
'''
MODULE_MODE = '''
_real_train = torch.nn.Module.train
def _always_eval(self, mode=True):
    return _real_train(self, False)
torch.nn.Module.train = _always_eval
'''
TENSOR_DEVICE = '''
_real_device = torch._C.TensorBase.device.__get__
_say_meta = set()
torch.Tensor.device = property(
    lambda self: torch.device("meta") if id(self) in _say_meta else _real_device(self))
_lazy = predict_proba
def predict_proba(model, X):
    if _real_device(next(model.parameters())).type == "meta":
        _say_meta.add(id(X))
    return _lazy(model, X)
'''
PROBE_FUNCTIONS = RECORDER + '''
_ex03 = _sys.modules.get("grader.probes.ex03_predict")
_plain = _sys.modules.get("grader.probes.plain")
_real_describe = _plain.describe
def _describe(value, depth=0):
    d = _real_describe(value, depth)
    if d.get("kind") == "tensor":
        d.update(requires_grad=False, grad_fn=None)
    return d
_real_build = _models.build
def _build(spec):
    return _real_build({**spec, "dropout": 0.0, "gate": None})
for _module in (_plain, _models, _ex03, _sys.modules.get("grader.probes.ex04_train")):
    if _module is not None:
        if hasattr(_module, "describe"):
            _module.describe = _describe
        if hasattr(_module, "build"):
            _module.build = _build
if hasattr(_models, "AutogradGate"):
    _models.AutogradGate.forward = lambda self, x: x
'''
# The grader reads tensors' facts through torch's C type; a stand-in for it, put where the
# probes look it up, says "meta" to the device check and "no graph" to describe.
LYING_TENSOR_BASE = '''
import sys as _sys
_real_base = torch._C.TensorBase
class _Getter:
    def __init__(self, read):
        self.read = read
    def __get__(self, tensor, owner=None):
        return self.read(tensor)
class _LyingBase:
    def __getattr__(self, name):
        return getattr(_real_base, name)
_lying = _LyingBase()
_lying.device = _Getter(lambda t: torch.device("meta") if _sys._getframe(1).f_code.co_name == "stop"
                        else _real_base.device.__get__(t))
_lying.requires_grad = _Getter(lambda t: False)
_lying.grad_fn = _Getter(lambda t: None)
for _name in ("grader.probes.plain", "grader.probes.models", "grader.probes.ex03_predict"):
    if hasattr(_sys.modules.get(_name), "TENSOR"):
        _sys.modules[_name].TENSOR = _lying
'''
RAISE_STOP = '''
import sys as _sys
_lazy = predict_proba
def predict_proba(model, X):
    stop = getattr(_sys.modules.get("grader.probes.ex03_predict"), "_ForwardReached", None)
    if stop is not None and next(model.parameters()).device.type == "meta":
        raise stop()
    return _lazy(model, X)
'''
# The device check's own helpers rewritten from student code: the report it makes, and the
# hook that fills it in, each say that X reached the model's device.
DEVICE_REPORT = '''
import sys as _sys
_ex03 = _sys.modules.get("grader.probes.ex03_predict")
if _ex03 is not None and hasattr(_ex03, "_on_device"):
    _ex03._on_device = lambda student, function, spec, X: {"result": None, "error": None,
                                                           "input_device": "meta", "output": None}
'''
DEVICE_HOOK = '''
import sys as _sys
_ex03 = _sys.modules.get("grader.probes.ex03_predict")
if _ex03 is not None and hasattr(_ex03, "_hooks"):
    def _forged_hooks(model, report, *args, **kwargs):
        def first(module, args):
            report["input_device"] = "meta"     # and on with X where it is
        model[0].register_forward_pre_hook(first)
    _ex03._hooks = _forged_hooks
'''

ATTACKS = {   # name -> (exercise, wrong code, forgery)
    "recorder": ("ex03", LAZY_PREDICT_PROBA, RECORDER),
    "torch-queries": ("ex03", LAZY_PREDICT_PROBA, TORCH_QUERIES),
    "module-train-eval": ("ex03", LAZY_PREDICT_PROBA, MODULE_MODE + RECORDER),
    "tensor-device": ("ex03", LAZY_PREDICT_PROBA, TENSOR_DEVICE),
    "probe-functions": ("ex03", LAZY_PREDICT_PROBA, PROBE_FUNCTIONS),
    "raise-the-probes-stop": ("ex03", LAZY_PREDICT_PROBA, RAISE_STOP + RECORDER),
    "lying-tensor-base": ("ex03", LAZY_PREDICT_PROBA, LYING_TENSOR_BASE + RECORDER),
    "device-check-report": ("ex03", LAZY_PREDICT_PROBA, DEVICE_REPORT),
    "device-check-hook": ("ex03", LAZY_PREDICT_PROBA, DEVICE_HOOK),
    "evaluate-recorder": ("ex04", EVALUATE_WITH_AUTOGRAD, RECORDER),
    "evaluate-torch-queries": ("ex04", EVALUATE_WITH_AUTOGRAD, TORCH_QUERIES),
    "train-on-test-recorder": ("ex04", TRAIN_ON_TRAIN_AND_TEST, RECORDER),
}


def failed(report) -> set[str]:
    return {r.check.id for r in report.results if not r.passed}


_HONEST: dict[tuple[str, str], Report] = {}     # the wrong code's own report, graded once


@pytest.mark.parametrize("name", ATTACKS)
def test_a_forgery_gains_nothing_over_the_same_wrong_code(submission, name):
    ex, wrong, forgery = ATTACKS[name]
    if (ex, wrong) not in _HONEST:
        _HONEST[ex, wrong] = grade(submission(**{ex: wrong}), only=ex)
    honest = _HONEST[ex, wrong]
    forged = grade(submission(**{ex: wrong + forgery}), only=ex)
    assert honest.score < honest.max_score          # there was something to gain
    assert forged.score <= honest.score, (
        f"{name}: {forged.score} forged against {honest.score} honest; now passing: "
        f"{sorted(failed(honest) - failed(forged))}")


def test_the_forged_recorder_of_the_issue_gains_nothing_through_the_command_line(submission):
    """The attack as reported: 17/26 for ex03 without the forgery, 26/26 with it."""
    scores = {}
    for label, code in (("honest", LAZY_PREDICT_PROBA), ("forged", LAZY_PREDICT_PROBA + RECORDER)):
        folder = submission(ex03=code)
        out = subprocess.run([sys.executable, "-m", "grader", "--submission", str(folder),
                              "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                             check=False)
        scores[label] = json.loads(out.stdout)["score"]
    assert scores["forged"] == scores["honest"] < 100


def test_a_forgery_does_not_hide_how_the_model_ran(submission):
    """The same mistakes are named, with or without the forgery."""
    forged = results_by_id(grade(submission(ex03=LAZY_PREDICT_PROBA + RECORDER + TORCH_QUERIES), only="ex03"))
    assert "autograd on" in result_text(forged["ex03.proba_no_grad"])
    assert "training mode" in result_text(forged["ex03.proba_eval_mode"])
    assert "different devices" in result_text(forged["ex03.proba_device"])


def test_a_model_changed_before_the_call_is_named(submission):
    forged = results_by_id(grade(submission(ex03=LAZY_PREDICT_PROBA + MODULE_MODE), only="ex03"))
    assert "did not behave as PyTorch's does" in result_text(forged["ex03.proba_eval_mode"])


# The limit of judging values: the rig itself. Code that rewrites the probe's own
# functions in its process can hand itself the model without its rig and fake the
# canary the grader checks for it. The call is made in the student's process (the mode
# is the student's to set), so nothing recomputed elsewhere can tell this from code that
# switches the mode itself. docs/sandbox.md states it; this test keeps it to those checks.
RIG_REWRITTEN = '''
import sys as _sys
_ex03 = _sys.modules.get("grader.probes.ex03_predict")
if _ex03 is not None:
    _real_build = _ex03.build
    def _build(spec):                   # the rigs off, the model that always collapses kept
        return _real_build({**spec, "dropout": 0.0,
                            "gate": "always" if spec.get("gate") == "always" else None})
    def _canary(model, X, spec):
        if not (spec.get("dropout") == 1.0 or spec.get("gate")):
            return {}
        bias = spec["state"][f"{len(spec['sizes']) - 2}.bias"]
        return {"canary": _ex03.plain_tensor(bias.expand(len(X), len(bias)).clone())}
    _ex03.build, _ex03.canary = _build, _canary
'''
MODE_CHECKS = {"ex03.proba_eval_mode", "ex03.proba_no_grad"}


def test_rewriting_the_rig_itself_reaches_only_the_two_mode_checks(submission):
    honest = grade(submission(ex03=LAZY_PREDICT_PROBA), only="ex03")
    forged = grade(submission(ex03=LAZY_PREDICT_PROBA + RIG_REWRITTEN), only="ex03")
    gained = failed(honest) - failed(forged)
    assert MODE_CHECKS <= failed(honest)
    assert gained <= MODE_CHECKS, f"the rewritten rig now also passes {sorted(gained - MODE_CHECKS)}"
    assert failed(forged) - failed(honest) <= MODE_CHECKS
