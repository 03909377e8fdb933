"""The one way into student code.

Every call into a student's module goes through Gateway.run, which runs a probe (see
grader.probes) under a time limit, with stdout and stderr captured and bounded, warnings
recorded instead of printed, stdin empty, and every failure of the student's code turned
into a StudentCodeError that fails only the checks that needed that call. Results are
cached, so each distinct call runs once per grading run.
"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import random
import signal
import sys
import threading
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from . import lazy_dynamo, messages
from .course import exercise, exercises
from .feedback import CheckFailed
from .probes import MissingFunction, NotImplementedYet, Student, load_all

IMPORT_LIMIT = 20.0         # seconds for importing a student's module
OUTPUT_LIMIT = 100_000      # characters of print output kept per call
SHOWN_OUTPUT = 1_500        # characters of it shown under a failed check


class StudentCodeError(CheckFailed):
    """The student's code could not give an answer: it is missing, raised, exited, ..."""

    def __init__(self, kind: str, summary: str, **details):
        super().__init__(summary, **details)
        self.kind = kind


class _Stop(BaseException):
    """Raised inside student code to stop it; a BaseException so `except Exception` in
    the student's code cannot swallow it."""


class CallTimeout(_Stop):
    pass


class OutputFlood(_Stop):
    pass


class _BoundedOutput(io.TextIOBase):
    """Keeps the first `limit` characters printed, then stops the code. In a worker it
    also copies them to a file descriptor, so that output printed before a crash that
    ends the process is still there for the grader to show."""

    def __init__(self, limit: int, mirror: int | None = None):
        self.parts: list[str] = []
        self.size, self.limit = 0, limit
        self.mirror = mirror

    def _keep(self, s: str) -> None:
        self.parts.append(s)
        self.size += len(s)
        if self.mirror is not None:
            try:
                os.write(self.mirror, s.encode("utf-8", "replace"))
            except OSError:
                pass

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        if self.size + len(s) > self.limit:
            self._keep(s[: self.limit - self.size])
            raise OutputFlood()
        self._keep(s)
        return len(s)

    def text(self) -> str:
        return "".join(self.parts)


@contextlib.contextmanager
def _time_limit(seconds: float):
    """SIGALRM-based limit: interrupts Python-level loops in this process. (Where no
    signal is available the call simply runs unlimited.)"""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise CallTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class ProbeResult:
    data: dict
    calls: list[str]
    output: str

    @property
    def called(self) -> str:
        return "; ".join(self.calls)


def shorten(text: str) -> str:
    """Printed output as shown under a failed check: its start, and how much more."""
    if len(text) <= SHOWN_OUTPUT:
        return text
    return text[:SHOWN_OUTPUT] + f"\n... ({len(text) - SHOWN_OUTPUT:,} more characters)"


def _freeze(value):
    """A hashable key for plain-data params."""
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, torch.Tensor):
        return ("tensor", str(value.dtype), tuple(value.shape), value.numpy().tobytes())
    return value


def _where_in_student_code(exc: BaseException, target: Path) -> str:
    """' (ex01_data.py, line 12)' for the innermost frame in the student's files."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.parent == target:
            return f" ({path.name}, line {frame.lineno})"
    return ""


def _error_text(exc: BaseException, target: Path) -> str:
    if isinstance(exc, SyntaxError):
        return f"SyntaxError: {exc.msg} ({Path(exc.filename or '?').name}, line {exc.lineno})"
    text = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    if len(text) > 300:
        text = text[:300] + " ..."
    return text + _where_in_student_code(exc, target)


class ProbeRunner:
    """What a gateway offers the checks: run(probe, **params), the probe's ProbeResult or
    a raised StudentCodeError. Each distinct call runs once per grading run; subclasses
    say how, in _run."""

    def __init__(self):
        self._probes = load_all()
        self._cache: dict[tuple, ProbeResult | StudentCodeError] = {}

    def run(self, probe_name: str, **params) -> ProbeResult:
        probe = self._probes[probe_name]
        key = (probe_name, _freeze(params))
        if key not in self._cache:
            self._cache[key] = self._run(probe, params)
        found = self._cache[key]
        if isinstance(found, StudentCodeError):
            raise found
        return found

    def _run(self, probe, params) -> ProbeResult | StudentCodeError:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the gateway holds (a worker process, say)."""


