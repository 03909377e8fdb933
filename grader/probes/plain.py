"""Turn whatever student code returned into plain data: dicts, lists, str, int, float, bool,
None and plain CPU tensors. Only plain data crosses from student code to the checks, so a
verdict never depends on an object the student made (a later worker process sends exactly
this over a pipe)."""
from __future__ import annotations

import numpy as np
import torch

MAX_ITEMS = 16      # elements kept from a returned list, tuple or dict
MAX_TEXT = 200      # characters kept from a returned string or repr

# A tensor's facts are read through torch's C type: student code runs in this process and
# can replace torch.Tensor's properties (a Python class), but not those of its C base.
TENSOR = torch._C.TensorBase


def plain_tensor(t: torch.Tensor) -> torch.Tensor:
    """A detached CPU copy as a plain torch.Tensor, whatever subclass came in."""
    t = TENSOR.as_subclass(t, torch.Tensor)
    return TENSOR.to(TENSOR.detach(t), "cpu", copy=True)


def describe(value, depth: int = 0) -> dict:
    if isinstance(value, torch.Tensor):
        t = TENSOR.as_subclass(value, torch.Tensor)
        device, grad_fn = TENSOR.device.__get__(t).type, TENSOR.grad_fn.__get__(t)  # type: ignore[attr-defined, union-attr]  # a getset descriptor in torch, a value in its stubs
        d = {"kind": "tensor", "dtype": str(TENSOR.dtype.__get__(t)).removeprefix("torch."),  # type: ignore[attr-defined]  # a getset descriptor in torch, a value in its stubs
             "shape": list(TENSOR.shape.__get__(t)), "device": device,  # type: ignore[attr-defined]  # a getset descriptor in torch, a value in its stubs
             "requires_grad": bool(TENSOR.requires_grad.__get__(t)),  # type: ignore[attr-defined]  # a getset descriptor in torch, a value in its stubs
             "grad_fn": type(grad_fn).__name__ if grad_fn is not None else None}
        if device != "meta":              # meta tensors have a shape but no values
            d["data"] = plain_tensor(t)
        return d
    if isinstance(value, np.ndarray):
        d = {"kind": "ndarray", "dtype": str(value.dtype), "shape": list(value.shape)}
        if value.dtype.kind in "biuf":
            d["data"] = torch.from_numpy(np.array(value, copy=True))
        return d
    if isinstance(value, (bool, np.bool_)):
        return {"kind": "bool", "value": bool(value)}
    if isinstance(value, np.generic):
        return {"kind": "numpy scalar", "dtype": str(value.dtype), "value": value.item()}
    if isinstance(value, int):
        return {"kind": "int", "value": int(value)}
    if isinstance(value, float):
        return {"kind": "float", "value": float(value)}
    if value is None:
        return {"kind": "None"}
    if isinstance(value, str):
        return {"kind": "str", "value": str(value)[:MAX_TEXT]}
    if isinstance(value, torch.device):
        return {"kind": "device", "type": value.type, "index": value.index}
    if isinstance(value, (list, tuple)) and depth < 3:
        return {"kind": type(value).__name__ if type(value) in (list, tuple) else "tuple",
                "length": len(value), "items": [describe(v, depth + 1) for v in value[:MAX_ITEMS]]}
    if isinstance(value, dict) and depth < 3:
        keys = [str(k) for k in list(value)[:MAX_ITEMS]]
        return {"kind": "dict", "keys": keys,
                "items": {str(k): describe(v, depth + 1) for k, v in list(value.items())[:MAX_ITEMS]}}
    return {"kind": "object", "type": f"{type(value).__module__}.{type(value).__qualname__}"}
