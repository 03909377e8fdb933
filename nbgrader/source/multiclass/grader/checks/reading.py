"""Reading the plain data that probes report: what kind of thing came back, in words, and
its values. Failing here gives the same message to every check that needs the value."""
from __future__ import annotations

import torch

from .. import messages
from .feedback import fail

NONE_RETURNED = "{function} returned None: is the return statement missing?"


def article(word: str) -> str:
    return "an" if word[:1] in "aeiou" or word.startswith(("int", "uint")) else "a"


def phrase(d: dict) -> str:
    """A short description of a returned value: 'a float32 tensor of shape [800, 2]'."""
    kind = d.get("kind")
    if kind == "tensor":
        return f"{article(d['dtype'])} {d['dtype']} tensor of shape {d['shape']}" + (
            f" on {d['device']}" if d["device"] != "cpu" else "")
    if kind == "ndarray":
        return f"a numpy array ({d['dtype']}, shape {d['shape']})"
    if kind in ("tuple", "list"):
        return f"a {kind} of {d['length']} item(s)"
    if kind == "dict":
        return f"a dict with keys {d['keys']}"
    if kind in ("float", "int", "bool", "numpy scalar"):
        return f"{kind} {d['value']!r}"
    if kind == "str":
        return f"the string {d['value']!r}"
    if kind == "device":
        return f"torch.device({d['type']!r})"
    if kind == "None":
        return "None"
    return f"an object of type {d.get('type', kind)}"


def values(d: dict) -> torch.Tensor | None:
    """The numbers in a tensor or numpy array, as a CPU tensor (None if it has none)."""
    return d.get("data") if d.get("kind") in ("tensor", "ndarray") else None


def unpack(d: dict, names: list[str], function: str, called: str) -> list[dict]:
    """The items of a returned tuple, or a failure that says what came back instead."""
    if d["kind"] == "None":
        fail(NONE_RETURNED.format(function=function), called=called)
    if d["kind"] not in ("tuple", "list") or d["length"] != len(names):
        fail(f"{function} should return {len(names)} values ({', '.join(names)})",
             called=called, got=phrase(d), expected=f"a tuple ({', '.join(names)})")
    return d["items"]


def array_values(d: dict, what: str, function: str, called: str) -> torch.Tensor:
    """The values of a returned array-like, or a failure naming what came back."""
    v = values(d)
    if v is None:
        if d["kind"] == "None":
            fail(NONE_RETURNED.format(function=function), called=called)
        fail(f"{what} should be a tensor", called=called, got=phrase(d),
             expected="a torch.Tensor")
    return v


def number(d: dict, what: str, function: str, called: str, *, tensor_ok: bool = False) -> float:
    """A returned number; a tensor fails (a Python float is asked for) unless tensor_ok."""
    if d["kind"] in ("float", "int", "numpy scalar"):
        return float(d["value"])
    if d["kind"] == "tensor" and d["shape"] in ([], [1]) and "data" in d:
        if tensor_ok:
            return float(d["data"].reshape(()).item())
        fail(f"{what} should be a Python float",
             called=called, got=phrase(d), expected="a float",
             likely=messages.NOT_PYTHON_FLOAT.format(kind="a tensor"))
    if d["kind"] == "None":
        fail(NONE_RETURNED.format(function=function), called=called)
    fail(f"{what} should be a number", called=called, got=phrase(d), expected="a float")
