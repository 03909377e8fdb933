"""The C library, for the system calls Python has no wrapper for (the box's: unshare,
setns, mount_setattr, capset, prctl, Landlock's and seccomp's): loaded once per process."""
from __future__ import annotations

import ctypes
import functools


@functools.cache
def libc() -> ctypes.CDLL:
    """The C library, with errno kept for ctypes.get_errno()."""
    return ctypes.CDLL(None, use_errno=True)
