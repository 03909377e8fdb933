"""Gradescope: results.json (--format gradescope) and the autograder zip, whose
run_autograder is run here against a fake /autograder tree."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.course import ROOT, exercise, exercises, total_points
from grader.checks.registry import all_checks
from grader.platforms.gradescope.results_json import to_gradescope
from tests.release_tools import SOLUTIONS, STUBS, VENV, solution_leaks

VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def assert_results_json(results: dict) -> None:
    """The fields of Gradescope's autograder specification, with their types."""
    assert isinstance(results["score"], (int, float))
    assert isinstance(results["execution_time"], (int, float)) and results["execution_time"] >= 0
    assert isinstance(results["tests"], list) and results["tests"]
    for test in results["tests"]:
        assert {"name", "number", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert isinstance(test["name"], str) and isinstance(test["number"], str)
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert (test["status"] == "passed") == (test["score"] == test["max_score"])
        assert isinstance(test["output"], str) and test["output"]
        assert test["visibility"] in VISIBILITY
    assert results["score"] == sum(t["score"] for t in results["tests"])
    assert sum(t["max_score"] for t in results["tests"]) == sum(c.points for c in all_checks())
    assert len({t["number"] for t in results["tests"]}) == len(results["tests"])
    json.dumps(results)


def test_results_json_for_the_reference(reference_report):
    results = to_gradescope(reference_report, 3.4)
    assert_results_json(results)
    assert results["score"] == total_points() and results["execution_time"] == 3
    assert all(t["status"] == "passed" for t in results["tests"])
    assert results["tests"][0]["number"] == "1.1" and results["tests"][0]["name"].startswith("ex01 ")


def test_results_json_for_the_stubs_carries_the_feedback(stub_report):
    results = to_gradescope(stub_report, 2.0)
    assert_results_json(results)
    assert results["score"] == 0
    assert "make_dataset() is not implemented yet" in results["tests"][0]["output"]


# -- the zip ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    proc = subprocess.run([sys.executable, "-m", "grader", "gradescope", str(path), "--seed", "31337"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return path


def test_the_zip_holds_the_grader_and_the_scripts_and_no_solution(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as z:
        names = set(z.namelist())
        texts = {n: z.read(n).decode() for n in names}
        modes = {n: z.getinfo(n).external_attr >> 16 for n in names}
    assert {"setup.sh", "run_autograder", "course.py", "constraints.txt", "pyproject.toml",
            "grader/__main__.py", "grader/course.toml", "seed"} <= names
    assert texts["seed"].strip() == "31337"
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    for prefix in ("solutions/", "tests/", "exercises/", "nbgrader/", "benchmarks/", "grader/templates/"):
        assert not any(n.startswith(prefix) for n in names), prefix
    assert not any(n.startswith("grader/authoring/") for n in names)
    assert solution_leaks(texts) == []
    assert "download.pytorch.org/whl/cpu" in texts["setup.sh"] and "course.py setup" in texts["setup.sh"]
    assert subprocess.run(["bash", "-n", "-c", texts["setup.sh"]]).returncode == 0


def test_the_zip_is_the_same_for_the_same_sources(autograder_zip, tmp_path):
    again = tmp_path / "again.zip"
    subprocess.run([sys.executable, "-m", "grader", "gradescope", str(again), "--seed", "31337"],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    assert again.read_bytes() == autograder_zip.read_bytes()


def fake_autograder(root: Path, autograder_zip: Path) -> Path:
    """/autograder after setup.sh: source/ is the zip, with .venv (here a link to the tests'
    environment)."""
    source = root / "source"
    with zipfile.ZipFile(autograder_zip) as z:
        z.extractall(source)
    for name in ("run_autograder", "setup.sh"):
        (source / name).chmod(0o755)
    (source / ".venv").symlink_to(VENV, target_is_directory=True)
    shutil.copy(source / "run_autograder", root / "run_autograder")   # where Gradescope puts it
    (root / "submission").mkdir()
    return root


def run_autograder(root: Path) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "HOME": str(root), "AUTOGRADER_ROOT": str(root)}
    return subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)


def test_run_autograder_grades_a_submission_at_the_top_level(autograder_zip, tmp_path):
    root = fake_autograder(tmp_path / "autograder", autograder_zip)
    for ex in exercises():
        shutil.copy(SOLUTIONS / ex.file, root / "submission" / ex.file)
    (root / "submission" / "notes.txt").write_text("not graded")
    proc = run_autograder(root)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    results = json.loads((root / "results" / "results.json").read_text())
    assert_results_json(results)
    assert results["score"] == total_points()


def test_run_autograder_takes_exercises_and_ignores_everything_else(autograder_zip, tmp_path):
    root = fake_autograder(tmp_path / "autograder", autograder_zip)
    folder = root / "submission" / "exercises"
    folder.mkdir()
    for ex in exercises():
        source = STUBS if ex.id == "ex03" else SOLUTIONS
        shutil.copy(source / ex.file, folder / ex.file)
    (folder / "conftest.py").write_text("import os\nos._exit(0)\n")      # never run
    (root / "submission" / "grader").mkdir()
    (root / "submission" / "grader" / "__init__.py").write_text("raise SystemExit(0)\n")
    proc = run_autograder(root)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    results = json.loads((root / "results" / "results.json").read_text())
    assert_results_json(results)
    failed = {t["name"].split(" ")[0] for t in results["tests"] if t["status"] == "failed"}
    assert failed == {"ex03"} and results["score"] == total_points() - exercise("ex03").points
    ex03 = next(t for t in results["tests"] if t["name"].startswith("ex03"))
    assert "predict_proba() is not implemented yet" in ex03["output"]


HOG = "\n\ndef get_device():\n    return bytearray(8 * 2**30)\n"      # appended to ex02


@pytest.fixture(scope="module")
def downloaded(autograder_zip, tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict]:
    """GitHub's "Download ZIP" of the reference, wrapped in one folder (multiclass-main/),
    with a memory hog in ex02's get_device (ex02's worker alone runs it): run_autograder's
    run and results.json."""
    root = fake_autograder(tmp_path_factory.mktemp("downloaded") / "autograder", autograder_zip)
    folder = root / "submission" / "multiclass-main" / "exercises"
    folder.mkdir(parents=True)
    for ex in exercises():
        shutil.copy(SOLUTIONS / ex.file, folder / ex.file)
    with open(folder / "ex02_model.py", "a") as f:
        f.write(HOG)
    (root / "submission" / "__MACOSX").mkdir()                      # what a Mac's zip adds
    proc = run_autograder(root)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    results = json.loads((root / "results" / "results.json").read_text())
    assert_results_json(results)
    return proc, results


def test_a_download_zip_one_folder_down_is_found_and_named(downloaded):
    _, results = downloaded
    assert results["output"].startswith("Graded the exercise files in multiclass-main/, the one folder")
    assert all(t["status"] == "passed" for t in results["tests"] if not t["name"].startswith("ex02 "))


def test_only_a_single_wrapping_folder_is_looked_into(tmp_path):
    from grader.files import unwrapped

    (tmp_path / "a" / "exercises").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "exercises" / exercises()[0].file).write_text("")
    assert unwrapped(tmp_path) == tmp_path                           # two folders: which one?
    (tmp_path / "b").rmdir()
    assert unwrapped(tmp_path) == tmp_path / "a"
    (tmp_path / exercises()[1].file).write_text("")
    assert unwrapped(tmp_path) == tmp_path                           # files at the top: graded there


