"""The wire's tagged format (wire.py): plain data with tensors, without pickle.

    b"T" | the JSON's length (4 bytes) | the JSON | the tensors' bytes, each 8-aligned

In the JSON every object is a tag of one key, so nothing a message holds can pass for one:

    {"s": {key: value, ...}}   a dict with string keys     [value, ...]   a list
    {"u": [value, ...]}        a tuple                      {"f": "nan"}   nan, inf or -inf
    {"t": [dtype, shape, offset, size]}   a tensor: its bytes at offset in the bytes part

and strings, ints, finite floats, booleans and None are themselves. Only plain CPU tensors
are written this way (torch.Tensor itself, strided, contiguous, no grad, no conjugate or
negative bit, a dtype of DTYPES); encode() returns None for a message with anything else
(a dict with other keys, a tensor subclass, a numpy array), which then goes by torch.save.

decode() reads what a worker that student code controls may have written: it builds only
the types above, checks each tensor's dtype, shape and bytes against each other and the
frame, copies each tensor out of the frame, and raises on anything else.
"""
from __future__ import annotations

import json
import math
import struct

import torch

MARK = b"T"
LENGTH = struct.Struct("<I")
ALIGN = 8
DTYPES = {str(d).removeprefix("torch."): d for d in (
    torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.complex64, torch.complex128,
    torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool)}
_NAMES = {d: name for name, d in DTYPES.items()}
_NOT_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class _Unfit(Exception):
    """The message holds something this format does not carry."""


def _plain(t: torch.Tensor) -> bool:
    return (t.layout == torch.strided and t.device.type == "cpu" and not t.requires_grad
            and t.dtype in _NAMES and t.is_contiguous() and not t.is_conj() and not t.is_neg())


def encode(obj) -> bytes | None:
    """The payload of a tagged frame, or None where obj holds something else."""
    blobs: list[bytes] = []
    size = 0

    def tag(value):
        nonlocal size
        kind = type(value)
        if kind is str or kind is bool or kind is int or value is None:
            return value
        if kind is float:
            return value if math.isfinite(value) else {"f": repr(value)}
        if kind is list:
            return [tag(v) for v in value]
        if kind is tuple:
            return {"u": [tag(v) for v in value]}
        if kind is dict:
            if not all(type(k) is str for k in value):
                raise _Unfit
            return {"s": {k: tag(v) for k, v in value.items()}}
        if kind is torch.Tensor and _plain(value):
            data = value.reshape(-1).view(torch.uint8).numpy().tobytes()
            offset = size
            pad = -len(data) % ALIGN
            blobs.append(data + bytes(pad))
            size += len(data) + pad
            return {"t": [_NAMES[value.dtype], list(value.shape), offset, len(data)]}
        raise _Unfit

    try:
        text = json.dumps(tag(obj), separators=(",", ":")).encode()
    except (_Unfit, RecursionError, ValueError):
        return None
    return b"".join([MARK, LENGTH.pack(len(text)), text, *blobs])


def decode(payload: bytes):
    """The message of a tagged frame; ValueError for anything but what encode() writes."""
    if payload[:1] != MARK or len(payload) < 1 + LENGTH.size:
        raise ValueError("not a tagged frame")
    (length,) = LENGTH.unpack_from(payload, 1)
    start = 1 + LENGTH.size
    if start + length > len(payload):
        raise ValueError("the JSON runs past the frame")
    tree = json.loads(payload[start:start + length])
    data = memoryview(payload)[start + length:]

    def build(node):
        kind = type(node)
        if kind is list:
            return [build(v) for v in node]
        if kind is not dict:
            return node                     # str, int, float, bool, None
        if len(node) != 1:
            raise ValueError("an object that is not a tag")
        [(key, value)] = node.items()
        if key == "s" and type(value) is dict:
            return {k: build(v) for k, v in value.items()}
        if key == "u" and type(value) is list:
            return tuple(build(v) for v in value)
        if key == "f" and value in _NOT_FINITE:
            return _NOT_FINITE[value]
        if key == "t" and type(value) is list:
            return _tensor(value, data)
        raise ValueError(f"an unknown tag {key!r}")

    return build(tree)


def _tensor(fields: list, data: memoryview) -> torch.Tensor:
    if len(fields) != 4:
        raise ValueError("a tensor tag of other fields")
    name, shape, offset, size = fields
    if type(name) is not str or name not in DTYPES:
        raise ValueError(f"a tensor of dtype {str(name)[:40]!r}")
    if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape) or len(shape) > 64:
        raise ValueError("a tensor of a shape that is not sizes")
    if type(offset) is not int or type(size) is not int or not 0 <= offset <= offset + size <= len(data):
        raise ValueError("a tensor's bytes outside the frame")
    dtype = DTYPES[name]
    stored = torch.uint8 if dtype is torch.bool else dtype      # any byte but 0 is True
    numel = math.prod(shape)
    if numel * stored.itemsize != size:
        raise ValueError(f"a tensor of {numel} {name} values in {size} bytes")
    if numel == 0:
        return torch.empty(shape, dtype=dtype)
    flat = torch.frombuffer(bytearray(data[offset:offset + size]), dtype=stored)
    return (flat != 0 if dtype is torch.bool else flat).reshape(shape)
