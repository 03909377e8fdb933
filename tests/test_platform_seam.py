"""The platforms' seam (grader/registry.py): a new platform is one new file. A toy one, a CSV
row for an LMS gradebook import, goes into a copy of the grader, and the command line of
that copy offers it, both as a report format and as a command of its own, with nothing
else changed."""
from __future__ import annotations

import csv
import filecmp
import io
import shutil
import subprocess
import sys

from grader import registry
from grader.course import ROOT, exercise

LMS_CSV = '''"""A toy platform: a CSV row an LMS gradebook imports (Username, Points, Out of)."""
from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

from ..course import ROOT, DEFAULT_SEED
from ..registry import Platform


def _row(student: str, report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\\n")
    writer.writerow(["Username", "Points", "Out of"])
    writer.writerow([student, report.score, report.max_score])
    return out.getvalue()


def render(report, seconds: float) -> str:
    return _row("me", report)


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("student")
    p.add_argument("csv")
    p.add_argument("--target", default=str(ROOT / "exercises"))
    p.add_argument("--only")


def run(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from ..checks.cases import Cases
    from ..runner import grade

    report = grade(Path(args.target), only=args.only, cases=Cases(DEFAULT_SEED))
    Path(args.csv).write_text(_row(args.student, report))
    return 0 if report.passed else 1


PLATFORM = Platform(name="lms-csv", summary="python -m grader lms-csv STUDENT OUT.csv",
                    description="One student's row for an LMS gradebook import.",
                    arguments=arguments, run=run, render=render)
'''


def grader_copy(tmp_path):
    copy = tmp_path / "course"
    shutil.copytree(ROOT / "grader", copy / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def run(root, *args):
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=root, capture_output=True,
                          text=True, timeout=300)


def test_a_toy_platform_in_one_new_file_is_a_format_and_a_command(tmp_path):
    copy = grader_copy(tmp_path)
    (copy / "grader" / "platforms" / "lms_csv.py").write_text(LMS_CSV)
    compared = filecmp.dircmp(ROOT / "grader", copy / "grader", ignore=["__pycache__"])
    assert not compared.diff_files and not compared.left_only
    assert sum(len(c.right_only) for c in [compared, *compared.subdirs.values()]) == 1   # lms_csv.py
    solutions, points = str(ROOT / "solutions"), exercise("ex01").points

    shown = run(copy, "--help")
    assert shown.returncode == 0 and "lms-csv" in shown.stdout         # among the formats and commands
    assert "python -m grader lms-csv STUDENT OUT.csv" in " ".join(shown.stdout.split())

    as_format = run(copy, "--target", solutions, "--only", "ex01", "--format", "lms-csv")
    assert as_format.returncode == 0, as_format.stderr
    assert list(csv.reader(io.StringIO(as_format.stdout))) == [["Username", "Points", "Out of"],
                                                               ["me", str(points), str(points)]]

    out = tmp_path / "alice.csv"
    as_command = run(copy, "lms-csv", "alice", str(out), "--target", solutions, "--only", "ex01")
    assert as_command.returncode == 0, as_command.stderr
    assert out.read_text() == f"Username,Points,Out of\nalice,{points},{points}\n"
    assert run(copy, "lms-csv").returncode == 2          # its own arguments, its own usage error

    # The repository's own grader knows nothing of it.
    assert "lms-csv" not in registry.declared()


def test_every_command_and_format_comes_from_the_registry():
    assert set(registry.formats()) == {"text", "json", "gradescope"}
    assert set(registry.commands()) == {"batch", "build", "check-course", "classroom", "classroom50",
                                        "gradescope", "hint", "nbgrader", "overview", "reference", "release",
                                        "sandbox", "variant", "watch"}
    for name in registry.declared():
        assert registry.platform(name).name == name


def test_a_toy_platform_may_be_a_package(tmp_path):
    """The same platform as a package (grader/platforms/lms_csv/__init__.py declares it, as
    Classroom 50's and Gradescope's packages do): found, as a format and a command."""
    copy = grader_copy(tmp_path)
    package = copy / "grader" / "platforms" / "lms_csv"
    package.mkdir()
    (package / "__init__.py").write_text(LMS_CSV.replace("from ..", "from ..."))
    shown = run(copy, "--help")
    assert shown.returncode == 0 and "{text,gradescope,json,lms-csv}" in shown.stdout
    assert "python -m grader lms-csv STUDENT OUT.csv" in " ".join(shown.stdout.split())
    assert run(copy, "lms-csv").returncode == 2          # its own arguments, its own usage error