def test_setup_sh_honours_torch_index_url(tmp_path):
    """setup.sh installs torch from TORCH_INDEX_URL when it is set (set but empty: pip's own
    index), from the URL `python -m grader gradescope` was given through it, else from
    PyTorch's CPU index."""
    from grader.platforms.gradescope.autograder_zip import gradescope_files

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "python3.13"           # records the index course.py setup would be given
    fake.write_text('#!/bin/sh\n[ "$1" = course.py ] && printf %s "${TORCH_INDEX_URL-unset}" > index\nexit 0\n')
    fake.chmod(0o755)

    def index(env_url, baked=None):
        folder = tmp_path / f"source-{env_url}-{baked}".replace("/", "_").replace(":", "_")
        folder.mkdir()
        for name, data in gradescope_files(torch_index=baked).items():
            if name in ("setup.sh", "torch-index-url"):
                (folder / name).write_bytes(data)
        env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
        if env_url is not None:
            env["TORCH_INDEX_URL"] = env_url
        subprocess.run(["bash", str(folder / "setup.sh")], env=env, capture_output=True, timeout=60)
        return (folder / "index").read_text()

    assert index(None) == "https://download.pytorch.org/whl/cpu"
    assert index("https://mirror.example/torch") == "https://mirror.example/torch"
    assert index("") == ""
    assert index(None, baked="https://mirror.example/baked") == "https://mirror.example/baked"


def test_run_autograder_keeps_a_memory_hog_inside_its_own_limit(downloaded):
    _, results = downloaded
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert failed and all(t["name"].startswith("ex02 ") for t in failed)
    assert all("ran out of memory (the limit is 1.5 GiB)" in t["output"] for t in failed)
    assert results["score"] == total_points() - sum(t["max_score"] for t in failed)
