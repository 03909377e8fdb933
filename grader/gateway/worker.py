"""Student code runs in a worker process; the grader's process never imports or runs it.

The worker is forked from the zygote (grader/gateway/zygote.py), a process that has
imported torch and the probes but never held the seed, a submission or the instructor's
environment; its inputs come over the wire. It
enters the sandbox (grader.gateway.sandbox), then serves requests: "run this probe with these
params", answered with the plain data the probe reports (grader.gateway.wire). Before each import
and each call into student code it says so, so that when it dies the grader knows where.

One worker serves one exercise at a time, so that what one module does to the process
(a patched torch, a half-finished import) cannot reach another exercise's checks. A
worker that crashes, exits, hangs, stops or runs out of memory is ended and replaced; only
the probe it was running fails, with a message that says what happened and where. So is a
zygote that dies, stops or stops answering (grader/gateway/zygote_client.py).
"""
from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

from .. import messages
from ..checks.feedback import FailureKind, grader_error
from . import sandbox, wire, zygote_client
from ..course import exercise
from .base import IMPORT_LIMIT, OUTPUT_LIMIT, Gateway, ProbeResult, StudentCodeError, shorten
from .in_process import InProcessGateway, prepare_torch
from .limits import DEFAULT_MEMORY_LIMIT
from .zygote_client import ZygoteLost
from ..probes.registry import Probe

GRACE = 5.0                           # seconds past a call's own limit before it is killed
WORKER_FAILED = 70                    # the worker's own exit status when the grader's code in it fails
# Imported once in the zygote so that every worker starts with them, as it does with torch
# (each costs ~0.3 s, and joblib's probe for shared memory would warn inside the sandbox),
# and what every worker imports on its first call otherwise: the debugger the limits stub
# out (limits.no_debugger) and what torch.save and torch.load of the wire import.
PRELOADED = ("sklearn.datasets", "sklearn.model_selection", "pdb", "torch.utils.serialization.config")
ERROR_FIELDS = ("summary", "exception", "function", "called", "got", "expected", "likely", "output", "code")


def warm_up() -> None:
    """In the zygote, once: what every worker's first calls into torch and scikit-learn
    would each do again (the libraries' lazy set-up: ~10 ms per worker, and as much again
    for train_test_split's first call), on constants of its own. The random number
    generators are left as they were: a worker starts with the state it always had."""
    import numpy as np
    import torch
    from sklearn.datasets import make_blobs
    from sklearn.model_selection import train_test_split

    numpy_state = np.random.get_state()
    with torch.random.fork_rng(devices=[]):
        X, y = make_blobs(n_samples=20, n_features=2, centers=3, random_state=0)
        X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=0)
        X_t, y_t = torch.from_numpy(X_train).float(), torch.from_numpy(y_train).long()
        # Named unlike the solutions' lines: the release is searched for those (no leak).
        net = torch.nn.Sequential(*[torch.nn.Linear(2, 4), torch.nn.ReLU()], torch.nn.Linear(4, 3))
        sgd = torch.optim.SGD(net.parameters(), lr=0.1)
        cost = torch.nn.CrossEntropyLoss()(net(X_t), y_t)
        sgd.zero_grad()
        cost.backward()
        sgd.step()
        net.eval()
        no_autograd = torch.inference_mode()
        with no_autograd:
            torch.softmax(net(X_t), dim=1).argmax(dim=1)
    np.random.set_state(numpy_state)


def worker_available() -> bool:
    """The worker needs fork and the Linux sandbox (grader.gateway.sandbox). Elsewhere the grader
    runs student code in its own process, contained as far as one process allows."""
    return zygote_client.judge_available()          # what forks a judge forks a worker


def _gib(size: int) -> str:
    return f"{size / 2**30:g} GiB"


# -- the worker's side -----------------------------------------------------------------
def serve(requests: int, replies: int, target: Path, scratch: str, output_fd: int,
          memory_limit: int | None, time_scale: float) -> None:
    """The worker's life, in a process the zygote forked for it."""
    box = sandbox.enter(scratch, output_fd, memory_limit, keep=(requests, replies), submission=target)
    gateway = InProcessGateway(box.submission or target, shown_as=target, time_scale=time_scale, mirror_fd=1,
                               in_worker=True, on_event=lambda event: wire.send(replies, event))
    if memory_limit:
        gateway.memory_limit = _gib(memory_limit)
    reader = wire.Reader(requests)
    while True:
        try:
            request = reader.receive(deadline=float("inf"))
        except wire.WireError:
            return                                  # the grader is done with us
        os.ftruncate(1, 0)
        os.lseek(1, 0, os.SEEK_SET)
        try:
            result = gateway.run(request["probe"], **request["params"])
            reply = {"type": "result", "data": result.data, "calls": list(result.calls),
                     "output": result.output}
        except StudentCodeError as exc:
            reply = {"type": "error", "kind": exc.kind.value,
                     **{name: getattr(exc, name) for name in ERROR_FIELDS}}
        frame = wire.encode(reply)
        if len(frame) > wire.MAX_FRAME:              # the grader would refuse it unread
            summary = messages.TOO_LARGE.format(size=len(frame) / 2**20, limit=wire.MAX_FRAME / 2**20)
            frame = wire.encode({"type": "error", "kind": FailureKind.TOO_LARGE.value, "summary": summary,
                                 "called": "; ".join(reply.get("calls", [])) or None})
        wire.write(replies, frame)


