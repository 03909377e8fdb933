"""The stubs are generated from solutions/ the way nbgrader clears solutions, and the
committed files are in sync with their source."""
from __future__ import annotations

import re
import subprocess

import pytest

from grader.authoring.build import generated_files
from grader.authoring.markers import MarkerError, strip_solutions
from grader.authoring.readme import README, STUDENT_README, STUDENTS, fill, pip_line
from grader.checks.registry import all_checks
from grader.course import ROOT, exercises, total_points


def test_committed_generated_files_match_their_source():
    stale = [str(p.relative_to(ROOT)) for p, text in generated_files().items()
             if not p.exists() or p.read_text() != text]
    assert not stale, f"out of date (run `python -m grader build`): {stale}"


def test_every_exercise_has_its_generated_test_module():
    files = generated_files()
    for ex in exercises():
        text = files[ROOT / "exercises" / f"test_{ex.file}"]
        assert text.rstrip().endswith(f'EXERCISE = "{ex.id}"')
        assert f"pytest exercises/test_{ex.file}" in text


def test_the_readmes_tables_come_from_the_manifest():
    files = generated_files()
    for path in (ROOT / README, ROOT / STUDENT_README):
        table = files[path].split("<!-- exercises:begin -->")[1].split("<!-- exercises:end -->")[0]
        rows = [line for line in table.splitlines() if line.startswith("| `")]
        assert rows == [f"| `{ex.file}` | {', '.join(f'`{f}`' for f in ex.functions)} | {ex.learn} |"
                        for ex in exercises()]
    students = files[ROOT / STUDENTS]
    example = students.split("<!-- score-example:begin -->")[1].split("<!-- score-example:end -->")[0]
    first = exercises()[0]
    assert f"{first.points}/{first.points}" in example
    assert example.rstrip("`\n").splitlines()[-1].endswith(f"/{total_points()}")
    assert {c.exercise for c in all_checks()} == {ex.id for ex in exercises()}


def test_the_students_page_examples_are_what_the_grader_prints():
    """The watch's table, the endless-loop message and the pip line come from the code and
    the files that make them, so they cannot drift."""
    import tomllib

    from grader.probes.registry import load_all

    students = generated_files()[ROOT / STUDENTS]
    region = lambda name: students.split(f"<!-- {name}:begin -->")[1].split(f"<!-- {name}:end -->")[0]
    first = exercises()[0]
    assert re.search(rf"{first.id} .*{first.points}/{first.points}\s+best {first.points}/{first.points}, "
                     r"done \d{4}-\d\d-\d\d", region("watch-example"))
    assert "full marks" not in region("watch-example") and "half now" not in region("watch-example")
    limit = load_all()["train"].time_limit
    assert f"train() did not finish within {limit:g} s" in region("endless-loop-example")
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = [re.split(r"[=<>\s#]", d, maxsplit=1)[0] for d in dependencies]
    line = region("pip-install")
    assert "watchfiles" in names and all(f" {name}" in line for name in names)
    assert line.strip() == pip_line()


@pytest.mark.parametrize("text", ["no markers", "<!-- x:end --> <!-- x:begin -->",
                                  "<!-- x:begin --> <!-- x:begin --> <!-- x:end -->"])
def test_a_readme_without_its_markers_stops_the_build(text):
    with pytest.raises(MarkerError, match="needs one <!-- x:begin -->"):
        fill(text, "x", "table", README)
    assert fill("a <!-- x:begin -->old<!-- x:end --> b", "x", "new", README) == \
        "a <!-- x:begin -->\nnew\n<!-- x:end --> b"


def test_no_copy_of_the_grader_is_committed():
    """The nbgrader course is written by `python -m grader nbgrader OUT`, not kept: the
    build writes no copy of grader/, and none is tracked."""
    assert not any("nbgrader" in path.relative_to(ROOT).parts for path in generated_files())
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode == 0:                     # a release without .git has nothing tracked
        copies = [p for p in tracked.stdout.splitlines()
                  if p.endswith("/course.toml") and p != "grader/course.toml"]
        assert copies == []


def test_a_region_becomes_the_stub_at_its_indentation():
    source = "def f():\n    '''doc'''\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n\nx = 2"
    assert strip_solutions(source) == ("def f():\n    '''doc'''\n    # YOUR CODE HERE\n"
                                       "    raise NotImplementedError()\n\nx = 2")


@pytest.mark.parametrize("source", ["### BEGIN SOLUTION\nx\n", "x\n### END SOLUTION\n",
                                    "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n"])
def test_unbalanced_markers_are_errors(source):
    with pytest.raises(MarkerError):
        strip_solutions(source)


def test_stubs_hold_no_solution_line():
    files = generated_files()                        # the notebook: tests/test_nbgrader.py
    for ex in exercises():
        ex_file, text = ROOT / "exercises" / ex.file, files[ROOT / "exercises" / ex.file]
        solution = (ROOT / "solutions" / ex_file.name).read_text()
        inside, region = False, []
        for line in solution.splitlines():
            if "### END SOLUTION" in line:
                inside = False
            elif inside and line.strip():
                region.append(line.strip())
            elif "### BEGIN SOLUTION" in line:
                inside = True
        assert region
        stub_lines = {l.strip() for l in text.splitlines()}
        assert not [l for l in region if l in stub_lines and len(l) > 12], ex_file.name


def test_same_result_as_nbgrader_clear_solutions():
    nbformat = pytest.importorskip("nbformat")
    from nbgrader.preprocessors import ClearSolutions

    source = (ROOT / "solutions" / "ex04_train.py").read_text()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"language": "python", "name": "python3"}
    nb.cells.append(nbformat.v4.new_code_cell(source))
    nb.cells[0].metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False,
                                        "grade_id": "ex04", "schema_version": 3}
    cleared, _ = ClearSolutions().preprocess(nb, {})
    assert strip_solutions(source) == cleared.cells[0].source
