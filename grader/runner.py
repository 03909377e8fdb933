"""Run checks against a target directory and collect a Report. Nothing a check or the
student's code does can stop the run: every check ends with a recorded result."""
from __future__ import annotations

import traceback
from pathlib import Path
from typing import Callable

from .checks.cases import Cases
from .course import exercise
from .checks.feedback import CheckFailed, Feedback, grader_error
from .checks.registry import Check, all_checks
from .options import Options
from .gateway import (Gateway, InProcessGateway, ProbeResult, StudentCodeError, WorkerGateway,
                      fresh_autograd, shorten, warn_unconfined_once, worker_available)
from .results import Cause, Report, Result
from .untrusted import clean

__all__ = ["Cause", "Context", "Options", "Report", "Result", "Session", "grade", "run_check"]


class Context:
    """What a check gets: the cases to use and a way to run probes."""

    def __init__(self, gateway: Gateway, cases: Cases, renamed: dict[str, str] | None = None,
                 file_shown_as: str | None = None):
        self.gateway, self.cases = gateway, cases
        # Paths as the student's feedback names them (a private copy of their files means
        # nothing to them), and a check's exercise file where the student wrote no file (a
        # notebook): applied where each result is made, never to a report's text.
        self.renamed = renamed or {}
        self.file_shown_as = file_shown_as
        self.printed: list[str] = []     # what the current check's calls printed
        # Reference results several checks share. They depend on the cases alone, so they
        # live with them: a batch reuses them for every submission graded with one seed.
        self.memo: dict = cases.memo

    def once(self, key, compute):
        """compute(), run once per grading run for each key."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def shown(self, check: Check) -> Callable[[str], str]:
        """How a part of check's result reads in every report: cleaned (it may quote the
        student), with the paths renamed."""
        renamed = dict(self.renamed)
        if self.file_shown_as:
            renamed[exercise(check.exercise).file] = self.file_shown_as

        def shown(text: str) -> str:
            for path, name in renamed.items():
                text = text.replace(path, name)
            return clean(text)
        return shown

    def run(self, probe: str, **params) -> ProbeResult:
        result = self.gateway.run(probe, **params)
        if result.output and result.output not in self.printed:
            self.printed.append(result.output)
        return result


def run_check(check: Check, ctx: Context) -> Result:
    """The check's result. Its feedback quotes the student (what their code printed,
    raised or returned): cleaned here, where it is made, for every report (ctx.shown)."""
    ctx.printed = []
    shown = ctx.shown(check)
    try:
        with fresh_autograd():          # the references' state, in a notebook's kernel too
            check.run(ctx)
    except CheckFailed as failure:
        if failure.output is None and ctx.printed:
            failure.output = shorten("".join(ctx.printed))
        cause = None
        if isinstance(failure, StudentCodeError):
            cause = Cause(failure.kind, shown(failure.summary), failure.exception, failure.function)
        return Result(check, False, failure.feedback().map(shown), cause)
    except Exception as exc:      # a bug in the grader: recorded, never fatal
        where = traceback.extract_tb(exc.__traceback__)[-1]
        error = f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"
        return Result(check, False, Feedback(shown(grader_error(error))))
    return Result(check, True)


class Session:
    """One grading run over one target: shares probe results between checks. Close it
    (or use it in a with block) to end its worker. on_activity, if given, is told in words
    what is being graded ("grading ex04 Training loop: train(<model>, ...)"), for a status line.
    shown_as, if given, names the target in feedback (for a private copy of the student's
    files), file_shown_as each check's exercise file (for code taken from a notebook)."""

    def __init__(self, target: Path | str, cases: Cases | None = None, options: Options = Options(),
                 on_activity=None, shown_as: str | None = None, file_shown_as: str | None = None):
        self.target = Path(target)
        self.on_activity = on_activity or (lambda text: None)
        self._exercise = ""
        if not options.in_process:
            warn_unconfined_once()              # where student code cannot be boxed: said once, then on
        gateway: Gateway
        if options.in_process:
            gateway = InProcessGateway(self.target, time_scale=options.time_scale, debug=True)
        elif not worker_available():
            # No fork (Windows) or no sandbox (macOS): the contained in-process gateway,
            # which still limits time and output and turns errors into messages.
            gateway = InProcessGateway(self.target, time_scale=options.time_scale)
        else:
            gateway = WorkerGateway(self.target, time_scale=options.time_scale,
                                    memory_limit=options.memory_limit)
        gateway.on_activity = lambda text: self.on_activity(f"{self._exercise}: {text}")
        renamed = {}
        if shown_as:
            # The longer first: the resolved path may hold the given one (/private/tmp).
            for path in sorted({str(self.target), str(self.target.resolve())}, key=len, reverse=True):
                renamed[path] = shown_as
        self.ctx = Context(gateway, cases or Cases(), renamed, file_shown_as)

    def run(self, check: Check) -> Result:
        self._exercise = f"grading {check.exercise} {exercise(check.exercise).title}"
        self.on_activity(f"{self._exercise}: checking that {check.name}")
        return run_check(check, self.ctx)

    def run_all(self, checks: list[Check]) -> Report:
        return Report(str(self.target), [self.run(c) for c in checks])

    def close(self) -> None:
        self.ctx.gateway.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def grade(target: Path | str, only: str | None = None, cases: Cases | None = None,
          options: Options = Options(), on_activity=None, shown_as: str | None = None,
          file_shown_as: str | None = None) -> Report:
    with Session(target, cases, options, on_activity, shown_as, file_shown_as) as session:
        return session.run_all(all_checks(only))
