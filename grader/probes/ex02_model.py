"""Probes for ex02_model: get_device under simulated hardware, and the model's structure,
parameters and outputs."""
from contextlib import ExitStack
from unittest import mock

import torch
from torch import nn

from .plain import describe
from .registry import probe
from .student import NotImplementedYet
from .models import linear_state


def _simulated(stack: ExitStack, cuda: bool, mps: bool) -> None:
    """Make torch report the given accelerators, through every API a student might ask."""
    accel = torch.device("cuda") if cuda else torch.device("mps") if mps else None
    patches = {
        "torch.cuda.is_available": cuda,
        "torch.cuda.device_count": int(cuda),
        "torch.backends.mps.is_available": mps,
        "torch.backends.mps.is_built": mps,
        "torch.accelerator.is_available": cuda or mps,
        "torch.accelerator.current_accelerator": accel,
    }
    for target, value in patches.items():
        owner, attr = target.rsplit(".", 1)
        try:
            obj = eval(owner, {"torch": torch})   # a fixed, trusted attribute path
        except AttributeError:
            continue
        if hasattr(obj, attr):      # a plain function: a MagicMock costs a millisecond to make
            stack.enter_context(mock.patch.object(obj, attr, new=_answering(value)))


def _answering(value):
    return lambda *args, **kwargs: value


@probe("ex02")
def get_device(student, cuda: bool, mps: bool) -> dict:
    with ExitStack() as stack:
        _simulated(stack, cuda, mps)
        return {"result": describe(student.call("get_device"))}


def _layers(model: nn.Module) -> list[dict]:
    leaves = [m for m in model.modules() if not list(m.children())]
    out = []
    for m in leaves:
        d: dict[str, object] = {"type": type(m).__name__}
        if isinstance(m, nn.Linear):
            d.update(in_features=m.in_features, out_features=m.out_features,
                     bias=m.bias is not None)
        out.append(d)
    return out


@probe("ex02")
def build_model(student, kwargs: dict, inputs) -> dict:
    model = student.call("build_model", **kwargs)
    report: dict[str, object] = {"result": describe(model)}
    if not isinstance(model, nn.Module):
        return report
    report.update(type=type(model).__name__, is_sequential=isinstance(model, nn.Sequential),
                  layers=_layers(model), state=linear_state(model))
    model.eval()
    try:
        with torch.no_grad():
            report["output"] = describe(model(inputs.to(next(model.parameters()).device)))
    except Exception as exc:     # a model that cannot run is reported, not fatal...
        if isinstance(exc, NotImplementedError) and not all(
                type(m).__module__.startswith("torch.") for m in model.modules()):
            # ...but a forward of the student's own still to be written earns nothing
            raise NotImplementedYet("build_model") from None
        report["forward_error"] = f"{type(exc).__name__}: {exc}"[:300]
    return report
