"""The grader's side of its zygote (grader/gateway/zygote.py), the process that forks workers.

One zygote per grading process (a batch's processes share their main process's: share(),
adopt()), started as early as possible (a command starts it before the
grader imports torch, so that the two imports overlap) and kept warm: the watch forks a
worker from it on every save. It is started by exec, never by fork, with a minimal
environment (ENVIRONMENT: no tokens) and nothing secret on its command line.

Every answer it owes has a deadline, and a zygote that dies, stops (a stopped process is a
silent one) or stops answering is "lost": it is killed, which kills its workers too (they
die with their parent), and the next request starts a new one. No torch here.
"""
from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .. import messages
from .control import MAX_MESSAGE, send

ENVIRONMENT = ("PATH", "LANG", "LANGUAGE", "TZ", "TMPDIR")      # and every LC_*
# The path of a zygote's socket (Zygote.listen) that this process grades through instead
# of starting its own: a test session's, so that each grading process a test starts does
# not import torch again. Never passed on to a zygote or a worker (ENVIRONMENT).
SHARED = "GRADER_ZYGOTE"
HOME = str(Path(__file__).resolve().parents[2])     # where this grader package lives
# The module whose serve(channel) a judge runs (zygote.py): named, never imported here, as
# the gateway imports nothing above it.
JUDGE = "grader.judge"
READY_LIMIT = 120.0          # seconds for a new zygote to import torch and the probes
ANSWER_LIMIT = 5.0           # seconds for any other answer: a fork, an ended worker
STOPPED_LIMIT = 1.0          # seconds a zygote may stay stopped (Ctrl-Z stops it with us)


class ZygoteLost(Exception):
    """The zygote died, stopped or did not answer in time; `fate` says which, in words."""

    def __init__(self, fate: str):
        super().__init__(fate)
        self.fate = fate


def available() -> bool:
    return sys.platform.startswith("linux") and hasattr(socket, "send_fds")


def judge_available() -> bool:
    """Where a zygote can fork workers, it can fork a judge (grader/judge.py)."""
    return available() and hasattr(os, "fork")


def environment() -> dict[str, str]:
    """The zygote's environment: what Python and torch need, nothing of the instructor's."""
    env = {k: v for k, v in os.environ.items() if k in ENVIRONMENT or k.startswith("LC_")}
    env["PYTHONPATH"] = os.pathsep.join([HOME, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])
    return env


