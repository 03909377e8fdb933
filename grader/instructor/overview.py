"""The class overview: after grading a class, which ideas it has not understood yet.

    for each check, how many students failed it and the diagnosis most of them got
    (grouped by the results' fields: their cause, or their message and likely mistake);
    the distribution of the totals, and the mean points of each exercise;
    who could not be graded, or was graded on missing files;
    submissions with identical exercise files: worth a look, not proof of anything.

A Markdown page, with a PNG of the totals and of the most failed checks next to it
(matplotlib, when it is installed). `python -m grader batch` writes one from its records;
`python -m grader overview --nbgrader COURSE` from an nbgrader course (gradebook.py).
"""
from __future__ import annotations

import re
import statistics
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..course import exercise, exercise_ids
from ..files import write_atomically
from ..results import Result, by_exercise, points_available, points_earned
from ..untrusted import md_cell, one_line

MOST_FAILED = 12              # checks drawn in the plot
LABEL_WIDTH = 42              # characters per line of a plot's label (wrapped at spaces)


@dataclass
class Entry:
    """One student's graded submission, whatever graded it."""
    student: str
    total: float | None                  # None: not graded (the notes say why)
    max_score: float
    results: list[Result] = field(default_factory=list)
    content: str | None = None           # digest of what the student wrote, for identical ones
    notes: list[str] = field(default_factory=list)


def first_line(text: str | None) -> str | None:
    return next((line.strip() for line in (text or "").splitlines() if line.strip()), None)


@dataclass(frozen=True)
class Diagnosis:
    """What a failure says in short: the first line of its message (for code that gave
    no answer, its cause's), and the likely mistake when it names one (two mistakes can
    show the same symptom). Taken from the result's fields, never from its text."""
    symptom: str
    likely: str | None = None

    @property
    def text(self) -> str:
        return f"{self.symptom} (likely: {self.likely})" if self.likely else self.symptom


def diagnosis(result: Result) -> Diagnosis:
    message = result.cause.summary if result.cause else result.feedback.message if result.feedback else None
    return Diagnosis(first_line(message) or "(no message)",
                     first_line(result.feedback.likely) if result.feedback else None)


@dataclass(frozen=True)
class CheckSummary:
    id: str
    exercise: str
    name: str
    points: int
    wrong: int                    # failed with an answer
    not_attempted: int            # failed with nothing to grade (a stub, a missing file)
    graded: int
    diagnosis: Diagnosis | None   # the wrong answers' most common diagnosis
    message_count: int

    @property
    def message(self) -> str:
        return self.diagnosis.text if self.diagnosis else ""


def check_summaries(entries: list[Entry]) -> list[CheckSummary]:
    """Every check, the most often answered wrong first (ties in course order); the wrong
    answers of each grouped by their diagnosis."""
    seen: dict[str, Result] = {}
    wrong: dict[str, Counter] = {}
    not_attempted: Counter = Counter()
    graded: Counter = Counter()
    for entry in entries:
        for r in entry.results:
            seen.setdefault(r.id, r)
            graded[r.id] += 1
            if r.passed:
                continue
            if r.attempted:
                wrong.setdefault(r.id, Counter())[diagnosis(r)] += 1
            else:
                not_attempted[r.id] += 1
    out = []
    for check_id, r in seen.items():
        found = wrong.get(check_id, Counter())
        common, count = found.most_common(1)[0] if found else (None, 0)
        out.append(CheckSummary(check_id, r.check.exercise, r.check.name, r.check.points,
                                sum(found.values()), not_attempted[check_id], graded[check_id],
                                common, count))
    order = {ex: i for i, ex in enumerate(exercise_ids())}
    return sorted(out, key=lambda s: (-s.wrong, -s.not_attempted, order.get(s.exercise, 99)))


def identical_groups(entries: list[Entry]) -> list[list[Entry]]:
    """Students whose exercise files (or solution cells) are identical, leaving out
    groups that earned nothing (most often the untouched stubs)."""
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.content:
            groups.setdefault(entry.content, []).append(entry)
    return [g for g in groups.values() if len(g) > 1 and any(e.total for e in g)]