# -- the grader's side -------------------------------------------------------------------
class WorkerDied(Exception):
    def __init__(self, summary: str, kind: FailureKind, where, code: str | None = None):
        super().__init__(summary)
        self.summary, self.kind, self.code = summary, kind, code
        self.during_import = bool(where and where[0] == "importing")


def _kind(value) -> FailureKind:
    """A reply's kind of failure; one the grader does not know is the code raising."""
    try:
        return FailureKind(value)
    except ValueError:
        return FailureKind.RAISED


def _text(value, limit: int = 2_000) -> str | None:
    """A field of a reply, as the grader accepts it: a string or nothing."""
    return value[:limit] if isinstance(value, str) else None


class Worker:
    """The grader's handle on one worker process, forked by this process's zygote."""

    def __init__(self, target: Path, *, memory_limit: int | None, time_scale: float):
        self.scratch = tempfile.mkdtemp(prefix="grader-worker-")
        self.output_path = os.path.join(self.scratch, ".printed")
        self.time_scale = time_scale
        output_fd = os.open(self.output_path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        requests_r, self._requests = os.pipe()
        self._replies, replies_w = os.pipe()
        self.pid: int | None = None
        try:
            for attempt in (1, 2):        # a zygote lost since the last worker is replaced once
                self.zygote = zygote_client.zygote()
                try:
                    self.pid = self.zygote.spawn((requests_r, replies_w, output_fd), str(target),
                                                 self.scratch, memory_limit, time_scale)
                    break
                except ZygoteLost:
                    if attempt == 2:
                        self.close()
                        raise
        finally:
            for fd in (requests_r, replies_w, output_fd):
                os.close(fd)
        self.reader = wire.Reader(self._replies)
        self.calls: list[str] = []
        self.on_activity = lambda text: None     # told what the worker is doing, in words

    # -- one request ----------------------------------------------------------------------
    def run(self, probe: Probe, params: dict) -> ProbeResult | StudentCodeError:
        """The probe's result or the student's error; raises WorkerDied when the worker
        ended, hung or sent something unreadable (it is then closed)."""
        start = time.monotonic()
        import_limit = IMPORT_LIMIT * self.time_scale + GRACE
        call_limit = probe.time_limit * self.time_scale + GRACE
        cap = start + import_limit + call_limit        # however many events arrive
        deadline = start + import_limit
        calls: list[str] = []
        where, timed_limit, stopped_at = None, None, None
        self.calls = calls                              # the student calls of this request
        try:
            wire.send(self._requests, {"probe": probe.name, "params": params})
        except OSError:
            pass                                        # a dead worker: found just below
        while True:
            try:
                message = self.reader.receive(min(deadline, cap))
            except wire.Silent:
                self.kill()
                seconds = timed_limit if timed_limit is not None else IMPORT_LIMIT * self.time_scale
                # Where the time limit found the code, if its signal got that far (code that
                # ignores the signal, or hangs inside a library call, leaves no line).
                raise WorkerDied(messages.TIMED_OUT.format(
                    where=self._place(where), seconds=seconds), FailureKind.TIMED_OUT, where, stopped_at) from None
            except wire.WireError as exc:
                raise self._death(where, exc) from None
            kind = message.get("type") if isinstance(message, dict) else None
            if kind == "importing":
                where = ("importing", _text(message.get("file")) or "?")
                deadline, timed_limit = time.monotonic() + import_limit, IMPORT_LIMIT * self.time_scale
                self.on_activity(f"importing {where[1]}")
            elif kind == "probe":
                deadline, timed_limit = time.monotonic() + call_limit, probe.time_limit * self.time_scale
            elif kind == "call":
                where = ("calling", _text(message.get("function"), 100) or "?")
                calls.append(_text(message.get("call"), 500) or "?")
                self.on_activity(calls[-1])
            elif kind == "stopped":
                stopped_at = _text(message.get("code"), 1_000)
            elif kind == "result" and isinstance(message.get("data"), dict):
                got = message.get("calls")
                got = [c for c in got if isinstance(c, str)] if isinstance(got, list) else calls
                return ProbeResult(message["data"], got, _text(message.get("output"), OUTPUT_LIMIT) or "")
            elif kind == "error":
                fields = {name: _text(message.get(name)) for name in ERROR_FIELDS}
                summary = fields.pop("summary") or "your code failed"
                return StudentCodeError(_kind(message.get("kind")), summary, **fields)
            else:
                self.kill()
                raise WorkerDied(messages.UNREADABLE_REPLY.format(
                    where=self._place(where), error="a message of an unknown kind"), FailureKind.TAMPERED, where)

    @staticmethod
    def _place(where) -> str:
        if where is None:
            return "before your code was reached"
        action, name = where
        return f"while importing {name}" if action == "importing" else f"inside {name}()"

    def _death(self, where, error: wire.WireError) -> WorkerDied:
        """What ended the worker, from its exit status, as the student should read it."""
        place = self._place(where)
        # A whole frame it cannot read was written on purpose, whatever the worker does next:
        # said at once, not after waiting to see whether it ends (2 s, and a message that
        # would depend on it).
        try:
            waits = not isinstance(error, wire.Unreadable)
            ended = self.zygote.status(self.pid, 2.0) if self.pid and waits else None
            if ended is None:                        # alive but talking nonsense
                self.kill()
                return WorkerDied(messages.UNREADABLE_REPLY.format(where=place, error=error),
                                  FailureKind.TAMPERED, where)
        except ZygoteLost as lost:
            self.pid = None
            return WorkerDied(messages.WORKER_LOST.format(where=place, fate=lost.fate), FailureKind.LOST, where)
        self.pid = None
        status, stopped = ended
        if stopped:
            return WorkerDied(messages.STOPPED.format(signal=messages.signal_meaning(stopped), where=place),
                              FailureKind.STOPPED, where)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == WORKER_FAILED and where is None:
            return WorkerDied(grader_error("the worker process failed"), FailureKind.GRADER_ERROR, where)
        if os.WIFEXITED(status):
            how = f"os._exit({os.WEXITSTATUS(status)})"
            return WorkerDied(messages.ENDED_PROCESS.format(how=how, where=place), FailureKind.EXITED, where)
        number = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        if number == signal.SIGKILL:
            return WorkerDied(messages.KILLED.format(signal="SIGKILL", where=place), FailureKind.OUT_OF_MEMORY, where)
        return WorkerDied(messages.CRASHED.format(signal=messages.signal_meaning(number), where=place),
                          FailureKind.CRASHED, where)

    def printed(self) -> str:
        """What the worker printed during its last request (kept after a crash)."""
        try:
            with open(self.output_path, "rb") as f:
                return f.read(OUTPUT_LIMIT).decode("utf-8", "replace")
        except OSError:
            return ""

    def kill(self) -> None:
        """End the worker and everything it started in its process group (the zygote does,
        as its parent; a zygote that cannot is killed, and its workers die with it)."""
        if self.pid:
            try:
                self.zygote.kill(self.pid)
            except ZygoteLost:
                pass
            self.pid = None

    def close(self) -> None:
        """kill(), and release the pipes and the scratch folder."""
        self.kill()
        for fd in (self._requests, self._replies):
            try:
                os.close(fd)
            except OSError:
                pass
        self._requests = self._replies = -1
        shutil.rmtree(self.scratch, ignore_errors=True)


class WorkerGateway(Gateway):
    """The grader's gateway: every probe runs in a worker process and only plain data
    comes back."""

    def __init__(self, target: Path | str, *, time_scale: float = 1.0,
                 memory_limit: int | None = DEFAULT_MEMORY_LIMIT):
        super().__init__()
        self.target = Path(target).resolve()
        self.time_scale, self.memory_limit = time_scale, memory_limit
        self._ended_at_import: dict[str, StudentCodeError] = {}
        self._worker: Worker | None = None
        self._worker_exercise: str | None = None
        zygote_client.start_early()                    # if the command line has not yet
        prepare_torch()                                # the grader's own computations

    def _run(self, probe: Probe, params: dict) -> ProbeResult | StudentCodeError:
        ex = probe.exercise
        if ex in self._ended_at_import:               # importing it again would end again
            return self._ended_at_import[ex]
        try:
            worker = self._worker_for(ex)
        except ZygoteLost as lost:
            return StudentCodeError(FailureKind.GRADER_ERROR, grader_error(
                f"no process to run your code could be started (the zygote was {lost.fate})"))
        try:
            return worker.run(probe, params)
        except WorkerDied as death:
            output = shorten(worker.printed()) or None
            worker.close()
            self._worker = None
            called = "; ".join(worker.calls) or None
            error = StudentCodeError(death.kind, death.summary, called=called, output=output,
                                     code=death.code)
            if death.during_import:
                error.kind = FailureKind.IMPORT_FAILED
                error.summary = messages.IMPORT_FAILED.format(file=exercise(ex).file, error=death.summary)
                error.args = (error.summary,)
                self._ended_at_import[ex] = error
            return error

    def _worker_for(self, ex: str) -> Worker:
        if self._worker is None or self._worker_exercise != ex:
            self.close()
            self._worker = Worker(self.target, memory_limit=self.memory_limit, time_scale=self.time_scale)
            self._worker.on_activity = lambda text: self.on_activity(text)
            self._worker_exercise = ex
        return self._worker

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def __del__(self):
        self.close()
