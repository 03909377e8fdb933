"""What right answers look like, computed in the grader's own process, independently of
the student's code: the data as scikit-learn draws it, the model as plain functions of its
parameters, and SGD written out by hand. Mistake variants let a check name the mistake
whose result the student's matches."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .draws import blob_arrays as blob_arrays, split_indices as split_indices   # the oracle's too

State = dict[str, torch.Tensor]
TrainData = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]   # X_train, y_train, X_test, y_test


def blobs(n_samples: int, n_features: int, n_classes: int, cluster_std: float, seed: int):
    """make_blobs(n_samples, n_features, centers=n_classes, cluster_std, random_state=seed),
    written out with numpy as scikit-learn (pinned in constraints.txt) draws it: the centres
    uniform in (-10, 10), each cluster's points normal around its centre, then one shuffle.
    The grading process never imports scikit-learn (with scipy, 2 s of CPU at each start);
    tests/test_reference_and_stubs.py holds it equal to make_blobs over a grid."""
    X, y, _ = blob_arrays(n_samples, n_features, n_classes, cluster_std, seed)
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.int64)


def init_state(sizes: list[int], seed: int) -> State:
    """Parameters drawn as nn.Linear draws them: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    g = torch.Generator().manual_seed(seed)
    state = {}
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        bound = 1.0 / a ** 0.5
        state[f"{i}.weight"] = (torch.rand(b, a, generator=g) * 2 - 1) * bound
        state[f"{i}.bias"] = (torch.rand(b, generator=g) * 2 - 1) * bound
    return state


def logits(state: State, X: torch.Tensor, relu: bool = True) -> torch.Tensor:
    n = len(state) // 2
    h = X
    for i in range(n):
        h = F.linear(h, state[f"{i}.weight"], state[f"{i}.bias"])
        if relu and i < n - 1:
            h = F.relu(h)
    return h


def percent_correct(z: torch.Tensor, y: torch.Tensor) -> float:
    return (z.argmax(dim=1) == y).double().mean().item() * 100


# Ways one train_step can go; the first is right, the others are the usual mistakes.
RIGHT, SOFTMAX_FIRST, NO_ZERO_GRAD = "right", "softmax_first", "no_zero_grad"
OWN_PREDICTIONS = "own_predictions"     # loss_fn(logits, logits.argmax(dim=1)): not the labels


def loss_of(z: torch.Tensor, y: torch.Tensor, variant: str = RIGHT) -> torch.Tensor:
    """The loss one step computes from logits z, the right way or a mistaken one."""
    if variant == SOFTMAX_FIRST:
        return F.cross_entropy(z.softmax(dim=1), y)
    if variant == OWN_PREDICTIONS:
        return F.cross_entropy(z, z.detach().argmax(dim=1))
    return F.cross_entropy(z, y)


def sgd_steps(state: State, X, y, lr: float, steps: int, variant: str = RIGHT):
    """Plain SGD on cross-entropy, step by step. Returns (losses before each update,
    states after each update)."""
    params = {k: v.clone().requires_grad_(True) for k, v in state.items()}
    accumulated = {k: torch.zeros_like(v) for k, v in state.items()}
    losses, states = [], []
    for _ in range(steps):
        loss = loss_of(logits(params, X), y, variant)
        grads = dict(zip(params, torch.autograd.grad(loss, list(params.values()))))
        if variant == NO_ZERO_GRAD:
            for k in grads:
                accumulated[k] += grads[k]
            used = accumulated
        else:
            used = grads
        with torch.no_grad():
            params = {k: (p - lr * used[k]).requires_grad_(True) for k, p in params.items()}
        losses.append(loss.item())
        states.append({k: p.detach().clone() for k, p in params.items()})
    return losses, states


def cross_entropy(state: State, X, y) -> float:
    with torch.no_grad():
        return F.cross_entropy(logits(state, X), y).item()


def train_history(state: State, X_train, y_train, X_test, y_test, epochs: int, lr: float,
                  variant: str = RIGHT):
    """The history train() should return, and the final state (or, with a mistaken
    variant of the step, what that mistake gives)."""
    hist: dict[str, list[float]] = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    params = {k: v.clone() for k, v in state.items()}
    for _ in range(epochs):
        hist["train_acc"].append(percent_correct(logits(params, X_train).detach(), y_train))
        losses, states = sgd_steps(params, X_train, y_train, lr, 1, variant)
        hist["train_loss"].append(losses[0])
        params = states[0]
        with torch.no_grad():
            z = logits(params, X_test)
            hist["test_loss"].append(F.cross_entropy(z, y_test).item())
            hist["test_acc"].append(percent_correct(z, y_test))
    return hist, params


def states_close(a: State, b: State, atol: float = 1e-5, rtol: float = 1e-4) -> bool:
    return a.keys() == b.keys() and all(
        a[k].shape == b[k].shape and torch.allclose(a[k], b[k], atol=atol, rtol=rtol) for k in a)
