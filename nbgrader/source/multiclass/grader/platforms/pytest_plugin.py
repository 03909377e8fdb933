"""pytest integration: each check becomes one test, failures print only the teaching
feedback (no traceback), and the run ends with the score table.

exercises/conftest.py loads this module; each exercises/test_ex0N_*.py asks for its tests
with checks_as_tests("ex0N"). The checks run through the same Session as `python -m grader`.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from ..checks.registry import Check, all_checks
from .report import score_table
from ..messages import IN_PROCESS
from ..runner import Options, Result, Session

# The hooks exercises/conftest.py takes in with `from grader.platforms.pytest_plugin import *`.
__all__ = ["pytest_addoption", "pytest_report_header", "pytest_sessionstart", "pytest_runtest_makereport",
           "pytest_sessionfinish", "pytest_unconfigure"]

_sessions: dict[Path, Session] = {}
_results: list[Result] = []


def pytest_addoption(parser):
    parser.addoption("--in-process", action="store_true",
                     help="run the exercise code inside pytest, without limits, so that "
                          "breakpoint() works (use with -s); a crash then stops pytest")


def pytest_report_header(config):
    if config.getoption("--in-process", default=False):
        return IN_PROCESS


def _session(target: Path, config) -> Session:
    if target not in _sessions:
        in_process = bool(config.getoption("--in-process", default=False))
        _sessions[target] = Session(target, options=Options(in_process=in_process))
    return _sessions[target]


def _as_test(check: Check):
    def test(request):
        result = _session(request.path.parent, request.config).run(check)
        _results.append(result)
        if not result.passed:
            raise CheckFailedInTest(result.feedback)

    test.__name__ = f"test_{check.id.split('.', 1)[1]}"
    test.__doc__ = f"{check.name} [{check.points} pts]"
    return test


class CheckFailedInTest(AssertionError):
    """A failed check inside a test; reported as its feedback alone."""


def checks_as_tests(exercise: str) -> dict:
    """The tests of one exercise, by name, to put in a test module's globals()."""
    return {t.__name__: t for t in map(_as_test, all_checks(exercise))}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.excinfo is not None and call.excinfo.errisinstance(CheckFailedInTest):
        report.longrepr = str(call.excinfo.value)   # the feedback, without a traceback
    return report


def pytest_sessionstart(session):
    _sessions.clear()
    _results.clear()


def pytest_sessionfinish(session):
    for graded in _sessions.values():
        graded.close()


def pytest_unconfigure(config):
    """The score table, as the very last lines of the run."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if _results and reporter is not None:
        reporter.section("score")
        reporter.write_line(score_table(_results))
