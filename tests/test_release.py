"""python -m grader release: the student template holds the stubs, the graders, a README
for students, the pinned dependencies and the Classroom workflow, and no solution in any
form."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.authoring.markers import BEGIN, STUB, strip_solutions
from grader.course import ROOT, exercises, total_points
from grader.checks.registry import all_checks
from tests.release_tools import SOLUTIONS, drop_in, release, solution_leaks, solution_lines

# Every kind of file the template may hold: code, configuration and text, never data.
SHIPPED_SUFFIXES = {".py", ".toml", ".md", ".txt", ".yml", ".css", ""}      # .css: the lesson's look


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return release(tmp_path_factory.mktemp("release") / "template")


def files_of(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_template_has_what_students_need(template):
    names = set(files_of(template))
    expected = {"README.md", ".gitignore", "course.py", "constraints.txt", "pyproject.toml",
                ".github/workflows/classroom.yml", "exercises/conftest.py",
                "grader/__main__.py", "grader/course.toml", "grader/platforms/classroom.py", "grader/gateway/sandbox.py"}
    for ex in exercises():
        expected |= {f"exercises/{ex.file}", f"exercises/test_{ex.module}.py"}
    assert expected <= names, expected - names
    assert (template / "constraints.txt").read_text() == (ROOT / "constraints.txt").read_text()
    assert 'testpaths = ["exercises"]' in (template / "pyproject.toml").read_text()
    assert (template / "course.py").stat().st_mode & 0o111


def test_the_template_leaves_out_everything_for_authors(template):
    names = set(files_of(template))
    for folder in ("solutions/", "tests/", "benchmarks/", "nbgrader/", ".ci/", "grader/templates/"):
        assert not any(n.startswith(folder) for n in names), folder
    for module in ("build.py", "nbcourse.py", "release.py"):
        assert f"grader/{module}" not in names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert {Path(n).suffix for n in names} <= SHIPPED_SUFFIXES, "a data file could hold answers"
    readme = (template / "README.md").read_text()
    assert "For instructors" not in readme and "For course authors" not in readme
    assert "python3 course.py grade" in readme and "Autograding Tests" in readme


def test_the_exercise_files_are_the_stubs(template):
    for ex in exercises():
        text = (template / "exercises" / ex.file).read_text()
        assert text == strip_solutions((SOLUTIONS / ex.file).read_text())
        assert BEGIN not in text and STUB[1] in text


def test_no_line_of_a_solution_region_is_in_the_template(template):
    assert len(solution_lines()) > 40           # the search has something to look for
    assert solution_leaks(files_of(template)) == []


def test_the_search_finds_a_solution_that_leaks(template):
    leaky = files_of(template)
    line = solution_lines()[-1][1]
    leaky["README.md"] += f"\n    {line}\n"
    leaky["grader/extra.py"] = "# " + solution_lines()[0][1]
    found = solution_leaks(leaky)
    assert any(l.startswith("README.md") for l in found) and any(l.startswith("grader/extra.py") for l in found)


def test_release_refuses_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    (tmp_path / "grader").mkdir()
    proc = subprocess.run([sys.executable, "-m", "grader", "release", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "holds keep.txt, which this command does not write" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grader", "keep.txt"]


def test_the_classroom50_template_carries_no_workflow(template, tmp_path):
    """Classroom 50 writes its own .github/workflows/autograde.yaml into each student's
    repository: a workflow of ours would grade every push twice."""
    ours = release(tmp_path / "classroom50", "classroom50")
    legacy = set(files_of(template))
    assert set(files_of(ours)) == legacy - {".github/workflows/classroom.yml"}
    assert not (ours / ".github").exists()
    readme = (ours / "README.md").read_text()
    assert "classroom50/autograde" in readme and "Release" in readme
    assert "Autograding Tests" not in readme and "<!-- grading on GitHub -->" not in readme
    assert solution_leaks(files_of(ours)) == []


def test_release_updates_a_checkout_of_the_template(tmp_path):
    """Run again into the pushed folder: .git (and what .gitignore leaves out) is kept,
    everything else replaced, also from one flavour to the other."""
    out = release(tmp_path / "template")
    git = ["git", "-c", "user.name=a", "-c", "user.email=a@example.org"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=out, check=True)
    subprocess.run(["git", "add", "-A"], cwd=out, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "template"], cwd=out, check=True)
    (out / "grader" / "stale.py").write_text("# gone from the course\n")
    (out / ".venv").mkdir()
    (out / ".venv" / "marker").write_text("kept")
    release(out, "classroom50")
    assert (out / ".venv" / "marker").exists() and not (out / "grader" / "stale.py").exists()
    status = subprocess.run(["git", "status", "--porcelain"], cwd=out, capture_output=True, text=True,
                            check=True).stdout.split("\n")
    changed = {line[3:] for line in status if line}
    assert changed == {".github/workflows/classroom.yml", "README.md"}, changed
    release(out)
    assert subprocess.run(["git", "status", "--porcelain"], cwd=out, capture_output=True, text=True,
                          check=True).stdout == ""


def test_the_authors_commands_say_they_are_not_in_the_template(template):
    """Those of authoring/, and classroom50, which lives in its platform's package outside
    it (registry.Platform.authors): not listed, and refused with the same line."""
    for command in (["build", "--check"], ["classroom50", "out"], ["classroom50"]):
        proc = subprocess.run([sys.executable, "-m", "grader", *command], cwd=template,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2 and "not part of the student template" in proc.stderr, command
    shown = subprocess.run([sys.executable, "-m", "grader", "--help"], cwd=template,
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "grader hint" in shown.stdout and "classroom50" not in shown.stdout


def test_students_can_run_the_checks_with_pytest(template, tmp_path):
    checkout = tmp_path / "student"
    subprocess.run(["cp", "-r", str(template), str(checkout)], check=True)
    drop_in(checkout)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "exercises"],
                          cwd=checkout, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert f"{len(all_checks())} passed" in proc.stdout and f"{total_points()}/{total_points()}" in proc.stdout
