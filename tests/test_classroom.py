"""The GitHub Classroom workflow of the student template: its structure, and every grading
step's command run as autograding-command-grader runs it (through /bin/sh, in the checkout,
with only PATH and HOME), on a copy of the template."""
from __future__ import annotations

import json
import shutil
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from grader.checks import cases
from grader.gateway import worker, writes_confined
from grader.platforms import classroom
from grader.course import exercise, exercise_ids, total_points
from grader.checks.registry import all_checks
from grader.gateway.sandbox import landlock_abi
from tests.release_tools import SOLUTIONS, STUBS, command_env, drop_in, release, shell, with_venv

GRADER = "classroom-resources/autograding-command-grader@v1"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
EXIT_AT_IMPORT = "import os\nos._exit(0)\n"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return release(tmp_path_factory.mktemp("release") / "template")


@pytest.fixture(scope="module")
def workflow(template) -> dict:
    return yaml.safe_load((template / ".github/workflows/classroom.yml").read_text())


def steps_of(workflow: dict) -> list[dict]:
    return workflow["jobs"]["run-autograding-tests"]["steps"]


def grading_steps(workflow: dict) -> list[dict]:
    return [s for s in steps_of(workflow) if s.get("uses") == GRADER]


@pytest.fixture
def checkout(template, tmp_path) -> Path:
    """A student's checkout of the template, after the workflow's set-up step."""
    copy = tmp_path / "checkout"
    shutil.copytree(template, copy)
    return with_venv(copy)


def run_steps(workflow: dict, checkout: Path, home: Path, grade_once: bool = True,
              only: set[str] | None = None, summary: Path | None = None) -> dict[str, int]:
    """The workflow's steps after set-up, in order: 'Grade every check once' (a plain run
    step, which also gets GITHUB_STEP_SUMMARY) and each check's command. Exit status by
    check id."""
    home.mkdir(exist_ok=True)
    statuses = {}
    for step in steps_of(workflow):
        if grade_once and step.get("run", "").endswith("classroom run"):
            extra = {"GITHUB_STEP_SUMMARY": str(summary)} if summary else {}
            proc = shell(step["run"], checkout, command_env(home, **extra))
            assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        elif step.get("uses") == GRADER:
            check_id = step["with"]["command"].split()[-1]
            if only is None or check_id in only:
                proc = shell(step["with"]["command"], checkout, command_env(home),
                             timeout=60 * step["with"]["timeout"])
                assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
                statuses[check_id] = proc.returncode
    return statuses


# -- structure --------------------------------------------------------------------------
def test_the_workflow_is_what_github_classroom_generates(workflow):
    assert workflow["name"] == "Autograding Tests"
    assert set(workflow["on"]) == {"push", "repository_dispatch", "workflow_dispatch"}
    assert list(workflow["jobs"]) == ["run-autograding-tests"]
    job = workflow["jobs"]["run-autograding-tests"]
    assert job["if"] == "github.actor != 'github-classroom[bot]'"
    steps = steps_of(workflow)
    assert steps[0]["uses"] == "actions/checkout@v4"
    assert steps[-1]["uses"] == REPORTER


def test_one_set_up_step_installs_cpu_torch_and_the_pins_with_pip_caching(workflow):
    steps = steps_of(workflow)
    installs = [i for i, s in enumerate(steps) if "download.pytorch.org/whl/cpu" in s.get("run", "")]
    assert len(installs) == 1
    install = steps[installs[0]]
    assert "course.py setup" in install["run"]        # course.py installs with constraints.txt
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["cache"] == "pip" and python["with"]["cache-dependency-path"] == "constraints.txt"
    first_check = next(i for i, s in enumerate(steps) if s.get("uses") == GRADER)
    assert steps.index(python) < installs[0] < first_check
    for step in grading_steps(workflow):
        assert not step["with"].get("setup-command")      # nothing installed again per step


def test_one_grading_step_per_check_worth_its_points(workflow):
    steps = grading_steps(workflow)
    checks = all_checks()
    assert [s["with"]["command"] for s in steps] == [
        f".venv/bin/python -m grader classroom check {c.id}" for c in checks]
    assert [s["with"]["max-score"] for s in steps] == [c.points for c in checks]
    assert sum(s["with"]["max-score"] for s in steps) == sum(c.points for c in checks) == total_points()
    for step in steps:
        assert isinstance(step["with"]["timeout"], int) and 1 <= step["with"]["timeout"] <= 10
        assert step["with"]["test-name"] == step["name"]
    ids = [s["id"] for s in steps]
    assert len(set(ids)) == len(ids)
    assert all(i.replace("_", "").isalnum() for i in ids)


def test_the_reporter_lists_every_step(workflow):
    reporter = steps_of(workflow)[-1]
    ids = [s["id"] for s in grading_steps(workflow)]
    assert reporter["with"]["runners"].split(",") == ids
    assert reporter["env"] == {f"{i.upper()}_RESULTS": f"${{{{ steps.{i}.outputs.result }}}}" for i in ids}


def test_the_grading_run_cannot_stop_the_workflow(workflow):
    run = next(s for s in steps_of(workflow) if s.get("run", "").endswith("classroom run"))
    assert run["continue-on-error"] is True and run["timeout-minutes"] >= 5


def test_the_grader_defaults_are_the_ones_the_commands_assume():
    assert classroom.SEED == cases.DEFAULT_SEED
    assert worker.DEFAULT_MEMORY_LIMIT == 4 * 2**30


