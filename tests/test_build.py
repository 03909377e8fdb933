"""The stubs are generated from solutions/ the way nbgrader clears solutions, and the
committed files are in sync with their source."""
from __future__ import annotations

import shutil

import pytest

from grader.authoring.build import generated_files
from grader.authoring.markers import MarkerError, strip_solutions
from grader.course import ROOT


def test_committed_generated_files_match_their_source():
    stale = [str(p.relative_to(ROOT)) for p, text in generated_files().items()
             if not p.exists() or p.read_text() != text]
    assert not stale, f"out of date (run `python -m grader build`): {stale}"


def test_the_course_copy_of_the_grader_has_no_stale_module(tmp_path):
    """A module removed from grader/ leaves the nbgrader course's copy too: the build
    deletes it, and until then `build --check` reports it."""
    from grader.authoring.build import build
    from grader.authoring.nbcourse import stale_files

    assert stale_files() == []
    for name in ("grader", "solutions", "nbgrader"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    leftover = tmp_path / "nbgrader" / "source" / "multiclass" / "grader" / "checks" / "ex05_gone.py"
    leftover.write_text("")
    assert stale_files(tmp_path) == [leftover]
    assert leftover in build(tmp_path) and not leftover.exists()


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
    for ex_file, text in generated_files().items():
        if ex_file.parent != ROOT / "exercises":     # the notebook: tests/test_nbgrader.py
            continue
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
