"""The limits student code runs under inside one process: a time limit (SIGALRM), bounded
print output, an empty stdin, and a signal the code sends itself ending its call. Stopping
code raises a BaseException, so that `except Exception` in the student's code cannot
swallow it."""
from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # signal's C half
import contextlib
import functools
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


class Signalled(_Stop):
    """A signal whose default action ends the process reached student code (it sent it
    to itself, most likely): the call ends as the process would have, with the signal."""

    def __init__(self, number: int):
        super().__init__(number)
        self.number = number


# The signals whose default action ends a process, but for those the grader handles itself
# (SIGINT: Ctrl-C; SIGALRM: the time limit), those Python ignores (SIGPIPE, SIGXFSZ), and
# the faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS): after a real fault, a
# Python handler returns to the faulting instruction, forever.
_ENDING = ("SIGHUP", "SIGQUIT", "SIGABRT", "SIGUSR1", "SIGUSR2", "SIGTERM", "SIGSTKFLT", "SIGXCPU",
           "SIGVTALRM", "SIGPROF", "SIGIO", "SIGPWR", "SIGEMT", "SIGLOST", "SIGINFO")


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
def fresh_autograd():
    """Autograd as a new process has it (on, and not in inference mode), whatever the caller
    left, and the caller's own state back afterwards. A verdict must not depend on what ran
    before it: a notebook cell that turned gradients off, or a time limit that struck inside
    torch.no_grad().__enter__ and so left them off for good. Without torch loaded, nothing."""
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    with torch.inference_mode(False), torch.enable_grad():
        yield


@functools.cache
def _ending_signals() -> tuple[int, ...]:
    named = [getattr(signal, name) for name in _ENDING if hasattr(signal, name)]
    real_time = range(signal.SIGRTMIN, signal.SIGRTMAX + 1) if hasattr(signal, "SIGRTMIN") else ()
    return tuple(sorted({int(n) for n in (*named, *real_time)}))


@contextlib.contextmanager
def signals_end_the_call():
    """While student code runs, a signal that would end the process raises Signalled, and
    os.abort() does so with SIGABRT: the call ends with the signal's name, on every path.
    Without it a worker, pid 1 of its namespace, would ignore the signals it sends itself
    (the kernel protects a namespace's init from them), and the grader's own process
    (--in-process, macOS) would end with no report. Only a signal's default disposition is
    replaced: a handler the student's code installs is theirs, before and after the call.
    Only the main thread may handle signals (elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(number, frame):
        raise Signalled(number)

    def abort():
        raise Signalled(signal.SIGABRT)

    # _signal: the calls signal wraps, without turning each number and handler into an
    # enum and back (0.6 ms per call into student code, 45 signals twice over; 0.1 ms).
    replaced = []
    for number in _ending_signals():
        try:
            if _signal.getsignal(number) == _signal.SIG_DFL:
                _signal.signal(number, on_signal)
                replaced.append(number)
        except (OSError, ValueError):
            pass                         # one the platform reserves (glibc's real-time two)
    saved_abort, os.abort = os.abort, abort
    try:
        yield
    finally:
        if os.abort is abort:
            os.abort = saved_abort
        for number in replaced:
            if _signal.getsignal(number) is on_signal:
                _signal.signal(number, _signal.SIG_DFL)


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
