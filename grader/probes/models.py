"""Reference models built from plain specs, and a recorder of what happens in their
forward passes. Used by the probes of ex03 and ex04, so that those exercises are graded on
the grader's model, not on the student's build_model."""
from __future__ import annotations

import torch
from torch import nn


def build(spec: dict) -> nn.Sequential:
    """spec: {"sizes": [in, h, ..., out], "state": {name: tensor}, "dropout": p, "device": str}.
    Linear layers with ReLU between them, and Dropout(p) after each ReLU when p > 0."""
    sizes, p = spec["sizes"], spec.get("dropout", 0.0)
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
            if p:
                layers.append(nn.Dropout(p))
    model = nn.Sequential(*layers)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for i, layer in enumerate(linears):
            layer.weight.copy_(spec["state"][f"{i}.weight"])
            layer.bias.copy_(spec["state"][f"{i}.bias"])
    return model.to(spec.get("device", "cpu"))


def linear_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """The Linear layers' parameters, named as in the specs: "0.weight", "0.bias", ..."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    state = {}
    for i, layer in enumerate(linears):
        state[f"{i}.weight"] = layer.weight.detach().to("cpu", copy=True)
        if layer.bias is not None:          # Linear(..., bias=False) has none
            state[f"{i}.bias"] = layer.bias.detach().to("cpu", copy=True)
    return state


class ForwardRecorder:
    """Records, for every forward pass of a model: autograd on or off, train or eval
    mode, the input's device, which known input it was fed ("train", "test", "train+test"
    for a batch holding rows of both, ...), and whether a backward pass later went
    through its output (so gradients came from that input)."""

    def __init__(self, model: nn.Module, known_inputs: dict[str, torch.Tensor] | None = None):
        self.passes: list[dict] = []
        self.last_output = None         # the latest pass's output, for the loss's evidence
        self.known = known_inputs or {}
        self.handle = model.register_forward_pre_hook(self._record)
        self.output_handle = model.register_forward_hook(self._watch_output)

    def _name(self, x: torch.Tensor) -> str:
        if x.device.type == "meta" or not self.known:
            return "other"
        x = x.detach().cpu()
        for name, t in self.known.items():
            if x.shape == t.shape and torch.equal(x, t):
                return name
        # A batch, a shuffle or a concatenation: the known inputs whose rows it holds.
        held = [name for name, t in self.known.items()
                if x.ndim == 2 and t.ndim == 2 and x.shape[1] == t.shape[1] and len(x) and len(t)
                and bool((x.unsqueeze(1) == t.unsqueeze(0)).all(dim=2).any())]
        return "+".join(held) or "other"

    def _record(self, module, args):
        x = args[0] if args else None
        is_tensor = isinstance(x, torch.Tensor)
        self.passes.append({
            "grad_enabled": torch.is_grad_enabled(),
            "inference_mode": torch.is_inference_mode_enabled(),
            "training": module.training,
            "input_device": x.device.type if is_tensor else None,
            "input": self._name(x) if is_tensor else "other",
            "backward": False,
        })

    def _watch_output(self, module, args, output):
        self.last_output = output
        if self.passes and isinstance(output, torch.Tensor) and output.requires_grad:
            record = self.passes[-1]

            def reached(grad):
                record["backward"] = True

            output.register_hook(reached)
