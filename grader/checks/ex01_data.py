"""Checks for exercise 1: make_dataset and split_dataset."""
from __future__ import annotations

import math

import torch

from .. import messages as M
from . import oracle
from .cases import BLOBS_DEFAULTS, SPLIT_DEFAULTS
from .feedback import expect, fail
from .registry import check
from .reading import array_values, article, phrase, unpack


def _dataset(ctx, custom: bool):
    """(called, X description, y description) for the default or the custom call."""
    kwargs = dict(ctx.cases.blobs) if custom else {}
    r = ctx.run("make_dataset", kwargs=kwargs)
    X, y = unpack(r.data["result"], ["X", "y"], "make_dataset", r.called)
    return r.called, X, y


def _both(ctx):
    return [_dataset(ctx, custom=False), _dataset(ctx, custom=True)]


@check("ex01", 2, "make_dataset returns torch tensors, not numpy arrays",
       requires={"make_dataset": "return it as tensors"})
def returns_tensors(ctx):
    for called, X, y in _both(ctx):
        for name, d in (("X", X), ("y", y)):
            if d["kind"] == "ndarray":
                fail(M.NUMPY_NOT_TENSOR.format(what=name), called=called, got=phrase(d),
                     expected="a torch.Tensor")
            expect(d["kind"] == "tensor", f"{name} should be a torch.Tensor", called=called,
                   got=phrase(d), expected="a torch.Tensor")


def _tensor(d: dict, name: str, dtype: str, called: str) -> None:
    """A dtype check is about the tensor the model gets: a numpy array of the right dtype
    is still not one (torch.nn layers and losses take tensors only)."""
    array_values(d, name, "make_dataset", called)
    if d["kind"] == "ndarray":
        fail(M.NUMPY_NOT_TENSOR.format(what=name), called=called, got=phrase(d),
             expected=f"{article(dtype)} {dtype} torch.Tensor",
             likely=M.FLOAT64_FEATURES if (name, d["dtype"]) == ("X", "float64") else None)


@check("ex01", 3, "X is float32",
       requires={"make_dataset": "X: float32 tensor"})
def features_float32(ctx):
    for called, X, _ in _both(ctx):
        _tensor(X, "X", "float32", called)
        if X["dtype"] == "float32":
            continue
        likely = M.FLOAT64_FEATURES if X["dtype"] == "float64" else "convert with .float()"
        fail(f"X is {X['dtype']}, not float32", called=called, got=phrase(X),
             expected="a float32 tensor", likely=likely)


@check("ex01", 4, "y is int64 (a LongTensor)",
       requires={"make_dataset": "y: int64 tensor (a LongTensor)"})
def labels_int64(ctx):
    for called, _, y in _both(ctx):
        _tensor(y, "y", "int64", called)
        if y["dtype"] == "int64":
            continue
        text = (M.FLOAT_LABELS if y["dtype"].startswith(("float", "bfloat")) else M.INT_LABELS_NOT_64)
        fail(text.format(dtype=y["dtype"]), called=called, got=phrase(y),
             expected="an int64 tensor of class indices")


@check("ex01", 2, "X is [n_samples, n_features]; y is [n_samples] with labels 0..n_classes-1",
       requires={"make_dataset": ("X: float32 tensor of shape [n_samples, n_features]",
                                  "of shape [n_samples], the class of each point, from 0 to n_classes - 1")})
def shapes_and_labels(ctx):
    for custom in (False, True):
        called, X, y = _dataset(ctx, custom)
        args = ctx.cases.blobs if custom else BLOBS_DEFAULTS
        n, f, c = args["n_samples"], args["n_features"], args["n_classes"]
        array_values(X, "X", "make_dataset", called)
        yv = array_values(y, "y", "make_dataset", called)
        expect(X["shape"] == [n, f], f"X has shape {X['shape']}", called=called,
               got=phrase(X), expected=f"shape [{n}, {f}]")
        if y["shape"] == [n, 1]:
            fail(M.LABELS_2D.format(shape=y["shape"]), called=called, got=phrase(y),
                 expected=f"shape [{n}]")
        expect(y["shape"] == [n], f"y has shape {y['shape']}", called=called, got=phrase(y),
               expected=f"shape [{n}]")
        labels = sorted({int(v) for v in yv.reshape(-1).tolist()})
        expect(labels == list(range(c)), f"the labels are {labels[:10]}", called=called,
               got=f"labels {labels[:10]}", expected=f"labels 0..{c - 1}, one per cluster")


