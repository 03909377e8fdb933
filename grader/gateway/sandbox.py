"""What a worker process does to itself before it runs any student code (Linux): it
builds the box, layer by layer, and records what it applied (grader.gateway.box).

- no inherited file descriptors but its own (a server's sockets point at /dev/null);
- its own session and process group, and killed when the grader dies (PR_SET_PDEATHSIG);
- Ctrl-C ignored: the grader handles it, and a KeyboardInterrupt is then the student's;
- stdin from /dev/null, stdout and stderr into a file the grader can read after a crash;
- the submission's exercise files copied into scratch: student code reads them there and
  never the submission's folder (another student's, through a link, or the class's);
- a minimal environment: no tokens, HOME and TMPDIR in scratch; the memory that held the
  original environment and command line zeroed (/proc/self/environ reads it);
- namespaces (grader.gateway.namespaces): pid 1 of its own pid namespace, no network, its
  own IPC, a private /tmp, every mount read-only but scratch; as root, a uid of its own;
- an address-space limit (RLIMIT_AS), so a memory hog fails with MemoryError; a file-size
  limit (RLIMIT_FSIZE), so output cannot fill the disk; a process limit (RLIMIT_NPROC),
  where the namespaces give the worker a count of its own;
- Landlock (grader.gateway.landlock): reads only beneath the Python installation, the
  libraries it has loaded, the grader and scratch; writes only in scratch; no TCP;
  abstract unix sockets and signals scoped to the box;
- seccomp (grader.gateway.seccomp): no new sockets.
"""
from __future__ import annotations

import ctypes
import faulthandler
import functools
import os
import signal
import stat
import sys
import tempfile
from pathlib import Path

from . import landlock, namespaces, seccomp
from .box import (ENVIRONMENT, IPC_NS, MOUNT_NS, NET_NS, PID_NS, PROCESSES, READS, SCOPE, SOCKETS,
                  TCP, USER_NS, WRITES, Box)
from .imports import _installed_roots
from .control import die_with_parent

FILE_SIZE_LIMIT = 64 * 2**20      # bytes, for any file the worker writes
PROCESS_LIMIT = 64                # processes and threads of one worker
SUBMISSION = "submission"         # the exercise files' folder in scratch
KEPT_VARIABLES = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                  "OPENBLAS_NUM_THREADS")
# Files beyond the installation that Python, numpy and torch read at run time.
SYSTEM_FILES = ("/etc/ld.so.cache", "/dev/urandom", "/dev/random", "/dev/zero",
                "/sys/devices/system/cpu", "/sys/fs/cgroup/cpu.max")


def landlock_abi() -> int:
    """The Landlock ABI version the kernel offers; 0 when it offers none."""
    return landlock.abi()


def available() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def detach_inherited(keep: tuple[int, ...]) -> None:
    """Point every inherited file descriptor but stdin, stdout, stderr and `keep` at
    /dev/null: a worker forked from a server (the marimo lesson's) or from pytest must not
    reach their sockets and files. The numbers stay taken, so that an inherited object that
    closes its descriptor later cannot close one of ours that reused the number."""
    try:
        open_fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return
    null = os.open(os.devnull, os.O_RDWR)
    for fd in open_fds:
        if fd > 2 and fd != null and fd not in keep:
            try:
                os.dup2(null, fd, inheritable=False)
            except OSError:
                pass                     # the listing's own descriptor, closed since
    os.close(null)


