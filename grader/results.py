"""What grading produces, as data: each check's Result (its verdict and the parts of its
feedback, grader.checks.feedback.Feedback), the Cause when the student's code gave no
answer, and the Report of a run. Every platform renders from these
(grader/platforms/report.py); nothing turns them into text before, and nothing reads a
message back. to_data and from_data are the one form they take in files (batch records,
the data a notebook's autograder cells attach)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Iterable

from .checks.feedback import FailureKind, Feedback
from .checks.registry import Check


@dataclass(frozen=True)
class Cause:
    """Why the student's code gave a check no answer (the gateway's StudentCodeError): a
    stub, a failed import, a timeout, a print flood, ... Checks of one exercise with the
    same cause failed for one reason, which reports show once (report.feedback_once)."""
    kind: FailureKind
    summary: str
    exception: str | None = None        # the type of what the code raised, if it raised
    function: str | None = None         # the function that is a stub, or missing


@dataclass(frozen=True)
class Result:
    check: Check
    passed: bool
    feedback: Feedback | None = None    # None for a check that passed
    cause: Cause | None = None          # set when the student's code gave no answer

    @property
    def id(self) -> str:
        return self.check.id

    @property
    def points(self) -> int:
        return self.check.points if self.passed else 0

    @property
    def attempted(self) -> bool:
        """False when the check found nothing of the student's to grade (a stub left as it
        was, a missing file or function)."""
        return self.cause is None or self.cause.kind.attempted

    def verdict(self) -> dict:
        """The check and its points: what every saved or reported form of a result starts with."""
        c = self.check
        return {"id": c.id, "exercise": c.exercise, "name": c.name, "points": self.points,
                "max_points": c.points, "passed": self.passed}

    def to_data(self) -> dict:
        return {**self.verdict(), "feedback": asdict(self.feedback) if self.feedback else None,
                "cause": asdict(self.cause) if self.cause else None}

    @classmethod
    def from_data(cls, data: dict) -> Result:
        """The Result to_data gave; ValueError for anything else."""
        try:
            check = recorded_check(_str(data["id"]), _str(data["exercise"]), _str(data["name"]),
                                   _int(data["max_points"]))
            passed = data["passed"]
            if not isinstance(passed, bool):
                raise ValueError("passed is not a bool")
            feedback = data["feedback"] and Feedback(**_texts(data["feedback"], Feedback))
            cause = data["cause"] and Cause(**{**_texts(data["cause"], Cause),
                                               "kind": FailureKind(data["cause"]["kind"])})
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a recorded result: {exc}") from None
        if (feedback and feedback.message is None) or (cause and cause.summary is None):
            raise ValueError("not a recorded result: a message is missing")
        return cls(check, passed, feedback or None, cause or None)


def _str(value) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value


def _int(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{value!r} is not a whole number")
    return value


def _texts(data: dict, kind) -> dict:
    """The text fields of a dataclass, from data: each a string or None."""
    out = {}
    for f in fields(kind):
        value = data.get(f.name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{f.name} is not text")
        out[f.name] = value
    return out


def _recorded(ctx) -> None:
    raise RuntimeError("a recorded result's check is not run again")


def recorded_check(check_id: str, exercise: str, name: str, points: int) -> Check:
    """A check as a recorded result names it (its code is not needed to render it)."""
    return Check(check_id, exercise, name, points, _recorded)


def points_earned(results: Iterable[Result]) -> int:
    return sum(r.points for r in results)


def points_available(results: Iterable[Result]) -> int:
    return sum(r.check.points for r in results)


def by_exercise(results: Iterable[Result]) -> dict[str, list[Result]]:
    """The results grouped by exercise, in the order they came (course order)."""
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(r.check.exercise, []).append(r)
    return groups


@dataclass
class Report:
    """One grading run: what every platform renders."""
    target: str
    results: list[Result]
    # For the student, above the scores: which folder was graded, what was not and why.
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return points_earned(self.results)

    @property
    def max_score(self) -> int:
        return points_available(self.results)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def by_exercise(self) -> dict[str, list[Result]]:
        return by_exercise(self.results)

    def exercise_totals(self) -> list[tuple[str, int, int]]:
        """(exercise id, points earned, points available) for each exercise, in course order."""
        return [(ex_id, points_earned(rs), points_available(rs)) for ex_id, rs in self.by_exercise().items()]
