"""pytest integration: each check becomes one test, failures print only the teaching
feedback (no traceback), and the run ends with the score table.

exercises/conftest.py loads this module as a plugin (`pytest_plugins`); each generated
exercises/test_ex0N_*.py names its exercise (`EXERCISE = "ex0N"`), and the plugin collects
that exercise's checks as the module's tests. The checks run as `python -m grader` runs
them, in a judge (grader/judge.py): pytest's process never imports torch.

A root cause is shown once (grader.platforms.report.feedback_once): the first test of an
exercise grades every selected check of that exercise, so that the first test a stub, a
syntax error or a timeout fails shows it in full and says how many more need that call,
and each of the others says it in one line that names the first.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from ..gateway import start_zygote_early

# The process that forks the workers and the judge, started first: the checks are listed
# by the judge, as soon as the zygote has imported torch (grader/gateway/zygote_client.py).
start_zygote_early()

from ..checks.registry import Check  # noqa: E402
from ..course import exercises  # noqa: E402
from .report import feedback_once, result_text, score_table  # noqa: E402
from ..judge import checks, grade  # noqa: E402
from ..messages import IN_PROCESS  # noqa: E402
from ..options import Options  # noqa: E402
from ..results import Result  # noqa: E402

_results: list[Result] = []                       # in the order the tests ran: the score table
_graded: dict[tuple[Path, str], Result] = {}      # by (folder, check id)


def pytest_addoption(parser):
    parser.addoption("--in-process", action="store_true",
                     help="run the exercise code inside pytest, without limits, so that "
                          "breakpoint() works (use with -s); a crash then stops pytest")


def pytest_report_header(config):
    if config.getoption("--in-process", default=False):
        return IN_PROCESS


def _test_name(check: Check) -> str:
    return f"test_{check.id.split('.', 1)[1]}"


def _selected_peers(request, check: Check) -> list[Check]:
    """The checks of check's exercise that this pytest run selected, in this folder, in order."""
    folder, peers = request.path.parent, []
    for item in request.session.items:
        other = getattr(getattr(item, "function", None), "grader_check", None)
        if other is not None and other.exercise == check.exercise and item.path.parent == folder:
            peers.append(other)
    return peers or [check]


def _feedback(request, check: Check) -> tuple[Result, str]:
    """check's result and the feedback its test shows, grading its exercise's selected
    checks first if they are not graded yet."""
    folder = request.path.parent
    peers = _selected_peers(request, check)
    if any((folder, peer.id) not in _graded for peer in peers):
        in_process = bool(request.config.getoption("--in-process", default=False))
        report = grade(folder, only=check.exercise, options=Options(in_process=in_process))
        for result in report.results:
            _graded.setdefault((folder, result.id), result)
    results = [_graded[folder, peer.id] for peer in peers]
    for shown in feedback_once(results, name=lambda first: f"{_test_name(first.check)} above"):
        if shown.result.check.id == check.id:
            return shown.result, shown.feedback
    return _graded[folder, check.id], result_text(_graded[folder, check.id])


def _as_test(check: Check):
    def test(request):
        result, feedback = _feedback(request, check)
        _results.append(result)
        if not result.passed:
            raise CheckFailedInTest(feedback)

    test.__name__ = _test_name(check)
    test.__doc__ = f"{check.name} [{check.points} pts]"
    test.grader_check = check  # type: ignore[attr-defined]  # a function attribute, read back by the plugin
    return test


class CheckFailedInTest(AssertionError):
    """A failed check inside a test; reported as its feedback alone."""


class ExerciseModule(pytest.Module):
    """A test module that names its exercise (EXERCISE = "ex0N"): each check of that
    exercise is one of its tests, in the checks' order."""

    def collect(self):
        exercise = getattr(self.obj, "EXERCISE", None)
        if not isinstance(exercise, str):
            return super().collect()
        return [pytest.Function.from_parent(self, name=test.__name__, callobj=test)
                for test in map(_as_test, [c for c in checks() if c.exercise == exercise])]


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path, parent):
    if module_path.name in {f"test_{ex.file}" for ex in exercises()}:
        return ExerciseModule.from_parent(parent, path=module_path)
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.excinfo is not None and call.excinfo.errisinstance(CheckFailedInTest):
        report.longrepr = str(call.excinfo.value)   # the feedback, without a traceback
    return report


def pytest_sessionstart(session):
    _results.clear()
    _graded.clear()


def pytest_unconfigure(config):
    """The score table, as the very last lines of the run."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if _results and reporter is not None:
        reporter.section("score")
        reporter.write_line(score_table(_results))