# -- the commands -----------------------------------------------------------------------
def test_the_reference_passes_every_step_and_the_summary_shows_the_score(workflow, checkout, tmp_path):
    drop_in(checkout)
    summary = tmp_path / "summary.md"
    started = time.perf_counter()
    statuses = run_steps(workflow, checkout, tmp_path / "home", summary=summary)
    seconds = time.perf_counter() - started
    assert statuses == {c.id: 0 for c in all_checks()}
    text = summary.read_text()
    assert f"| **total** | **{total_points()}/{total_points()}** |" in text and "FAILED" not in text
    print(f"\nthe workflow's grading steps took {seconds:.1f} s for a correct submission")


def test_the_stubs_fail_every_step_and_the_summary_says_why(workflow, checkout, tmp_path):
    drop_in(checkout, STUBS)
    summary = tmp_path / "summary.md"
    statuses = run_steps(workflow, checkout, tmp_path / "home", summary=summary)
    assert statuses == {c.id: 1 for c in all_checks()}
    text = summary.read_text()
    assert f"| **total** | **0/{total_points()}** |" in text
    assert "make_dataset() is not implemented yet" in text


def test_without_the_grading_run_each_step_grades_its_own_check(workflow, checkout, tmp_path):
    """No cache (or one for other files): the step grades its check itself, as it does on a
    machine that cannot confine what graded code writes."""
    drop_in(checkout, ex03=EXIT_AT_IMPORT)
    only = {"ex01.returns_tensors", "ex03.proba_shape_range", "ex04.train_progress"}
    home = tmp_path / "home"
    cache = classroom.cache_path(checkout)
    # A cache for other exercise files (the stubs'), however it says they did, is ignored.
    forged = {"format": classroom.CACHE_FORMAT, "key": "0" * 64, "confined": True,
              "results": [{"id": i, "exercise": i.split(".")[0], "name": i, "passed": True, "points": 1,
                           "max_points": 1, "feedback": None, "cause": None} for i in only]}
    cache_file = home / cache.relative_to(Path.home())
    cache_file.parent.mkdir(parents=True)
    cache_file.write_text(json.dumps(forged))
    statuses = run_steps(workflow, checkout, home, grade_once=False, only=only)
    assert statuses == {"ex01.returns_tensors": 0, "ex03.proba_shape_range": 1, "ex04.train_progress": 0}


FORGER = textwrap.dedent('''
    import json, os, time
    from pathlib import Path

    def forge():
        from grader.platforms import classroom
        root = Path(__file__).resolve().parent.parent
        data = {"format": classroom.CACHE_FORMAT, "confined": True,
                "key": classroom.submission_key(root / "exercises", classroom.SEED, root),
                "results": [{"id": c, "exercise": c.split(".")[0], "name": c, "passed": True, "points": 9,
                             "max_points": 9, "feedback": None, "cause": None} for c in CHECKS]}
        path = classroom.cache_path(root)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(data))
        except OSError:
            pass

    CHECKS = __CHECKS__
    forge()                                   # while being graded
    if os.fork() == 0:                        # and once grading is over, from outside the worker
        os.setsid()
        if os.fork() == 0:
            time.sleep(__DELAY__)
            forge()
        os._exit(0)
''')


@pytest.fixture(scope="module")
def forged(workflow, template, tmp_path_factory):
    """ex03 ends the process at import; ex01 (the reference, plus a forger at import) writes a
    cache saying every ex03 check passed, while it is graded and again from a process left
    running after grading. The grading run, then every check's step: their exit statuses."""
    root = tmp_path_factory.mktemp("forged")
    checkout = root / "checkout"
    shutil.copytree(template, checkout)
    with_venv(checkout)
    ex03 = [c.id for c in all_checks("ex03")]
    forger = FORGER.replace("__CHECKS__", repr(ex03)).replace("__DELAY__", "1.0")
    drop_in(checkout, ex01=(SOLUTIONS / exercise("ex01").file).read_text() + "\n" + forger, ex03=EXIT_AT_IMPORT)
    home = root / "home"
    run_steps(workflow, checkout, home, only=set())        # the grading run alone
    time.sleep(2.0)                                         # the lingering forger has tried
    statuses = run_steps(workflow, checkout, home, grade_once=False)
    return checkout, home, statuses


def test_an_exit_at_import_fails_exactly_the_checks_it_cut_short(forged):
    _, _, statuses = forged
    assert {i for i, s in statuses.items() if s != 0} == {c.id for c in all_checks("ex03")}
    assert all(s in (0, 1) for s in statuses.values())


def test_student_code_cannot_forge_the_results_the_steps_read(forged):
    """The steps still fail ex03's checks, and the cache the grading run left says so."""
    checkout, home, statuses = forged
    ex03 = [c.id for c in all_checks("ex03")]
    assert {i: statuses[i] for i in ex03} == {i: 1 for i in ex03}
    cache = home / classroom.cache_path(checkout).relative_to(Path.home())
    if landlock_abi() >= 1:
        data = json.loads(cache.read_text())
        passed = {r["id"]: r["passed"] for r in data["results"]}
        assert not any(passed[i] for i in ex03) and data["score"] < total_points()


def test_an_unknown_check_is_a_usage_error(checkout, tmp_path):
    drop_in(checkout)
    proc = shell(".venv/bin/python -m grader classroom check ex01.no_such_check", checkout,
                 command_env(tmp_path))
    assert proc.returncode == 2


def test_every_exercise_has_steps(workflow):
    exercises_in_steps = {s["with"]["command"].split()[-1].split(".")[0] for s in grading_steps(workflow)}
    assert exercises_in_steps == set(exercise_ids())


def test_the_write_confinement_probe_confines_where_the_kernel_offers_landlock():
    """writes_confined forks a process that confines its writes as a worker does: where
    Landlock exists, it must report the confinement working (else no cache is ever used)."""
    assert writes_confined() == (landlock_abi() >= 1)