class Gateway(ProbeRunner):
    """Runs probes against the modules in one target directory, in this process.

    The grader runs it inside a worker process (grader.worker) and asks it for plain data;
    `python -m grader --in-process` runs it in the grader itself. Options:
      on_event      called with a plain dict before each import and each call into student
                    code, so that a worker's parent knows where a crash happened;
      mirror_fd     a file descriptor that also receives everything printed;
      in_worker     KeyboardInterrupt raised by student code is its own doing (the worker
                    ignores Ctrl-C), so it is contained like an exit;
      debug         no time limit, stdin left alone and prints shown as they happen (and
                    still checked): for a debugger.
    """

    def __init__(self, target: Path | str, *, time_scale: float = 1.0, on_event=None,
                 mirror_fd: int | None = None, in_worker: bool = False, debug: bool = False):
        super().__init__()
        self.target = Path(target).resolve()
        self.time_scale = time_scale
        self.on_event = on_event or (lambda event: None)
        if debug and mirror_fd is None:
            mirror_fd = sys.__stdout__.fileno()
        self.mirror_fd, self.in_worker, self.debug = mirror_fd, in_worker, debug
        self.memory_limit = "the machine's memory"     # as told in out-of-memory messages
        self._modules: dict[str, object] = {}
        prepare_torch()

    # -- running code under the limits -------------------------------------------------
    def _limits(self, out, seconds: float):
        stack = contextlib.ExitStack()
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(out))
        if not self.debug:
            stack.enter_context(_swap_stdin())
            stack.enter_context(_time_limit(seconds * self.time_scale))
        return stack

    def _contained(self, where: str, seconds: float, student: Student | None, fn):
        out = _BoundedOutput(OUTPUT_LIMIT, self.mirror_fd)

        def fail(kind: str, summary: str):
            if kind == "not_implemented":      # a stub: one line, nothing more
                return StudentCodeError(kind, summary)
            shown = shorten(out.text())
            called = "; ".join(student.calls) if student and student.calls else None
            return StudentCodeError(kind, summary, called=called, output=shown or None)

        def place() -> str:
            return f"{student.current}()" if student and student.current else where

        # Unseeded randomness in student code repeats identically on every run.
        torch.manual_seed(0)
        random.seed(0)
        np.random.seed(0)
        try:
            with warnings.catch_warnings(record=True) as caught, self._limits(out, seconds):
                warnings.simplefilter("always")
                result = fn()
            for w in caught:
                text = f"{w.category.__name__}: {w.message}\n"
                if out.size + len(text) <= OUTPUT_LIMIT:
                    out._keep(text)
            return result, out.text()
        except NotImplementedYet as exc:
            raise fail("not_implemented", messages.NOT_IMPLEMENTED.format(function=exc.function))
        except MissingFunction as exc:
            file = student.file if student else where
            if exc.kind:
                raise fail("missing_function", messages.NOT_CALLABLE.format(
                    file=file, function=exc.function, kind=exc.kind))
            raise fail("missing_function", messages.MISSING_FUNCTION.format(
                file=file, function=exc.function))
        except CallTimeout:
            raise fail("timed_out", messages.TIMED_OUT.format(where=place(), seconds=seconds * self.time_scale))
        except OutputFlood:
            raise fail("output_flood", messages.OUTPUT_FLOOD.format(where=place(), limit=OUTPUT_LIMIT))
        except SystemExit as exc:
            raise fail("exited", messages.EXITED.format(how=f"sys.exit({exc.code!r})", where=place()))
        except KeyboardInterrupt:
            if not self.in_worker:
                raise                 # in the grader's own process, Ctrl-C stops grading
            raise fail("exited", messages.EXITED.format(how="KeyboardInterrupt", where=place()))
        except Exception as exc:
            if _out_of_memory(exc):
                raise fail("out_of_memory", messages.OUT_OF_MEMORY.format(
                    where=place(), limit=self.memory_limit))
            error = _error_text(exc, self.target)
            if self.in_worker and isinstance(exc, PermissionError):
                error += " " + messages.WRITE_BLOCKED
            raise fail("raised", messages.RAISED.format(where=place(), error=error))

    # -- modules --------------------------------------------------------------------------
    def module(self, ex_id: str):
        """The student's module for an exercise, imported once; raises StudentCodeError."""
        if ex_id not in self._modules:
            try:
                self._modules[ex_id] = self._import(ex_id)
            except StudentCodeError as exc:
                self._modules[ex_id] = exc
        found = self._modules[ex_id]
        if isinstance(found, StudentCodeError):
            raise found
        return found

    def _import(self, ex_id: str):
        ex = exercise(ex_id)
        path = self.target / ex.file
        if not path.is_file():
            raise StudentCodeError("missing_file", messages.MISSING_FILE.format(file=ex.file, target=self.target))
        names = {e.module for e in exercises()}
        spec = importlib.util.spec_from_file_location(ex.module, path)
        module = importlib.util.module_from_spec(spec)

        def load():
            # The target directory is importable while the module loads, so that one
            # exercise may import another; nothing of it stays in sys.modules.
            for name in names:
                sys.modules.pop(name, None)
            sys.path.insert(0, str(self.target))
            try:
                spec.loader.exec_module(module)
            finally:
                sys.path.remove(str(self.target))
                for name in names:
                    sys.modules.pop(name, None)
            return module

        self.on_event({"type": "importing", "file": ex.file})
        try:
            module, _ = self._contained(f"importing {ex.file}", IMPORT_LIMIT, None, load)
        except StudentCodeError as exc:
            exc.kind = "import_failed"
            exc.summary = messages.IMPORT_FAILED.format(file=ex.file, error=exc.summary)
            exc.args = (exc.summary,)
            raise
        return module

    # -- probes ---------------------------------------------------------------------------
    def _run(self, probe, params) -> ProbeResult | StudentCodeError:
        try:
            module = self.module(probe.exercise)
            student = Student(module, exercise(probe.exercise).file, on_call=self.on_event)
            self.on_event({"type": "probe", "probe": probe.name})
            data, output = self._contained(probe.name, probe.time_limit, student,
                                           lambda: probe.run(student, **params))
            return ProbeResult(data, student.calls, output)
        except StudentCodeError as exc:
            return exc


def prepare_torch() -> None:
    """One thread: the same float results on every machine, and faster for these sizes.
    The torch._dynamo stand-in saves a second per run (see grader/lazy_dynamo.py)."""
    torch.set_num_threads(1)
    lazy_dynamo.install()


def _out_of_memory(exc: Exception) -> bool:
    return isinstance(exc, MemoryError) or (
        isinstance(exc, RuntimeError) and "can't allocate memory" in str(exc))


@contextlib.contextmanager
def _swap_stdin():
    """Student code reading input() gets end-of-file, never a hang."""
    saved = sys.stdin
    sys.stdin = io.StringIO("")
    try:
        yield
    finally:
        sys.stdin = saved
