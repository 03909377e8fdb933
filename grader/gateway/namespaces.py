"""Linux namespaces for a worker: its own processes, network, IPC and mounts.

`enter` unshares them and forks: the child is pid 1 of a new pid namespace and returns,
to run student code; the parent stays outside, waits, and ends as the child ended (the
same exit status or the same signal), so the grader reads the death of the worker as it
always did. Where the zygote may make pid namespaces (root), it forks each worker into a
new one itself (fork_box), and `enter` then unshares the others without forking: the
zygote reaps the box's pid 1 directly. When the parent is killed, PR_SET_PDEATHSIG kills
the child, and when the child (the namespace's init) ends, the kernel kills every process
left in the namespace: nothing student code started survives grading.

Being pid 1 has one side effect: the kernel ignores the signals the worker sends itself
while their disposition is the default (os.kill(os.getpid(), SIGTERM)). So while student code
runs, those that would end a process have a handler that ends the call instead, on every
path (grader.gateway.limits.signals_end_the_call). A real crash still ends the worker; a fault
signal sent with kill(), or one sent after the code set SIG_DFL again, is still ignored.

Unprivileged, a user namespace (mapping the current uid) is what allows the others. As
root none is needed, and the child gives root up instead: it runs as a uid of its own,
BOX_UID_BASE + the worker's pid, so that RLIMIT_NPROC (which root ignores) counts only its
processes, and keeps one capability, CAP_DAC_READ_SEARCH, to read a Python installed in a
private home folder (/root/.pyenv): Landlock still decides what it may read.
"""
from __future__ import annotations

from collections.abc import Sequence

import ctypes
import functools
import os
import signal
import sys
import struct
from dataclasses import dataclass, field
from .libc import libc as _libc

_NEWNS, _NEWIPC, _NEWUSER, _NEWPID, _NEWNET = 0x20000, 0x08000000, 0x10000000, 0x20000000, 0x40000000
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_BIND, _MS_REC, _MS_PRIVATE = 2, 4, 8, 4096, 0x4000, 1 << 18
_SYS_MOUNT_SETATTR, _AT_RECURSIVE, _MOUNT_ATTR_RDONLY = 442, 0x8000, 1
_PR_SET_PDEATHSIG, _PR_SET_DUMPABLE, _PR_SET_KEEPCAPS = 1, 4, 8
_CAP_DAC_READ_SEARCH = 2
BOX_UID_BASE = 1 << 24            # far above any real account's uid
KINDS = ("user", "pid", "network", "ipc", "mount")


@dataclass
class Entered:
    """What `enter` achieved, in the child that runs student code."""
    namespaces: list[str] = field(default_factory=list)       # of KINDS
    fresh_proc: bool = False          # /proc shows only this namespace's processes
    private_tmp: bool = False
    read_only: bool = False           # every mount but scratch read-only: no chmod, utime outside
    uid: int | None = None            # the unprivileged uid taken as root
    error: str = ""


def _fail(what: str) -> str:
    return f"{what}: {os.strerror(ctypes.get_errno())}"


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _unshare(done: Entered, pid_done: bool = False) -> bool:
    libc = _libc()
    others = (0 if pid_done else _NEWPID) | _NEWNET | _NEWIPC | _NEWNS
    uid, gid = os.getuid(), os.getgid()
    if uid == 0 and libc.unshare(others) == 0:
        done.namespaces = ["pid", "network", "ipc", "mount"]
        return True
    if libc.unshare(_NEWUSER | others) != 0:
        done.error = _fail("unshare") + (" (as root)" if uid == 0 else
                                          " (unprivileged user namespaces are not allowed here)")
        done.namespaces = ["pid"] if pid_done else []
        return False
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")
    done.namespaces = list(KINDS)
    return True


def _mount_attr(path: str, set_: int, clear: int, flags: int) -> bool:
    attr = struct.pack("QQQQ", set_, clear, 0, 0)
    return _libc().syscall(_SYS_MOUNT_SETATTR, -100, path.encode(), flags, attr, len(attr)) == 0


def _under_tmp(path: str) -> bool:
    return path != "/tmp" and os.path.commonpath([path, "/tmp"]) == "/tmp"


@functools.lru_cache(maxsize=4)
def _aliases(visible: tuple[str, ...], path: tuple[str, ...]) -> tuple[str, ...]:
    """The entries of sys.path under /tmp that lead into a visible folder: as the box will
    name them (a .venv under /tmp may be a link to one elsewhere: its path under /tmp is the
    one on sys.path); opening one follows the links to what it is."""
    real = [os.path.realpath(p) for p in visible]
    return tuple(p for p in map(os.path.abspath, filter(None, path)) if _under_tmp(p) and os.path.exists(p)
                 and any(os.path.commonpath([os.path.realpath(p), r]) == r for r in real))


def prepare(visible: Sequence[str]) -> None:
    """Find now what _mounts will need for these visible paths (sandbox.prepare)."""
    _aliases(tuple(visible), tuple(sys.path))


