"""python -m grader watch: grade each exercise again as soon as its file is saved, in a
terminal, until the student quits.

The zygote and a judge (grader/judge.py) stay for the whole session, torch imported in
both, and every grading forks a fresh worker: the same isolation as `python -m grader`,
without the seconds of importing. The judge keeps the cases of the seed for the whole
session, so the reference results that the checks share (Cases.memo) are computed once. Whatever the student's code
does (a syntax error, an endless loop, an exception, os._exit, a segfault, a print flood)
costs that grading only: the worker contains it, and the checks' messages say what happened.
"""
from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from pathlib import Path

from ..checks.feedback import Feedback, grader_error
from .. import messages
from ..exits import PASSED
from ..results import points_available, points_earned
from ..course import exercise, exercise_ids, exercises
from ..platforms.hints import choose_level, hints_for, render, state_path
from ..judge import checks, grade
from ..options import Options
from ..results import Result
from .file_events import FileEvents, fingerprint, polling_reason, wait_until_settled
from .keys import Keys
from .progress import Progress, default_path
from ..platforms.report import failed_checks, score_table

KEYS = "keys: h hint, n next exercise, a re-grade all, q quit"
CLEAR = "\x1b[2J\x1b[H"


def _points(results: list[Result]) -> tuple[int, int]:
    return points_earned(results), points_available(results)


def _forget_bytecode(target: Path) -> None:
    """Drop cached bytecode of the exercise modules: Python trusts a .pyc whose source has
    the same size and modification second, which two quick saves can share."""
    for ex in exercises():
        for pyc in (target / "__pycache__").glob(f"{ex.module}.*.pyc"):
            try:
                pyc.unlink()
            except OSError:
                pass


