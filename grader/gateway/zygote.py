"""The zygote: the process that forks the grader's workers (`python -m grader.gateway.zygote`).

The grader starts it by exec (grader/gateway/zygote_client.py), with a minimal environment
and nothing secret on its command line. It imports torch, scikit-learn's preloaded modules
and the probes once, and then forks one worker per request. It never reads the seed, a
submission or the instructor's environment, so a worker, which starts as a copy of it,
holds none of them in its memory: each worker's inputs come over the wire (wire.py).

It reaps its children and reports each one's wait status, which the grader needs to say
how a worker ended (os._exit, a crash, SIGKILL). A worker that stops (SIGSTOP) is killed at
once: nothing legitimate stops one. The zygote ends when the grader closes the control
socket, or dies (PR_SET_PDEATHSIG).

The control socket (fd 0 at start) is a SOCK_SEQPACKET unix socket: one JSON object per
datagram, file descriptors passed beside it (socket.send_fds).
  grader -> zygote  {"op": "spawn", "target", "scratch", "memory_limit", "time_scale"}
                    with the worker's requests pipe, replies pipe and output file
                    {"op": "kill", "pid"}
                    {"op": "judge"} with the grader's end of the judge's channel
                    {"op": "client"}: a socket for another grading process (a batch's)
                    {"op": "listen"} with a listening socket: each process that connects
                    to it is another grader (a test session's zygote, zygote_client.SHARED),
                    first told {"op": "hello", "home": where this grader package lives}
  zygote -> grader  {"op": "ready"}  {"op": "spawned", "pid"}  {"op": "judging", "pid"}
                    {"op": "client"} with the new socket's other end
                    {"op": "ended", "pid", "status", "stopped": signal number or null}

A batch's processes share one zygote (grader/instructor/pool.py): the batch's main process
asks for a socket for each, and each is a grader of its own here. It may ask for judges and
workers, and kill only its own; when its socket closes (the process ended or was killed),
so do its judges, and with their sockets their workers.

A judge (grader/judge.py) is the checks' process: forked from here, so it has torch
without importing it, and the grader that asked for it never imports torch at all. It is
trusted code (no student code runs in it), and it is told the seed and the submission's
path over its channel, never through here, so the zygote still holds no secret. It asks for
its workers over a control socket of its own, as the grader does (spawn, kill; ended):
each worker is a child of the zygote, never of a process that knows the seed. A judge ends
with the zygote, and its workers with its control socket.
"""
from __future__ import annotations

import gc
import importlib
import json
import os
import select
import signal
import socket
import sys
import traceback
from pathlib import Path

from . import namespaces
from .control import MAX_MESSAGE, die_with_parent, send
from .zygote_client import HOME


def receive(control: socket.socket) -> tuple[dict | None, list[int]]:
    """One message and the descriptors sent with it; (None, []) when the other end has
    closed. Raises ValueError on a message that is not one of ours."""
    data, fds, flags, _ = socket.recv_fds(control, MAX_MESSAGE, 8)
    if not data and not fds:
        return None, []
    try:
        if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
            raise ValueError("a message cut short")
        message = json.loads(data)
        if not isinstance(message, dict) or not isinstance(message.get("op"), str):
            raise ValueError("not a message")
    except ValueError:
        for fd in fds:
            os.close(fd)
        raise
    return message, fds