def copy_exercises(submission: Path, scratch: str) -> str:
    """The submission's exercise files, regular files only (a link is not followed), in
    scratch/submission/; the folder's path."""
    from ..course import exercises
    folder = os.path.join(scratch, SUBMISSION)
    os.mkdir(folder, 0o700)
    for ex in exercises():
        try:
            fd = os.open(submission / ex.file, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue                          # missing: the gateway says so
        with open(fd, "rb") as source:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue                          # a device or a FIFO: nothing to read
            with open(os.path.join(folder, ex.file), "wb") as copy:
                copy.write(source.read(16 * 2**20))
    return folder


def minimal_environment(scratch: str) -> None:
    """os.environ down to a few harmless variables, and the process's original
    environment and command line (readable at /proc/self/environ and cmdline) zeroed."""
    kept = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
    os.environ.clear()
    os.environ.update(kept, PATH="/usr/bin:/bin", HOME=scratch, TMPDIR=scratch, MPLCONFIGDIR=scratch)
    try:
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except OSError:
        return
    # Fields 48 to 51 of proc(5): arg_start, arg_end, env_start, env_end.
    arg_start, arg_end, env_start, env_end = (int(fields[i]) for i in range(45, 49))
    for start, end in ((arg_start, arg_end), (env_start, env_end)):
        if 0 < start < end:
            ctypes.memset(start, 0, end - start)


def _mapped_library_folders() -> set[str]:
    """The folders of the shared libraries this process has loaded (torch's, numpy's,
    the C library's): a library they load later lies beside them."""
    folders = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split(maxsplit=5)[5].strip() if line.count(" ") >= 5 else ""
                if path.startswith("/") and ".so" in os.path.basename(path) and not path.endswith("(deleted)"):
                    folders.add(os.path.dirname(path))
    except (OSError, IndexError):
        pass
    return folders


@functools.cache
def _readable_everywhere() -> frozenset[str]:
    """What every worker's student code may read besides scratch and the submission."""
    return frozenset({*_installed_roots(), *_mapped_library_folders(), str(Path(__file__).resolve().parents[1]),
                      *SYSTEM_FILES})


def readable_paths(submission: str | None) -> list[str]:
    """What student code may read besides scratch (found before the box is entered: it may
    take imports that the box no longer allows)."""
    paths = set(_readable_everywhere())
    if submission:
        paths.add(submission)          # not copied: its folder (holding only the exercises)
    return sorted(paths)


def prepare() -> None:
    """In the zygote, once it has loaded all it loads and before it forks a worker: the
    parts of the box that are the same in every worker it forks, and hold nothing a worker
    is given (the installation's folders, the loaded libraries', the mounts that show
    them), found once there instead of in each worker (a few milliseconds each)."""
    namespaces.prepare(readable_paths(None))


def enter(scratch: str, output_fd: int, memory_limit: int | None, keep: tuple[int, ...] = (), *,
          submission: Path | None = None) -> Box:
    """Apply the box to this (freshly forked) process; returns what was applied. With the
    namespaces, this forks: the process that called it waits for the box's pid 1 and
    ends as it ends, and enter() returns in that pid 1. With `submission`, its exercise
    files are copied into scratch (Box.submission); student code can read only that copy."""
    import resource           # POSIX only: imported here so that importing this module works anywhere
    detach_inherited((output_fd, *keep))
    os.setsid()
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    faulthandler.disable()        # pytest's, inherited: a crash is reported by the grader instead

    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)

    box = Box()
    if submission is not None:
        box.submission = copy_exercises(Path(submission), scratch)
    readable = readable_paths(None if box.submission else str(submission) if submission else None)
    minimal_environment(scratch)
    box.add(ENVIRONMENT, True, "HOME=TMPDIR=scratch")
    entered = namespaces.enter(scratch, readable)
    for kind, name in (("user", USER_NS), ("pid", PID_NS), ("network", NET_NS), ("ipc", IPC_NS),
                       ("mount", MOUNT_NS)):
        applied = kind in entered.namespaces
        detail = entered.error if not applied else ""
        if kind == "user" and entered.uid is not None:
            applied, detail = True, f"not needed as root: uid {entered.uid}"
        elif kind == "mount" and applied:
            missing = [what for what, done in (("fresh /proc", entered.fresh_proc),
                                               ("private /tmp", entered.private_tmp),
                                               ("read-only mounts", entered.read_only)) if not done]
            applied, detail = not missing, ("without " + ", ".join(missing)) if missing else ""
        box.add(name, applied, detail)

    os.chdir(scratch)
    tempfile.tempdir = scratch
    sys.dont_write_bytecode = True            # no __pycache__ in the student's folder
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)     # a write past the limit fails instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # RLIMIT_NPROC counts the processes of a uid, and root's not at all: it is a limit of
    # this worker's only where the worker has a uid (root's box) or a user namespace of its own.
    own_count = os.getuid() != 0 and bool(entered.namespaces)
    if own_count:
        resource.setrlimit(resource.RLIMIT_NPROC, (PROCESS_LIMIT, PROCESS_LIMIT))
    box.add(PROCESSES, own_count, f"{PROCESS_LIMIT} processes" if own_count else
            "RLIMIT_NPROC would count all of this user's processes, or none (root)")

    if entered.fresh_proc:
        readable.append("/proc")          # this pid namespace's processes only
    restricted = landlock.restrict(readable, [scratch, os.devnull])
    abi = f"ABI {restricted.abi}"
    box.add(READS, restricted.reads, abi if restricted.reads else restricted.error or f"{abi}")
    box.add(WRITES, restricted.writes, abi if restricted.writes else restricted.error)
    box.add(TCP, restricted.tcp, abi if restricted.tcp else restricted.error or f"{abi} < 4")
    box.add(SCOPE, restricted.scoped, abi if restricted.scoped else restricted.error or f"{abi} < 6")
    refused = seccomp.deny_sockets()
    box.add(SOCKETS, not refused, refused)
    return box
