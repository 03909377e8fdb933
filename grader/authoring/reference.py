"""The reference run of the lesson, and the thresholds the checks derive from it: what
`python -m grader reference` prints, what check-course shows, and what `python -m grader
variant` refuses a lesson by. Computed in the course at hand, from its own manifest."""
from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass

from ..course import Lesson, course_lesson
from ..registry import Platform


@dataclass(frozen=True)
class Reference:
    classes: int
    cluster_std: float
    data_seed: int
    hidden_units: int
    best_possible: float        # % of the test set the nearest of make_blobs' centres gets right
    accuracy: float             # the reference's final test accuracy from its start
    start: int                  # that start's salt (grader.checks.cases.START_SALTS)
    good: bool                  # whether it reaches min_reference_accuracy
    threshold: float            # what ex04.train_accuracy demands of a student
    min_reference_accuracy: float
    accuracy_margin: float

    def line(self) -> str:
        return (f"the reference reaches {self.accuracy:.1f}% test accuracy (start {self.start}; "
                f"the nearest true centre gets {self.best_possible:.1f}%); train_accuracy demands "
                f"at least {self.threshold:.1f}% ({self.accuracy_margin:g} points less)")


def best_possible(lesson: Lesson) -> float:
    """The test accuracy of the best classifier there is for these blobs, near enough: the
    nearest of the centres make_blobs drew (its clusters are round and equally spread). No
    trained model does better, so a lesson where this is below what the checks demand is
    refused at once. The blobs and the split are the oracle's (make_blobs' and
    train_test_split's draws, without importing scikit-learn or torch)."""
    from ..checks.draws import blob_arrays, split_indices

    X, y, centres = blob_arrays(lesson.samples, lesson.features, lesson.classes, lesson.cluster_std,
                                lesson.data_seed)
    _, test = split_indices(lesson.samples, lesson.test_size, lesson.data_seed)
    distances = ((X[test][:, None, :] - centres[None]) ** 2).sum(axis=-1)
    return float((distances.argmin(axis=1) == y[test]).mean() * 100)


def reference() -> Reference:
    """The reference run of this course's lesson, as the checks make it (seed DEFAULT_SEED)."""
    from ..checks.cases import Cases
    from ..checks.ex04_train import accuracy_threshold

    lesson = course_lesson()
    _, salt, accuracy, good = Cases().first_good_start()
    return Reference(lesson.classes, lesson.cluster_std, lesson.data_seed, lesson.hidden_units,
                     best_possible(lesson), accuracy, salt, good, accuracy_threshold(accuracy),
                     lesson.min_reference_accuracy, lesson.accuracy_margin)


def problems(ref: Reference) -> list[str]:
    from ..checks.cases import START_SALTS

    if ref.good:
        return []
    return [f"the lesson's model reaches at most {ref.accuracy:.1f}% test accuracy from "
            f"{len(START_SALTS)} seeded starts, below min_reference_accuracy "
            f"({ref.min_reference_accuracy:g}%): the checks could not tell training from "
            "guessing well. Lower cluster_std, or train longer (epochs) or faster (learning_rate)"]


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="one JSON object instead of a sentence")


def run(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    ref = reference()
    print(json.dumps(asdict(ref)) if args.json else ref.line().capitalize())
    for problem in problems(ref):
        print(problem)
    return 0 if ref.good else 1


PLATFORM = Platform(
    name="reference", summary="python -m grader reference",
    description="Train the reference on the lesson's data, as the checks do, and print its "
                "final test accuracy and the thresholds the checks derive from it.",
    arguments=arguments, run=run)

