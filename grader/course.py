"""The course's exercises, read from course.toml (the one place that lists them)."""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
# The seed of the randomized cases that students see; instructors may grade with another.
DEFAULT_SEED = 2026


@dataclass(frozen=True)
class Hints:
    """Hints in levels, from the idea to the API to almost the code, for the checks they
    name (check ids without the exercise prefix; none: the exercise as a whole)."""
    checks: tuple[str, ...]
    levels: tuple[str, ...]


@dataclass(frozen=True)
class Exercise:
    id: str
    file: str
    title: str
    functions: tuple[str, ...]
    points: int                         # its budget: its checks' points add up to it
    learn: str                          # what it teaches, for the READMEs' table
    hints: tuple[Hints, ...] = ()       # the hints in levels, per check, and one set for none

    @property
    def module(self) -> str:
        return self.file.removesuffix(".py")

    @property
    def hint(self) -> str:
        """The exercise's hint as a whole (the notebook and the marimo lesson show it): its
        set of hints for no check in particular; empty where it has none."""
        general = next((h for h in self.hints if not h.checks), None)
        return "\n".join(general.levels) if general else ""


@dataclass(frozen=True)
class Lesson:
    """The lesson's constants ([lesson] in course.toml): the data, the split, the model and
    its training. Everything generated and every check follows them (docs/authors.md,
    `python -m grader variant`)."""
    samples: int = 1000
    features: int = 2
    classes: int = 4
    cluster_std: float = 1.2
    data_seed: int = 12345
    test_size: float = 0.2
    hidden_units: int = 8
    learning_rate: float = 0.1
    epochs: int = 100
    report_every: int = 10
    # How the checks' thresholds follow from the reference run: a student's final test
    # accuracy must come within accuracy_margin points of the reference's, and the
    # reference's own start must reach min_reference_accuracy (else its ReLUs died).
    accuracy_margin: float = 5.0
    min_reference_accuracy: float = 80.0

    @property
    def test_count(self) -> int:
        """Rows in the test set: train_test_split rounds the test share up."""
        return math.ceil(self.samples * self.test_size)

    @property
    def sizes(self) -> list[int]:
        """The lesson's model, layer by layer."""
        return [self.features, self.hidden_units, self.hidden_units, self.classes]


def lesson_of(data: dict) -> Lesson:
    """The Lesson of a manifest's [lesson] table: its keys, with the types of the defaults."""
    table = data.get("lesson", {})
    unknown = sorted(set(table) - {f.name for f in fields(Lesson)})
    if unknown:
        raise ValueError(f"[lesson] in course.toml: unknown constant(s) {', '.join(unknown)}")
    return Lesson(**{f.name: type(getattr(Lesson, f.name))(table[f.name])
                     for f in fields(Lesson) if f.name in table})


NUMBERS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
           "fourteen fifteen sixteen seventeen eighteen nineteen twenty").split()
SHARES = {2: "a half", 3: "a third", 4: "a quarter", 5: "a fifth", 6: "a sixth", 7: "a seventh",
          8: "an eighth", 9: "a ninth", 10: "a tenth"}
LOGITS = (1.5, -0.5, 3.0, 0.25, -1.0, 2.0, 0.5, -2.0, 1.0, -1.5, 2.5, 0.75)


def lesson_words(lesson: Lesson) -> dict[str, str]:
    """What the lesson's texts (lesson.md, the hints, the docstrings) say of its constants,
    by name: $classes, $classes_word, $class_list... (string.Template's syntax)."""
    c = lesson.classes
    word = lambda n: NUMBERS[n] if n < len(NUMBERS) else str(n)
    words = {f.name: str(getattr(lesson, f.name)) for f in fields(Lesson)}
    test_percent = round(lesson.test_size * 100)
    words |= {
        "classes_word": word(c), "Classes_word": word(c).capitalize(),
        "last_class": str(c - 1),
        "class_list": (", ".join(map(str, range(c - 1))) + f" or {c - 1}") if c <= 6
        else f"0, 1, ..., {c - 1}",
        "chance_share": SHARES.get(c, f"1/{c}"),
        "ln_classes": f"{math.log(c):.3f}",
        "example_logits": ", ".join(str(LOGITS[i % len(LOGITS)]) for i in range(c)),
        "test_count": str(lesson.test_count), "train_count": str(lesson.samples - lesson.test_count),
        "test_percent": str(test_percent), "train_percent": str(100 - test_percent),
        "report_epochs": ", ".join(str(lesson.report_every * k) for k in range(3)),
        "accuracy_margin": f"{lesson.accuracy_margin:g}",
        "min_reference_accuracy": f"{lesson.min_reference_accuracy:g}",
    }
    return words


def render(text: str, lesson: Lesson | None = None) -> str:
    """A text of the course with the lesson's constants put in ($name; $$ is a dollar)."""
    return Template(text).substitute(lesson_words(lesson or course_lesson()))


@cache
def _manifest() -> dict:
    return tomllib.loads((Path(__file__).with_name("course.toml")).read_text())


@cache
def course_lesson() -> Lesson:
    """The constants of this course's lesson, from its manifest."""
    return lesson_of(_manifest())


@cache
def exercises() -> tuple[Exercise, ...]:
    data = _manifest()
    # A missing hint, points or learn reads as empty: grading still works, and
    # `python -m grader check-course` names what is missing. Their $names are the lesson's.
    return tuple(
        Exercise(e["id"], e["file"], e["title"], tuple(e["functions"]),
                 e.get("points", 0), render(e.get("learn", "").strip()),
                 tuple(Hints(tuple(h.get("checks", ())), tuple(render(level.strip()) for level in h["levels"]))
                       for h in e.get("hints", ())))
        for e in data["exercise"]
    )


def exercise(ex_id: str) -> Exercise:
    for ex in exercises():
        if ex.id == ex_id:
            return ex
    raise KeyError(ex_id)


def exercise_ids() -> list[str]:
    return [ex.id for ex in exercises()]


def total_points() -> int:
    """The course's total: the sum of the exercises' budgets."""
    return sum(ex.points for ex in exercises())