class Zygote:
    def __init__(self, control: socket.socket, judge: str | None = None):
        self.control = control                           # the grader's
        self.clients: list[socket.socket] = [control]    # and each judge's
        self.graders: list[socket.socket] = [control]    # those that may ask for judges
        self.listeners: list[socket.socket] = []         # where more graders connect
        self.judge_module = judge                        # what a judge runs (--judge MODULE)
        self.children: dict[int, int | None] = {}        # pid -> the signal that stopped it
        self.owners: dict[int, socket.socket] = {}       # pid -> the client that asked for it
        self.wake_r, self.wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)   # wakes select through wake_w

    def serve(self) -> None:
        while True:
            watched: list[socket.socket | int] = [*self.clients, *self.listeners, self.wake_r]
            ready, _, _ = select.select(watched, [], [])
            for listener in [s for s in self.listeners if s in ready]:
                try:
                    grader, _ = listener.accept()
                except OSError:
                    continue
                try:        # which grader it serves: another copy's grader starts its own
                    send(grader, {"op": "hello", "home": HOME})
                except OSError:
                    grader.close()
                    continue
                self.add_grader(grader)
            if self.wake_r in ready:
                while True:
                    try:
                        if not os.read(self.wake_r, 512):
                            break
                    except BlockingIOError:
                        break
                self.reap()
            for client in [c for c in self.clients if c in ready]:
                try:
                    message, fds = receive(client)
                except ValueError:
                    continue
                except OSError:
                    message, fds = None, []
                if message is None and client is self.control:
                    self.end()
                    return
                if message is None:
                    self.drop(client)
                    continue
                self.handle(client, message, fds)

    def handle(self, client: socket.socket, message: dict, fds: list[int]) -> None:
        op = message["op"]
        if op == "spawn" and len(fds) == 3:
            try:
                pid = self.fork(message, fds)
            finally:
                for fd in fds:
                    os.close(fd)
            self.owners[pid] = client
            send(client, {"op": "spawned", "pid": pid})
            return
        if op == "listen" and len(fds) == 1 and client is self.control:
            self.listeners.append(socket.socket(fileno=fds[0]))
            return
        if op == "client" and not fds and client in self.graders:
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            self.add_grader(ours)
            try:
                send(client, {"op": "client"}, (theirs.fileno(),))
            finally:
                theirs.close()
            return
        if op == "judge" and len(fds) == 1 and client in self.graders and self.judge_module:
            try:
                pid = self.fork_judge(fds[0])
            finally:
                os.close(fds[0])
            self.owners[pid] = client
            send(client, {"op": "judging", "pid": pid})
            return
        for fd in fds:
            os.close(fd)
        target = message.get("pid")
        if op == "kill" and isinstance(target, int) and self.owners.get(target) is client:  # its own only
            self.kill(target)

    def _child(self) -> None:
        """In a child just forked: none of the zygote's sockets or signal plumbing."""
        die_with_parent()
        namespaces.forget_fork_box()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in (*(c.fileno() for c in (*self.clients, *self.listeners)), self.wake_r, self.wake_w):
            os.close(fd)

    def fork_judge(self, channel: int) -> int:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid:
            theirs.close()
            self.clients.append(ours)
            self.children[pid] = None
            return pid
        status = 0
        try:                                               # the judge
            self._child()
            ours.close()
            from . import zygote_client
            zygote_client.attach(theirs)
            judge = importlib.import_module(str(self.judge_module))
            judge.serve(channel)
        except BaseException:
            status = 1
        finally:
            os._exit(status)

    def add_grader(self, sock: socket.socket) -> None:
        """Another grading process, which may ask for judges and workers of its own."""
        sock.set_inheritable(False)
        self.clients.append(sock)
        self.graders.append(sock)

    def drop(self, client: socket.socket) -> None:
        """A judge or a batch's grading process has ended: so do the judges and workers it
        asked for."""
        for pid, owner in list(self.owners.items()):
            if owner is client and pid in self.children:
                self.kill(pid)
        self.clients.remove(client)
        if client in self.graders:
            self.graders.remove(client)
        client.close()

    def fork(self, message: dict, fds: list[int]) -> int:
        requests, replies, output = fds
        pid = namespaces.fork_box()
        if pid:
            self.children[pid] = None
            return pid
        status = 0
        try:                                               # the worker
            self._child()
            os.environ["HOME"] = str(message["scratch"])
            from .worker import serve
            serve(requests, replies, Path(message["target"]), str(message["scratch"]), output,
                  message.get("memory_limit"), float(message.get("time_scale", 1.0)))
        except BaseException:
            from .worker import WORKER_FAILED
            status = WORKER_FAILED          # a grader bug: the traceback goes to the output file
            traceback.print_exc()
        finally:
            os._exit(status)                # never back into the zygote's loop

    @staticmethod
    def kill(pid: int) -> None:
        """The worker and everything in its process group (it made its own session)."""
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG | os.WUNTRACED)
            except ChildProcessError:
                return
            if not pid:
                return
            if os.WIFSTOPPED(status):
                self.children[pid] = os.WSTOPSIG(status)
                self.kill(pid)
                continue
            stopped = self.children.pop(pid, None)
            owner = self.owners.pop(pid, self.control)
            if owner in self.clients:
                try:
                    send(owner, {"op": "ended", "pid": pid, "status": status, "stopped": stopped})
                except OSError:
                    pass                # a judge that has just ended: dropped on its next read

    def end(self) -> None:
        for pid in list(self.children):
            self.kill(pid)


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)        # Ctrl-C is the grader's to handle
    if "--die-with-parent" in sys.argv:
        die_with_parent()
    namespaces.allow_fork_box()                          # before the imports: a small fork
    control = socket.socket(fileno=os.dup(0))
    control.set_inheritable(False)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)

    from .in_process import prepare_torch
    from .sandbox import prepare as prepare_box
    from .worker import PRELOADED, warm_up
    from ..probes.registry import load_all

    prepare_torch()
    for name in PRELOADED:
        importlib.import_module(name)
    warm_up()
    load_all()
    judge = sys.argv[sys.argv.index("--judge") + 1] if "--judge" in sys.argv else None
    if judge:
        importlib.import_module(judge).preload()    # the checks: a judge starts at once
    zygote = Zygote(control, judge)
    prepare_box()
    # What is loaded now lives as long as the zygote: kept out of every later collection, in
    # it and in its children, which would otherwise copy each page of it on their first full
    # collection (~0.2 s of CPU in every worker and judge that runs one). (No collection
    # first: 0.15 s before the first fork, for little memory.)
    gc.freeze()
    send(control, {"op": "ready"})
    zygote.serve()


if __name__ == "__main__":
    try:
        main()
    except (BrokenPipeError, ConnectionResetError):
        pass                    # the grader has gone; so do we
