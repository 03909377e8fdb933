"""A grading run on a terminal: a status line says what is being graded while it takes
long (never on a stderr that is not a terminal), and Ctrl-C stops it with one line and
exit status 130, not the grader's traceback."""
from __future__ import annotations

import io
import os
import pty
import select
import signal
import subprocess
import sys
import time

from grader.course import ROOT
from grader.messages import INTERRUPTED
from grader.platforms.status import StatusLine

ENDLESS_STEP = ("def train_step(model, X, y, loss_fn, optimizer):\n    n = 0\n"
                "    while True:\n        n += 1\n")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_status_line_draws_what_is_being_done_and_erases_itself():
    stream = Terminal()
    with StatusLine(stream, delay=0, interval=0.01) as status:
        status("grading ex04 Training loop: train(<model>)")
        deadline = time.monotonic() + 10
        while "train(<model>)" not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
    drawn = stream.getvalue()
    assert "\rgrading ex04 Training loop: train(<model>)  0 s" in drawn
    assert drawn.endswith("\r")                           # erased: the report starts clean


def test_no_status_line_unless_stderr_is_a_terminal():
    stream = io.StringIO()
    with StatusLine(stream, delay=0, interval=0.01) as status:
        status("grading")
        time.sleep(0.1)
    assert stream.getvalue() == ""


def read_until(fd: int, text: str, seconds: float) -> str:
    seen, deadline = "", time.monotonic() + seconds
    while text not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 4096).decode(errors="replace")
            except OSError:
                break
    return seen


def test_a_long_run_shows_its_call_and_ctrl_c_stops_it_with_one_line(submission):
    folder = submission(ex04=ENDLESS_STEP)
    terminal, stderr = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "grader", "--target", str(folder), "--only", "ex04"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True,
                            start_new_session=True)
    os.close(stderr)
    try:
        shown = read_until(terminal, "train_step(<model>", 120)
        assert "grading ex04 Training loop: train_step(<model>" in shown, shown[-500:]
        os.killpg(proc.pid, signal.SIGINT)                # Ctrl-C: the terminal's whole group
        stdout, _ = proc.communicate(timeout=60)
        rest = read_until(terminal, INTERRUPTED, 5)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(terminal)
    assert proc.returncode == 130 and stdout == ""
    assert rest.rstrip().endswith(INTERRUPTED) and "Traceback" not in rest
    assert rest.replace("\r", "\n").strip().splitlines()[-1] == INTERRUPTED