def _histogram(totals: list[float], top: float, width: int = 10) -> list[tuple[str, int]]:
    """Ten bins from 0 to the maximum score, the last one closed (full marks count there)."""
    top = top or 1
    bins = [0] * width
    for t in totals:
        bins[max(0, min(int(t * width // top), width - 1))] += 1
    return [(f"{i * top / width:g}-{(i + 1) * top / width:g}", n) for i, n in enumerate(bins)]


def to_markdown(entries: list[Entry], title: str, image: str | None = None) -> str:
    graded = [e for e in entries if e.total is not None]
    totals = [e.total for e in graded if e.total is not None]
    top = max((e.max_score for e in graded), default=100)
    out = [f"# {one_line(title)}", "", f"{len(entries)} student(s), {len(graded)} graded."]
    if totals:
        out[-1] += (f" Totals out of {top:g}: mean {statistics.mean(totals):.1f}, median "
                    f"{statistics.median(totals):g}, lowest {min(totals):g}, highest {max(totals):g}.")
    if image:
        out += ["", f"![totals and the most failed checks]({image})"]
    out += ["", "## What the class has not understood yet", "",
            "Checks answered wrong, most often first. Not attempted: the stub left as it was, "
            "or the file or function missing (counted apart: it says nothing about the idea).", ""]
    summaries = check_summaries(graded)
    wrong = [s for s in summaries if s.wrong]
    if wrong:
        out += ["| check | points | wrong | not attempted | the wrong answer most of them gave |",
                "|---|---:|---:|---:|---|"]
        out += [f"| {s.exercise} {md_cell(s.name)} | {s.points} | {s.wrong}/{s.graded} | "
                f"{s.not_attempted}/{s.graded} | {md_cell(s.message)} ({s.message_count} of {s.wrong}) |"
                for s in wrong]
    else:
        out.append("No check was answered wrong.")
    out += ["", "## Points per exercise", "",
            "| exercise | mean | full marks | something not attempted |", "|---|---:|---:|---:|"]
    for ex_id in exercise_ids():
        mine = [rs for e in graded if (rs := by_exercise(e.results).get(ex_id))]
        if mine:
            mean = statistics.mean(points_earned(rs) for rs in mine)
            worth = points_available(mine[0])
            full = sum(1 for rs in mine if all(r.passed for r in rs))
            skipped = sum(1 for rs in mine if any(not r.passed and not r.attempted for r in rs))
            out.append(f"| {ex_id} {exercise(ex_id).title} | {mean:.1f}/{worth} | {full}/{len(mine)} "
                       f"| {skipped}/{len(mine)} |")
    out += ["", "## Totals", "", "| total | students |", "|---|---:|"]
    out += [f"| {label} | {n} |" for label, n in _histogram(totals, top)]
    noted = [e for e in entries if e.notes or e.total is None]
    if noted:
        out += ["", "## Not graded, or graded on missing files", ""]
        out += [f"- {one_line(e.student)}: {one_line('; '.join(e.notes) or 'not graded')}" for e in noted]
    groups = identical_groups(graded)
    if groups:
        out += ["", "## Identical submissions", "",
                "Identical exercise files: worth a look, not proof of anything (a shared "
                "starting point or a common answer can explain it).", ""]
        out += [f"- {one_line(', '.join(e.student for e in g))} (total {g[0].total:g})" for g in groups]
    return "\n".join(out) + "\n"


def misconception(found: Diagnosis) -> str:
    """The mistake behind a diagnosis, in short: its likely mistake when it names one, else
    its symptom's first sentence."""
    return re.split(r"(?<=[a-z0-9)])[.;] ", found.likely or found.symptom, maxsplit=1)[0]


def plot_label(summary: CheckSummary) -> str:
    """A check's label in the plot: its name, then the misconception most of the wrong
    answers show, wrapped at spaces (never cut mid-word)."""
    def wrap(text: str, lines: int) -> list[str]:
        return textwrap.wrap(text, LABEL_WIDTH, max_lines=lines, placeholder=" ...",
                             break_on_hyphens=False, break_long_words=False)
    name = wrap(f"{summary.exercise} {summary.name}", 2)
    why = wrap(f"mostly: {misconception(summary.diagnosis)}", 3) if summary.diagnosis else []
    return "\n".join(name + why)


def load_plotting() -> bool:
    """Import what plot() draws with (matplotlib, headless); False where it is not installed.
    A batch calls it early, while the zygote imports torch on the other core, so that the
    end of the run does not wait for it (~0.5 s)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401
        import matplotlib.ticker  # noqa: F401
    except ImportError:
        return False
    return True


def plot(entries: list[Entry], path: Path) -> bool:
    """The totals' histogram and the most failed checks, as a PNG; False without matplotlib."""
    if not load_plotting():
        return False
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    graded = [e for e in entries if e.total is not None]
    top = max((e.max_score for e in graded), default=100)
    failed = [s for s in check_summaries(graded) if s.wrong][:MOST_FAILED]
    labels = [plot_label(s) for s in reversed(failed)]
    height = max(4.5, 0.16 * sum(label.count("\n") + 1.6 for label in labels))
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, height), gridspec_kw={"width_ratios": [1, 1.4]})
    left.hist([e.total for e in graded], bins=10, range=(0, top), color="#4c72b0", edgecolor="white")
    left.set(title="Totals", xlabel="points", ylabel="students")
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    if failed:
        right.barh(labels, [s.wrong for s in reversed(failed)], color="#c44e52")
        right.set(title="Checks most often answered wrong", xlabel=f"students (of {len(graded)})")
        right.tick_params(axis="y", labelsize=7)
        right.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        right.text(0.5, 0.5, "No check was answered wrong", ha="center", va="center")
        right.axis("off")
    fig.tight_layout()
    # Laid out once and for all: savefig would draw the figure once more to lay it out
    # again with the placeholder tight_layout leaves (~0.3 s), for the same image.
    fig.set_layout_engine(None)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def write_overview(entries: list[Entry], path: Path, title: str) -> list[Path]:
    """The Markdown page at `path` and its PNG beside it (same name, .png)."""
    image = path.with_suffix(".png")
    drawn = plot(entries, image)
    write_atomically(path, to_markdown(entries, title, image.name if drawn else None))
    return [path, image] if drawn else [path]