class Zygote:
    def __init__(self):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        main = threading.current_thread() is threading.main_thread()
        try:
            # PR_SET_PDEATHSIG fires when the thread that started it ends: only from the
            # main thread; otherwise it ends when the grader closes the socket.
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "grader.gateway.zygote", "--judge", JUDGE,
                 *(["--die-with-parent"] if main else [])],
                stdin=theirs, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env=environment(), cwd=HOME, close_fds=True)
        finally:
            theirs.close()
        self._talk_over(ours, ready=False)

    def _talk_over(self, sock: socket.socket, ready: bool) -> None:
        """The state of talking to a zygote over sock, from this process."""
        self.sock = sock
        self.owner = os.getpid()
        self.ready = ready
        self.ended: dict[int, tuple[int, int | None]] = {}     # pid -> (wait status, stop signal)
        self.lock = threading.RLock()
        self._stopped_since: float | None = None
        self.lost: str | None = None
        self.shared: list[int] = []          # sockets it sent for other grading processes

    # -- its health ----------------------------------------------------------------------
    def _check(self) -> None:
        """Raise ZygoteLost if it has died or stayed stopped."""
        code = self.proc.poll()
        if code is not None:
            how = f"killed ({messages.signal_name(-code)})" if code < 0 else f"ended (exit status {code})"
            raise self._lose(how)
        try:
            with open(f"/proc/{self.proc.pid}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            return
        if state in (b"T", b"t"):
            now = time.monotonic()
            self._stopped_since = self._stopped_since or now
            if now - self._stopped_since >= STOPPED_LIMIT:
                raise self._lose("stopped (SIGSTOP)")
        else:
            self._stopped_since = None

    def _lose(self, fate: str) -> ZygoteLost:
        self.lost = self.lost or fate
        self.close()
        return ZygoteLost(self.lost)

    # -- messages --------------------------------------------------------------------------
    def _receive(self, deadline: float) -> dict | None:
        """Its next message; None at the deadline. Raises ZygoteLost."""
        while True:
            self._check()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.sock], [], [], min(left, 0.1))
            if not ready:
                continue
            try:
                data, fds, flags, _ = socket.recv_fds(self.sock, MAX_MESSAGE, 4)
            except OSError as exc:
                raise self._lose(f"unreachable ({exc.strerror})") from None
            if not data:                                    # it closed its end: it is ending
                try:
                    if self.proc is not None:
                        self.proc.wait(timeout=1.0)
                except subprocess.TimeoutExpired:
                    pass
                self._check()
                raise self._lose("gone (it closed its end)")
            try:
                message = json.loads(data)
                if flags & socket.MSG_TRUNC or not isinstance(message, dict):
                    raise ValueError
            except ValueError:
                message = None
            if message is not None and message.get("op") == "client" and len(fds) == 1:
                self.shared.append(fds.pop())               # a socket for a batch's process
            for fd in fds:                                  # it sends no other
                os.close(fd)
            if message is None:
                raise self._lose("talking nonsense")
            if message.get("op") == "ended" and all(type(message.get(k)) is int for k in ("pid", "status")):
                stopped = message.get("stopped")
                self.ended[message["pid"]] = (message["status"], stopped if type(stopped) is int else None)
            return message

    def _await(self, op: str, limit: float, what: str) -> dict:
        deadline = time.monotonic() + limit
        while True:
            message = self._receive(deadline)
            if message is None:
                raise self._lose(f"silent (no answer to {what} within {limit:g} s)")
            if message.get("op") == op:
                return message

    def _send(self, message: dict, fds: tuple[int, ...] = ()) -> None:
        try:
            send(self.sock, message, fds)
        except OSError as exc:
            self._check()
            raise self._lose(f"unreachable ({exc.strerror})") from None

    # -- what the grader asks -------------------------------------------------------------
    def spawn(self, fds: tuple[int, int, int], target: str, scratch: str, memory_limit: int | None,
              time_scale: float) -> int:
        """Fork a worker that reads requests from fds[0], writes replies to fds[1] and
        prints into fds[2]; its pid."""
        return self._fork({"op": "spawn", "target": target, "scratch": scratch,
                           "memory_limit": memory_limit, "time_scale": time_scale}, fds, "spawned", "a fork")

    def status(self, pid: int, wait: float) -> tuple[int, int | None] | None:
        """The worker's wait status and the signal that stopped it (if one did), once it
        has ended; None if it is still running after `wait` seconds. Raises ZygoteLost."""
        with self.lock:
            deadline = time.monotonic() + wait
            while pid not in self.ended:
                if self.lost:
                    raise ZygoteLost(self.lost)
                if self._receive(deadline) is None:
                    return None
            return self.ended.pop(pid)

    def judge(self, channel: int) -> int:
        """Fork a judge (grader/judge.py) that talks to this process over `channel`; its pid."""
        return self._fork({"op": "judge"}, (channel,), "judging", "a judge")

    def listen(self, path: Path | str) -> None:
        """Also serve every process that connects to a unix socket at path, as a grader
        of its own (SHARED): a test session's zygote."""
        server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            server.bind(str(path))
            server.listen(64)
            with self.lock:
                self._ask({"op": "listen"}, (server.fileno(),))
        finally:
            server.close()

    def share(self) -> socket.socket:
        """A socket through which another grading process (a batch's, forked from this
        one) asks this zygote for its own judges and workers. Raises ZygoteLost."""
        with self.lock:
            self._ask({"op": "client"}, ())
            self._await("client", ANSWER_LIMIT, "a socket for another grading process")
            if not self.shared:
                raise self._lose("talking nonsense")
            return socket.socket(fileno=self.shared.pop())

    def _ask(self, request: dict, fds: tuple[int, ...]) -> None:
        """Send a request once the zygote is ready."""
        if self.lost:
            raise ZygoteLost(self.lost)
        if not self.ready:
            self._await("ready", READY_LIMIT, "starting up")
            self.ready = True
        self._send(request, fds)

    def _fork(self, request: dict, fds: tuple[int, ...], answer: str, what: str) -> int:
        """Ask for a child (once the zygote is ready) and wait for its pid."""
        with self.lock:
            self._ask(request, fds)
            pid = self._await(answer, ANSWER_LIMIT, what).get("pid")
            if not isinstance(pid, int) or pid <= 0:
                raise self._lose("talking nonsense")
            return pid

    def kill(self, pid: int) -> tuple[int, int | None]:
        """Kill the worker and its process group; its end, once the zygote reports it."""
        with self.lock:
            if pid in self.ended:
                return self.ended.pop(pid)
            if self.lost:
                raise ZygoteLost(self.lost)
            self._send({"op": "kill", "pid": pid})
            ended = self.status(pid, ANSWER_LIMIT)
            if ended is None:
                raise self._lose(f"silent (a killed worker's end not reported within {ANSWER_LIMIT:g} s)")
            return ended

    def close(self) -> None:
        """Kill it, and with it every worker it forked (they die with their parent)."""
        if os.getpid() != self.owner:
            return
        try:
            self.sock.close()
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=ANSWER_LIMIT)
            except subprocess.TimeoutExpired:
                pass


