"""Keep torch.optim from loading torch.compile's machinery on its first step.

Every optimizer.step() runs `import torch._dynamo` to call graph_break(), and a few
optimizer methods are wrapped in torch._dynamo.disable(). Outside torch.compile both do
nothing, yet the import costs about a second: as much as grading everything else. Grading
never compiles, so until something asks torch._dynamo for anything else, it is this
stand-in: graph_break() does nothing and disable(fn) returns fn, which is what they do
when nothing is being compiled. Any other attribute loads the real module, so code that
does use torch.compile still gets it. Its other dunders are a plain module's (`__spec__`
and `__file__` the real one's, the rest missing), so that what walks sys.modules asking
for them, such as inspect.getmodule under every IPython traceback, does not load it.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import types

NAME = "torch._dynamo"


class _StandIn(types.ModuleType):
    @staticmethod
    def graph_break(*args, **kwargs) -> None:
        return None

    @staticmethod
    def disable(fn=None, recursive=True, **kwargs):
        if fn is None:
            return lambda f: f
        return fn

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__") and name != "__path__":
            raise AttributeError(name)
        # Anything else (__path__: a submodule's import): swap in the real module and
        # answer from it.
        import torch

        if sys.modules.get(NAME) is self:
            del sys.modules[NAME]
        real = importlib.import_module(NAME)
        torch._dynamo = real
        return getattr(real, name)


def install() -> bool:
    """Put the stand-in in place unless torch._dynamo is loaded already."""
    if NAME in sys.modules:
        return False
    import torch

    stand_in = _StandIn(NAME, __doc__)
    stand_in.__spec__ = spec = importlib.util.find_spec(NAME)
    if spec is not None and spec.origin:
        stand_in.__file__ = spec.origin
    sys.modules[NAME] = stand_in
    torch._dynamo = stand_in
    return True
