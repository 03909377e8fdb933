"""The inputs the checks use: the lesson's defaults, and cases drawn from a seed with other
sizes, class counts and seeds, so that an answer hard-coded for the defaults fails. The
same seed always gives the same cases, so the same submission always gets the same score."""
from __future__ import annotations

import random
from functools import cached_property
from typing import Any

import torch

from . import oracle
from ..course import DEFAULT_SEED, course_lesson

# The lesson's defaults, from the manifest's [lesson] table.
LESSON = course_lesson()
BLOBS_DEFAULTS = dict(n_samples=LESSON.samples, n_features=LESSON.features, n_classes=LESSON.classes,
                      cluster_std=LESSON.cluster_std, seed=LESSON.data_seed)
SPLIT_DEFAULTS: dict[str, Any] = dict(test_size=LESSON.test_size, seed=LESSON.data_seed)
MODEL_DEFAULTS = dict(in_features=LESSON.features, out_features=LESSON.classes,
                      hidden_units=LESSON.hidden_units)
TRAIN_DEFAULTS = dict(epochs=LESSON.epochs, lr=LESSON.learning_rate)
# A seeded start is tried from these salts until the reference trains well from one.
START_SALTS = range(9, 60)


def _other(choices, lesson_value):
    """The choices less the lesson's own value: an argument ignored in favour of the
    default must show on the custom case."""
    return [c for c in choices if c != lesson_value]

# Reference results by seed. They depend on the seed alone, so every Cases of one seed in a
# process shares them (a batch, the tests): the first start that trains well costs seconds.
_MEMOS: dict[int, dict] = {}