class ParentZygote(Zygote):
    """A judge's zygote: the one that forked it, over the control socket it was given. The
    judge dies with it (die_with_parent), so there is nothing of its health to watch, and
    nothing to start again: a lost one ends grading in the judge, and the grader grades
    again without it."""

    def __init__(self, sock: socket.socket):
        self.proc = None            # type: ignore[assignment]
        self._talk_over(sock, ready=True)

    def _check(self) -> None:
        pass

    def close(self) -> None:
        if os.getpid() == self.owner:
            self.sock.close()


class SharedZygote(ParentZygote):
    """A share of another process's zygote, through a socket of its own (a batch's grading
    process, share(); a test session's, SHARED): its own judges and workers. If it is lost,
    this process starts its own."""


_zygote: Zygote | None = None
_guard = threading.Lock()
use_shared = True           # False: never SHARED (a test session's own process)


def _connect_shared() -> SharedZygote | None:
    """The zygote at SHARED's path, if one is set and answers."""
    global use_shared
    path = os.environ.get(SHARED)
    if not (use_shared and path):
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        sock.connect(path)
        sock.settimeout(ANSWER_LIMIT)
        hello = json.loads(sock.recv(MAX_MESSAGE))
        sock.settimeout(None)
        if hello.get("op") != "hello" or hello.get("home") != HOME:
            raise ValueError("another copy's zygote")
    except (OSError, ValueError, AttributeError):
        sock.close()
        use_shared = False
        return None
    return SharedZygote(sock)


def zygote() -> Zygote:
    """This process's zygote, started if there is none or the last one was lost."""
    global _zygote, use_shared
    with _guard:
        if isinstance(_zygote, ParentZygote):
            if not (isinstance(_zygote, SharedZygote) and _zygote.lost):
                return _zygote      # a judge never starts a zygote of its own
            use_shared = False      # a share that was lost: this process's own from now on
        if _zygote is None or _zygote.lost or _zygote.owner != os.getpid():
            _zygote = _connect_shared() or Zygote()
        return _zygote


def attach(sock: socket.socket) -> None:
    """In a judge: its zygote is the one that forked it."""
    global _zygote
    _zygote = ParentZygote(sock)


def share() -> socket.socket | None:
    """A socket for a grading process this one is about to fork (adopt() there), through
    which it shares this process's zygote; None where there is none to share."""
    if not available():
        return None
    try:
        return zygote().share()
    except ZygoteLost:
        return None


def adopt(sock: socket.socket) -> None:
    """In a batch's grading process: grade through the zygote that share() gave it."""
    global _zygote
    _zygote = SharedZygote(sock)


def start_judge(channel: int) -> int:
    """A judge forked by this process's zygote, talking over `channel`; its pid. Raises
    ZygoteLost."""
    return zygote().judge(channel)


def close() -> None:
    """Kill this process's own zygote, if it started one, and wait for it. A process that
    ends by returning (a test session, not the command line, which leaves by os._exit)
    would otherwise leave the zygote to die with it, and an unwaited child to warn about."""
    global _zygote
    with _guard:
        if _zygote is not None:
            _zygote.close()         # a share of another's closes only its socket
        _zygote = None


def start_early() -> None:
    """Start the zygote now, so that its imports overlap the grader's (where there is one)."""
    if available():
        zygote()


def _forget_in_child() -> None:
    """A forked child (a batch pool process) starts its own zygote; the parent's stays the
    parent's: the child only closes its copy of the socket."""
    global _zygote
    if _zygote is not None:
        try:
            _zygote.sock.close()
        except OSError:
            pass
        if _zygote.proc is not None:
            _zygote.proc.returncode = 0    # never waited for or killed from here
        _zygote = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)
