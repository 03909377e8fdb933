"""InProcessGateway: runs probes against the student's modules in this process.

Each call runs under a time limit, with stdout and stderr captured and bounded, warnings
recorded instead of printed, stdin empty, and the import view of grader.gateway.imports
(exercise modules from the graded folder, nothing else of it), and every failure of the
student's code is turned into a StudentCodeError. The worker process runs one of these
inside its sandbox; `--in-process` runs one in the grader itself (for a debugger); the
notebook gateway is one whose modules come from a notebook's namespace.
"""
from __future__ import annotations

import bdb
import contextlib
import copy
import functools
import importlib.util
import linecache
import random
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np
import torch

from .. import messages
from ..checks.feedback import FailureKind
from ..course import exercise, exercises
from ..probes.student import MissingFunction, NotImplementedYet, Student
from . import lazy_dynamo, loops
from .base import IMPORT_LIMIT, OUTPUT_LIMIT, Gateway, ProbeResult, StudentCodeError, shorten
from .imports import exercise_imports
from .limits import (BoundedOutput, BreakpointCalled, CallTimeout, OutputFlood, Signalled, fresh_autograd,
                     no_debugger, signals_end_the_call, swap_stdin, time_limit)


def student_line(frame, target: Path) -> str | None:
    """'ex04_train.py, line 27, in train_step():' and that line of code, for the innermost
    frame of frame's stack that runs the student's files (None when none does)."""
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.parent == target:
            source = linecache.getline(str(path), frame.f_lineno).strip()
            where = f"{path.name}, line {frame.f_lineno}, in {frame.f_code.co_name}()"
            return where + (f":\n    {source}" if source else "")
        frame = frame.f_back
    return None


def _traceback_line(exc: BaseException, target: Path) -> str | None:
    """student_line for where an exception was raised."""
    tb, frame = exc.__traceback__, None
    while tb is not None:
        frame, tb = tb.tb_frame, tb.tb_next
    return student_line(frame, target)


