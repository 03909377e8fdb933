"""Another device, simulated on the CPU, for the check that student code moves X to the
model's device (ex03).

A model on it says its parameters live on "meta" (next(model.parameters()).device), refuses
a computation that mixes them with a CPU tensor as torch refuses one across two devices,
and cannot be copied back to the CPU (as a meta tensor cannot). Unlike a real meta tensor,
it holds values: the model's output on it, computed from X moved there, is data that the
grading process recomputes, so the check passes on those values, never on a report of
where X was (student code, in the same process, can rewrite any report).
"""
from __future__ import annotations

import contextlib

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from .plain import TENSOR

SIMULATED = torch.device("meta")
_DEVICE = TENSOR.device         # the getter student code asks; ours answers "meta"


class OnDevice(torch.Tensor):
    """A CPU tensor that is, for student code, on the simulated device."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if getattr(func, "__self__", None) is _DEVICE:
            return SIMULATED
        if func in (torch.Tensor.to, torch.Tensor.cpu, torch.Tensor.cuda):
            target = torch.device("cpu") if func is not torch.Tensor.to else _target(args, kwargs)
            if target is not None and target.type != SIMULATED.type:
                raise NotImplementedError("Cannot copy out of meta tensor; no data!")
        elif any(type(t) is not cls and isinstance(t, torch.Tensor) and t.ndim > 0 for t in _tensors(args, kwargs)):
            raise RuntimeError("Expected all tensors to be on the same device, but found at least two "
                               "devices, meta and cpu!")
        return super().__torch_function__(func, types, args, kwargs)


def _tensors(args, kwargs) -> list:
    found: list[torch.Tensor] = []
    for item in [*args, *kwargs.values()]:
        if isinstance(item, (list, tuple)):
            found.extend(t for t in item if isinstance(t, torch.Tensor))
        elif isinstance(item, torch.Tensor):
            found.append(item)
    return found


def _target(args, kwargs) -> torch.device | None:
    """The device Tensor.to(...) moves to (None: it only changes the dtype)."""
    try:
        device = torch._C._nn._parse_to(*args[1:], **kwargs)[0]
    except (TypeError, RuntimeError):
        return None
    return torch.device(device) if device is not None else None


class _Transfers(TorchFunctionMode):
    """X.to(the simulated device), or a tensor made there (torch.as_tensor(X, device=...)):
    a CPU tensor that is on it."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is torch.Tensor.to and args and type(args[0]) is torch.Tensor:
            target = _target(args, kwargs)
            if target is not None and target.type == SIMULATED.type:
                dtype = torch._C._nn._parse_to(*args[1:], **kwargs)[1]
                moved = TENSOR.to(args[0], dtype=dtype or TENSOR.dtype.__get__(args[0]), copy=True)  # type: ignore[attr-defined]  # a getset descriptor in torch
                return moved.as_subclass(OnDevice)
        elif "device" in kwargs and kwargs["device"] is not None and func is not torch.Tensor.to:
            try:
                there = torch.device(kwargs["device"]).type == SIMULATED.type
            except (TypeError, RuntimeError):
                there = False
            if there:
                made = func(*args, **{**kwargs, "device": "cpu"})
                return made.as_subclass(OnDevice) if type(made) is torch.Tensor else made
        return func(*args, **kwargs)


def place(model: nn.Module) -> nn.Module:
    """The model, with its parameters on the simulated device (the same values)."""
    for module in model.modules():
        for name, p in module._parameters.items():
            if p is not None:
                moved = TENSOR.as_subclass(TENSOR.detach(p), OnDevice)
                module._parameters[name] = nn.Parameter(moved, requires_grad=p.requires_grad)
    return model


def on_device(x) -> bool:
    return type(x) is OnDevice


@contextlib.contextmanager
def simulated():
    """Transfers to the simulated device work while this is on."""
    with _Transfers():
        yield
