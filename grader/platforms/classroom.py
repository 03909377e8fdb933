"""GitHub Classroom: the grading steps of the student template's workflow
(.github/workflows/classroom.yml, written by grader/authoring/workflow.py).

    python -m grader classroom run          grade every check once (a plain `run:` step)
    python -m grader classroom check ID     one check's verdict: exit 0 only if it passed

Each check is one `classroom-resources/autograding-command-grader` step worth the check's
points, so a submission earns in Classroom exactly what `python -m grader` gives it. That
action runs its command through a shell whose environment holds only PATH, HOME,
FORCE_COLOR and two DOTNET variables, and gives the points for exit status 0: `check`
needs nothing else, and its status is the grader's verdict. Student code runs only in the
grader's sandboxed workers, so its `sys.exit(0)` or `os._exit(0)` ends a worker, never the
command, and fails the checks it cut short.

Speed: `run` grades everything in one process (torch imported once, each reference
training run computed once) and writes a results cache that the check steps read in a
fraction of a second. The cache is written by the grader's own process, never by student
code, and is used only when that is guaranteed:

- only where the kernel confines what the workers write (Landlock): a worker, and anything
  it starts, may write only inside its own scratch folder, so no student code, during
  grading or lingering after it, can write the cache. `run` and each check step test the
  confinement in a forked process first; without it `run` writes no cache and the check
  steps read none, each grading its own check (slower, equally right);
- the cache lies outside the repository (under $HOME/.cache), where a committed file
  cannot pre-empt it, and `run` removes any old one before grading;
- it is bound to a digest of the exercise files (every .py file in exercises/), the seed
  and the grader's own source: a check step that finds another digest, or no cache,
  grades its check itself.

A student can still edit the workflow or grader/ in their own repository: that is inherent
to GitHub Classroom, whose grading runs in the student's repository. Batch grading
(`python -m grader batch`), which takes only the exercise files, is the check on that.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from ..course import DEFAULT_SEED, ROOT
from ..exits import FAILED, PASSED, USAGE
from ..files import graded_digest, grader_digest, write_atomically
from ..registry import Platform
from ..untrusted import clean

SEED = DEFAULT_SEED              # the seed students see
CACHE_FORMAT = 2                 # 2: the results as data (results.Result.to_data)

INSTALL = "TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu python course.py setup"
PYTHON = ".venv/bin/python"      # the checkout's virtual environment, made by course.py setup
STEP_TIMEOUT = 5                 # minutes for a check step (grading one check alone takes seconds)
RUN_TIMEOUT = 15                 # minutes for the step that grades everything


# -- what binds a cache to what was graded -------------------------------------------------
def submission_key(target: Path, seed: int = SEED, root: Path = ROOT) -> str:
    """What a grading run depends on: every .py file in target, the seed, the grader."""
    return graded_digest((p for p in target.glob("*.py") if p.is_file()), CACHE_FORMAT, seed,
                         grader=grader_digest(root))


def cache_path(root: Path = ROOT) -> Path:
    """Outside the repository, one per checkout: $HOME/.cache/multiclass-grader/."""
    where = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return Path.home() / ".cache" / "multiclass-grader" / f"classroom-{where}.json"


# -- the steps -------------------------------------------------------------------------
def _result_line(check_id: str, name: str, passed: bool, points: int, max_points: int) -> str:
    return f"{'PASSED' if passed else 'FAILED'} {check_id}: {name} ({points}/{max_points} pts)"


def run(root: Path = ROOT) -> int:
    """Grade every check once; print the report; write the step summary and, where writes
    are confined, the cache. Exit 0 when grading ran (the check steps give the verdicts)."""
    from ..gateway import writes_confined
    from .report import to_text, write_step_summary
    from ..judge import grade

    target, cache = root / "exercises", cache_path(root)
    cache.unlink(missing_ok=True)
    confined = writes_confined()
    key = submission_key(target, SEED, root)
    report = grade(target, seed=SEED)
    sys.stdout.write(to_text(report))
    write_step_summary(report, "Autograding")
    if not confined:
        print("\nThis machine cannot confine what graded code writes (no Landlock), so each "
              "check step grades its own check.")
        return PASSED
    if submission_key(target, SEED, root) != key:
        print("\nThe exercise files changed while they were graded: each check step grades its own check.")
        return PASSED
    data = {"format": CACHE_FORMAT, "key": key, "confined": True,
            "score": report.score, "max_score": report.max_score,
            "results": [r.to_data() for r in report.results]}
    write_atomically(cache, json.dumps(data) + "\n")
    return PASSED


def _cached(check_id: str, root: Path) -> dict | None:
    """The entry of check_id (report.check_entry) among the cached results, if the cache is
    there and for these files, and graded code cannot write here. Without confinement no
    cache is read at all: code lingering after grading could have written one, "confined"
    flag and all. Each root cause shows in full once, on its first check of the run."""
    from ..gateway import writes_confined

    if not writes_confined():
        return None
    try:
        data = json.loads(cache_path(root).read_text())
    except (OSError, ValueError):
        return None
    if not (isinstance(data, dict) and data.get("format") == CACHE_FORMAT and data.get("confined") is True
            and data.get("key") == submission_key(root / "exercises", SEED, root)
            and isinstance(data.get("results"), list) and all(isinstance(r, dict) for r in data["results"])):
        return None
    from ..results import Result
    from .report import check_entry, feedback_once

    try:
        results = [Result.from_data(r) for r in data["results"]]
    except ValueError:
        return None
    return next((check_entry(s) for s in feedback_once(results) if s.result.check.id == check_id), None)


def check(check_id: str, root: Path = ROOT) -> int:
    """Exit 0 only if check_id passed: from the cache `run` wrote, or graded here."""
    found = _cached(check_id, root)
    if found is not None:
        source = "from this workflow's grading run"
    else:
        from ..checks.cases import Cases
        from ..checks.registry import all_checks
        from ..runner import Session
        from .report import check_entry, feedback_once

        checks = {c.id: c for c in all_checks()}
        if check_id not in checks:
            print(f"no check {check_id!r}", file=sys.stderr)
            return USAGE
        with Session(root / "exercises", Cases(SEED)) as session:
            found = check_entry(feedback_once([session.run(checks[check_id])])[0])
        source = "graded in this step"
    print(_result_line(check_id, found["name"], found["passed"], found["points"], found["max_points"])
          + f"  [{source}]")
    if found["feedback"]:
        print("\n".join("    " + line for line in clean(found["feedback"]).splitlines()))
    return PASSED if found["passed"] is True else FAILED


def arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="grade every check once: the report, the step summary, the cache")
    one = sub.add_parser("check", help="one check's verdict: exit 0 only if it passed")
    one.add_argument("check_id", help="a check id, e.g. ex03.proba_rows_sum_to_one")


def command(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command == "run":
        return run()
    return check(args.check_id)


PLATFORM = Platform(name="classroom", summary="python -m grader classroom run|check ID",
                    description="The grading steps of the GitHub Classroom workflow.",
                    arguments=arguments, run=command)
