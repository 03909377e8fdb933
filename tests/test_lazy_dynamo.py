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


def test_other_attributes_load_the_real_module():
    code = ("import sys, torch\nfrom grader.gateway import lazy_dynamo\nlazy_dynamo.install()\n"
            "import torch._dynamo\nprint(callable(torch._dynamo.reset))\n"
            "print(type(sys.modules['torch._dynamo']).__name__)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    assert proc.stdout.split() == ["True", "module"]
