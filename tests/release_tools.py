"""Shared by the tests of the student template and the Gradescope autograder: writing a
release, running its commands as GitHub Classroom and Gradescope do, and the search for
solution code."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from grader.authoring.markers import BEGIN, END
from grader.course import ROOT, exercises

SOLUTIONS, STUBS = ROOT / "solutions", ROOT / "exercises"
VENV = Path(sys.executable).parent.parent          # the environment running the tests


def release(out: Path, flavour: str = "github-classroom") -> Path:
    proc = subprocess.run([sys.executable, "-m", "grader", "release", str(out), "--for", flavour],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def with_venv(checkout: Path) -> Path:
    """What the workflow's set-up step leaves: .venv/ in the checkout (here, a link to the
    tests' own environment)."""
    (checkout / ".venv").symlink_to(VENV, target_is_directory=True)
    return checkout


def drop_in(checkout: Path, source: Path = SOLUTIONS, **files: str) -> None:
    """Put the exercise files of `source` into checkout/exercises, some replaced by text."""
    for ex in exercises():
        text = files.get(ex.id)
        target = checkout / "exercises" / ex.file
        if text is None:
            shutil.copyfile(source / ex.file, target)
        else:
            target.write_text(text)


def command_env(home: Path, **extra: str) -> dict[str, str]:
    """What autograding-command-grader gives a command: PATH and HOME (FORCE_COLOR and the
    DOTNET variables change nothing here)."""
    return {"PATH": os.environ["PATH"], "HOME": str(home), **extra}


def shell(command: str, cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    """A command as the action runs it: through /bin/sh, in the checkout."""
    return subprocess.run(["/bin/sh", "-c", command], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


# -- solution code ------------------------------------------------------------------------
def solution_lines() -> list[tuple[str, str]]:
    """(file, line) for every line of every solution region, stripped. The search leaves out
    only lines with no letter or digit (a closing bracket says nothing about an answer)."""
    found = []
    for ex in exercises():
        inside = False
        for line in (SOLUTIONS / ex.file).read_text().splitlines():
            if BEGIN in line:
                inside = True
            elif END in line:
                inside = False
            elif inside and re.search(r"[A-Za-z0-9]", line):
                found.append((ex.file, line.strip()))
    return found


# Solution lines that the release contains on purpose, and where. Two kinds:
#  - teaching text: a docstring, a hint or a message names the call to make;
#  - the grader's own code: the oracle and the probes compute the right answers
#    independently, so they make some of the same library calls.
# Anything else, or any of these in another file, fails the search.
TEACHING = {
    # ex01's docstring spells out the make_blobs call, arguments and all.
    "cluster_std=cluster_std, random_state=seed)": {"exercises/ex01_data.py"},
    # ex02's docstring: "Hint: return torch.device("cuda"), not the string "cuda"."
    'return torch.device("cuda")': {"exercises/ex02_model.py"},
    # predict_proba's and evaluate's docstrings ask for eval mode by its call.
    "model.eval()": {"exercises/ex03_predict.py", "exercises/ex04_train.py", "grader/messages.py"},
    # The lesson's section 6 (marimo/lesson.py has its text) names the three calls of a step.
    "optimizer.zero_grad()": {"exercises/ex04_train.py", "grader/messages.py", "marimo/lesson.py"},
    "loss.backward()": {"exercises/ex04_train.py", "grader/messages.py", "marimo/lesson.py"},
    "optimizer.step()": {"grader/messages.py", "marimo/lesson.py"},
    # marimo's own `return history, model` ends the lesson's cell that trains with the controls.
    "return history": {"marimo/lesson.py"},
}
GRADER_CODE = {
    # oracle.blobs calls make_blobs as the reference does.
    "X, y = make_blobs(n_samples=n_samples, n_features=n_features, centers=n_classes,": {"grader/checks/oracle.py"},
    "cluster_std=cluster_std, random_state=seed)": {"grader/checks/oracle.py"},
    "X, y, test_size=test_size, random_state=seed)": {"grader/checks/ex01_data.py"},
    "model.eval()": {"grader/checks/ex03_predict.py", "grader/checks/ex04_train.py",
                     "grader/probes/ex02_model.py", "grader/plots.py"},
    "model.train()": {"grader/probes/ex03_predict.py"},
    "with torch.inference_mode():": {"grader/plots.py"},
    # The probes build the loss and the optimizer they pass to train_step.
    "loss_fn = nn.CrossEntropyLoss()": {"grader/probes/ex04_train.py"},
    "optimizer = torch.optim.SGD(model.parameters(), lr=lr)": {"grader/probes/ex04_train.py"},
    "optimizer.step()": {"grader/gateway/lazy_dynamo.py"},
    "if epoch % 10 == 0:": {"grader/checks/ex04_train.py"},
}


def allowed(line: str) -> set[str]:
    return TEACHING.get(line, set()) | GRADER_CODE.get(line, set())


def solution_leaks(files: dict[str, str]) -> list[str]:
    """Each solution line found in files ({path: text}) where it is not expected."""
    leaks = []
    for source, line in solution_lines():
        for path, text in files.items():
            if line in text and path not in allowed(line):
                leaks.append(f"{path} holds this line of solutions/{source}: {line}")
    return sorted(set(leaks))