def syntax_excerpt(exc: SyntaxError) -> str | None:
    """The offending line and its caret, as Python prints them under a SyntaxError."""
    lines = "".join(traceback.format_exception_only(exc)).splitlines()[1:-1]
    return "\n".join(line.removeprefix("    ") for line in lines) or None


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
                 mirror_fd: int | None = None, in_worker: bool = False, debug: bool = False,
                 shown_as: Path | str | None = None):
        super().__init__()
        self.target = Path(target).resolve()
        self.shown_as = Path(shown_as).resolve() if shown_as else self.target   # named in messages
        self.time_scale = time_scale
        self.on_event = on_event or (lambda event: None)
        if debug and mirror_fd is None:
            assert sys.__stdout__ is not None    # debug runs only from a command line
            mirror_fd = sys.__stdout__.fileno()
        self.mirror_fd, self.in_worker, self.debug = mirror_fd, in_worker, debug
        self.memory_limit = "the machine's memory"     # as told in out-of-memory messages
        self._modules: dict[str, object] = {}
        prepare_torch()

    def _tell(self, event: dict) -> None:
        self.on_event(event)
        if event["type"] == "importing":
            self.on_activity(f"importing {event['file']}")
        elif event["type"] == "call":
            self.on_activity(event["call"])

    # -- where student code lives ---------------------------------------------------------
    def _is_student_file(self, filename: str) -> bool:
        return Path(filename).parent == self.target

    def _imports(self, home):
        """The import view student code runs in (grader.gateway.imports)."""
        return exercise_imports(self.target, home)

    def _student_frame(self, exc: BaseException, named: bool = False) -> traceback.FrameSummary | None:
        """The innermost frame of the traceback that is in the student's code (with
        named, in one of their functions: not a comprehension, lambda or module body)."""
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if self._is_student_file(frame.filename) and not (named and frame.name.startswith("<")):
                return frame
        return None

    def _error_text(self, exc: BaseException) -> str:
        if isinstance(exc, SyntaxError):
            return f"SyntaxError: {exc.msg} ({Path(exc.filename or '?').name}, line {exc.lineno})"
        text = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
        if len(text) > 300:
            text = text[:300] + " ..."
        frame = self._student_frame(exc)
        return text + (self._location(frame) if frame else "") + self._hint(exc)

    def _location(self, frame: traceback.FrameSummary) -> str:
        return f" ({Path(frame.filename).name}, line {frame.lineno})"

    def _hint(self, exc: BaseException) -> str:
        """What an import error means here, where only the exercise files are graded."""
        if isinstance(exc, ModuleNotFoundError) and exc.name and "." not in exc.name:
            files = [ex.file for ex in exercises()]
            return " " + messages.ONLY_EXERCISE_FILES.format(first=files[0], last=files[-1])
        if isinstance(exc, ImportError) and "relative import" in str(exc):
            return " " + messages.RELATIVE_IMPORT
        return ""

    # -- running code under the limits -------------------------------------------------
    def _limits(self, out, seconds: float, home):
        stack = contextlib.ExitStack()
        stack.enter_context(self._imports(home))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(out))
        stack.enter_context(signals_end_the_call())
        stack.enter_context(fresh_autograd())
        if not self.debug:
            stack.enter_context(swap_stdin())
            stack.enter_context(no_debugger(lambda frame: student_line(frame, self.target)))
            stack.enter_context(time_limit(seconds * self.time_scale, self._stopped_at))
        return stack

    def _where(self, filename: str, line: int, function: str) -> str:
        return f"{Path(filename).name}, line {line}, in {function}()"

    def _in_the_loop(self, filename: str, lines: list[int], function: str) -> str:
        """'stopped in the loop at FILE, line N, in F():' and the loop's header (the innermost
        for/while of F that holds these lines), or where it was when no loop holds them."""
        header = loops.loop_header(filename, lines)
        line = header or lines[-1]
        source = linecache.getline(filename, line).strip()
        text = ("stopped in the loop at " if header else "stopped at ") + self._where(filename, line, function)
        return text + (f":\n    {source}" if source else "")

    def _stopped_at(self, looks) -> tuple[str | None, str | None]:
        """Where the student's code was looping when the time limit stopped it, and in which
        function (grader.gateway.loops); a worker tells its grader at once, in case the code
        swallows the stop and has to be killed."""
        found = loops.looping_frame(looks, self._is_student_file)
        if found is None:
            return None, None
        frame, lines = found
        text = self._in_the_loop(frame.f_code.co_filename, lines, frame.f_code.co_name)
        self.on_event({"type": "stopped", "code": text})      # in student code, never inside a send
        return text, frame.f_code.co_name

    def _printing_at(self, exc: OutputFlood) -> str | None:
        """The loop that printed too much: the one around the student's line that printed last."""
        frame = self._student_frame(exc)
        if frame is None or frame.lineno is None:     # no line: no loop to name
            return None
        return self._in_the_loop(frame.filename, [frame.lineno], frame.name)

    def _contained(self, where: str, seconds: float, student: Student | None, fn,
                   exercise_id: str = "", home=None):
        out = BoundedOutput(OUTPUT_LIMIT, self.mirror_fd)

        def fail(kind: FailureKind, summary: str, code: str | None = None, exception: str | None = None,
                 function: str | None = None):
            if kind == FailureKind.NOT_IMPLEMENTED:      # a stub: one line, nothing more
                return StudentCodeError(kind, summary, function=function)
            shown = shorten(out.text())
            called = "; ".join(student.calls) if student and student.calls else None
            likely = student.likely if student and kind == FailureKind.RAISED else None
            return StudentCodeError(kind, summary, exception, called=called, output=shown or None,
                                    code=code, likely=likely)

        def debugger(call: str, code: str | None):
            ex = exercise(exercise_id) if exercise_id else None
            return fail(FailureKind.BREAKPOINT, messages.BREAKPOINT.format(
                call=call, exercise=exercise_id or "ex0N", test=f"test_{ex.module}.py" if ex else ""), code)

        def place() -> str:
            return f"{student.current}()" if student and student.current else where

        # Unseeded randomness in student code repeats identically on every run.
        seed_torch(0)
        random.seed(0)
        np.random.seed(0)
        try:
            with warnings.catch_warnings(record=True) as caught, self._limits(out, seconds, home):
                warnings.simplefilter("always")
                result = fn()
            for w in caught:
                text = f"{w.category.__name__}: {w.message}\n"
                if out.size + len(text) <= OUTPUT_LIMIT:
                    out._keep(text)
            return result, out.text()
        except NotImplementedYet as exc:
            raise fail(FailureKind.NOT_IMPLEMENTED, messages.NOT_IMPLEMENTED.format(function=exc.function),
                       function=exc.function)
        except MissingFunction as exc:
            file = student.file if student else where
            if exc.kind:
                raise fail(FailureKind.NOT_CALLABLE, messages.NOT_CALLABLE.format(
                    file=file, function=exc.function, kind=exc.kind), function=exc.function)
            raise fail(FailureKind.MISSING_FUNCTION, messages.MISSING_FUNCTION.format(
                file=file, function=exc.function), function=exc.function)
        except CallTimeout as exc:
            limit = seconds * self.time_scale
            looping = exc.function
            if student and student.current and looping and not looping.startswith("<") \
                    and looping != student.current:
                # Name the function that was looping, not only the one the grader called.
                raise fail(FailureKind.TIMED_OUT, messages.TIMED_OUT_INSIDE.format(
                    where=place(), seconds=limit, function=looping), exc.code)
            raise fail(FailureKind.TIMED_OUT, messages.TIMED_OUT.format(where=place(), seconds=limit), exc.code)
        except BreakpointCalled as exc:
            raise debugger(exc.call, exc.code)
        except bdb.BdbQuit as exc:          # another debugger, reading the empty stdin
            raise debugger("a debugger", _traceback_line(exc, self.target))
        except OutputFlood as exc:
            raise fail(FailureKind.OUTPUT_FLOOD, messages.OUTPUT_FLOOD.format(where=place(), limit=OUTPUT_LIMIT),
                       self._printing_at(exc))
        except Signalled as exc:            # as a worker's end by the signal is told
            raise fail(FailureKind.CRASHED, messages.CRASHED.format(
                signal=messages.signal_meaning(exc.number), where=f"inside {place()}" if student else f"while {where}"))
        except SystemExit as exc:
            raise fail(FailureKind.EXITED, messages.EXITED.format(how=f"sys.exit({exc.code!r})", where=place()))
        except KeyboardInterrupt:
            if not self.in_worker:
                raise                 # in the grader's own process, Ctrl-C stops grading
            raise fail(FailureKind.EXITED, messages.EXITED.format(how="KeyboardInterrupt", where=place()))
        except Exception as exc:
            if _out_of_memory(exc):
                raise fail(FailureKind.OUT_OF_MEMORY, messages.OUT_OF_MEMORY.format(
                    where=place(), limit=self.memory_limit))
            error = self._error_text(exc)
            if self.in_worker and isinstance(exc, PermissionError):
                error += " " + messages.WRITE_BLOCKED
            code = syntax_excerpt(exc) if isinstance(exc, SyntaxError) else None
            raise fail(FailureKind.RAISED, messages.RAISED.format(where=place(), error=error), code,
                       type(exc).__name__)

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
            raise StudentCodeError(FailureKind.MISSING_FILE,
                                   messages.MISSING_FILE.format(file=ex.file, target=self.shown_as))
        spec = importlib.util.spec_from_file_location(ex.module, path)
        assert spec is not None and spec.loader is not None     # a .py file has a source loader
        module = importlib.util.module_from_spec(spec)

        def load():
            spec.loader.exec_module(module)
            return module

        self._tell({"type": "importing", "file": ex.file})
        try:
            module, _ = self._contained(f"importing {ex.file}", IMPORT_LIMIT, None, load, ex_id, home=module)
        except StudentCodeError as exc:
            exc.kind = FailureKind.IMPORT_FAILED
            exc.summary = messages.IMPORT_FAILED.format(file=ex.file, error=exc.summary)
            exc.args = (exc.summary,)
            raise
        return module

    # -- probes ---------------------------------------------------------------------------
    def _run(self, probe, params) -> ProbeResult | StudentCodeError:
        # Each call gets its own copy of the inputs, as a worker does (they come over a
        # pipe): code that changes its arguments in place cannot change the next call's.
        params = copy.deepcopy(params)
        try:
            module = self.module(probe.exercise)
            student = Student(module, exercise(probe.exercise).file, on_call=self._tell)
            self._tell({"type": "probe", "probe": probe.name})
            data, output = self._contained(probe.name, probe.time_limit, student,
                                           lambda: probe.run(student, **params), probe.exercise, home=module)
            return ProbeResult(data, student.calls, output)
        except StudentCodeError as exc:
            return exc


def seed_torch(seed: int) -> None:
    """torch.manual_seed(seed), without the stack that it keeps where torch has no GPU
    support built in. torch.cuda queues each seed with the stack that set it
    (traceback.format_stack: 2 to 4 ms, in a worker that reads the sources for it) for a
    CUDA that may start later; a build without CUDA, MPS or XPU has only the CPU's
    generator to seed."""
    if _cpu_only():
        torch.default_generator.manual_seed(seed)
    else:
        torch.manual_seed(seed)


@functools.cache
def _cpu_only() -> bool:
    return not (torch.backends.cuda.is_built() or torch.backends.mps.is_built() or torch.xpu._is_compiled())


def prepare_torch() -> None:
    """One thread: the same float results on every machine, and faster for these sizes.
    The torch._dynamo stand-in saves a second per run (see grader/lazy_dynamo.py)."""
    torch.set_num_threads(1)
    lazy_dynamo.install()


def _out_of_memory(exc: Exception) -> bool:
    return isinstance(exc, MemoryError) or (
        isinstance(exc, RuntimeError) and "can't allocate memory" in str(exc))
