"""Grade a class in forked processes that the batch's main process supervises.

multiprocessing.Pool waits forever for a task whose process was killed, and a stopped
process hangs it. Here each grading process takes one job at a time over its own pipes and
shares the main process's zygote (grader/gateway/zygote_client.py) through a socket of its
own, and the main process watches every one: a process that dies, stops, or spends longer
than `limit` seconds on one job is killed with its process group and replaced, and that
job's outcome is a Lost saying what happened. Its socket closes with it, and the zygote then
kills its judge and the judge's workers. Every other job is still graded.

Outcomes come back as length-prefixed JSON, at most MAX_RESULT bytes: never pickle, so
nothing a grading process sends can run code in the main process.
"""
from __future__ import annotations

import json
import os
import select
import signal
import struct
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Generator

from .. import messages

HEADER = struct.Struct("<Q")
MAX_RESULT = 16 * 2**20            # bytes; a record is tens of kilobytes


@dataclass(frozen=True)
class Lost:
    """A job whose grading process did not bring back an outcome, and why, in words."""
    reason: str


@dataclass
class _Process:
    pid: int
    tasks: int                       # write end: job numbers, one per line
    results: int                     # read end: framed JSON outcomes
    job: int | None = None
    started: float = 0.0
    buffer: bytearray = field(default_factory=bytearray)
    status: int | None = None        # its wait status, once it has ended


def _serve(tasks: int, results: int, jobs: list, grade: Callable, zygote) -> None:
    """A grading process's life: a job number in, its outcome out, until end of file."""
    from ..gateway import adopt_zygote, start_zygote_early

    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is the main process's
    if zygote is not None:
        adopt_zygote(zygote)
    else:
        start_zygote_early()                          # its imports overlap the first job's
    lines = os.fdopen(tasks, "r")
    for line in lines:
        data = json.dumps(grade(jobs[int(line)])).encode()
        view = memoryview(HEADER.pack(len(data)) + data)
        while view:
            view = view[os.write(results, view):]


class Supervisor:
    def __init__(self, jobs: list, grade: Callable, size: int, limit: float):
        self.jobs, self.grade, self.size, self.limit = jobs, grade, size, limit
        self.processes: list[_Process] = []

    def _start(self) -> _Process:
        from ..gateway import share_zygote

        zygote = share_zygote()            # None where there is none: it starts its own
        tasks_r, tasks_w = os.pipe()
        results_r, results_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                os.setpgid(0, 0)
                for fd in (tasks_w, results_r, *(n for p in self.processes for n in (p.tasks, p.results))):
                    os.close(fd)
                _serve(tasks_r, results_w, self.jobs, self.grade, zygote)
                status = 0
            finally:
                os._exit(status)
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass                    # it did so itself already
        if zygote is not None:
            zygote.close()          # the grading process's alone: it closes when that one ends
        os.close(tasks_r)
        os.close(results_w)
        process = _Process(pid, tasks_w, results_r)
        self.processes.append(process)
        return process

    def _assign(self, process: _Process, job: int, queue: deque) -> None:
        process.job, process.started, process.buffer = job, time.monotonic(), bytearray()
        try:
            os.write(process.tasks, f"{job}\n".encode())
        except OSError:                 # it died just now, before taking the job
            process.job = None
            self._end(process)
            queue.appendleft(job)

    def _end(self, process: _Process) -> None:
        """Kill the process and its group, reap it and forget it."""
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if process.status is None or os.WIFSTOPPED(process.status):
            try:
                os.waitpid(process.pid, 0)
            except ChildProcessError:
                pass
        for fd in (process.tasks, process.results):
            os.close(fd)
        self.processes.remove(process)

    def _lose(self, process: _Process, reason: str):
        job = process.job
        assert job is not None                   # only a busy process is read or watched
        self._end(process)
        return self.jobs[job], Lost(reason)

    def _read(self, process: _Process):
        """The job and its outcome once a whole frame has come; None before that."""
        chunk = os.read(process.results, 1 << 20)
        if not chunk:
            return self._lose(process, self._how_it_ended(process))
        process.buffer += chunk
        if len(process.buffer) < HEADER.size:
            return None
        (size,) = HEADER.unpack_from(process.buffer)
        if size > MAX_RESULT:
            return self._lose(process, f"its grading process sent {size:,} bytes, more than a result can be")
        if len(process.buffer) < HEADER.size + size:
            return None
        try:
            outcome = json.loads(bytes(process.buffer[HEADER.size:HEADER.size + size]))
        except ValueError:
            return self._lose(process, "its grading process sent something unreadable")
        job, process.job = process.job, None
        assert job is not None                   # only a busy process is read
        return self.jobs[job], outcome

    def _how_it_ended(self, process: _Process) -> str:
        status = process.status
        if status is None:
            try:
                status = os.waitpid(process.pid, 0)[1]
            except ChildProcessError:
                return "its grading process ended"
        if os.WIFSIGNALED(status):
            return f"its grading process was killed ({messages.signal_name(os.WTERMSIG(status))})"
        return f"its grading process ended (exit status {os.WEXITSTATUS(status)})"

    def _watch(self, process: _Process):
        """A Lost outcome if the process has stopped, died or run past the limit."""
        try:
            pid, status = os.waitpid(process.pid, os.WNOHANG | os.WUNTRACED)
        except ChildProcessError:
            pid, status = 0, 0
        if pid and os.WIFSTOPPED(status):       # in its own process group: not Ctrl-Z
            return self._lose(process, f"its grading process was stopped ({messages.signal_name(os.WSTOPSIG(status))})")
        if pid:                                  # ended: what it wrote before is still read
            process.status = status
            found = None
            while found is None:
                found = self._read(process)
            return found
        if time.monotonic() - process.started > self.limit:
            return self._lose(process, f"its grading took longer than {self.limit:g} s")
        return None

    def run(self) -> Generator[tuple[Any, Any], None, None]:
        """(job, outcome or Lost) for every job, in the order they finish."""
        queue = deque(range(len(self.jobs)))
        try:
            while queue or any(p.job is not None for p in self.processes):
                for process in [p for p in self.processes if p.job is None]:
                    if self._ended(process):
                        self._end(process)          # killed while idle: replaced below
                    elif queue:
                        self._assign(process, queue.popleft(), queue)
                while queue and len(self.processes) < self.size:
                    self._assign(self._start(), queue.popleft(), queue)
                busy = [p for p in self.processes if p.job is not None]
                ready, _, _ = select.select([p.results for p in busy], [], [], 0.2)
                for process in busy:
                    found = self._read(process) if process.results in ready else self._watch(process)
                    if found is not None:
                        yield found
        finally:
            for process in list(self.processes):
                self._end(process)

    @staticmethod
    def _ended(process: _Process) -> bool:
        if process.status is not None:
            return True
        try:
            pid, status = os.waitpid(process.pid, os.WNOHANG | os.WUNTRACED)
        except ChildProcessError:
            return True
        if pid:
            process.status = status
        return bool(pid)


def supervise(jobs: list, grade: Callable, size: int, limit: float) -> Generator[tuple[Any, Any], None, None]:
    return Supervisor(jobs, grade, size, limit).run()
