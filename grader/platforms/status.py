"""What a grading run is doing, on one line of a terminal, while it takes long; and how far
batch grading is (ProgressBar).

    with StatusLine() as status:
        report = grade(target, on_activity=status)

The grader tells the line what it is doing ("grading ex04 Training loop: train(<model>, ...)");
after `delay` seconds of grading a background thread starts drawing it, with the seconds
spent on the current step, rewritten in place, and the line is erased when grading ends.
It draws only when its stream (stderr) is a terminal, so logs, pipes, --format json on
stdout and notebook cells never see it.
"""
from __future__ import annotations

import os
import shutil
import sys
import threading
import time

from ..untrusted import one_line

DELAY = 2.0          # seconds of silence that are fine; a status line after that
INTERVAL = 0.25      # seconds between redraws


def is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _columns(stream) -> int:
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        columns = 0
    return columns or shutil.get_terminal_size((80, 24)).columns


class StatusLine:
    def __init__(self, stream=None, delay: float = DELAY, interval: float = INTERVAL, live: bool = True):
        self.stream = stream if stream is not None else sys.stderr
        self.delay, self.interval = delay, interval
        self.live = live and is_terminal(self.stream)
        self.text, self.since = "starting", time.monotonic()
        self._drawn = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, text: str) -> None:
        """What is being done now (called from the grading thread; cheap)."""
        self.text, self.since = text, time.monotonic()

    def __enter__(self) -> StatusLine:
        if self.live:
            self._started = time.monotonic()
            self._thread = threading.Thread(target=self._loop, name="grader-status", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop drawing and erase the line (again: nothing happens)."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        if self._drawn:
            self._write("\r" + " " * self._drawn + "\r")
            self._drawn = 0

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            if time.monotonic() - self._started >= self.delay:
                self._draw()

    def _draw(self) -> None:
        seconds = time.monotonic() - self.since
        line = self.text
        suffix = f"  {seconds:.0f} s"
        width = max(20, _columns(self.stream) - 1)
        if len(line) + len(suffix) > width:
            line = line[: width - len(suffix) - 3] + "..."
        line += suffix
        self._write("\r" + line + " " * max(0, self._drawn - len(line)))
        self._drawn = len(line)

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass


class ProgressBar:
    """How far batch grading is: one line on stderr, rewritten in place on a terminal, one
    line per step otherwise."""
    WIDTH = 30

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.started = time.perf_counter()
        self.live = stream.isatty()

    def step(self, label: str) -> None:
        self.done += 1
        filled = round(self.WIDTH * self.done / self.total) if self.total else self.WIDTH
        elapsed = time.perf_counter() - self.started
        line = (f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done}/{self.total} "
                f"{elapsed:5.1f}s  {label}")
        line = one_line(line)             # a student's folder name may hold escapes
        self.stream.write(("\r\x1b[K" + line) if self.live else line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.live and self.done:
            self.stream.write("\n")
