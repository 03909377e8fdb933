"""How long a student waits when train_step loops for ever and train calls it.

    python benchmarks/endless_loop.py

Grades a copy of the reference solutions whose train_step is `while True: pass` and whose
train calls train_step, with `python -m grader --only ex04`, and prints the wall time and
the message each train check gives. Each probe stops at its own time limit: train_step's
once (its checks share the call), and train's once for each of its two runs.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOOPING = """

def train_step(model, X, y, loss_fn, optimizer):
    while True:
        pass


def train(model, X_train, y_train, X_test, y_test, epochs=100, lr=0.1):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for epoch in range(epochs):
        train_step(model, X_train, y_train, loss_fn, optimizer)
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for path in (ROOT / "solutions").glob("ex0*.py"):
            shutil.copy(path, Path(tmp) / path.name)
        ex04 = Path(tmp) / "ex04_train.py"
        ex04.write_text(ex04.read_text() + LOOPING)
        out = Path(tmp) / "report.json"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "grader", "--target", tmp, "--only", "ex04",
                        "--format", "json", "--output", str(out)], cwd=ROOT,
                       stdout=subprocess.DEVNULL, check=False)
        seconds = time.perf_counter() - start
        report = json.loads(out.read_text())
    print(f"grading ex04 took {seconds:.1f} s")
    for check in report["checks"]:
        if not check["passed"]:
            print(f"  {check['id']}: {check['feedback'].splitlines()[0]}")


if __name__ == "__main__":
    main()
