"""The legacy GitHub Classroom workflow of the student template
(.github/workflows/classroom.yml): what GitHub Classroom generated, with one command step
per check. Built as data and written with PyYAML, so that it is valid YAML by construction
and the same checks always give the same bytes."""
from __future__ import annotations

import yaml

from ..course import exercises
from ..platforms.classroom import INSTALL, PYTHON, RUN_TIMEOUT, STEP_TIMEOUT

HEADER = """\
# GitHub Classroom's autograding workflow, written by `python -m grader release`.
# One step per check, worth that check's points ({total} in all, as `python -m grader`
# gives). The step 'Grade every check once' grades everything in one run; each check
# step then reads its verdict (see grader/platforms/classroom.py), and exits 0 only if it passed.
"""


def step_id(check_id: str) -> str:
    """A step id (letters, digits, _ and -) whose upper case names the reporter's variable."""
    return check_id.replace(".", "_")


def _check_step(check, title: str) -> dict:
    label = f"{check.exercise} {title}: {check.name}"
    return {"name": label, "id": step_id(check.id),
            "uses": "classroom-resources/autograding-command-grader@v1",
            "with": {"test-name": label, "setup-command": "",
                     "command": f"{PYTHON} -m grader classroom check {check.id}",
                     "timeout": STEP_TIMEOUT, "max-score": check.points}}


def workflow_data(checks) -> dict:
    """checks: grader.checks.registry.Check objects (id, exercise, name, points)."""
    titles = {ex.id: ex.title for ex in exercises()}
    steps = [
        {"name": "Checkout code", "uses": "actions/checkout@v4"},
        {"name": "Set up Python", "uses": "actions/setup-python@v5",
         "with": {"python-version": "3.11", "cache": "pip", "cache-dependency-path": "constraints.txt"}},
        {"name": "Install torch (CPU-only build) and the pinned dependencies", "run": INSTALL},
        {"name": "Grade every check once", "continue-on-error": True,
         "timeout-minutes": RUN_TIMEOUT, "run": f"{PYTHON} -m grader classroom run"},
        *(_check_step(c, titles[c.exercise]) for c in checks),
        {"name": "Autograding Reporter", "uses": "classroom-resources/autograding-grading-reporter@v1",
         "env": {f"{step_id(c.id).upper()}_RESULTS": f"${{{{ steps.{step_id(c.id)}.outputs.result }}}}"
                 for c in checks},
         "with": {"runners": ",".join(step_id(c.id) for c in checks)}},
    ]
    return {"name": "Autograding Tests",
            "on": ["push", "repository_dispatch", "workflow_dispatch"],
            "permissions": {"checks": "write", "actions": "read", "contents": "read"},
            "jobs": {"run-autograding-tests": {
                "runs-on": "ubuntu-latest", "if": "github.actor != 'github-classroom[bot]'",
                "timeout-minutes": 40, "steps": steps}}}


def workflow(checks) -> str:
    body = yaml.safe_dump(workflow_data(checks), sort_keys=False, width=float("inf"),
                          allow_unicode=True, default_flow_style=False)
    return HEADER.format(total=sum(c.points for c in checks)) + body
