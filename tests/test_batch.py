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

from grader.instructor.batch import run_batch
from grader.course import ROOT, exercise, exercise_ids, total_points
from grader.checks.registry import all_checks
from grader.messages import BATCH_INTERRUPTED
from grader.runner import Options

TOTAL = str(total_points())
POINTS = {ex_id: str(exercise(ex_id).points) for ex_id in exercise_ids()}
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


UMASK = 0o027                 # a group that may read, others nothing: not the default 022


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A small class graded once through the command line."""
    root = tmp_path_factory.mktemp("class")
    subs = root / "submissions"
    student(subs, "alice")
    student(subs, "alex")                  # the same files as alice
    student(subs, "bob", STUBS, layout="top")
    # carol's ex03 is wrong, and she rewrote the tests and the grader to pass anyway.
    wrong = (SOLUTIONS / "ex03_predict.py").read_text().replace("softmax(logits, dim=1)", "softmax(logits, dim=0)")
    carol = student(subs, "carol", files={"ex03_predict.py": wrong})
    (carol / "exercises" / "conftest.py").write_text("import os\nos._exit(0)\n")
    (carol / "grader").mkdir()
    (carol / "grader" / "__init__.py").write_text("raise SystemExit(0)\n")
    shutil.copy(carol / "exercises" / "ex03_predict.py", carol / "exercises" / "test_ex03_predict.py")
    # dan keeps his files where the grader does not look; erin handed in one file; fay nothing.
    dan = student(subs, "dan")
    (dan / "src").mkdir()
    (dan / "exercises").rename(dan / "src" / "exercises")
    erin = student(subs, "erin")
    for path in (erin / "exercises").glob("ex0[234]*.py"):
        path.unlink()
    (subs / "fay").mkdir()
    (subs / "fay" / "README.md").write_text("I did not get to it\n")
    proc = run(str(subs), "--csv", str(root / "grades.csv"), "--jobs", "2",
               preexec_fn=lambda: os.umask(UMASK))
    return root, proc


def test_the_csv_has_a_row_per_student_and_a_column_per_exercise(graded):
    root, proc = graded
    assert proc.returncode == 0, proc.stderr
    rows = {r["student"]: r for r in read_csv(root / "grades.csv")}
    assert list(next(iter(rows.values()))) == ["student", *exercise_ids(), "total", "missing_files"]
    assert rows["alice"]["total"] == TOTAL and rows["alice"]["missing_files"] == ""
    assert rows["bob"]["total"] == "0"
    carol = rows["carol"]
    assert all(carol[e] == POINTS[e] for e in exercise_ids() if e != "ex03")
    assert 0 < int(carol["ex03"]) < int(POINTS["ex03"])                 # her own tests and grader were ignored
    assert int(carol["total"]) == sum(int(carol[e]) for e in exercise_ids())
    assert rows["erin"]["total"] == POINTS["ex01"]
    assert rows["erin"]["missing_files"] == "ex02_model.py ex03_predict.py ex04_train.py"


def test_each_student_gets_feedback_with_every_check(graded):
    root, proc = graded
    feedback = root / "grades-feedback"
    assert sorted(p.stem for p in feedback.glob("*.md")) == [r["student"] for r in read_csv(root / "grades.csv")]
    carol = (feedback / "carol.md").read_text()
    assert carol.count("**passed**") + carol.count("**FAILED**") == len(all_checks())
    assert "softmax ran over dim=0" in carol
    assert "is not implemented yet" in (feedback / "bob.md").read_text()
    assert "grader-batch-" not in carol                    # no private paths
    assert "Not found: ex02_model.py, ex03_predict.py, ex04_train.py" in (feedback / "erin.md").read_text()
    assert "7/7" in proc.stderr.splitlines()[-1]           # the progress line


def test_students_without_their_files_are_listed_in_the_summary(graded):
    root, proc = graded
    summary = proc.stdout[proc.stdout.index("Check these"):]
    assert ("dan: no exercise files (found src/exercises/ex01_data.py, src/exercises/ex02_model.py, "
            "src/exercises/ex03_predict.py, src/exercises/ex04_train.py: the grader looks in exercises/ "
            "and at the top level)") in summary
    assert "erin: missing ex02_model.py, ex03_predict.py, ex04_train.py" in summary
    assert "fay: no exercise files\n" in summary
    assert not any(name in summary for name in ("alice", "bob", "carol"))
    rows = {r["student"]: r for r in read_csv(root / "grades.csv")}
    assert rows["dan"]["total"] == rows["fay"]["total"] == "0"     # graded, and said so


def test_student_counts_the_submissions_it_was_asked_for(graded, tmp_path):
    root, proc = graded
    assert proc.stdout.startswith("7 submission(s): 7 graded, 0 already graded."), proc.stdout
    # Again, on a copy of what the run wrote (the other tests read the original).
    shutil.copy(root / "grades.csv", tmp_path / "grades.csv")
    shutil.copytree(root / "grades-feedback", tmp_path / "grades-feedback")
    again = run(str(root / "submissions"), "--csv", str(tmp_path / "grades.csv"), "--quiet", "--student", "bob")
    assert again.stdout.startswith("1 of 7 submission(s), those named by --student: 0 graded, "
                                   "1 already graded."), again.stdout + again.stderr


def test_output_files_follow_the_users_umask(graded):
    root, _ = graded
    files = [root / "grades.csv", root / "grades-overview.md", root / "grades-overview.png",
             *(root / "grades-feedback").glob("*.md"), *(root / "grades-feedback" / ".records").glob("*.json")]
    assert {oct(p.stat().st_mode & 0o777) for p in files} == {oct(0o666 & ~UMASK)}


def test_the_overview_shows_what_the_class_failed_and_identical_submissions(graded):
    root, proc = graded
    overview = (root / "grades-overview.md").read_text()
    assert "7 student(s), 7 graded" in overview
    # carol's mistake; bob's stubs and the missing files of dan, erin and fay are apart.
    line = next(l for l in overview.splitlines() if "each row of predict_proba sums to 1" in l)
    assert "| 1/7 | 4/7 |" in line and "softmax ran over dim=0" in line and "(1 of 1)" in line
    identical = overview[overview.index("## Identical submissions"):]
    assert f"- alex, alice (total {TOTAL})" in identical
    assert "bob" not in identical and "fay" not in identical      # nothing earned: left out
    assert "- dan: no exercise files" in overview
    assert (root / "grades-overview.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "![totals and the most failed checks](grades-overview.png)" in overview


def test_a_run_started_again_regrades_only_what_changed(tmp_path):
    subs = tmp_path / "subs"
    for name in ("a", "b"):
        student(subs, name, STUBS)
    (subs / "a" / "exercises" / "ex04_train.py").unlink()
    kwargs = dict(jobs=1, seed=2026, options=Options(), feedback_dir=tmp_path / "fb", progress=False)
    first = run_batch(subs, tmp_path / "g.csv", **kwargs)
    assert (first.graded, first.resumed) == (2, 0)
    again = run_batch(subs, tmp_path / "g.csv", **kwargs)
    assert (again.graded, again.resumed) == (0, 2)
    shutil.copy(SOLUTIONS / "ex01_data.py", subs / "b" / "exercises" / "ex01_data.py")
    changed = run_batch(subs, tmp_path / "g.csv", **kwargs)
    assert (changed.graded, changed.resumed) == (1, 1)
    assert {r["student"]: r["ex01"] for r in read_csv(tmp_path / "g.csv")} == {"a": "0", "b": POINTS["ex01"]}
    assert read_csv(tmp_path / "g.csv")[0]["missing_files"] == "ex04_train.py"     # a, resumed
    reseeded = run_batch(subs, tmp_path / "g.csv", **{**kwargs, "seed": 7})
    assert reseeded.graded == 2                               # other inputs: graded anew
    assert not list((tmp_path / "fb").rglob(".*.tmp*")) and not list(tmp_path.glob(".g.csv.*"))


def consistent(csv_path: Path, feedback: Path) -> set[str]:
    """Every feedback file has its CSV row, and every row its record; the rows' students.
    (Read in that order: while a run adds files, what was read first is the smaller set.)"""
    feedback_files = {p.stem for p in feedback.glob("*.md")}
    rows = {r["student"] for r in read_csv(csv_path)}
    records = {p.stem for p in (feedback / ".records").glob("*.json")}
    assert feedback_files <= rows <= records
    return rows


def test_an_interrupted_run_stops_with_one_line_and_resumes_without_regrading(tmp_path):
    subs = tmp_path / "subs"
    for i in range(6):
        student(subs, f"s{i}")
    args = [sys.executable, "-m", "grader", "batch", str(subs), "--csv", str(tmp_path / "g.csv"), "--jobs", "2"]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    feedback = tmp_path / "g-feedback"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((feedback / ".records").glob("*.json"))) < 2:
        consistent(tmp_path / "g.csv", feedback) if (tmp_path / "g.csv").exists() else None
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)                       # Ctrl-C: the whole process group
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in stderr
    assert [l for l in stderr.splitlines() if not l.startswith("[")] == [      # progress lines aside
        BATCH_INTERRUPTED.format(csv="g.csv")]
    done = consistent(tmp_path / "g.csv", feedback)
    assert 2 <= len(done) < 6 and all(r["total"] == TOTAL for r in read_csv(tmp_path / "g.csv"))
    resumed = run(str(subs), "--csv", str(tmp_path / "g.csv"), "--jobs", "1")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{6 - len(done)} graded, {len(done)} already graded" in resumed.stdout
    assert [r["total"] for r in read_csv(tmp_path / "g.csv")] == [TOTAL] * 6
    assert consistent(tmp_path / "g.csv", feedback) == {f"s{i}" for i in range(6)}


def test_one_student_is_regraded_with_student_and_force(tmp_path):
    subs = tmp_path / "subs"
    for name in ("a", "b", "c"):
        student(subs, name, STUBS)
    kwargs = dict(jobs=1, seed=2026, options=Options(), feedback_dir=tmp_path / "fb", progress=False)
    assert run_batch(subs, tmp_path / "g.csv", **kwargs).graded == 3
    shutil.copy(SOLUTIONS / "ex01_data.py", subs / "a" / "exercises" / "ex01_data.py")
    shutil.copy(SOLUTIONS / "ex01_data.py", subs / "b" / "exercises" / "ex01_data.py")
    only_b = run_batch(subs, tmp_path / "g.csv", students=["b"], **kwargs)
    assert (only_b.graded, only_b.resumed) == (1, 0)
    totals = {r["student"]: r["total"] for r in read_csv(tmp_path / "g.csv")}
    assert totals == {"a": "0", "b": POINTS["ex01"], "c": "0"}            # a changed too, but was not asked for
    again = run_batch(subs, tmp_path / "g.csv", students=["b"], **kwargs)
    assert (again.graded, again.resumed) == (0, 1)                # already graded: kept
    forced = run_batch(subs, tmp_path / "g.csv", students=["c"], force=True, **kwargs)
    assert (forced.graded, forced.resumed) == (1, 0)
    assert {r["student"]: r["total"] for r in read_csv(tmp_path / "g.csv")} == totals


def test_batch_help_says_how_to_get_the_repositories():
    text = " ".join(run("--help").stdout.split())
    assert "gh teacher download" in text and "gh classroom" not in text


def git(repo: Path, *args: str, when: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "s", "GIT_AUTHOR_EMAIL": "s@example.org",
           "GIT_COMMITTER_NAME": "s", "GIT_COMMITTER_EMAIL": "s@example.org"}
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    return subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture(scope="module")
def at_a_deadline(tmp_path_factory):
    """A class graded at a deadline, with a secret seed and feedback in HTML: ann solved it
    on time and broke it later, lou committed only after the deadline, nat has no repository."""
    tmp_path = tmp_path_factory.mktemp("deadline")
    subs = tmp_path / "subs"
    repo = student(subs, "ann")                                  # solved on time ...
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "solved", when="2026-12-01T20:00:00+00:00")
    on_time = git(repo, "rev-parse", "HEAD")
    for path in (repo / "exercises").glob("ex0*.py"):           # ... then broken, late
        shutil.copy(STUBS / path.name, path)
    git(repo, "commit", "-qam", "late", when="2026-12-02T09:00:00+00:00")
    (repo / "exercises" / "ex01_data.py").write_text("uncommitted\n")
    late = student(subs, "lou", STUBS)                            # only a commit after it
    git(late, "init", "-q", "-b", "main")
    git(late, "add", ".")
    git(late, "commit", "-qm", "late", when="2026-12-03T09:00:00+00:00")
    student(subs, "nat")                                          # no repository
    seed_file = tmp_path / "secret-seed"
    seed_file.write_text("424242\n")
    proc = run(str(subs), "--csv", str(tmp_path / "g.csv"), "--deadline", "2026-12-01T23:59+00:00", "--quiet",
               "--seed-file", str(seed_file), "--feedback-format", "html")
    return tmp_path, repo, on_time, proc


def test_a_deadline_grades_the_last_commit_before_it(at_a_deadline):
    tmp_path, repo, on_time, proc = at_a_deadline
    assert proc.returncode == 0, proc.stderr
    rows = {r["student"]: r for r in read_csv(tmp_path / "g.csv")}
    assert (rows["ann"]["total"], rows["ann"]["commit"], rows["ann"]["commits_after_deadline"]) == (TOTAL, on_time, "1")
    assert rows["ann"]["not_graded_because"] == ""
    # A grade not given is empty, never a 0, and the row says why.
    assert (rows["lou"]["total"], rows["lou"]["commit"], rows["lou"]["commits_after_deadline"]) == ("", "", "1")
    assert (rows["nat"]["total"], rows["nat"]["commit"]) == ("", "")
    for name in ("lou", "nat"):
        assert [rows[name][ex_id] for ex_id in exercise_ids()] == [""] * len(exercise_ids())
    assert rows["lou"]["not_graded_because"] == "no commit before the deadline"
    assert rows["nat"]["not_graded_because"] == "not a git repository, so no commit to grade at the deadline"
    assert "3 student(s), 1 graded." in (tmp_path / "g-overview.md").read_text()   # no 0s in the totals
    assert "lou: no commit before the deadline; nothing graded" in proc.stdout
    assert "nat: not a git repository, so no commit to grade at the deadline; nothing graded" in proc.stdout
    assert "ann: 1 commit(s) after the deadline, not graded" in proc.stdout
    # The student's checkout is as it was.
    assert (repo / "exercises" / "ex01_data.py").read_text() == "uncommitted\n"
    assert git(repo, "status", "--porcelain") == "M exercises/ex01_data.py"
    assert git(repo, "log", "-1", "--format=%s") == "late"


def test_a_deadline_must_be_a_date(tmp_path):
    (tmp_path / "subs").mkdir()
    proc = run(str(tmp_path / "subs"), "--csv", str(tmp_path / "g.csv"), "--deadline", "Friday")
    assert proc.returncode == 2 and "expected a date and time like 2026-12-01T23:59" in proc.stderr


def test_write_atomically_follows_the_umask(tmp_path):
    from grader.files import write_atomically

    previous = os.umask(0o002)
    try:
        write_atomically(tmp_path / "out.txt", "x")
    finally:
        os.umask(previous)
    assert (tmp_path / "out.txt").stat().st_mode & 0o777 == 0o664
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_secret_seed_gives_other_inputs_and_the_reference_still_earns_full_marks(at_a_deadline):
    tmp_path, _, _, proc = at_a_deadline
    assert proc.returncode == 0, proc.stderr
    [ann] = [r for r in read_csv(tmp_path / "g.csv") if r["student"] == "ann"]
    assert ann["total"] == str(total_points())
    assert "<h1>Feedback for ann</h1>" in (tmp_path / "g-feedback" / "ann.html").read_text()
