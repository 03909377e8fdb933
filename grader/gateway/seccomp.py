"""A small seccomp filter: no new sockets.

Why a filter on top of Landlock and the namespaces: Landlock (up to ABI 7) has no rule for
connect() to a unix socket that has a path (an ssh-agent's, a tmux server's), and those
sockets are files, so a network namespace does not hide them either. Denying socket()
for every family closes that, and covers TCP, UDP, raw and netlink sockets on kernels
without Landlock's network rules or network namespaces. socketpair() stays allowed: its
two ends reach nothing but each other (multiprocessing uses it). Also denied:
io_uring_setup (io_uring can open sockets without calling socket()) and
open_by_handle_at (opens a file by its inode number, past any path rule).
"""
from __future__ import annotations

import ctypes
import os
import platform
import struct
from .libc import libc as _libc

# (audit architecture, socket, open_by_handle_at, io_uring_setup)
_SYSCALLS = {"x86_64": (0xC000003E, 41, 304, 425), "aarch64": (0xC00000B7, 198, 265, 425)}
_X32_BIT = 0x40000000          # x86_64's x32 calls: the same numbers with this bit set
_LD_W_ABS, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06
_ALLOW, _KILL_PROCESS, _ERRNO_EPERM = 0x7FFF0000, 0x80000000, 0x00050000 | 1
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2


class _Filter(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def supported() -> bool:
    return platform.system() == "Linux" and platform.machine() in _SYSCALLS


def _program(arch: int, denied: tuple[int, ...]) -> bytes:
    def op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
        return struct.pack("HBBI", code, jt, jf, k)

    # Another architecture's calls (32-bit code) could bypass the numbers below: end it.
    program = [op(_LD_W_ABS, 4), op(_JEQ, arch, 1, 0), op(_RET, _KILL_PROCESS), op(_LD_W_ABS, 0),
               op(_JGE, _X32_BIT, len(denied) + 1, 0)]
    for i, number in enumerate(denied):
        program.append(op(_JEQ, number, len(denied) - i, 0))
    program += [op(_RET, _ALLOW), op(_RET, _ERRNO_EPERM)]
    return b"".join(program)


def deny_sockets() -> str:
    """Install the filter on this process and its children. An empty string when it is
    in place, else why not."""
    if not supported():
        return f"no filter for {platform.system()} on {platform.machine()}"
    arch, *denied = _SYSCALLS[platform.machine()]
    code = _program(arch, tuple(denied))
    buffer = ctypes.create_string_buffer(code, len(code))
    prog = _Filter(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
            libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        return f"seccomp: {os.strerror(ctypes.get_errno())}"
    return ""
