"""The limits student code runs under inside one process: a time limit (SIGALRM), bounded
print output, and an empty stdin. Stopping code raises a BaseException, so that
`except Exception` in the student's code cannot swallow it."""
from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
import threading

from .loops import LOOK_EVERY, LOOKS, look

# A worker's (the command line's default for --memory-limit, read without torch).
DEFAULT_MEMORY_LIMIT = 4 * 2**30      # bytes of address space; torch alone takes ~0.9 GiB


class _Stop(BaseException):
    """Raised inside student code to stop it; a BaseException so `except Exception` in
    the student's code cannot swallow it."""


class CallTimeout(_Stop):
    def __init__(self, code: str | None = None, function: str | None = None):
        super().__init__(code)
        self.code = code            # where the student's code was looping when it was stopped
        self.function = function    # the student's function that was looping


class BreakpointCalled(_Stop):
    """breakpoint() in student code that runs under the limits, where no one can answer a
    debugger (stdin is empty): stopped with a message that says how to debug instead."""

    def __init__(self, call: str, code: str | None = None):
        super().__init__(call, code)
        self.call, self.code = call, code


class OutputFlood(_Stop):
    pass


class BoundedOutput(io.TextIOBase):
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
def time_limit(seconds: float, locate=None):
    """SIGALRM-based limit: interrupts Python-level loops in this process. (Where no
    signal is available the call simply runs unlimited.) Just before the limit it looks at
    the stack a few times (loops.LOOKS); locate(looks) says where the code was looping, as
    (code, function), and the CallTimeout carries it."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    every = min(LOOK_EVERY, seconds / 10)
    looks: list = []

    def on_alarm(signum, frame):
        looks.append(look(frame))
        if len(looks) < LOOKS:
            signal.setitimer(signal.ITIMER_REAL, every)
            return
        raise CallTimeout(*(locate(looks) if locate else (None, None)))

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(seconds - every * (LOOKS - 1), 1e-3))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        looks.clear()               # frames hold the student's locals


@contextlib.contextmanager
def swap_stdin():
    """Student code reading input() gets end-of-file, never a hang."""
    saved = sys.stdin
    sys.stdin = io.StringIO("")
    try:
        yield
    finally:
        sys.stdin = saved


@contextlib.contextmanager
def no_debugger(locate):
    """breakpoint() and pdb.set_trace() raise BreakpointCalled (with locate(frame of the
    call)) instead of starting a debugger that would read an empty stdin and end in BdbQuit."""
    import pdb

    def stop(call):
        def hook(*args, **kwargs):
            raise BreakpointCalled(call, locate(sys._getframe(1)))
        return hook

    saved = sys.breakpointhook, pdb.set_trace
    sys.breakpointhook, pdb.set_trace = stop("breakpoint()"), stop("pdb.set_trace()")
    try:
        yield
    finally:
        sys.breakpointhook, pdb.set_trace = saved
