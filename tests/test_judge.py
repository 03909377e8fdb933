"""The judge (grader/judge.py): the checks run in a process the zygote forks, so that the
grading process never imports torch (tests/test_cli.py lists what `python -m grader`
imports); the report is the one the checks would give here."""
from __future__ import annotations

import os
import signal
import time

import pytest

from grader import judge
from grader.gateway import judge_available
from grader.runner import grade

pytestmark = pytest.mark.skipif(not judge_available(), reason="a judge needs the zygote (Linux)")

WRONG_SOFTMAX = '''
def predict_proba(model, X):
    model.eval()
    with torch.inference_mode():
        return torch.softmax(model(X.to(next(model.parameters()).device)), dim=0)
'''


def test_a_judge_gives_the_report_of_the_checks_run_here(submission):
    folder = submission(ex03=WRONG_SOFTMAX)
    here = grade(folder, only="ex03")
    judged = judge.grade(folder, only="ex03")
    assert judge._judge_ is not None        # a judge answered (a lost one is forgotten)
    assert [r.to_data() for r in judged.results] == [r.to_data() for r in here.results]
    assert judged.target == here.target and 0 < judged.score < judged.max_score


def test_a_lost_judge_is_graded_here_instead(submission):
    folder = submission()
    first = judge.grade(folder, only="ex01")
    pid = judge._judge().pid
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(f"/proc/{pid}/stat"):
        with open(f"/proc/{pid}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                break
        time.sleep(0.05)
    again = judge.grade(folder, only="ex01")
    assert [r.to_data() for r in again.results] == [r.to_data() for r in first.results]
    assert again.score == again.max_score
    assert judge._judge().pid != pid        # and the next run has a judge again