@check("ex01", 3, "make_dataset honours n_samples, n_features, n_classes and seed",
       requires={"make_dataset": ("make_blobs(n_samples=n_samples, n_features=n_features, centers=n_classes",
                                  "random_state=seed")})
def arguments_honoured(ctx):
    called, X, y = _dataset(ctx, custom=True)
    args = ctx.cases.blobs
    xv = array_values(X, "X", "make_dataset", called)
    yv = array_values(y, "y", "make_dataset", called)
    n, f, c = args["n_samples"], args["n_features"], args["n_classes"]
    if xv.ndim != 2 or xv.shape[0] != n:
        fail(M.ARGUMENT_IGNORED.format(argument="n_samples", value=n), called=called,
             got=phrase(X), expected=f"{n} rows")
    if xv.shape[1] != f:
        fail(M.ARGUMENT_IGNORED.format(argument="n_features", value=f), called=called,
             got=phrase(X), expected=f"{f} columns")
    n_labels = len(set(yv.reshape(-1).tolist()))
    if n_labels != c:
        fail(M.ARGUMENT_IGNORED.format(argument="n_classes", value=c), called=called,
             got=f"{n_labels} distinct labels", expected=f"{c} classes: pass centers=n_classes")
    default_seed, _ = oracle.blobs(**{**args, "seed": BLOBS_DEFAULTS["seed"]})
    if torch.allclose(xv.double(), default_seed.double(), atol=1e-4):
        fail(M.SEED_IGNORED, called=called, got=f"the points of seed {BLOBS_DEFAULTS['seed']}",
             expected=f"the points of seed {args['seed']}")


@check("ex01", 2, "make_dataset's points equal make_blobs(...) with the same arguments",
       requires={"make_dataset": "Call sklearn.datasets.make_blobs(n_samples=n_samples"})
def matches_make_blobs(ctx):
    for custom in (False, True):
        called, X, y = _dataset(ctx, custom)
        args = dict(ctx.cases.blobs if custom else BLOBS_DEFAULTS)
        xv = array_values(X, "X", "make_dataset", called).double()
        yv = array_values(y, "y", "make_dataset", called)
        want_X, want_y = oracle.blobs(**args)
        if xv.shape == want_X.shape and torch.allclose(xv, want_X.double(), atol=1e-4) \
                and yv.shape == want_y.shape and torch.equal(yv.long(), want_y):
            continue
        call = ("make_blobs(n_samples={n_samples}, n_features={n_features}, centers={n_classes}, "
                "cluster_std={cluster_std}, random_state={seed})").format(**args)
        likely = None
        if xv.shape == want_X.shape:
            for name, value in (("seed", BLOBS_DEFAULTS["seed"]), ("cluster_std", 1.0),
                                ("cluster_std", BLOBS_DEFAULTS["cluster_std"])):
                other, _ = oracle.blobs(**{**args, name: value})
                if args[name] != value and torch.allclose(xv, other.double(), atol=1e-4):
                    likely = f"these are the points for {name}={value}: pass {name} through"
        fail("the points differ from make_blobs with the same arguments", called=called,
             got=phrase(X), expected=f"the points of {call}", likely=likely)


# --- split_dataset --------------------------------------------------------------------
_SHARES = f"{100 - round(SPLIT_DEFAULTS['test_size'] * 100)}/{round(SPLIT_DEFAULTS['test_size'] * 100)}"


def _split(ctx, which: str):
    """(called, [X_train, X_test, y_train, y_test] descriptions, n, test_size)."""
    if which == "default":
        X, y = ctx.cases.default_blobs
        r = ctx.run("split_dataset", X=X, y=y, kwargs={})
        n, test_size = len(X), SPLIT_DEFAULTS["test_size"]
    else:
        X, y = ctx.cases.split_data
        kwargs = dict(ctx.cases.split)
        if which == "other_seed":
            kwargs["seed"] = ctx.cases.other_split_seed
        r = ctx.run("split_dataset", X=X, y=y, kwargs=kwargs, repeat=int(which == "again"))
        n, test_size = len(X), kwargs["test_size"]
    names = ["X_train", "X_test", "y_train", "y_test"]
    return r.called, unpack(r.data["result"], names, "split_dataset", r.called), n, test_size


def _ids(d: dict, called: str) -> list[int]:
    """Row numbers of a split of ctx.cases.split_data (its first column numbers the rows)."""
    v = array_values(d, "X_train and X_test", "split_dataset", called)
    if v.ndim != 2:
        fail(M.SPLIT_ORDER, called=called, got=phrase(d), expected="a 2-D X")
    return [int(round(float(i))) for i in v[:, 0].tolist()]


