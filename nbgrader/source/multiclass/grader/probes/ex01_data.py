"""Probes for ex01_data: call the data functions and report what came back."""
from .plain import describe
from .registry import probe


@probe("ex01")
def make_dataset(student, kwargs: dict) -> dict:
    return {"result": describe(student.call("make_dataset", **kwargs))}


@probe("ex01")
def split_dataset(student, X, y, kwargs: dict, repeat: int = 0) -> dict:
    # `repeat` only makes a second, uncached call with the same arguments.
    return {"result": describe(student.call("split_dataset", X, y, **kwargs))}
