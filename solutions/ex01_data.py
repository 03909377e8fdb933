"""Exercise 1: the data, as tensors PyTorch can learn from.

We make four clusters of 2-D points with scikit-learn's make_blobs. A point's cluster is
its class: 0, 1, 2 or 3. Then we hold out 20% of the points to test on.

Check your work:  pytest exercises/test_ex01_data.py
"""
import torch
from sklearn.datasets import make_blobs
from sklearn.model_selection import train_test_split


def make_dataset(n_samples=1000, n_features=2, n_classes=4, cluster_std=1.2, seed=12345):
    """Make a blob dataset and return it as tensors.

    Call sklearn.datasets.make_blobs(n_samples=n_samples, n_features=n_features,
    centers=n_classes, cluster_std=cluster_std, random_state=seed), then convert:

    Returns:
        X: float32 tensor of shape [n_samples, n_features], the points.
        y: int64 tensor (a LongTensor) of shape [n_samples], the class of each point,
           from 0 to n_classes - 1.

    Hint: make_blobs returns numpy arrays, X as float64. nn.Linear computes in float32,
    and CrossEntropyLoss wants int64 class indices, so use torch.from_numpy(X).float()
    and torch.from_numpy(y).long(). Float labels fail with "expected scalar type Long".
    """
    ### BEGIN SOLUTION
    X, y = make_blobs(n_samples=n_samples, n_features=n_features, centers=n_classes,
                      cluster_std=cluster_std, random_state=seed)
    return torch.from_numpy(X).type(torch.float32), torch.from_numpy(y).type(torch.long)
    ### END SOLUTION


def split_dataset(X, y, test_size=0.2, seed=12345):
    """Split the data into a training set and a test set.

    Use sklearn.model_selection.train_test_split(X, y, test_size=test_size,
    random_state=seed). Given tensors, it returns tensors with the same dtypes.

    Returns:
        X_train, X_test, y_train, y_test, in that order (train_test_split's order).

    Hint: split X and y in one call, so that each point keeps its own label.
    """
    ### BEGIN SOLUTION
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed)
    return X_train, X_test, y_train, y_test
    ### END SOLUTION
