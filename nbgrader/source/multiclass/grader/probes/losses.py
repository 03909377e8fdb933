"""What the student's code passed to the cross-entropy loss, as evidence for the mistake
behind an error that PyTorch words in its own terms: the predicted classes given as the
logits ("Expected floating point type for target with class probabilities", later "element
0 of tensors does not require grad"), or the labels and the logits swapped
("log_softmax_lastdim_kernel_impl not implemented for 'Long'")."""
from __future__ import annotations

import contextlib
from unittest import mock

import torch
import torch.nn.functional as F

from .. import messages as M
from .student import Student


def _same(a, b: torch.Tensor) -> bool:
    return (isinstance(a, torch.Tensor) and a.shape == b.shape and a.device == b.device
            and torch.equal(a.detach().to(b.dtype), b))


class LossRecorder:
    """Records, for each call of F.cross_entropy (nn.CrossEntropyLoss calls it), what its
    input and target were: the model's logits, its predicted classes, the labels, other.
    Only a hint comes of it (the likely mistake), never points: student code could forge it."""

    def __init__(self, model: torch.nn.Module, labels: list[torch.Tensor]):
        self.labels = labels
        self.last_output = None                     # the model's latest output
        self.calls: list[tuple[str, str]] = []
        self.handle = model.register_forward_hook(self._keep)

    def _keep(self, module, args, output) -> None:
        self.last_output = output

    def _what(self, value) -> str:
        logits = self.last_output
        if isinstance(logits, torch.Tensor) and logits.ndim == 2:
            logits = logits.detach()
            if value is self.last_output or _same(value, logits):
                return "logits"
            if _same(value, logits.argmax(dim=1)):
                return "classes"
        if any(_same(value, y) for y in self.labels):
            return "labels"
        return "other"

    def watch(self, real):
        def cross_entropy(input, target, *args, **kwargs):
            with contextlib.suppress(RuntimeError, TypeError, ValueError):   # evidence is a bonus
                self.calls.append((self._what(input), self._what(target)))
            return real(input, target, *args, **kwargs)
        return cross_entropy

    def mistake(self) -> str | None:
        """The mistake the loss's arguments show, or None."""
        for input, target in self.calls:
            if input == "classes":
                return M.LOSS_ON_PREDICTED_CLASSES
            if input == "labels" and target == "logits":
                return M.LOSS_ARGUMENTS_SWAPPED
        return None


@contextlib.contextmanager
def loss_evidence(student: Student, model: torch.nn.Module, labels: list[torch.Tensor]):
    """Watches the loss while the student's code runs on `model`; when it raises, tells the
    student's record (student.likely) the mistake the loss's arguments show."""
    recorder = LossRecorder(model, labels)
    try:
        with mock.patch.object(F, "cross_entropy", recorder.watch(F.cross_entropy)):
            yield recorder
    except Exception:
        student.likely = recorder.mistake()
        raise
    finally:
        recorder.handle.remove()
