"""Grading a class: `python -m grader batch` against `nbgrader autograde`, on the same code.

    python benchmarks/batch_speed.py [--students N] [--jobs J] [--batch-runs R] [--skip-nbgrader]
    python benchmarks/batch_speed.py --endless-train

Makes N submissions (default 24): a third correct, a third blank (the stubs), a third with
one of the typical mistakes below. Each is written twice: as a student's repository
(exercises/ex0N_*.py) and as an nbgrader submission of the course that
`python -m grader nbgrader OUT` writes (the release notebook with the same functions in its
solution cells). Then it times

  batch     python -m grader batch REPOS --csv ... --jobs J   (fresh: nothing to resume)
  nbgrader  nbgrader autograde multiclass                      (every submission, as an
                                                                instructor runs it)

and prints both, the cost per submission, the speed-up, and whether every student got the
same total from both. Batch runs R times (default 3; each fresh) and its median counts:
from one run to the next it varies by a fifth, even on an idle machine.
"""
from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.course import exercises  # noqa: E402

ASSIGNMENT = "multiclass"          # the nbgrader course's assignment

# (name, exercise file, text in the solution, replacement): the mistakes learners make.
MISTAKES = [
    ("float_labels", "ex01_data.py", "torch.from_numpy(y).type(torch.long)", "torch.from_numpy(y).type(torch.float32)"),
    ("binary_output", "ex02_model.py", "nn.Linear(hidden_units, out_features),", "nn.Linear(hidden_units, 1),"),
    ("no_relu", "ex02_model.py", "        nn.ReLU(),\n", ""),
    ("softmax_dim0", "ex03_predict.py", "torch.softmax(logits, dim=1)", "torch.softmax(logits, dim=0)"),
    ("sigmoid_round", "ex03_predict.py", "return predict_proba(model, X).argmax(dim=1)",
     "return torch.round(torch.sigmoid(model(X))).long()"),
    ("accuracy_fraction", "ex03_predict.py", "return correct / len(y_pred) * 100", "return correct / len(y_pred)"),
    ("no_zero_grad", "ex04_train.py", "    optimizer.zero_grad()\n    loss.backward()\n    optimizer.step()\n"
     "    return loss.item()", "    loss.backward()\n    optimizer.step()\n    return loss.item()"),
    ("softmax_before_loss", "ex04_train.py", "    loss = loss_fn(logits, y)\n",
     "    loss = loss_fn(torch.softmax(logits, dim=1), y)\n"),
]


