"""The wire between the grader and its workers (grader/gateway/wire.py, tensors.py): every
message comes back as it went, with its types, in the format meant for it; and what a worker
that student code controls writes instead is refused before it is used, from crafted frames
written by hand and from student code that writes them into its own reply pipe."""
from __future__ import annotations

import json
import math

import pytest
import torch

from grader.gateway import tensors, wire
from grader.platforms.report import result_text
from grader.runner import grade


def same(a, b) -> bool:
    """Equal, and of the same types all the way down (a tuple is not a list, True not 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, torch.Tensor):
        return a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def sent(message):
    """(the frame's format byte, what the other end reads)."""
    frame = wire.encode(message)
    (size,) = wire.HEADER.unpack_from(frame)
    assert size == len(frame) - wire.HEADER.size
    return frame[wire.HEADER.size:][:1], wire.decode(frame[wire.HEADER.size:])


REQUEST = {"probe": "train", "params": {
    "spec": {"state": {"0.weight": torch.randn(8, 2), "0.bias": torch.zeros(8)}, "device": "cpu"},
    "X": torch.randn(5, 2), "y": torch.arange(5), "kwargs": {"epochs": 3, "lr": 0.1}}}
EVERY_KIND = {"tuple": (1, 2.5, "a", None, True), "nested": [[(), {}], {"x": [False]}],
              "floats": [math.nan, math.inf, -math.inf, -0.0, 1e-310], "big": 2**80,
              "text": "é\u2028\udcff", "scalar": torch.tensor(3.5), "empty": torch.zeros(0, 3),
              **{f"{name}": torch.arange(6).reshape(2, 3).to(dtype) for name, dtype in tensors.DTYPES.items()}}


@pytest.mark.parametrize("message, format", [
    ({"type": "event", "action": "calling", "name": "train"}, b"{"),   # exact in JSON
    (REQUEST, b"T"),
    (EVERY_KIND, b"T"),
    ({1: "a key that is not a string"}, b"P"),
    ({"p": torch.nn.Parameter(torch.ones(2))}, b"P"),                  # a subclass
    ({"g": torch.ones(2, requires_grad=True)}, b"P"),
    ({"t": torch.arange(6).reshape(2, 3).t()}, b"P"),                  # not contiguous
], ids=["json", "request", "every-kind", "int-key", "parameter", "grad", "transposed"])
def test_each_message_comes_back_as_it_went_in_the_format_meant_for_it(message, format):
    got_format, got = sent(message)
    assert got_format == format
    assert same(got, message)
    if format == b"P":                  # what torch.save keeps, it keeps
        assert [type(v) for v in got.values()] == [type(v) for v in message.values()]


def test_a_tensor_read_is_a_copy_of_its_own():
    _, got = sent({"a": torch.ones(4), "b": torch.ones(4)})
    got["a"] += 1
    assert torch.equal(got["b"], torch.ones(4))


def frame(tree, data: bytes = b"") -> bytes:
    text = tree.encode() if isinstance(tree, str) else json.dumps(tree).encode()    # a str: the JSON
    return tensors.MARK + tensors.LENGTH.pack(len(text)) + text + data


@pytest.mark.parametrize("payload", [
    frame({"t": ["float32", [2**40], 0, 8]}, bytes(8)),               # more values than bytes
    frame({"t": ["float32", [2], 0, 8]}, bytes(4)),                   # bytes past the frame
    frame({"t": ["float32", [-2, -1], 0, 8]}, bytes(8)),
    frame({"t": ["object", [1], 0, 8]}, bytes(8)),                    # a dtype not on the list
    frame({"t": ["float32", [2], 0]}, bytes(8)),
    frame({"t": [1, 2, 3, 4]}),
    frame({"s": {"a": 1}, "u": []}),                                  # two tags in one object
    frame({"torch.load": "os.system"}),                               # not a tag
    frame({"f": "1e999"}),
    tensors.MARK + tensors.LENGTH.pack(2**31) + b"{}",                # JSON past the frame
    frame([]) [:-1],
    frame("[" * 100_000 + "]" * 100_000),
    b"T", b"", b"\x80\x02junk", b"PK\x03\x04junk",
], ids=["numel", "past-frame", "negative-shape", "dtype", "fields", "field-types", "two-tags",
        "no-tag", "not-finite", "json-length", "cut", "deep", "mark-only", "empty", "pickle", "zip"])
def test_a_frame_that_is_not_what_encode_writes_is_refused(payload):
    with pytest.raises(wire.WireError, match="unreadable frame"):
        wire.decode(payload)


def test_a_bool_tensor_reads_only_true_and_false():
    [got] = wire.decode(frame([{"t": ["bool", [3], 0, 3]}], bytes([0, 2, 255]) + bytes(5)))
    assert got.tolist() == [False, True, True] and torch.equal(got, torch.tensor([False, True, True]))


# Student code that writes a crafted tagged frame into every pipe it can write to (its reply
# pipe) before its own reply: the grader must refuse it and name the tampering.
CRAFTED = ("import os, stat, struct, json\n_predict = predict\n"
           "def predict(model, X):\n"
           "    text = json.dumps({TREE}).encode()\n"
           "    payload = b'T' + struct.pack('<I', len(text)) + text + bytes(8)\n"
           "    for name in os.listdir('/proc/self/fd'):\n"
           "        try:\n"
           "            if stat.S_ISFIFO(os.fstat(int(name)).st_mode):\n"
           "                os.write(int(name), struct.pack('<Q', len(payload)) + payload)\n"
           "        except OSError:\n"
           "            pass\n"
           "    return _predict(model, X)\n")


@pytest.mark.parametrize("tree, reason", [
    ({"s": {"type": "result", "data": {"t": ["float32", [2**40], 0, 8]}}}, "a tensor of 1099511627776 f"),
    ({"s": {"type": "result", "data": {"t": ["object", [1], 0, 8]}}}, "a tensor of dtype 'object'"),
], ids=["huge-tensor", "object-dtype"])
def test_a_crafted_frame_from_student_code_is_refused_as_tampering(submission, tree, reason):
    report = grade(submission(ex03=CRAFTED.replace("{TREE}", repr(tree))), only="ex03")
    lost = [result_text(r) for r in report.results if not r.passed and "predict" in r.check.name]
    assert lost and all("the grader could not read what came back" in text for text in lost), lost
    assert any(f"unreadable frame: ValueError: {reason}" in text for text in lost), lost
    assert report.score < report.max_score and all(r.check.exercise == "ex03" for r in report.results)
