"""The zygote's control socket, both ends (zygote.py, zygote_client.py): JSON datagrams on a
SOCK_SEQPACKET unix socket, file descriptors passed beside them. Standard library only."""
from __future__ import annotations

import json
import signal
import socket

from .libc import libc

MAX_MESSAGE = 64 * 2**10         # bytes of one control datagram; every honest one is tiny
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """SIGKILL when the parent dies (Linux), so that nothing outlives the grader."""
    try:
        libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def send(control: socket.socket, message: dict, fds: tuple[int, ...] = ()) -> None:
    data = json.dumps(message).encode()
    if fds:
        socket.send_fds(control, [data], list(fds))
    else:
        control.send(data)
