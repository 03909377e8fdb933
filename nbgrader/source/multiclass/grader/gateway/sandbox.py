"""What a worker process does to itself before it runs any student code (Linux):

- no inherited file descriptors but its own (a server's sockets point at /dev/null);
- its own session and process group, so the grader can end it and anything it started;
- killed when the grader dies (PR_SET_PDEATHSIG), so no student code outlives grading;
- Ctrl-C ignored: the grader handles it, and a KeyboardInterrupt is then the student's;
- stdin from /dev/null, stdout and stderr into a file the grader can read after a crash;
- a scratch folder as working directory and TMPDIR;
- an address-space limit (RLIMIT_AS), so a memory hog fails with MemoryError;
- a file-size limit (RLIMIT_FSIZE), so output written straight to the file descriptors
  cannot fill the disk: such a write fails with "File too large";
- where the kernel offers Landlock, writes allowed only inside the scratch folder, so code
  cannot plant files (forged results, edited grader modules) anywhere else.
"""
from __future__ import annotations

import ctypes
import faulthandler
import os
import signal
import sys
import tempfile

# Landlock (linux/landlock.h): the same syscall numbers on every architecture.
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_WRITE_FILE, _REMOVE_DIR, _REMOVE_FILE = 1 << 1, 1 << 4, 1 << 5
_MAKE_ANY = sum(1 << bit for bit in range(6, 13))      # char, dir, reg, sock, fifo, block, sym
_REFER, _TRUNCATE = 1 << 13, 1 << 14                    # ABI 2 and 3
_PR_SET_PDEATHSIG, _PR_SET_NO_NEW_PRIVS = 1, 38
FILE_SIZE_LIMIT = 64 * 2**20      # bytes, for any file the worker writes


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def landlock_abi() -> int:
    """The Landlock ABI version the kernel offers; 0 when it offers none."""
    if not sys.platform.startswith("linux"):
        return 0          # the syscall numbers below mean other things elsewhere
    try:
        version = _libc().syscall(_CREATE_RULESET, None, ctypes.c_size_t(0),
                                  ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(version, 0)


def restrict_writes_to(folder: str) -> bool:
    """Allow file writes only beneath `folder` (and to /dev/null) from now on, for this
    process and its children. Reading stays allowed. False when Landlock is missing."""
    abi = landlock_abi()
    if abi < 1:
        return False
    libc = _libc()
    writes = _WRITE_FILE | _REMOVE_DIR | _REMOVE_FILE | _MAKE_ANY
    if abi >= 2:
        writes |= _REFER
    if abi >= 3:
        writes |= _TRUNCATE
    attr = _RulesetAttr(writes)
    ruleset = libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)),
                           ctypes.c_uint32(0))
    if ruleset < 0:
        return False
    try:
        for path, allowed in ((folder, writes), ("/dev/null", writes & (_WRITE_FILE | _TRUNCATE))):
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                rule = _PathBeneathAttr(allowed, fd)
                if libc.syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0) != 0:
                    return False
            finally:
                os.close(fd)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        return libc.syscall(_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) == 0
    finally:
        os.close(ruleset)


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


def enter(scratch: str, output_fd: int, memory_limit: int | None, keep: tuple[int, ...] = ()) -> dict:
    """Apply the limits to this (freshly forked) process. Returns what was applied."""
    import resource           # POSIX only: imported here so that importing this module works anywhere
    detach_inherited((output_fd, *keep))
    os.setsid()
    try:
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    faulthandler.disable()        # pytest's, inherited: a crash is reported by the grader instead

    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)

    os.chdir(scratch)
    os.environ["TMPDIR"] = scratch
    os.environ["MPLCONFIGDIR"] = scratch     # matplotlib, if the student imports it
    tempfile.tempdir = scratch
    sys.dont_write_bytecode = True            # no __pycache__ in the student's folder

    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)     # a write past the limit fails instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
    return {"files_protected": restrict_writes_to(scratch)}
