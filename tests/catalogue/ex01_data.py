"""Wrong implementations of exercise 1 that learners really write, and correct ones written
differently."""
from . import Variant

MISTAKES = [
    Variant("numpy arrays returned", "ex01", """
        def make_dataset(n_samples=1000, n_features=2, n_classes=4, cluster_std=1.2, seed=12345):
            return make_blobs(n_samples=n_samples, n_features=n_features, centers=n_classes,
                              cluster_std=cluster_std, random_state=seed)
        """, {"ex01.returns_tensors": "numpy array, not a torch.Tensor",
              "ex01.features_float32": "float64",
              # y is an int64 numpy array: the right dtype, but not a tensor
              "ex01.labels_int64": "y is a numpy array, not a torch.Tensor"}),
    Variant("float64 features", "ex01", """
        def make_dataset(n_samples=1000, n_features=2, n_classes=4, cluster_std=1.2, seed=12345):
            X, y = make_blobs(n_samples=n_samples, n_features=n_features, centers=n_classes,
                              cluster_std=cluster_std, random_state=seed)
            return torch.from_numpy(X), torch.from_numpy(y)
        """, {"ex01.features_float32": "mat1 and mat2 must have the same dtype"}),
    Variant("float labels", "ex01", """
        def make_dataset(n_samples=1000, n_features=2, n_classes=4, cluster_std=1.2, seed=12345):
            X, y = make_blobs(n_samples=n_samples, n_features=n_features, centers=n_classes,
                              cluster_std=cluster_std, random_state=seed)
            return torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
        """, {"ex01.labels_int64": "expected scalar type Long"}),
    Variant("int32 labels", "ex01", """
        def make_dataset(n_samples=1000, n_features=2, n_classes=4, cluster_std=1.2, seed=12345):
            X, y = make_blobs(n_samples=n_samples, n_features=n_features, centers=n_classes,
                              cluster_std=cluster_std, random_state=seed)
            return torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.int32)
        """, {"ex01.labels_int64": "y is int32"}),
    Variant("labels as a column", "ex01", """
        _reference = make_dataset
        def make_dataset(*args, **kwargs):
            X, y = _reference(*args, **kwargs)
            return X, y.unsqueeze(1)
        """, {"ex01.shapes_and_labels": "1-D vector of class indices"}),
    Variant("arguments ignored", "ex01", """
        def make_dataset(n_samples=1000, n_features=2, n_classes=4, cluster_std=1.2, seed=12345):
            X, y = make_blobs(n_samples=1000, n_features=2, centers=4, cluster_std=1.2,
                              random_state=12345)
            return torch.from_numpy(X).float(), torch.from_numpy(y).long()
        """, {"ex01.arguments_honoured": "n_samples=", "ex01.shapes_and_labels": "x has shape",
              "ex01.matches_make_blobs": "differ"}),
    Variant("seed ignored", "ex01", """
        def make_dataset(n_samples=1000, n_features=2, n_classes=4, cluster_std=1.2, seed=12345):
            X, y = make_blobs(n_samples=n_samples, n_features=n_features, centers=n_classes,
                              cluster_std=cluster_std, random_state=12345)
            return torch.from_numpy(X).float(), torch.from_numpy(y).long()
        """, {"ex01.arguments_honoured": "seed argument was ignored",
              "ex01.matches_make_blobs": "seed=12345"}),
    Variant("cluster_std ignored", "ex01", """
        def make_dataset(n_samples=1000, n_features=2, n_classes=4, cluster_std=1.2, seed=12345):
            X, y = make_blobs(n_samples=n_samples, n_features=n_features, centers=n_classes,
                              random_state=seed)
            return torch.from_numpy(X).float(), torch.from_numpy(y).long()
        """, {"ex01.matches_make_blobs": "cluster_std=1.0"}),
    Variant("split in the wrong order", "ex01", """
        def split_dataset(X, y, test_size=0.2, seed=12345):
            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size,
                                                                random_state=seed)
            return X_train, y_train, X_test, y_test
        """, {"ex01.split_sizes": "wrong order"}),
    Variant("test_size ignored", "ex01", """
        def split_dataset(X, y, test_size=0.2, seed=12345):
            return train_test_split(X, y, test_size=0.2, random_state=seed)
        """, {"ex01.split_sizes": "test_size="}),
    Variant("X and y split separately", "ex01", """
        def split_dataset(X, y, test_size=0.2, seed=12345):
            X_train, X_test = train_test_split(X, test_size=test_size, random_state=seed)
            y_train, y_test = train_test_split(y, test_size=test_size, random_state=seed + 1)
            return X_train, X_test, y_train, y_test
        """, {"ex01.split_partition": "split together"}),
    Variant("test rows leak into train", "ex01", """
        def split_dataset(X, y, test_size=0.2, seed=12345):
            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size,
                                                                random_state=seed)
            return torch.cat([X_train, X_test[:3]]), X_test, torch.cat([y_train, y_test[:3]]), y_test
        """, {"ex01.split_partition": "in both train and test"}),
    Variant("split returns numpy", "ex01", """
        def split_dataset(X, y, test_size=0.2, seed=12345):
            return train_test_split(X.numpy(), y.numpy(), test_size=test_size, random_state=seed)
        """, {"ex01.split_keeps_types": "numpy array"}),
    Variant("split seed hard-coded", "ex01", """
        def split_dataset(X, y, test_size=0.2, seed=12345):
            return train_test_split(X, y, test_size=test_size, random_state=42)
        """, {"ex01.split_seeded": "random_state=42"}),
    Variant("split shuffled by hand without the seed", "ex01", """
        def split_dataset(X, y, test_size=0.2, seed=12345):
            order = torch.randperm(len(X))
            n_test = int(len(X) * test_size + 0.9999)
            test, train = order[:n_test], order[n_test:]
            return X[train], X[test], y[train], y[test]
        """, {"ex01.split_seeded": "train_test_split"}),
]

# Correct implementations written differently from the reference: each must earn
# full marks, so that the checks judge behaviour, not spelling.
ALTERNATIVES = [
    Variant("make_dataset_with_torch_tensor", "ex01", """
def make_dataset(n_samples=1000, n_features=2, n_classes=4, cluster_std=1.2, seed=12345):
    X, y = make_blobs(n_samples=n_samples, n_features=n_features, centers=n_classes,
                      cluster_std=cluster_std, random_state=seed)
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.long)
"""),

    Variant("make_dataset_with_as_tensor", "ex01", """
def make_dataset(n_samples=1000, n_features=2, n_classes=4, cluster_std=1.2, seed=12345):
    points, labels = make_blobs(n_samples, n_features, centers=n_classes,
                                cluster_std=cluster_std, random_state=seed)
    X = torch.as_tensor(points).to(torch.float32)
    y = torch.as_tensor(labels).long()
    return X, y
"""),

    Variant("split_on_numpy_then_back_to_tensors", "ex01", """
def split_dataset(X, y, test_size=0.2, seed=12345):
    X_train, X_test, y_train, y_test = train_test_split(
        X.numpy(), y.numpy(), test_size=test_size, random_state=seed)
    return (torch.from_numpy(X_train), torch.from_numpy(X_test),
            torch.from_numpy(y_train), torch.from_numpy(y_test))
"""),

    Variant("split_by_shuffled_indices", "ex01", """
import numpy as np


def split_dataset(X, y, test_size=0.2, seed=12345):
    train_idx, test_idx = train_test_split(np.arange(len(X)), test_size=test_size,
                                           random_state=seed)
    train_idx, test_idx = torch.as_tensor(train_idx), torch.as_tensor(test_idx)
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]
"""),
]
