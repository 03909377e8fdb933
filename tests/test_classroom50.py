"""The Classroom 50 autograder folder (`python -m grader classroom50`), run as Classroom 50's
runner runs it: `python autograder.py` in a separate process, with the runner's variables,
in a git checkout of the student template, any earlier result.json deleted; its result.json
is then stamped and validated as the runner does (schema classroom50/result/v1)."""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tarfile
import textwrap
import venv
from pathlib import Path

import pytest

from grader.checks.registry import all_checks
from grader.course import ROOT, exercise, total_points
from tests.catalogue import all_mistakes
from tests.release_tools import SOLUTIONS, drop_in, release, solution_leaks

SEED = 31337
TOTAL = total_points()
CLASSROOM, ASSIGNMENT, STUDENT = "ml101", "multiclass", "ada"
REPO = f"https://github.com/course-org/{CLASSROOM}-{ASSIGNMENT}-{STUDENT}"
TAG = "submit/2026-09-01T10-00-00Z-abc1234"
BUNDLE_LIMIT = 10 * 2**20          # Classroom 50 publishes bundles of at most 10 MiB packed
EXIT_AFTER_FORGING = '''
import json, os
forged = {"schema": "classroom50/result/v1", "score": 100, "max-score": 100, "tests": []}
for where in (os.environ.get("GITHUB_WORKSPACE", ""), os.getcwd()):
    try:
        with open(os.path.join(where, "result.json"), "w") as f:
            json.dump(forged, f)
        with open(os.path.join(where, "release-body.md"), "w") as f:
            f.write("FORGED 100/100")
    except OSError:
        pass
os._exit(0)
'''


# -- the runner's side ------------------------------------------------------------------
def validate_result(data, classroom: str, assignment: str, owner: str, assignment_type: str) -> str | None:
    """runner.py's validate_result for schema v1 (after its stamping), and the schema's
    closed top level: None when valid, else what is wrong."""
    if not isinstance(data, dict):
        return "not a JSON object"
    allowed = {"schema", "classroom", "assignment", "assignment_type", "owner", "submission", "commit",
               "release", "review", "datetime", "graded_at", "score", "max-score", "tests", "submitted_by"}
    if set(data) - allowed:
        return f"unknown top-level keys {sorted(set(data) - allowed)}"
    if data.get("schema") != "classroom50/result/v1":
        return f"schema is {data.get('schema')!r}"
    if data.get("classroom") != classroom or data.get("assignment") != assignment:
        return "classroom or assignment differ"
    if not isinstance(data.get("owner"), str) or data["owner"].lower() != owner.lower():
        return "owner"
    if data.get("assignment_type") != assignment_type:
        return "assignment_type"
    if not isinstance(data.get("submission"), str) or not data["submission"].startswith("submit/"):
        return "submission must be a 'submit/*' string"
    for key in ("commit", "release", "review", "datetime"):
        if not isinstance(data.get(key), str) or not data[key]:
            return f"{key} must be a non-empty string"

    def count(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if not (count(data.get("score")) and count(data.get("max-score"))) or data["score"] > data["max-score"]:
        return "score / max-score"
    if not isinstance(data.get("tests"), list):
        return "tests is not a list"
    for i, test in enumerate(data["tests"]):
        if not isinstance(test, dict):
            return f"tests[{i}] is not an object"
        name = test.get("test-name")
        if not isinstance(name, str) or not name or re.search(r"[|\x00-\x1f\x7f]", name):
            return f"tests[{i}].test-name"
        if not isinstance(test.get("passed"), bool):
            return f"tests[{i}].passed"
        if not (count(test.get("score")) and count(test.get("max-score"))) or test["score"] > test["max-score"]:
            return f"tests[{i}] score / max-score"
    return None


def stamp(result: dict) -> dict:
    """What the runner sets before it validates."""
    return {**result, "owner": STUDENT, "assignment_type": "individual",
            "datetime": "2026-09-01T10:00:00Z", "graded_at": "2026-09-01T10:01:00Z"}


def runner_env(checkout: Path, bundle: Path, home: Path, **extra: str) -> dict[str, str]:
    """The job's variables and those runner.py adds for the entrypoint."""
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "CI": "true", "GITHUB_ACTIONS": "true",
           "GITHUB_WORKSPACE": str(checkout), "GITHUB_REPOSITORY": REPO.removeprefix("https://github.com/"),
           "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "abc1234" * 5 + "ab",
           "GITHUB_ACTOR": STUDENT, "GITHUB_ACTOR_ID": "4242",
           "PAGES_BASE_URL": "https://course-org.github.io/classroom50", "CLASSROOM": CLASSROOM,
           "ASSIGNMENT": ASSIGNMENT, "SUBMISSION_TAG": TAG, "SECRET": "", "MODE": "individual",
           "ALLOWED_FILES": "[]", "RELEASE_ASSETS": "[]", "CLASSROOM50_BUNDLE_DIR": str(bundle),
           "USERNAME": STUDENT, "OWNER": STUDENT, "ASSIGNMENT_TYPE": "individual",
           "COMMIT_URL": f"{REPO}/commit/{'abc1234' * 5}ab",
           "RELEASE_URL": f"{REPO}/releases/tag/{TAG.replace('/', '%2F')}",
           "REVIEW_URL": f"{REPO}/compare/0123456...abc1234"}
    for name in ("PIP_CONFIG_FILE", "PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CERT"):
        if name in os.environ:               # where this machine's pip finds packages
            env[name] = os.environ[name]
    return {**env, **extra}