def _mounts(scratch: str, done: Entered, visible: list[str]) -> None:
    """In the new mount namespace: nothing propagates out; a private /tmp that holds only
    scratch and what the box may read that lies in /tmp (a course checked out there, its
    .venv); /proc for the new pid namespace; everything read-only but scratch."""
    libc = _libc()
    if libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None) != 0:
        done.error = _fail("mount --make-rprivate /")
        return
    scratch = os.path.abspath(scratch)
    aliases = _aliases(tuple(visible), tuple(sys.path))
    kept = sorted({os.path.abspath(p) for p in [scratch, *visible, *aliases] if os.path.exists(p)})
    kept = [p for p in kept if not any(p != q and os.path.commonpath([p, q]) == q for q in kept)]
    fds = {path: os.open(path, os.O_PATH | os.O_CLOEXEC) for path in kept
           if path == scratch or _under_tmp(path)}
    try:
        if "/tmp" not in kept and libc.mount(b"tmpfs", b"/tmp", b"tmpfs", _MS_NOSUID | _MS_NODEV,
                                             b"mode=1777,size=1m") == 0:
            done.private_tmp = True
        for path, fd in fds.items():
            if done.private_tmp and _under_tmp(path):          # its mount point, in the new /tmp
                if os.path.isdir(f"/proc/self/fd/{fd}"):
                    os.makedirs(path, exist_ok=True)
                else:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    open(path, "a").close()
            elif path != scratch:
                continue                                          # still there: /tmp is not private
            if libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, _MS_BIND, None) != 0:
                done.error = _fail(f"mount --bind {path}")
                return
    finally:
        for fd in fds.values():
            os.close(fd)
    done.fresh_proc = libc.mount(b"proc", b"/proc", b"proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, None) == 0
    done.read_only = (_mount_attr("/", _MOUNT_ATTR_RDONLY, 0, _AT_RECURSIVE)
                      and _mount_attr(scratch, 0, _MOUNT_ATTR_RDONLY, 0))
    if not done.read_only:
        done.error = _fail("mount_setattr")


def _capabilities(effective: int) -> bool:
    """capset(2), version 3: these capabilities effective and permitted, none inheritable."""
    header = struct.pack("Ii", 0x20080522, 0)
    data = struct.pack("IIIIII", effective, effective, 0, 0, 0, 0)
    return _libc().capset(header, data) == 0


def _give_up_root(scratch: str, uid: int, done: Entered) -> None:
    for folder, dirs, files in os.walk(scratch):
        for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
            os.chown(name, uid, uid, follow_symlinks=False)
    libc = _libc()
    libc.prctl(_PR_SET_KEEPCAPS, 1, 0, 0, 0)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if not _capabilities(1 << _CAP_DAC_READ_SEARCH):
        done.error = _fail("capset")
    done.uid = uid


# The zygote's own pid namespace, where it can make a new one for each worker and come back
# (fork_box); None elsewhere, and in every process the zygote forks.
_own_pid_namespace: int | None = None


def allow_fork_box() -> None:
    """In the zygote, at start: whether fork_box can fork into a new pid namespace here
    (root, with CAP_SYS_ADMIN: not in most containers), tried in a child of its own."""
    global _own_pid_namespace
    if not sys.platform.startswith("linux"):
        return
    try:
        own = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return
    child = os.fork()
    if child == 0:
        libc = _libc()
        os._exit(0 if libc.unshare(_NEWPID) == 0 and libc.setns(own, _NEWPID) == 0 else 1)
    _, status = os.waitpid(child, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        _own_pid_namespace = own
    else:
        os.close(own)


def fork_box() -> int:
    """os.fork() for a worker. Where allow_fork_box found it can, the child is pid 1 of a
    new pid namespace at once, and enter() in it needs no second process outside the
    namespace to wait for it (_mirror: a fork and an exit of the whole zygote's memory, ~35
    ms of CPU per worker); this process comes back to its own namespace, so that nothing
    else it forks lands in the worker's. Elsewhere a plain fork: enter() forks as before."""
    global _own_pid_namespace
    own = _own_pid_namespace
    if own is None or _libc().unshare(_NEWPID) != 0:
        return os.fork()
    try:
        pid = os.fork()
    except OSError:
        _come_back(own)
        raise
    if pid:
        _come_back(own)
    else:
        os.close(own)
        _own_pid_namespace = None
    return pid


def _come_back(own: int) -> None:
    if _libc().setns(own, _NEWPID) != 0:
        os._exit(70)        # a zygote that cannot come back must fork nothing more


def forget_fork_box() -> None:
    """In a child of the zygote (a judge): its descriptor of the zygote's namespace closed."""
    global _own_pid_namespace
    if _own_pid_namespace is not None:
        os.close(_own_pid_namespace)
        _own_pid_namespace = None


def _mirror(child: int) -> None:
    """In the parent: wait for the child and end the same way. Never returns."""
    os.closerange(0, 1 << 16)           # the worker's pipes must close when the child ends
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except ChildProcessError:
            os._exit(70)
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        import resource
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if number not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(number, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [number])
        os.kill(os.getpid(), number)
        os._exit(128 + number)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 70)


def enter(scratch: str, visible: Sequence[str] = ()) -> Entered:
    """Unshare, fork, and return in the child (pid 1 of the new pid namespace, with its
    mounts done and, as root, its uid given up). Without the namespaces, returns at once
    in this process, with the reason in `error`. A process that fork_box() made pid 1 of
    a new pid namespace already unshares the others and returns in itself: no fork."""
    done = Entered()
    pid_done = os.getpid() == 1 and _own_pid_namespace is None
    if not _unshare(done, pid_done):
        return done
    if pid_done:
        # Its pid as the machine sees it (this /proc is still the machine's): unique while the box lives.
        box_uid = BOX_UID_BASE + int(os.readlink("/proc/self"))
    else:
        box_uid = BOX_UID_BASE + os.getpid()       # this pid is unique while the box lives
        child = os.fork()
        if child:
            _mirror(child)
    _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _mounts(scratch, done, list(visible))
    if os.geteuid() == 0 and "user" not in done.namespaces:
        _give_up_root(scratch, box_uid, done)
        libc = _libc()
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)    # cleared by the change of uid
        libc.prctl(_PR_SET_DUMPABLE, 1, 0, 0, 0)
    elif not _capabilities(0):          # the user namespace's capabilities: not for student code
        done.error = _fail("capset")
    return done
