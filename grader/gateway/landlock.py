"""Landlock (Linux 5.13 and later): what a process may read, write and connect to, enforced
by the kernel for it and every process it starts, whatever its user or capabilities.

Each ABI version handles more: 1 reads and writes beneath folders, 2 renames across
folders, 3 truncation, 4 TCP bind and connect, 5 device ioctls, 6 abstract unix sockets and
signals (scoped: only to processes in the same sandbox). A right the kernel does not
handle stays allowed, so `restrict` reports what it could deny.
"""
from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass
from .libc import libc as _libc

# linux/landlock.h: the same syscall numbers on every architecture.
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_REMOVE_DIR, _REMOVE_FILE = 1 << 4, 1 << 5
_MAKE_ANY = sum(1 << bit for bit in range(6, 13))      # char, dir, reg, sock, fifo, block, sym
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15     # ABI 2, 3 and 5
_BIND_TCP, _CONNECT_TCP = 1 << 0, 1 << 1                       # ABI 4
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1    # ABI 6
_PR_SET_NO_NEW_PRIVS = 38

READ = EXECUTE | READ_FILE | READ_DIR
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | _TRUNCATE | _IOCTL_DEV   # all a file rule may hold


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


@dataclass
class Restricted:
    """What `restrict` made the kernel enforce."""
    abi: int = 0
    reads: bool = False          # reads only beneath the allowed paths
    writes: bool = False         # writes only beneath the writable paths
    tcp: bool = False            # no TCP bind or connect
    scoped: bool = False         # no abstract unix socket or signal out of the sandbox
    error: str = ""


def abi() -> int:
    """The Landlock ABI version the kernel offers; 0 when it offers none."""
    if not sys.platform.startswith("linux"):
        return 0          # the syscall numbers above mean other things elsewhere
    try:
        version = _libc().syscall(_CREATE_RULESET, None, ctypes.c_size_t(0),
                                  ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(version, 0)


def _handled(version: int) -> tuple[int, int]:
    """All the file-system rights the ABI knows, and its rights on writes."""
    writes = WRITE_FILE | _REMOVE_DIR | _REMOVE_FILE | _MAKE_ANY
    writes |= (_REFER if version >= 2 else 0) | (_TRUNCATE if version >= 3 else 0)
    return READ | writes | (_IOCTL_DEV if version >= 5 else 0), writes


def restrict(readable: list[str], writable: list[str], *, confine_reads: bool = True) -> Restricted:
    """From now on, for this process and its children: read only beneath `readable` and
    `writable`, write only beneath `writable` (a path that is a file allows that file), no
    TCP and, where the kernel scopes them, no abstract unix socket or signal outside.
    A path that does not exist is left out."""
    version = abi()
    done = Restricted(abi=version)
    if version < 1:
        done.error = "the kernel offers no Landlock"
        return done
    libc = _libc()
    handled, writes = _handled(version)
    if not confine_reads:
        handled &= ~READ
    attr = _RulesetAttr(handled, _BIND_TCP | _CONNECT_TCP if version >= 4 else 0,
                        _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL if version >= 6 else 0)
    size = ctypes.sizeof(ctypes.c_uint64) * (3 if version >= 6 else 2 if version >= 4 else 1)
    ruleset = libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        done.error = f"landlock_create_ruleset: {os.strerror(ctypes.get_errno())}"
        return done
    try:
        rules = [(path, READ) for path in readable] + [(path, handled) for path in writable]
        for path, allowed in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue                     # not on this machine: nothing to allow
            try:
                if not os.path.isdir(path):
                    allowed &= _FILE_RIGHTS
                rule = _PathBeneathAttr(allowed & handled, fd)
                if libc.syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0) != 0:
                    done.error = f"landlock_add_rule {path}: {os.strerror(ctypes.get_errno())}"
                    return done
            finally:
                os.close(fd)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
                libc.syscall(_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) != 0:
            done.error = f"landlock_restrict_self: {os.strerror(ctypes.get_errno())}"
            return done
    finally:
        os.close(ruleset)
    done.reads, done.writes = bool(handled & READ_FILE), True
    done.tcp, done.scoped = version >= 4, version >= 6
    return done
