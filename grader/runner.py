"""Run checks against a target directory and collect a Report. Nothing a check or the
student's code does can stop the run: every check ends with a recorded result."""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import messages
from .checks.cases import Cases
from .course import exercise
from .checks.feedback import CheckFailed
from .checks.registry import Check, all_checks
from .gateway import (DEFAULT_MEMORY_LIMIT, Gateway, InProcessGateway, ProbeResult, StudentCodeError,
                      WorkerGateway, shorten, warn_unconfined_once, worker_available)
from .untrusted import clean


class Context:
    """What a check gets: the cases to use and a way to run probes."""

    def __init__(self, gateway: Gateway, cases: Cases):
        self.gateway, self.cases = gateway, cases
        self.printed: list[str] = []     # what the current check's calls printed
        # Reference results several checks share. They depend on the cases alone, so they
        # live with them: a batch reuses them for every submission graded with one seed.
        self.memo: dict = cases.memo

    def once(self, key, compute):
        """compute(), run once per grading run for each key."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def run(self, probe: str, **params) -> ProbeResult:
        result = self.gateway.run(probe, **params)
        if result.output and result.output not in self.printed:
            self.printed.append(result.output)
        return result


@dataclass(frozen=True)
class Cause:
    """Why the student's code gave a check no answer (the gateway's StudentCodeError): a
    stub, a failed import, a timeout, a print flood, ... Checks of one exercise with the
    same cause failed for one reason, which reports show once (report.feedback_once)."""
    kind: str
    summary: str


@dataclass(frozen=True)
class Result:
    check: Check
    passed: bool
    feedback: str
    cause: Cause | None = None      # set when the student's code gave no answer

    @property
    def points(self) -> int:
        return self.check.points if self.passed else 0


def run_check(check: Check, ctx: Context) -> Result:
    """The check's result. Its feedback quotes the student (what their code printed,
    raised or returned): cleaned here, where it is made, for every report."""
    ctx.printed = []
    try:
        check.run(ctx)
    except CheckFailed as failure:
        if failure.output is None and ctx.printed:
            failure.output = shorten("".join(ctx.printed))
        cause = Cause(failure.kind, clean(failure.summary)) if isinstance(failure, StudentCodeError) else None
        return Result(check, False, clean(failure.render()), cause)
    except Exception as exc:      # a bug in the grader: recorded, never fatal
        where = traceback.extract_tb(exc.__traceback__)[-1]
        error = f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"
        return Result(check, False, clean(messages.GRADER_ERROR.format(error=error)))
    return Result(check, True, "")


@dataclass
class Report:
    target: str
    results: list[Result]
    # For the student, above the scores: which folder was graded, what was not and why.
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def max_score(self) -> int:
        return sum(r.check.points for r in self.results)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def by_exercise(self) -> dict[str, list[Result]]:
        groups: dict[str, list[Result]] = {}
        for r in self.results:
            groups.setdefault(r.check.exercise, []).append(r)
        return groups


@dataclass(frozen=True)
class Options:
    """How student code is run. in_process runs it inside the grader (for a debugger);
    otherwise a worker process runs it (grader.gateway.worker). time_scale multiplies every time
    limit; memory_limit (bytes) caps the worker's address space."""
    in_process: bool = False
    time_scale: float = 1.0
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT


class Session:
    """One grading run over one target: shares probe results between checks. Close it
    (or use it in a with block) to end its worker. on_activity, if given, is told in words
    what is being graded ("grading ex04 Training loop: train(<model>, ...)"), for a status line."""

    def __init__(self, target: Path | str, cases: Cases | None = None, options: Options = Options(),
                 on_activity=None):
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
        self.ctx = Context(gateway, cases or Cases())

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
          options: Options = Options(), on_activity=None) -> Report:
    with Session(target, cases, options, on_activity) as session:
        return session.run_all(all_checks(only))
