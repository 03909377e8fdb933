"""python -m grader: options, report formats and exit codes, run as a user runs it."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from grader.cli import main
from grader.course import ROOT, exercise, exercise_ids, total_points

TOTAL = total_points()


def run(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The reference graded by `python -m grader` with a JSON report, its imports listed on
    stderr (-X importtime: this process's own, not its zygote's): the run and the report."""
    out = tmp_path_factory.mktemp("reference") / "report.json"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "grader", "--target", "solutions",
                           "--format", "json", "--output", str(out)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    imported = [line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    stderr = "".join(line + "\n" for line in proc.stderr.splitlines() if not line.startswith("import time:"))
    assert "grader.cli" in imported                         # the list is the process's imports
    return proc, stderr, imported, json.loads(out.read_text())


def test_reference_passes_with_json_report_and_exit_0(reference):
    proc, stderr, _, report = reference
    assert proc.returncode == 0, stderr
    assert report["score"] == report["max_score"] == TOTAL
    check = report["checks"][0]
    assert set(check) == {"id", "exercise", "name", "points", "max_points", "passed", "feedback", "same_cause_as"}
    assert {c["exercise"] for c in report["checks"]} == set(exercise_ids())
    assert "total" in proc.stdout and f"{TOTAL}/{TOTAL}" in proc.stdout    # the table still shows
    assert "torch" not in stderr and stderr == ""                # no warnings as noise


def test_stubs_fail_with_exit_1_and_a_table():
    proc = run()
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert any(l.startswith("ex01") and l.endswith(f" 0/{exercise('ex01').points}") for l in lines)
    assert any(l.startswith("total") and l.endswith(f" 0/{TOTAL}") for l in lines)
    assert "make_dataset() is not implemented yet" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_only_grades_one_exercise(capsys):
    """In this process (cli.main): the options' meaning, not the command's delivery."""
    assert main(["--target", str(ROOT / "solutions"), "--only", "ex03", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {c["exercise"] for c in report["checks"]} == {"ex03"}
    assert report["max_score"] == exercise("ex03").points


@pytest.mark.parametrize("args", [["--only", "ex09"], ["--format", "xml"], ["--target", "no/such/dir"],
                                  ["--output", "no/such/dir/report.json"], ["--frobnicate"]])
def test_usage_errors_exit_2(args):
    proc = run(*args)
    assert proc.returncode == 2
    assert "usage" in proc.stderr.lower() or "error" in proc.stderr.lower()


def test_hint_and_build_check(tmp_path, capsys):
    """In this process (cli.main); test_hints runs `python -m grader hint` as users do."""
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises")
    assert main(["hint", "ex03", "--level", "2", "--target", str(tmp_path / "exercises")]) == 0
    shown = capsys.readouterr().out
    assert "Hint 2 of 3" in shown and "dim=1 is" in shown
    assert main(["build", "--check"]) == 0


def test_the_grading_process_imports_no_torch_matplotlib_or_scikit_learn(reference):
    """The checks run in a judge the zygote forks (grader/judge.py): the grading process
    itself never imports torch (3 s of CPU), numpy, matplotlib or scikit-learn."""
    proc, _, imported, report = reference
    assert report["score"] == TOTAL
    heavy = {"torch", "numpy", "matplotlib", "sklearn", "scipy"}
    assert sorted({m.split(".")[0] for m in imported} & heavy) == []


@pytest.mark.parametrize("blocked, command, option", [("yaml", "release", "--instructor"),
                                                      ("nbformat", "build", "--instructor")])
def test_an_authors_command_without_its_package_says_which_set_up_in_one_line(tmp_path, blocked,
                                                                              command, option):
    """After the README's set-up (no PyYAML, no nbformat) an instructor's command says what
    to run, instead of a traceback ending in "No module named 'yaml'"."""
    code = (f"import sys; sys.modules[{blocked!r}] = None; from grader.cli import main; "
            f"sys.exit(main([{command!r}] + sys.argv[1:]))")
    args = [str(tmp_path / "out")] if command == "release" else ["--check"]
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert f"python3 course.py setup {option}" in done.stderr and f"grader {command} needs" in done.stderr