class Cases:
    def __init__(self, seed: int = DEFAULT_SEED):
        self.seed = seed
        self.memo: dict = _MEMOS.setdefault(seed, {})   # reference results (runner.Context)
        rng = random.Random(seed)
        L = LESSON
        self.blobs = dict(n_samples=rng.randrange(150, 400), n_features=rng.choice(_other([3, 4, 5], L.features)),
                          n_classes=rng.choice(_other([3, 5, 6], L.classes)),
                          cluster_std=rng.choice(_other([0.5, 0.8, 1.6], L.cluster_std)),
                          seed=rng.randrange(1, 2**16))
        self.split_n = rng.randrange(90, 250)
        self.split = dict(test_size=rng.choice(_other([0.25, 0.3, 0.35], L.test_size)),
                          seed=rng.randrange(1, 2**16))
        self.other_split_seed = self.split["seed"] + rng.randrange(1, 1000)
        self.model = dict(in_features=rng.choice(_other([3, 5], L.features)),
                          out_features=rng.choice(_other([3, 5, 6], L.classes)),
                          hidden_units=rng.choice(_other([5, 12, 16], L.hidden_units)))
        n_classes = rng.choice([3, 5])
        self.predict_sizes = [rng.choice([3, 4]), rng.choice([6, 10]), rng.choice([6, 10]), n_classes]
        self.predict_sizes[2] = self.predict_sizes[1]
        self.predict_n = rng.choice([n for n in range(5, 13) if n != n_classes])
        self.accuracy_n = rng.randrange(20, 60)
        self.train_blobs: dict[str, Any] = dict(n_samples=rng.randrange(60, 120), n_features=3,
                                n_classes=rng.choice([3, 5]), cluster_std=1.5,
                                seed=rng.randrange(1, 2**16))
        self.train_hidden = rng.choice([6, 10])
        self.train_epochs = rng.choice(_other(range(12, 20), L.epochs))
        self.train_lr = rng.choice(_other([0.05, 0.2, 0.3], L.learning_rate))
        self.torch_seed = rng.randrange(1, 2**16)

    def generator(self, salt: int) -> torch.Generator:
        return torch.Generator().manual_seed(self.torch_seed * 1000 + salt)

    # -- ex01 -----------------------------------------------------------------------------
    @cached_property
    def split_data(self):
        """X whose first column numbers the rows, and y that can be read off that number,
        so a split shows which rows went where and whether labels stayed with their rows."""
        n = self.split_n
        X = torch.randn(n, 3, generator=self.generator(1))
        X[:, 0] = torch.arange(n, dtype=torch.float32)
        y = torch.arange(n, dtype=torch.int64) % 4
        return X, y

    @cached_property
    def default_blobs(self):
        return oracle.blobs(**BLOBS_DEFAULTS)

    # -- ex02 -----------------------------------------------------------------------------
    def model_inputs(self, in_features: int) -> torch.Tensor:
        """16 pairs (a, b), then a + b, then a zero row: enough to tell affine from not."""
        g = self.generator(2 + in_features)
        a, b = torch.randn(16, in_features, generator=g) * 3, torch.randn(16, in_features, generator=g) * 3
        return torch.cat([a, b, a + b, torch.zeros(1, in_features)])

    # -- ex03 -----------------------------------------------------------------------------
    def spec(self, sizes: list[int], salt: int, dropout: float = 0.0, device: str = "cpu") -> dict:
        return {"sizes": list(sizes), "state": oracle.init_state(sizes, self.torch_seed + salt),
                "dropout": dropout, "device": device}

    def inputs(self, n: int, features: int, salt: int) -> torch.Tensor:
        return torch.randn(n, features, generator=self.generator(10 + salt)) * 2

    def mode_case(self, salt: int) -> tuple[dict, torch.Tensor]:
        """(spec, X) for judging how a function runs the model (checks/model_runs.py): a
        model whose classes on X are not all the class of its last bias, which a collapsed
        model predicts for every row, so that even predicted classes show the collapse."""
        sizes = self.predict_sizes
        X = self.inputs(self.predict_n, sizes[0], salt=salt)
        for attempt in range(50):
            spec = self.spec(sizes, salt=salt + 100 * attempt)
            last_bias = spec["state"][f"{len(sizes) - 2}.bias"]
            if bool((oracle.logits(spec["state"], X).argmax(dim=1) != last_bias.argmax()).any()):
                break
        return spec, X

    @cached_property
    def accuracy_cases(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        g = self.generator(20)
        y_true = torch.tensor([0, 1, 2, 3, 0, 1, 2, 3])
        y_pred = torch.tensor([0, 2, 2, 1, 3, 1, 0, 0])            # 3 of 8 right: 37.5
        n = self.accuracy_n
        t = torch.randint(0, 5, (n,), generator=g)
        p = torch.where(torch.rand(n, generator=g) < 0.6, t, (t + 1) % 5)
        return [(y_true, y_pred), (t, p), (t, t.clone())]

    # -- ex04 -----------------------------------------------------------------------------
    @cached_property
    def train_data(self):
        X, y = oracle.blobs(**self.train_blobs)
        tr, te = oracle.split_indices(len(X), 0.25, self.train_blobs["seed"])
        return X[tr], y[tr], X[te], y[te]

    @cached_property
    def train_sizes(self) -> list[int]:
        b = self.train_blobs
        return [b["n_features"], self.train_hidden, self.train_hidden, b["n_classes"]]

    @cached_property
    def marked_train_case(self):
        """(spec, X_train, y_train, X_test, y_test): the custom training data with one more
        feature, 0 in every training row and 1 in every test row. Only a gradient from test
        rows moves the first layer's weights for that feature, whatever the optimizer or lr."""
        X_train, y_train, X_test, y_test = self.train_data
        mark = lambda X, value: torch.cat([X, torch.full((len(X), 1), value)], dim=1)
        sizes = [self.train_sizes[0] + 1, *self.train_sizes[1:]]
        return self.spec(sizes, salt=12), mark(X_train, 0.0), y_train, mark(X_test, 1.0), y_test

    @cached_property
    def default_train_spec(self) -> dict:
        """The lesson's model, from the first seeded start (salt 9, 10, ...) from which the
        reference reaches the lesson's min_reference_accuracy: some starts leave ReLUs dead
        and learn little, and a threshold measured from such a start would pass weak
        training."""
        return self.first_good_start()[0]

    def first_good_start(self) -> tuple[dict, int, float, bool]:
        """(spec, its salt, the reference's final test accuracy from it, whether that is good
        enough): the first good start, or else the best one tried."""
        if "first_good_start" not in self.memo:
            self.memo["first_good_start"] = self._first_good_start()
        return self.memo["first_good_start"]

    def default_reference(self):
        """(history, final state) of the reference's run from default_train_spec, on the
        default data with the lesson's epochs and learning rate: the run that chose it."""
        self.first_good_start()
        return self.memo["default_reference"]

    def _first_good_start(self) -> tuple[dict, int, float, bool]:
        best: tuple[dict, int, float, bool] | None = None
        for salt in START_SALTS:
            spec = self.spec(LESSON.sizes, salt=salt)
            run = oracle.train_history(spec["state"], *self.default_train_data,
                                       LESSON.epochs, LESSON.learning_rate)
            accuracy = run[0]["test_acc"][-1]
            if accuracy >= LESSON.min_reference_accuracy:
                self.memo["default_reference"] = run
                return spec, salt, accuracy, True
            if best is None or accuracy > best[2]:
                best = (spec, salt, accuracy, False)
                self.memo["default_reference"] = run
        assert best is not None
        return best

    @cached_property
    def default_train_data(self) -> oracle.TrainData:
        X, y = self.default_blobs
        tr, te = oracle.split_indices(len(X), **SPLIT_DEFAULTS)
        return X[tr], y[tr], X[te], y[te]
