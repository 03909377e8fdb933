"""Whether this machine can box student code, and what to do where it cannot.

`probe()` enters a box in a throw-away process to learn what this machine really applies
(`python -m grader sandbox` prints it; batch refuses to run strangers' code without reads
and the network confined, unless --unconfined); `expected()` guesses the same without
forking, cheaply enough for the student's own tools to warn once.
"""
from __future__ import annotations

import os
import sys
import tempfile

from . import landlock, sandbox, seccomp
from ..messages import UNCONFINED_GOING_ON, UNCONFINED_STOP, UNCONFINED_WARNING
from .box import NET_NS, READS, Box, missing_text, unconfined_box


def probe() -> Box:
    """Enter a box in a throw-away child process and report what it applied."""
    if not sandbox.available():
        return unconfined_box(f"no worker sandbox on {sys.platform}")
    read_end, write_end = os.pipe()
    with tempfile.TemporaryDirectory(prefix="grader-probe-") as scratch:
        pid = os.fork()
        if pid == 0:
            try:
                output = os.open(os.devnull, os.O_WRONLY)
                box = sandbox.enter(scratch, output, None, keep=(write_end,))
                os.write(write_end, box.to_json().encode())
            finally:
                os._exit(0)
        os.close(write_end)
        chunks = []
        while chunk := os.read(read_end, 65536):
            chunks.append(chunk)
        os.close(read_end)
        os.waitpid(pid, 0)
    try:
        return Box.from_json(b"".join(chunks).decode())
    except (ValueError, KeyError, TypeError):
        return unconfined_box("the probe process failed")


def expected() -> list[str]:
    """What `probe().missing` would say, guessed without forking (for a warning)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return [READS, NET_NS]
    missing = [] if landlock.abi() >= 1 else [READS]
    if not (_user_namespaces() or seccomp.supported()):
        missing.append(NET_NS)
    return missing


def _user_namespaces() -> bool:
    if os.geteuid() == 0:
        return True
    for path, blocked in (("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1"),
                          ("/proc/sys/kernel/unprivileged_userns_clone", "0"),
                          ("/proc/sys/user/max_user_namespaces", "0")):
        try:
            with open(path) as f:
                if f.read().strip() == blocked:
                    return False
        except OSError:
            pass
    return True


class Unconfined(Exception):
    """Batch would run strangers' code without reads or the network confined."""


_warned = False


def require_for_batch(unconfined: bool) -> None:
    """Raise Unconfined when this machine's box lacks what batch needs, unless
    `unconfined`, which is then said once on stderr."""
    global _warned
    missing = probe().missing
    if not missing:
        return
    if not unconfined:
        raise Unconfined(UNCONFINED_STOP.format(missing=missing_text(missing)))
    print(UNCONFINED_GOING_ON.format(missing=missing_text(missing)), file=sys.stderr)
    _warned = True


def warn_once() -> None:
    """For the student's own tools: one line on stderr, once per process, where the box
    would lack reads or network confinement; grading goes on."""
    global _warned
    if _warned:
        return
    _warned = True
    missing = expected()
    if missing:
        print(UNCONFINED_WARNING.format(names=", ".join(missing)), file=sys.stderr)


def writes_confined() -> bool:
    """Whether the workers' write confinement works here: a forked process confined the
    the way a worker confines its writes (landlock.restrict) must be able to
    write in its folder and unable to write anywhere else."""
    if landlock.abi() < 1:
        return False
    with tempfile.TemporaryDirectory() as inside, tempfile.TemporaryDirectory() as outside:
        forbidden = os.path.join(outside, "forbidden")
        pid = os.fork()
        if pid == 0:
            status = 3
            try:
                # Reads stay open: only the confinement of writes is under test.
                if landlock.restrict([], [inside, os.devnull], confine_reads=False).writes:
                    with open(os.path.join(inside, "allowed"), "w") as f:
                        f.write("ok")
                    try:
                        with open(forbidden, "w") as f:
                            f.write("escaped")
                        status = 1
                    except PermissionError:
                        status = 0
                else:
                    status = 2
            finally:
                os._exit(status)
        _, status = os.waitpid(pid, 0)
        return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and not os.path.exists(forbidden)
