"""What a probe holds of the student's module (Student: it can only call its functions),
and the two ways a call can fail to reach the student's code: a missing function and a
stub that is not implemented yet."""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Callable

import torch


class MissingFunction(Exception):
    def __init__(self, function: str, kind: str | None = None):
        super().__init__(function)
        self.function, self.kind = function, kind


class NotImplementedYet(Exception):
    def __init__(self, function: str):
        super().__init__(function)
        self.function = function


def short(value) -> str:
    """A short description of an argument, for 'called: f(...)' lines."""
    if isinstance(value, torch.Tensor):
        return f"<{str(value.dtype).removeprefix('torch.')} tensor {list(value.shape)}>"
    if isinstance(value, torch.nn.modules.loss._Loss) or type(value).__name__.endswith("Loss"):
        return f"<{type(value).__name__}>"          # a loss function, not a model
    if isinstance(value, torch.nn.Module):
        return "<model>"
    if isinstance(value, torch.optim.Optimizer):
        return f"<{type(value).__name__}(lr={value.defaults.get('lr')})>"
    return repr(value)


@dataclass
class Student:
    """What a probe holds of the student's module: it can only call its functions."""
    module: ModuleType
    file: str
    on_call: Callable[[dict], None] | None = None   # told of each call before it starts
    calls: list[str] = field(default_factory=list)
    current: str | None = None
    likely: str | None = None       # the mistake a probe found evidence for, when a call raised

    def call(self, function: str, *args, **kwargs):
        fn = getattr(self.module, function, None)
        if fn is None:
            raise MissingFunction(function)
        if not callable(fn):
            raise MissingFunction(function, kind=type(fn).__name__)
        shown = [short(a) for a in args] + [f"{k}={short(v)}" for k, v in kwargs.items()]
        self.calls.append(f"{function}({', '.join(shown)})")
        self.current = function
        if self.on_call:
            self.on_call({"type": "call", "function": function, "call": self.calls[-1]})
        try:
            return fn(*args, **kwargs)
        except NotImplementedError as exc:
            # Only a NotImplementedError raised by the student's own file is a stub;
            # one from deep inside torch is an ordinary error.
            frames = traceback.extract_tb(exc.__traceback__)
            if frames and Path(frames[-1].filename).name == self.file:
                raise NotImplementedYet(function) from None
            raise
