"""python -m grader batch: a class of submissions, graded in parallel into a CSV and
feedback files, taking only the exercise files, and resuming after an interruption."""
from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.platforms.batch import run_batch
from grader.course import ROOT
from grader.runner import Options

SOLUTIONS, STUBS = ROOT / "solutions", ROOT / "exercises"


def student(root: Path, name: str, source: Path = SOLUTIONS, layout: str = "exercises",
            files: dict[str, str] | None = None) -> Path:
    """A student's repository: the modules of `source` under exercises/ (or at the top
    level), with some files replaced by the given text."""
    repo = root / name
    folder = repo / "exercises" if layout == "exercises" else repo
    folder.mkdir(parents=True)
    for path in source.glob("ex0*.py"):
        shutil.copy(path, folder / path.name)
    for filename, text in (files or {}).items():
        (folder / filename).write_text(text)
    return repo


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "batch", *args], capture_output=True, text=True,
                          timeout=600, cwd=ROOT, **kwargs)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A small class graded once through the command line."""
    root = tmp_path_factory.mktemp("class")
    subs = root / "submissions"
    student(subs, "alice")
    student(subs, "bob", STUBS, layout="top")
    # carol's ex03 is wrong, and she rewrote the tests and the grader to pass anyway.
    wrong = (SOLUTIONS / "ex03_predict.py").read_text().replace("softmax(logits, dim=1)", "softmax(logits, dim=0)")
    carol = student(subs, "carol", files={"ex03_predict.py": wrong})
    (carol / "exercises" / "conftest.py").write_text("import os\nos._exit(0)\n")
    (carol / "grader").mkdir()
    (carol / "grader" / "__init__.py").write_text("raise SystemExit(0)\n")
    shutil.copy(carol / "exercises" / "ex03_predict.py", carol / "exercises" / "test_ex03_predict.py")
    proc = run(str(subs), "--csv", str(root / "grades.csv"), "--jobs", "2")
    return root, proc


def test_the_csv_has_a_row_per_student_and_a_column_per_exercise(graded):
    root, proc = graded
    assert proc.returncode == 0, proc.stderr
    rows = {r["student"]: r for r in read_csv(root / "grades.csv")}
    assert list(next(iter(rows.values()))) == ["student", "ex01", "ex02", "ex03", "ex04", "total"]
    assert rows["alice"]["total"] == "100"
    assert rows["bob"]["total"] == "0"
    carol = rows["carol"]
    assert carol["ex01"] == "22" and carol["ex02"] == "20" and carol["ex04"] == "32"
    assert 0 < int(carol["ex03"]) < 26                  # her own tests and grader were ignored
    assert int(carol["total"]) == sum(int(carol[e]) for e in ("ex01", "ex02", "ex03", "ex04"))


def test_each_student_gets_feedback_with_every_check(graded):
    root, proc = graded
    feedback = root / "grades-feedback"
    assert sorted(p.name for p in feedback.glob("*.md")) == ["alice.md", "bob.md", "carol.md"]
    carol = (feedback / "carol.md").read_text()
    assert carol.count("**passed**") + carol.count("**FAILED**") == 40
    assert "softmax ran over dim=0" in carol
    assert "is not implemented yet" in (feedback / "bob.md").read_text()
    assert "grader-batch-" not in carol                    # no private paths
    assert "3/3" in proc.stderr.splitlines()[-1]           # the progress line


def test_a_run_started_again_regrades_only_what_changed(tmp_path):
    subs = tmp_path / "subs"
    for name in ("a", "b"):
        student(subs, name, STUBS)
    kwargs = dict(jobs=2, seed=2026, options=Options(), feedback_dir=tmp_path / "fb", progress=False)
    first = run_batch(subs, tmp_path / "g.csv", **kwargs)
    assert (first.graded, first.resumed) == (2, 0)
    again = run_batch(subs, tmp_path / "g.csv", **kwargs)
    assert (again.graded, again.resumed) == (0, 2)
    shutil.copy(SOLUTIONS / "ex01_data.py", subs / "b" / "exercises" / "ex01_data.py")
    changed = run_batch(subs, tmp_path / "g.csv", **kwargs)
    assert (changed.graded, changed.resumed) == (1, 1)
    assert {r["student"]: r["ex01"] for r in read_csv(tmp_path / "g.csv")} == {"a": "0", "b": "22"}
    reseeded = run_batch(subs, tmp_path / "g.csv", **{**kwargs, "seed": 7})
    assert reseeded.graded == 2                               # other inputs: graded anew
    assert not list((tmp_path / "fb").rglob(".*.tmp*")) and not list(tmp_path.glob(".g.csv.*"))


def test_an_interrupted_run_resumes_without_regrading(tmp_path):
    subs = tmp_path / "subs"
    for i in range(6):
        student(subs, f"s{i}")
    args = [sys.executable, "-m", "grader", "batch", str(subs), "--csv", str(tmp_path / "g.csv"), "--jobs", "1"]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    records = tmp_path / "g-feedback" / ".records"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(records.glob("*.json"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)                       # Ctrl-C
    proc.wait(timeout=60)
    done = read_csv(tmp_path / "g.csv")
    assert 2 <= len(done) < 6 and all(r["total"] == "100" for r in done)   # whole rows only
    resumed = run(str(subs), "--csv", str(tmp_path / "g.csv"), "--jobs", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{6 - len(done)} graded, {len(done)} already graded" in resumed.stdout
    assert [r["total"] for r in read_csv(tmp_path / "g.csv")] == ["100"] * 6


def test_a_secret_seed_gives_other_inputs_and_the_reference_still_earns_full_marks(tmp_path):
    subs = tmp_path / "subs"
    student(subs, "ref")
    seed_file = tmp_path / "secret-seed"
    seed_file.write_text("424242\n")
    proc = run(str(subs), "--csv", str(tmp_path / "g.csv"), "--seed-file", str(seed_file), "--quiet",
               "--feedback-format", "html")
    assert proc.returncode == 0, proc.stderr
    assert read_csv(tmp_path / "g.csv")[0]["total"] == "100"
    assert "<h1>Feedback for ref</h1>" in (tmp_path / "g-feedback" / "ref.html").read_text()
