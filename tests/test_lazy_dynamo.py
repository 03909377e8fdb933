"""The torch._dynamo stand-in changes no result: optimizer steps give the same parameters
with it and with the real module, and anything else loads the real module. A notebook's
kernel gets it from its first autograder cell (nbgrader's, where grading happens outside
the kernel, too), the marimo lesson from its set-up cell.

Three processes (each start of torch costs seconds): without the stand-in, and with it
from each of the two places; after its optimizer steps, each of the latter looks at the
module as other code does, then makes it load the real one, in one of two ways."""
from __future__ import annotations

import subprocess
import sys

import pytest

from grader.course import ROOT

SCRIPT = """
import importlib.util, inspect, sys, torch
from torch import nn
def say(label, value):
    print(f"{label}={value}")
spec = importlib.util.find_spec("torch._dynamo")
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
say("after steps", type(sys.modules["torch._dynamo"]).__name__)
say("parameters", [round(v, 6) for v in torch.cat([p.detach().flatten() for p in model.parameters()]).tolist()])
if sys.argv[1] != "real":
    inspect.getmodule(inspect.getmodule)       # every IPython traceback asks this of each module
    say("file", torch._dynamo.__file__ == spec.origin)
    say("spec", importlib.util.find_spec("torch._dynamo") == spec)
    say("wrapped", hasattr(torch._dynamo, "__wrapped__"))
    say("looked at", type(sys.modules["torch._dynamo"]).__name__)
    if sys.argv[1] == "nbgrader-kernel":
        import torch._dynamo.config            # a submodule's import asks for __path__
        say("used", hasattr(torch._dynamo.config, "cache_size_limit"))
    else:
        say("used", callable(torch._dynamo.reset))
    say("then", type(sys.modules["torch._dynamo"]).__name__)
"""
PLACES = ("nbgrader-kernel", "marimo-lesson")


@pytest.fixture(scope="module")
def said() -> dict[str, dict[str, str]]:
    """What each process said, by label: without the stand-in ("real"), and from each place
    that installs it (gateway.keep_dynamo_lazy: a notebook's first autograder cell, the
    lesson's set-up). Run at once."""
    procs = {mode: subprocess.Popen([sys.executable, "-c", SCRIPT, mode], cwd=ROOT, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for mode in ("real", *PLACES)}
    out = {}
    for mode, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
        out[mode] = dict(line.split("=", 1) for line in stdout.splitlines() if "=" in line)
    return out


def test_optimizer_steps_are_identical_with_the_stand_in(said):
    assert said["real"]["after steps"] == "module"
    for place in PLACES:
        assert said[place]["after steps"] == "_StandIn", place
        assert said[place]["parameters"] == said["real"]["parameters"], place


def test_looking_at_the_module_keeps_the_stand_in(said):
    """Tools that walk sys.modules asking each module for `__file__` (inspect.getmodule,
    under every traceback a notebook's kernel shows) do not load the real module, which
    took 2 s at a kernel's first error; `__spec__` and `__file__` are the real module's."""
    for place in PLACES:
        assert [said[place][k] for k in ("file", "spec", "wrapped", "looked at")] == [
            "True", "True", "False", "_StandIn"], place


def test_an_attribute_or_a_submodule_loads_the_real_module(said):
    for place in PLACES:                 # the kernel imports a submodule, the lesson an attribute
        assert (said[place]["used"], said[place]["then"]) == ("True", "module"), place