@check("ex01", 2, f"split_dataset makes an {_SHARES} split (and honours test_size)",
       requires={"split_dataset": "test_size=test_size"})
def split_sizes(ctx):
    for which in ("default", "custom"):
        called, parts, n, test_size = _split(ctx, which)
        n_test = math.ceil(n * test_size)
        want = [n - n_test, n_test, n - n_test, n_test]
        got = []
        for name, d in zip(["X_train", "X_test", "y_train", "y_test"], parts):
            v = array_values(d, name, "split_dataset", called)
            got.append(v.shape[0] if v.ndim else 0)
        if parts[1]["shape"] and len(parts[1]["shape"]) == 1 and len(parts[2]["shape"]) == 2:
            fail(M.SPLIT_ORDER, called=called, got=f"2nd item {phrase(parts[1])}",
                 expected="X_train, X_test, y_train, y_test")
        expect(got == want, f"the parts have {got} rows", called=called,
               got=f"X_train, X_test, y_train, y_test with {got} rows",
               expected=f"{want} rows (test_size={test_size} of {n})")


@check("ex01", 2, "train and test are disjoint, cover every sample, and keep each label with its point",
       requires={"split_dataset": ("Split the data into a training set and a test set",
                                   "each point keeps its own label")})
def split_partition(ctx):
    called, parts, n, _ = _split(ctx, "custom")
    train, test = _ids(parts[0], called), _ids(parts[1], called)
    overlap = set(train) & set(test)
    expect(not overlap, f"{len(overlap)} sample(s) are in both train and test", called=called,
           got=f"rows {sorted(overlap)[:5]} in both", expected="each row in exactly one part")
    missing = set(range(n)) - set(train) - set(test)
    expect(not missing and len(train) + len(test) == n,
           f"train and test together do not make up the data set ({len(missing)} rows missing)",
           called=called, got=f"{len(train)} + {len(test)} rows", expected=f"all {n} rows once")
    for ids, d, name in ((train, parts[2], "y_train"), (test, parts[3], "y_test")):
        labels = array_values(d, name, "split_dataset", called).reshape(-1).tolist()
        expect(len(labels) == len(ids) and all(int(l) == i % 4 for l, i in zip(labels, ids)),
               M.SPLIT_PAIRS_BROKEN, called=called, got=f"{name} not aligned with its X rows",
               expected="y[i] still belongs to X[i]")


@check("ex01", 1, "split_dataset returns tensors that keep their dtypes",
       requires={"split_dataset": "Given tensors, it returns tensors with the same dtypes"})
def split_keeps_types(ctx):
    called, parts, _, _ = _split(ctx, "default")
    for name, d, dtype in zip(["X_train", "X_test", "y_train", "y_test"], parts,
                              ["float32", "float32", "int64", "int64"]):
        if d["kind"] == "ndarray":
            fail(M.NUMPY_NOT_TENSOR.format(what=name), called=called, got=phrase(d),
                 expected=f"a {dtype} torch.Tensor",
                 likely="pass the tensors straight to train_test_split; it returns tensors")
        expect(d["kind"] == "tensor" and d["dtype"] == dtype, f"{name} is {phrase(d)}",
               called=called, got=phrase(d), expected=f"a {dtype} tensor, like the input")


@check("ex01", 1, "split_dataset is train_test_split with random_state=seed",
       requires={"split_dataset": "random_state=seed"})
def split_seeded(ctx):
    called, parts, n, test_size = _split(ctx, "custom")
    seed = ctx.cases.split["seed"]
    train = _ids(parts[0], called)
    want, _ = oracle.split_indices(n, test_size, seed)
    if train != want.tolist():
        likely = None
        for other in dict.fromkeys((SPLIT_DEFAULTS["seed"], 42, 0)):
            if train == oracle.split_indices(n, test_size, other)[0].tolist():
                likely = M.SEED_IGNORED + f" (this is the split of random_state={other})"
        fail("the split differs from train_test_split with the same seed", called=called,
             got=f"train rows {train[:6]}...",
             expected=f"train rows {want[:6].tolist()}..., as train_test_split(X, y, "
                      "test_size=test_size, random_state=seed) gives",
             likely=likely)
    again = _ids(_split(ctx, "again")[1][0], called)
    expect(again == train, "the same seed gave a different split", called=called + " (twice)",
           got="two different splits", expected="the same split")
    other_called, other_parts, _, _ = _split(ctx, "other_seed")
    expect(_ids(other_parts[0], other_called) != train, "another seed gave the same split",
           called=other_called, got="the same split as before", expected="a different split",
           likely=M.SEED_IGNORED)
