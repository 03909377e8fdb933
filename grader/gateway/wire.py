"""The messages between the grader and its worker: length-prefixed frames over a pipe, in
one of three formats, told apart by their first byte:

- "{": JSON, for a message that JSON holds exactly as it is (dicts with string keys, lists,
  strings, finite numbers, booleans, None): the events sent before each call, most replies.
- "T": tagged data with tensors (tensors.py): a message of those types, tuples, any float,
  and plain CPU tensors, as JSON in which every object is a tag, then the tensors' bytes.
  Most requests (a model's weights and the data to call it with) and replies with tensors.
- "P": torch.save, read back with torch.load(weights_only=True): anything else.

Each reader builds only dicts, lists, tuples, strings, numbers, booleans, None and tensors,
and refuses everything else, so a reply from a worker that student code has tampered with
can at worst hold wrong data: reading it can never run code. JSON and tagged frames are
read in microseconds, torch.load's in a millisecond or more: with tensors on the wire,
torch.save and torch.load took 4 ms of CPU per call into student code, which itself mostly
takes well under a millisecond.
"""
from __future__ import annotations

import io
import json
import math
import os
import select
import struct
import time

import torch

from . import tensors

HEADER = struct.Struct("<Q")
# No honest frame comes near this (the largest, grading the reference, is ~20 KB). A header
# announcing more is refused before anything more is read, so a worker cannot make the
# grader hold a frame of any size; the worker sends an honest result this large as an error.
MAX_FRAME = 8 * 2**20


class WireError(Exception):
    """The other end closed the pipe, sent an unreadable frame, or went silent."""


class Silent(WireError):
    """No complete frame before the deadline."""


class Unreadable(WireError):
    """A whole frame that is not what encode() writes, or a header announcing more than
    MAX_FRAME: only code writing into the pipe on purpose sends one."""


def _exact_in_json(obj) -> bool:
    """Whether json.loads(json.dumps(obj)) gives obj back, of the same types (no tuple,
    tensor, non-string key or subclass; no NaN or infinity)."""
    kind = type(obj)
    if kind is str or kind is bool or kind is int or obj is None:
        return True
    if kind is float:
        return math.isfinite(obj)
    if kind is list:
        return all(_exact_in_json(value) for value in obj)
    if kind is dict:
        return all(type(key) is str and _exact_in_json(value) for key, value in obj.items())
    return False


def encode(obj) -> bytes:
    payload = _as_json(obj) or tensors.encode(obj) if type(obj) is dict else None
    if payload is None:
        buffer = io.BytesIO()
        torch.save(obj, buffer)
        payload = buffer.getvalue()
    return HEADER.pack(len(payload)) + payload


def _as_json(obj: dict) -> bytes | None:
    try:
        return json.dumps(obj, allow_nan=False).encode() if _exact_in_json(obj) else None
    except (RecursionError, ValueError):
        return None


def decode(payload: bytes):
    try:
        if payload[:1] == b"{":
            return json.loads(payload)
        if payload[:1] == tensors.MARK:
            return tensors.decode(payload)
        return torch.load(io.BytesIO(payload), weights_only=True)
    except Exception as exc:
        raise Unreadable(f"unreadable frame: {type(exc).__name__}: {str(exc)[:200]}") from None


def send(fd: int, obj) -> None:
    write(fd, encode(obj))


def write(fd: int, frame: bytes) -> None:
    view = memoryview(frame)
    while view:
        view = view[os.write(fd, view):]


class Reader:
    """Reads frames from a pipe with a deadline, keeping partial frames between calls."""

    def __init__(self, fd: int):
        self.fd = fd
        self.buffer = bytearray()

    def _frame(self):
        if len(self.buffer) < HEADER.size:
            return None
        (size,) = HEADER.unpack_from(self.buffer)
        if size > MAX_FRAME:
            raise Unreadable(f"a frame of {size:,} bytes")
        if len(self.buffer) < HEADER.size + size:
            return None
        payload = bytes(self.buffer[HEADER.size: HEADER.size + size])
        del self.buffer[: HEADER.size + size]
        return decode(payload)

    def receive(self, deadline: float):
        """The next message; Silent after the deadline (time.monotonic()), WireError at
        end of file."""
        while True:
            frame = self._frame()
            if frame is not None:
                return frame
            left = None if deadline == float("inf") else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise Silent("no reply in time")
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                raise WireError("end of file")
            self.buffer += chunk
