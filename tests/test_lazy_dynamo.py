"""The torch._dynamo stand-in changes no result: optimizer steps give the same parameters
with it and with the real module, and anything else loads the real module. A notebook's
kernel gets it from its first autograder cell (nbgrader's, where grading happens outside
the kernel, too), the marimo lesson from its set-up cell."""
from __future__ import annotations

import subprocess
import sys

from grader.course import ROOT

SCRIPT = """
import sys, torch
from torch import nn
if sys.argv[1] == "nbgrader-kernel":
    import os
    from grader.platforms.notebook import grade_cell, GRADED_OUTSIDE
    os.environ[GRADED_OUTSIDE] = "1"
    grade_cell("ex01", {})
elif sys.argv[1] == "marimo-lesson":
    from grader.platforms.marimo_cell import import_for_good
    import_for_good()
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))
for opt in (torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), torch.optim.Adam(model.parameters())):
    for _ in range(3):
        loss = model(torch.randn(8, 3)).square().mean()
        opt.zero_grad(); loss.backward(); opt.step()
print(type(sys.modules["torch._dynamo"]).__name__)
print(repr([round(v, 6) for v in torch.cat([p.detach().flatten() for p in model.parameters()]).tolist()]))
"""


def run(mode: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", SCRIPT, mode], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    return proc.stdout.splitlines()[-2:]


def test_optimizer_steps_are_identical_with_the_stand_in():
    """Where the stand-in goes in (gateway.keep_dynamo_lazy: a notebook's first autograder
    cell, the lesson's set-up), and without it."""
    kind_real, params_real = run("real")
    assert kind_real == "module"
    for place in ("nbgrader-kernel", "marimo-lesson"):
        assert run(place) == ["_StandIn", params_real], place


LOOKED_AT = """
import importlib.util, inspect, sys, torch
from grader.gateway import lazy_dynamo
spec = importlib.util.find_spec('torch._dynamo')
lazy_dynamo.install()
inspect.getmodule(inspect.getmodule)        # every IPython traceback asks this of each module
print(type(sys.modules['torch._dynamo']).__name__)
print(torch._dynamo.__file__ == spec.origin, importlib.util.find_spec('torch._dynamo') == spec)
print(hasattr(torch._dynamo, '__wrapped__'), type(sys.modules['torch._dynamo']).__name__)
import torch._dynamo.config                 # a submodule's import asks for __path__
print(hasattr(torch._dynamo.config, 'cache_size_limit'), type(sys.modules['torch._dynamo']).__name__)
"""


def test_looking_at_the_module_keeps_the_stand_in_and_a_submodule_loads_it():
    """Tools that walk sys.modules asking each module for `__file__` (inspect.getmodule,
    under every traceback a notebook's kernel shows) do not load the real module, which
    took 2 s at a kernel's first error. Importing a submodule does."""
    proc = subprocess.run([sys.executable, "-c", LOOKED_AT], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    assert proc.stdout.split() == ["_StandIn", "True", "True", "False", "_StandIn", "True", "module"]


def test_other_attributes_load_the_real_module():
    code = ("import sys, torch\nfrom grader.gateway import lazy_dynamo\nlazy_dynamo.install()\n"
            "import torch._dynamo\nprint(callable(torch._dynamo.reset))\n"
            "print(type(sys.modules['torch._dynamo']).__name__)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    assert proc.stdout.split() == ["True", "module"]