def run_autograder(bundle: Path, checkout: Path, home: Path, python: str = sys.executable,
                   timeout: float = 300, **extra: str) -> subprocess.CompletedProcess:
    """runner.py's run_entrypoint: its interpreter, the checkout as working directory."""
    home.mkdir(exist_ok=True)
    for name in ("result.json", "release-body.md"):          # the runner deletes both first
        (checkout / name).unlink(missing_ok=True)
    return subprocess.run([python, str(bundle / "autograder.py")], cwd=checkout,
                          env=runner_env(checkout, bundle, home, **extra),
                          capture_output=True, text=True, timeout=timeout)


def graded(proc: subprocess.CompletedProcess, checkout: Path) -> tuple[dict, str]:
    """The valid result and the release body of a run that graded."""
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads((checkout / "result.json").read_text())
    assert validate_result(stamp(result), CLASSROOM, ASSIGNMENT, STUDENT, "individual") is None
    assert [t["check"] for t in result["tests"]] == [c.id for c in all_checks()]
    assert len({t["test-name"] for t in result["tests"]}) == len(all_checks())
    assert result["score"] == sum(t["score"] for t in result["tests"])
    assert result["max-score"] == sum(t["max-score"] for t in result["tests"]) == TOTAL
    assert all(t["passed"] == (t["score"] == t["max-score"]) for t in result["tests"])
    assert result["submission"] == TAG and result["commit"].startswith(REPO)
    body = (checkout / "release-body.md").read_text()
    assert len(body) <= 100_000 and f"{result['score']}/{TOTAL}" in body.splitlines()[0]
    return result, body


# -- fixtures ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """Where the runner extracts it: a folder named after the assignment, outside the checkout."""
    out = tmp_path_factory.mktemp("runtime") / ASSIGNMENT
    proc = subprocess.run([sys.executable, "-m", "grader", "classroom50", str(out), "--seed", str(SEED)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The pushed template repository (Classroom 50 flavour)."""
    repo = release(tmp_path_factory.mktemp("template") / "multiclass-template", "classroom50")
    git = ["git", "-c", "user.name=Instructor", "-c", "user.email=instructor@example.org"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "template"]):
        subprocess.run(["git", *args] if args[0] != "commit" else [*git, *args], cwd=repo, check=True)
    return repo


@pytest.fixture
def checkout(template, tmp_path) -> Path:
    """A student's repository made from the template, as the runner checks it out."""
    path = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(template), str(path)], check=True)
    return path


# -- the folder -------------------------------------------------------------------------
def test_the_folder_holds_the_grader_the_pins_and_the_seed_and_no_solution(bundle):
    # What the command wrote: bytecode is what running the autograder adds (another test
    # may have run it in this folder first, as a worker of its own may order them).
    names = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts}
    assert {"autograder.py", "course.py", "constraints.txt", "requirements.txt", "seed", "README.md",
            "grader/__main__.py", "grader/course.toml", "grader/platforms/classroom50/grade.py"} <= names
    assert not any(n.startswith(("grader/authoring/", "solutions/", "tests/", "exercises/")) for n in names)
    assert (bundle / "seed").read_text() == f"{SEED}\n"
    assert (bundle / "constraints.txt").read_bytes() == (ROOT / "constraints.txt").read_bytes()
    assert (bundle / "requirements.txt").read_text().split() == ["torch==2.13.0", "scikit-learn", "numpy", "matplotlib"]
    assert solution_leaks({n: (bundle / n).read_text() for n in names}) == []


