"""InProcessGateway: runs probes against the student's modules in this process.

Each call runs under a time limit, with stdout and stderr captured and bounded, warnings
recorded instead of printed and stdin empty, and every failure of the student's code is
turned into a StudentCodeError. The worker process runs one of these inside its sandbox;
`--in-process` runs one in the grader itself (for a debugger); the notebook gateway is one
whose modules come from a notebook's namespace.
"""
from __future__ import annotations

import contextlib
import importlib.util
import random
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np
import torch

from .. import messages
from ..course import exercise, exercises
from ..probes.student import MissingFunction, NotImplementedYet, Student
from . import lazy_dynamo
from .base import IMPORT_LIMIT, OUTPUT_LIMIT, Gateway, ProbeResult, StudentCodeError, shorten
from .limits import BoundedOutput, CallTimeout, OutputFlood, swap_stdin, time_limit


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


class InProcessGateway(Gateway):
    """Runs probes against the modules in one target directory, in this process.

    The grader runs it inside a worker process (grader.gateway.worker) and asks it for plain data;
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
            stack.enter_context(swap_stdin())
            stack.enter_context(time_limit(seconds * self.time_scale))
        return stack

    def _contained(self, where: str, seconds: float, student: Student | None, fn):
        out = BoundedOutput(OUTPUT_LIMIT, self.mirror_fd)

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
