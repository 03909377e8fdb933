"""The lesson's data and its split as scikit-learn draws them (make_blobs, train_test_split),
with numpy alone: what the oracle (oracle.py) turns into tensors, and what the reference's
best possible accuracy (grader/authoring/reference.py) is measured on, in a process that
may import neither scikit-learn (with scipy, 2 s of CPU) nor torch."""
from __future__ import annotations

import math

import numpy as np


def blob_arrays(n_samples: int, n_features: int, n_classes: int, cluster_std: float, seed: int):
    """blobs' draw as make_blobs(..., return_centers=True) returns it: (X, y, centres),
    numpy arrays, X and the centres in float64."""
    rng = np.random.RandomState(seed)
    centers = rng.uniform(-10.0, 10.0, size=(n_classes, n_features))
    per_class = [n_samples // n_classes + (i < n_samples % n_classes) for i in range(n_classes)]
    X = np.concatenate([rng.normal(loc=centers[i], scale=cluster_std, size=(n, n_features))
                        for i, n in enumerate(per_class)])
    y = np.repeat(np.arange(n_classes), per_class)
    order = np.arange(n_samples)
    rng.shuffle(order)
    return X[order], y[order], centers


def split_indices(n: int, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows train_test_split(np.arange(n), test_size=test_size, random_state=seed) puts
    in train and in test: one permutation, its first ceil(test_size * n) rows the test set."""
    n_test = math.ceil(test_size * n)
    permutation = np.random.RandomState(seed).permutation(n)
    return permutation[n_test:], permutation[:n_test]