def submissions(n: int) -> dict[str, dict[str, str] | None]:
    """Student name -> the text of each exercise file (None: blank, the stubs)."""
    reference = {ex.file: (ROOT / "solutions" / ex.file).read_text() for ex in exercises()}
    out: dict[str, dict[str, str] | None] = {}
    for i in range(n):
        kind = ("correct", "blank", "mistake")[i % 3]
        if kind == "correct":
            out[f"s{i:02d}-correct"] = reference
        elif kind == "blank":
            out[f"s{i:02d}-blank"] = None
        else:
            name, file, old, new = MISTAKES[(i // 3) % len(MISTAKES)]
            assert old in reference[file], name
            out[f"s{i:02d}-{name}"] = {**reference, file: reference[file].replace(old, new)}
    return out


def write_repos(root: Path, subs: dict) -> Path:
    for student, files in subs.items():
        folder = root / student / "exercises"
        folder.mkdir(parents=True)
        for ex in exercises():
            text = files[ex.file] if files else (ROOT / "exercises" / ex.file).read_text()
            (folder / ex.file).write_text(text)
    return root


def totals(csv_path: Path, student_column: str, total_column: str) -> dict[str, float]:
    with open(csv_path, newline="") as f:
        return {row[student_column]: float(row[total_column]) for row in csv.DictReader(f)}


def time_batch(work: Path, subs: dict, jobs: int) -> tuple[float, dict[str, float]]:
    repos = write_repos(work / "repos", subs)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader", "batch", str(repos), "--csv", str(work / "grades.csv"),
                    "--jobs", str(jobs), "--quiet"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, totals(work / "grades.csv", "student", "total")


class NbgraderCourse:
    """The nbgrader course, written outside the repository as an instructor has it (no
    PYTHONPATH: the course carries its grader), with its own Jupyter directories and a
    kernel on this Python."""

    def __init__(self, work: Path):
        import nbformat

        from grader.authoring.nbcourse import write_course

        self.nbformat = nbformat
        self.root = work / "course"
        write_course(self.root)
        jupyter = work / "jupyter"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHONPATH"))}
        self.env.update(JUPYTER_CONFIG_DIR=str(jupyter / "config"),
                        JUPYTER_DATA_DIR=str(jupyter / "data"), JUPYTER_RUNTIME_DIR=str(jupyter / "runtime"),
                        JUPYTER_PREFER_ENV_PATH="0", MPLCONFIGDIR=str(work / "mpl"),
                        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
        self.run(sys.executable, "-m", "ipykernel", "install", "--user", "--name", "python3")
        self.run(sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT)
        self.release = nbformat.read(self.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)

    def run(self, *args: str) -> None:
        proc = subprocess.run(args, cwd=self.root, env=self.env, capture_output=True, text=True)
        if proc.returncode:
            sys.exit(f"{' '.join(args[1:])} failed:\n{proc.stdout[-5000:]}\n{proc.stderr[-5000:]}")

    def submit(self, student: str, files: dict[str, str] | None, scratch: Path) -> None:
        from grader.authoring.nbcourse import solution_parts

        nb = self.nbformat.from_dict(self.release)
        if files:
            functions = {}
            for file, text in files.items():
                (scratch / file).write_text(text)
                functions.update(solution_parts(scratch / file)[1])
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("solution") and meta.get("grade_id") in functions:
                    cell.source = functions[meta["grade_id"]]
        path = self.root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        path.parent.mkdir(parents=True)
        self.nbformat.write(nb, path)


def time_nbgrader(work: Path, subs: dict) -> tuple[float, dict[str, float]]:
    course = NbgraderCourse(work)
    scratch = work / "scratch"
    scratch.mkdir()
    for student, files in subs.items():
        course.submit(student, files, scratch)
    start, cpu = time.perf_counter(), cpu_seconds()
    course.run(sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT)
    seconds = time.perf_counter() - start
    print(f"nbgrader CPU time:   {cpu_seconds() - cpu:6.1f} s   "
          f"{(cpu_seconds() - cpu) / len(subs):5.2f} s per submission (the kernels' included)")
    course.run(sys.executable, "-m", "nbgrader", "export")
    return seconds, totals(course.root / "grades.csv", "student_id", "score")


def cpu_seconds() -> float:
    """CPU time of the finished child processes: less at the mercy of a busy machine
    than the time on the clock."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


ENDLESS_TRAIN = """

def train(model, X_train, y_train, X_test, y_test, epochs=100, lr=0.1):
    while True:
        pass
"""


def time_endless_train(work: Path) -> None:
    """One nbgrader submission whose train() never returns, everything else right: what
    it costs in the demonstration cells (60 s each) and in the autograder cell."""
    course = NbgraderCourse(work)
    scratch = work / "scratch"
    scratch.mkdir()
    files = {ex.file: (ROOT / "solutions" / ex.file).read_text() for ex in exercises()}
    files["ex04_train.py"] += ENDLESS_TRAIN
    course.submit("endless", files, scratch)
    start = time.perf_counter()
    course.run(sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT)
    seconds = time.perf_counter() - start
    course.run(sys.executable, "-m", "nbgrader", "export")
    total = totals(course.root / "grades.csv", "student_id", "score")["endless"]
    print(f"endless train():     {seconds:6.1f} s to autograde one submission; it scores {total:g}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=24)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--batch-runs", type=int, default=3)
    p.add_argument("--skip-nbgrader", action="store_true")
    p.add_argument("--endless-train", action="store_true",
                   help="only: autograde one nbgrader submission whose train() loops for ever")
    args = p.parse_args()
    subs = submissions(args.students)
    with tempfile.TemporaryDirectory(prefix="batch-speed-") as tmp:
        work = Path(tmp)
        if args.endless_train:
            time_endless_train(work)
            return
        runs = []
        for run in range(args.batch_runs):
            (work / f"b{run}").mkdir()
            runs.append(time_batch(work / f"b{run}", subs, args.jobs))
        batch_s = statistics.median(seconds for seconds, _ in runs)
        batch_totals = runs[0][1]
        n = len(subs)
        kinds = [s.split("-", 1)[1] for s in subs]
        print(f"submissions:         {n}: {kinds.count('correct')} correct, {kinds.count('blank')} blank, "
              f"{n - kinds.count('correct') - kinds.count('blank')} with a typical mistake")
        print(f"batch (--jobs {args.jobs}):      {batch_s:6.1f} s   {batch_s / n:5.2f} s per submission"
              f"   (median of {len(runs)}: {', '.join(f'{seconds:.1f}' for seconds, _ in runs)} s)")
        if any(totals != batch_totals for _, totals in runs):
            print("batch runs gave different totals:", [totals for _, totals in runs])
        if args.skip_nbgrader:
            return
        (work / "n").mkdir()
        nb_s, nb_totals = time_nbgrader(work / "n", subs)
        print(f"nbgrader autograde:  {nb_s:6.1f} s   {nb_s / n:5.2f} s per submission")
        print(f"speed-up:            {nb_s / batch_s:6.1f}x  (target: at least 15x)")
        differ = {s: (batch_totals.get(s), nb_totals.get(s)) for s in subs
                  if batch_totals.get(s) != nb_totals.get(s)}
        print("same total for every student" if not differ else f"totals differ (batch, nbgrader): {differ}")
        print("totals:", {s: batch_totals[s] for s in subs})


if __name__ == "__main__":
    main()