class Watch:
    """The session's state (the latest results, the exercise in focus, the progress) and
    what it shows."""

    def __init__(self, target: Path, seed: int, options: Options, progress: Progress,
                 out=None, clear: bool = True):
        self.target = Path(target).resolve()
        self.seed, self.options, self.progress = seed, options, progress
        self.out = out or sys.stdout
        self.clear = clear and self.out.isatty()
        self.results: dict[str, list[Result]] = {}
        self.graded: dict[str, object] = {}      # exercise id -> fingerprint of the file graded
        self.current = exercise_ids()[0]
        self.took = ""                           # what the last grading graded, and how long it took
        self.mode = ""
        self._hinted: str | None = None          # the exercise whose hint h showed last

    def say(self, text: str = "", end: str = "\n") -> None:
        self.out.write(text + end)
        self.out.flush()

    # -- grading ------------------------------------------------------------------------
    def grade(self, ex_ids: list[str]) -> None:
        started = time.perf_counter()
        for ex_id in ex_ids:
            self.say(f"grading {ex_id} ...", end=" ")
            self.graded[ex_id] = fingerprint(self.target / exercise(ex_id).file)
            self.results[ex_id] = self._grade_one(ex_id)
            if self.progress.record(ex_id, *_points(self.results[ex_id])):
                self.progress.save()
        seconds = time.perf_counter() - started
        self.took = f"graded {', '.join(ex_ids) if len(ex_ids) < 3 else 'all'} in {seconds:.2f} s"

    def _grade_one(self, ex_id: str) -> list[Result]:
        _forget_bytecode(self.target)
        try:
            return grade(self.target, only=ex_id, seed=self.seed, options=self.options).results
        except Exception as exc:      # the grader's own failure (no fork, no memory): shown, not fatal
            where = traceback.extract_tb(exc.__traceback__)[-1]
            error = f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"
            return [Result(c, False, Feedback(grader_error(error))) for c in checks() if c.exercise == ex_id]

    def complete(self, ex_id: str) -> bool:
        earned, available = _points(self.results.get(ex_id, []))
        return bool(available) and earned == available

    def next_incomplete(self, after: str | None = None) -> str | None:
        """The first exercise not complete after `after` (wrapping round), or from the start."""
        ids = exercise_ids()
        start = ids.index(after) + 1 if after else 0
        for ex_id in ids[start:] + ids[:start]:
            if ex_id != after and not self.complete(ex_id):
                return ex_id
        return None

    # -- showing ------------------------------------------------------------------------
    def show(self, focus: str, note: str = "") -> None:
        results = [r for ex_id in exercise_ids() for r in self.results.get(ex_id, [])]
        notes = {ex_id: self.progress.note(ex_id, _points(rs)[1]) for ex_id, rs in self.results.items()}
        lines = [score_table(results, notes), ""] + self.verdict(focus)
        if note:
            lines += ["", note]
        if self.progress.save_error:
            lines += ["", self.progress.save_error]
        lines += ["", f"watching {self._where()} ({self.mode}); {self.took}", KEYS]
        self.say((CLEAR if self.clear else "\n") + "\n".join(lines))

    def verdict(self, ex_id: str) -> list[str]:
        ex, results = exercise(ex_id), self.results.get(ex_id, [])
        earned, available = _points(results)
        if not self.complete(ex_id):
            failing = sum(not r.passed for r in results)
            return [f"{ex_id} {ex.title}: {failing} check(s) failing, {earned}/{available}", ""] \
                + failed_checks(results) + [f"Fix {ex.file} and save it; h shows a hint."]
        following = self.next_incomplete(ex_id)
        if following is None:
            earned, available = _points([r for rs in self.results.values() for r in rs])
            return [f"Every exercise is complete: {earned}/{available}."]
        nxt = exercise(following)
        return [f"{ex_id} is complete ({available}/{available}). Next: {following} "
                f"{nxt.title} ({nxt.file})."]

    def hint(self) -> str:
        """The hint for the current exercise's first failing check, one level further on
        each press (as `python3 course.py hint EX --more`); none for a complete exercise."""
        if self.complete(self.current):
            following = self.next_incomplete(self.current)
            if following is None:
                return "Every exercise is complete: there is nothing left to hint. Well done!"
            return f"{self.current} is complete: no hint needed. n moves on to {following}."
        found = hints_for(exercise(self.current), self.results.get(self.current, []))
        shown = choose_level(found, state_path(self.target), more=self._hinted == self.current)
        self._hinted = self.current
        return render(found, shown, in_watch=True)

    def _where(self) -> str:
        """The target as the student named it: relative to here when it is inside."""
        here = Path.cwd().resolve()
        return str(self.target.relative_to(here)) if self.target.is_relative_to(here) else str(self.target)

    # -- the loop -----------------------------------------------------------------------
    def start(self) -> None:
        self.grade(exercise_ids())
        self.current = self.next_incomplete() or exercise_ids()[0]
        self.show(self.current)

    def saved(self, changed: set[str], note: str = "") -> None:
        ordered = [ex_id for ex_id in exercise_ids() if ex_id in changed]
        self.grade(ordered)
        focus = next((e for e in ordered if not self.complete(e)), ordered[0])
        self.current = focus if not self.complete(focus) else (self.next_incomplete(focus) or focus)
        self.show(focus, note)

    def key(self, key: str) -> bool:
        """Act on one key; False when it says quit."""
        if key == "q":
            return False
        if key == "h":
            self.say("\n" + self.hint())
        elif key == "n":
            self.current = self.next_incomplete(self.current) or \
                exercise_ids()[(exercise_ids().index(self.current) + 1) % len(exercise_ids())]
            self.show(self.current)
        elif key == "a":
            self.grade(exercise_ids())
            if self.complete(self.current):
                self.current = self.next_incomplete() or self.current
            self.show(self.current)
        elif not key.isspace():
            self.say(KEYS)
        return True

    def run(self, events: FileEvents, keys: Keys) -> int:
        self.mode = events.mode
        self.start()
        while True:
            # Events, and beside them a look at the files for a save whose event never came.
            changed = events.wait() | events.unnoticed(self.graded, time.time())
            if changed:
                paths = {ex_id: self.target / exercise(ex_id).file for ex_id in changed}
                wait_until_settled(list(paths.values()))
                # A file as it was graded already (its event came after the backup found it,
                # or after a wait above) needs no second grading.
                changed = {e for e in changed if fingerprint(paths[e]) != self.graded.get(e)}
            if changed:
                self.saved(changed)
            for key in keys.read():
                if not self.key(key):
                    self.say(messages.STOPPED_WATCHING)
                    return PASSED


def _stop_on(signum: int) -> None:
    """SIGTERM and SIGHUP end the watch through its clean-up (the terminal's mode restored).
    A worker forked from the watch keeps the default."""
    pid = os.getpid()

    def handler(number, frame):
        if os.getpid() != pid:
            signal.signal(number, signal.SIG_DFL)
            os.kill(os.getpid(), number)
            return
        raise SystemExit(128 + number)

    signal.signal(signum, handler)


def run_watch(target: Path, *, seed: int, options: Options, poll: bool = False,
              progress_path: Path | None = None, clear: bool = True) -> int:
    sys.dont_write_bytecode = True       # see _forget_bytecode
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            _stop_on(getattr(signal, name))
    progress = Progress.load(progress_path or default_path(target))
    watch = Watch(target, seed, options, progress, clear=clear)
    files = {ex.file: ex.id for ex in exercises()}
    events = None
    try:                # Ctrl-C: the command line says STOPPED_WATCHING (grader/watch/__init__.py)
        with Keys() as keys:
            # Watching starts before the first grading, so that a save during it is seen.
            events = FileEvents(watch.target, files, polling_reason(watch.target, poll))
            return watch.run(events, keys)
    finally:
        if events is not None:
            events.close()