def test_the_folder_packs_well_under_the_bundle_limit(bundle, tmp_path):
    """As the classroom50 repository's Pages workflow packs it (tar -czf)."""
    packed = tmp_path / f"{ASSIGNMENT}.tar.gz"
    with tarfile.open(packed, "w:gz") as tar:
        tar.add(bundle, arcname=ASSIGNMENT)
    assert packed.stat().st_size < BUNDLE_LIMIT / 20


def test_autograder_py_and_course_py_need_only_the_standard_library(bundle):
    """Until the environment is ready: the runner's Python may have nothing else."""
    for name in ("autograder.py", "course.py"):
        tree = ast.parse((bundle / name).read_text())
        found = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
        found |= {node.module.split(".")[0] for node in ast.walk(tree)
                  if isinstance(node, ast.ImportFrom) and node.module and not node.level}
        assert found - set(sys.stdlib_module_names) <= {"course", "grader"}, name


def test_writing_it_again_replaces_it_and_refuses_a_foreign_folder(bundle, tmp_path):
    out = tmp_path / "again"
    for seed in ("5", "6"):
        proc = subprocess.run([sys.executable, "-m", "grader", "classroom50", str(out), "--seed", seed],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        (out / "grader" / "stale.py").write_text("")
    assert (out / "seed").read_text() == "6\n" and (out / "grader" / "stale.py").exists()
    proc = subprocess.run([sys.executable, "-m", "grader", "classroom50", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and not (out / "grader" / "stale.py").exists()
    (out / "notes.txt").write_text("mine")
    proc = subprocess.run([sys.executable, "-m", "grader", "classroom50", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "notes.txt" in proc.stderr and (out / "seed").exists()


# -- grading, as the runner runs it -----------------------------------------------------
def test_the_reference_earns_100_with_one_passing_test_per_check(bundle, checkout, tmp_path):
    drop_in(checkout)
    (checkout / "result.json").write_text('{"score": 0}')             # deleted, as the runner does
    result, body = graded(run_autograder(bundle, checkout, tmp_path / "home"), checkout)
    assert result["score"] == TOTAL and all(t["passed"] and t["feedback"] == "" for t in result["tests"])
    assert result["tests"][0]["test-name"] == f"ex01.returns_tensors: {all_checks()[0].name}"
    assert result["review"].endswith("0123456...abc1234") and "FAILED" not in body
    assert f"All {len(all_checks())} checks passed." in body and "instructor's own cases" in body


def test_the_stubs_earn_0_and_the_checkouts_own_grader_is_never_used(bundle, checkout, tmp_path):
    """A student's grader/, tests and workflows are theirs: none of it is run."""
    forge = "import os\nopen(os.path.join(os.getcwd(), 'result.json'), 'w').write('{}')\nos._exit(0)\n"
    (checkout / "grader" / "__init__.py").write_text(forge)
    (checkout / "grader" / "platforms" / "classroom50.py").write_text(forge)
    (checkout / "course.py").write_text(forge)
    (checkout / "sitecustomize.py").write_text(forge)
    (checkout / "exercises" / "conftest.py").write_text(forge)
    proc = run_autograder(bundle, checkout, tmp_path / "home")
    result, body = graded(proc, checkout)
    assert result["score"] == 0 and not any(t["passed"] for t in result["tests"])
    assert "make_dataset() is not implemented yet" in result["tests"][0]["feedback"]
    assert f"{len(all_checks())} checks failed" in body and "make_dataset() is not implemented yet" in body


MISTAKE = next(v for v in all_mistakes() if v.name == "softmax_over_dim_0")
FORGER = "ex04"             # an exercise other than the mistake's


@pytest.fixture(scope="module")
def mistaken(bundle, template, tmp_path_factory):
    """One checkout with a typical mistake in ex03 and, in ex04, code that writes result.json
    and release-body.md at import, then os._exit(0): the autograder's result and release
    body, and `python -m grader --submission`'s report on the same files with the same seed."""
    root = tmp_path_factory.mktemp("mistaken")
    checkout = root / "checkout"
    subprocess.run(["git", "clone", "-q", str(template), str(checkout)], check=True)
    ex = exercise(MISTAKE.exercise)
    assert ex.id != FORGER
    drop_in(checkout, **{ex.id: (SOLUTIONS / ex.file).read_text() + "\n\n" + textwrap.dedent(MISTAKE.code),
                         FORGER: EXIT_AFTER_FORGING})
    result, body = graded(run_autograder(bundle, checkout, root / "home"), checkout)
    proc = subprocess.run([sys.executable, "-m", "grader", "--submission", str(checkout), "--seed", str(SEED),
                           "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    return result, body, json.loads(proc.stdout)


def test_a_typical_mistake_gets_partial_credit_named_in_the_release_body(mistaken):
    result, body, expected = mistaken
    failed = {t["check"]: t for t in result["tests"] if not t["passed"]}
    mistakes = {c: t for c, t in failed.items() if not c.startswith(f"{FORGER}.")}
    assert set(MISTAKE.fails) <= set(mistakes) and all(c.startswith(f"{MISTAKE.exercise}.") for c in mistakes)
    for check_id, words in MISTAKE.fails.items():
        assert words in failed[check_id]["feedback"] and words in body
        assert f"{failed[check_id]['test-name'].split(': ', 1)[1]} (0/" in body
    # The same files, graded by `python -m grader` with the same seed: the same points.
    assert 0 < result["score"] == expected["score"] < TOTAL
    assert {t["check"]: t["score"] for t in result["tests"]} == {c["id"]: c["points"] for c in expected["checks"]}


def test_forging_the_result_and_exiting_at_import_earns_nothing(mistaken):
    """ex04 writes result.json and release-body.md at import, then os._exit(0): its checks
    fail, the others keep their points, and both files are the grader's own."""
    result, body, _ = mistaken
    failed = {t["check"] for t in result["tests"] if not t["passed"]}
    assert {c.id for c in all_checks() if c.exercise == FORGER} <= failed
    assert all(c.startswith((f"{FORGER}.", f"{MISTAKE.exercise}.")) for c in failed)
    lost_to_the_mistake = sum(t["max-score"] - t["score"] for t in result["tests"]
                              if t["check"].startswith(f"{MISTAKE.exercise}."))
    assert 0 < lost_to_the_mistake < exercise(MISTAKE.exercise).points
    assert result["score"] == TOTAL - exercise(FORGER).points - lost_to_the_mistake and "FORGED" not in body
    forger = next(t for t in result["tests"] if t["check"].startswith(f"{FORGER}."))
    assert "os._exit(0)" in forger["feedback"]


# -- infrastructure failures ------------------------------------------------------------
def test_a_broken_folder_or_a_missing_variable_is_an_error_not_a_score(bundle, checkout, tmp_path):
    broken = tmp_path / "broken"
    subprocess.run(["cp", "-r", str(bundle), str(broken)], check=True)
    (broken / "seed").write_text("not a number\n")
    for folder, extra in ((broken, {}), (bundle, {"CLASSROOM": ""})):
        proc = run_autograder(folder, checkout, tmp_path / "home", **extra)
        assert proc.returncode != 0 and not (checkout / "result.json").exists()
        assert "::error::autograder: " in proc.stdout, proc.stdout + proc.stderr
    (broken / "grader" / "runner.py").unlink()
    (broken / "seed").write_text(f"{SEED}\n")
    proc = run_autograder(broken, checkout, tmp_path / "home")
    assert proc.returncode != 0 and "::error::autograder: the grader cannot import grader.runner" in proc.stdout


def bare_python(where: Path) -> str:
    """An interpreter of the same Python without any of the packages (no pip either)."""
    venv.EnvBuilder(with_pip=False).create(where)
    return str(where / "bin" / "python")


def test_an_install_that_fails_is_an_error_not_a_score(bundle, checkout, tmp_path):
    python = bare_python(tmp_path / "bare")
    empty = tmp_path / "no-packages"
    empty.mkdir()
    proc = run_autograder(bundle, checkout, tmp_path / "home", python=python, XDG_CACHE_HOME=str(tmp_path / "cache"),
                          PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(empty),
                          TORCH_INDEX_URL="")
    assert proc.returncode == 2 and not (checkout / "result.json").exists()
    assert "lacks torch (not installed)" in proc.stdout
    assert "did not install" in proc.stdout and "keeps the pip Python bundles" in proc.stdout
    assert "::error::autograder: installing the pinned packages failed" in proc.stdout, proc.stdout + proc.stderr
    assert not list((tmp_path / "cache").rglob(".complete"))


@pytest.mark.slow
def test_a_python_without_the_packages_installs_them_once_cpu_only(bundle, checkout, tmp_path):
    """The install path: a fresh environment with the exact pins and the CPU-only torch, from
    TORCH_INDEX_URL if this machine sets it (else PyTorch's CPU index would be the
    default; here pip's own configured index is used), then reused by the next run."""
    python = bare_python(tmp_path / "bare")
    cache = tmp_path / "cache"
    # This machine's pip configuration (HOME), and pip's own download cache as the set-up
    # left it: the environment is made anew, its packages are not downloaded again.
    pip_cache = os.environ.get("PIP_CACHE_DIR") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pip")
    index = {"TORCH_INDEX_URL": os.environ.get("TORCH_INDEX_URL", ""), "XDG_CACHE_HOME": str(cache),
             "HOME": os.environ["HOME"], "PIP_CACHE_DIR": pip_cache}
    drop_in(checkout)
    proc = run_autograder(bundle, checkout, tmp_path / "home", python=python, timeout=900, **index)
    result, _ = graded(proc, checkout)
    assert result["score"] == TOTAL and "installing torch==2.13.0" in proc.stdout
    [made] = [p for p in (cache / "multiclass-grader").iterdir()]
    site = next(made.glob("lib/python*/site-packages"))
    names = {p.name.split("-")[0].lower() for p in site.glob("*.dist-info")}
    assert "torch" in names and not {n for n in names if n.startswith(("nvidia", "triton", "cuda"))}
    assert "torch-2.13.0" in " ".join(p.name for p in site.glob("torch-*.dist-info"))
    pip = (ROOT / "constraints.txt").read_text().split("\npip==")[1].split()[0]
    assert [p.name for p in site.glob("pip-*.dist-info")] == [f"pip-{pip}.dist-info"]   # the pinned pip
    again = run_autograder(bundle, checkout, tmp_path / "home", python=python, **index)
    assert graded(again, checkout)[0]["score"] == TOTAL and "installed before" in again.stdout


# -- the release body and the result, from a made-up report ---------------------------------
def made_up_report(feedback: str):
    from grader.checks.feedback import Feedback
    from grader.runner import Report, Result
    return Report("your repository", [Result(c, i % 2 == 0, None if i % 2 == 0 else Feedback(feedback))
                                      for i, c in enumerate(all_checks())])


def test_a_long_release_body_is_cut_under_the_limit_and_says_so():
    from grader.platforms.classroom50.release_body import BODY_LIMIT, release_body

    body = release_body(made_up_report("a line of feedback\n" * 2000), SEED)
    assert len(body) <= BODY_LIMIT and body.rstrip().endswith("prints all of it.*")
    assert body.count("```") % 2 == 0 and "| **total** |" in body
    short = release_body(made_up_report("y is float32"), SEED)
    assert "cut here" not in short and short.count("y is float32") == len(all_checks()) // 2   # the odd ones fail


def test_the_result_keeps_test_names_safe_and_feedback_bounded():
    from grader.platforms.classroom50.result import FEEDBACK_LIMIT, result_json

    env = runner_env(Path("/checkout"), Path("/bundle"), Path("/home"))
    result = result_json(made_up_report("x" * 10 * FEEDBACK_LIMIT), env)
    assert validate_result(stamp(result), CLASSROOM, ASSIGNMENT, STUDENT, "individual") is None
    assert max(len(t["feedback"]) for t in result["tests"]) <= FEEDBACK_LIMIT
    assert result["owner"] == STUDENT and result["assignment_type"] == "individual"
    from dataclasses import replace

    from grader.platforms.classroom50.result import entry_name
    from grader.runner import Result
    odd = replace(all_checks()[0], name="a | b\nc\x00")
    assert entry_name(Result(odd, True, "")) == "ex01.returns_tensors: a   b c "
