"""The generated parts of the READMEs and the students' guide, written between marker
comments from the manifest and from what the grader really prints:

    <!-- exercises:begin -->
    | exercise | you write | you learn |
    ...
    <!-- exercises:end -->

README.md and the student template's README have the table of exercises; docs/students.md
has examples of the score table that grading prints and of the watch's table (each made by
the code that prints them), the endless-loop message with the real time limit, and the
by-hand pip line from pyproject.toml's dependencies. The text around the markers is the
author's and is kept as it is.
"""
from __future__ import annotations

from pathlib import Path

from ..course import ROOT, exercises, render
from .markers import MarkerError

README = Path("README.md")
STUDENTS = Path("docs") / "students.md"
STUDENT_README = Path("grader") / "authoring" / "templates" / "student_README.md"


def exercise_table() -> str:
    rows = ["| exercise | you write | you learn |", "|---|---|---|"]
    for ex in exercises():
        functions = ", ".join(f"`{name}`" for name in ex.functions)
        rows.append(f"| `{ex.file}` | {functions} | {ex.learn} |")
    return "\n".join(rows)


def score_example() -> str:
    """The score table of a student who finished the first exercise and half of the
    second, as grading prints it."""
    from ..platforms.report import score_table

    return "```text\n" + score_table(_results_of_a_student()) + "\n```"


def _results_of_a_student(best_second: bool = False):
    """Verdicts of a student who finished the first exercise and half of the second
    (with best_second, the second's checks they once passed: three quarters of it)."""
    from ..checks.registry import all_checks
    from ..runner import Result

    course = exercises()
    first, second = course[0], course[1] if len(course) > 1 else None
    share = (3 * second.points // 4) if second and best_second else (second.points // 2 if second else 0)
    results, earned = [], 0
    for check in all_checks():
        passed = check.exercise == first.id
        if second and check.exercise == second.id and earned + check.points <= share:
            passed, earned = True, earned + check.points
        results.append(Result(check, passed))
    return results


def watch_example() -> str:
    """The watch's table for that student, who once had three quarters of the second
    exercise and finished the first on 2026-11-23."""
    from ..watch.progress import Progress, Record
    from ..platforms.report import score_table
    from ..results import points_earned

    now, before = _results_of_a_student(), _results_of_a_student(best_second=True)
    points = {ex.id: ex.points for ex in exercises()}
    best = {ex.id: points_earned(r for r in before if r.check.exercise == ex.id)
            for ex in exercises()}
    first = exercises()[0].id
    progress = Progress(Path("unused"), {ex_id: Record(b, "2026-11-23T10:12:00" if ex_id == first else None)
                                         for ex_id, b in best.items() if b})
    notes = {ex_id: progress.note(ex_id, points[ex_id]) for ex_id in points}
    return "```text\n" + score_table(now, notes) + "\n```"


ENDLESS_TRAIN = """

def train(model, X_train, y_train, X_test, y_test, epochs=$epochs, lr=$learning_rate):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    epoch = 0
    while epoch < epochs:
        train_step(model, X_train, y_train, loss_fn, optimizer)
        evaluate(model, X_test, y_test, loss_fn)
"""


# The endless-loop example by the solutions it was graded from: a process that builds and
# then checks the course (check-course, the tests) grades the loop once, not each time.
_ENDLESS_SAID: dict[tuple[tuple[str, bytes], ...], str] = {}


def endless_loop_example(root: Path = ROOT) -> str:
    """What the grader says of an endless loop in train() (one whose loop's increment is
    forgotten), from a real grading run whose limits are scaled down; the first line then
    names train's real limit. Graded once per process for the same solutions."""
    solutions = tuple((ex.file, (root / "solutions" / ex.file).read_bytes()) for ex in exercises())
    if solutions not in _ENDLESS_SAID:
        _ENDLESS_SAID[solutions] = _endless_loop_said(root)
    return _ENDLESS_SAID[solutions]


def _endless_loop_said(root: Path) -> str:
    import shutil
    import tempfile

    from .. import messages
    from ..course import exercise
    from ..probes.registry import load_all
    from ..checks.feedback import FailureKind, Feedback
    from ..platforms.report import feedback_text
    from ..runner import Options, grade

    ex = exercise("ex04")
    scale = 0.05
    with tempfile.TemporaryDirectory() as tmp:
        for other in exercises():
            shutil.copy(root / "solutions" / other.file, Path(tmp) / other.file)
        with open(Path(tmp) / ex.file, "a") as f:      # train() again, its increment forgotten
            f.write(render(ENDLESS_TRAIN))
        report = grade(tmp, only="ex04", options=Options(time_scale=scale))
    said = [r.feedback for r in report.results
            if r.feedback and r.cause and r.cause.kind == FailureKind.TIMED_OUT]
    if not said:
        raise ValueError("an endless loop in train() was not reported as one")
    text = feedback_text(Feedback(said[0].message, code=said[0].code))      # the message and the loop
    limit = load_all()["train"].time_limit
    first = messages.TIMED_OUT.format(where="train()", seconds=limit)
    rest = text.split("\n", 1)[1] if "\n" in text else ""
    return "```text\n" + "\n".join([first, *rest.splitlines()]) + "\n```"


def pip_line(root: Path = ROOT) -> str:
    """The by-hand install: pyproject.toml's dependencies, with the pins and the CPU index."""
    import tomllib

    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    deps = " ".join(d.split("#")[0].strip() for d in project["dependencies"])
    return ("```sh\npython3 -m pip install -c constraints.txt --extra-index-url "
            f"https://download.pytorch.org/whl/cpu {deps}\n```")


def fill(text: str, name: str, content: str, where: Path) -> str:
    """text with the region between the markers of `name` replaced by content."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        raise MarkerError(f"{where}: needs one {begin} ... {end} region")
    head, rest = text.split(begin)
    tail = rest.split(end)[1]
    return f"{head}{begin}\n{content}\n{end}{tail}"


def readme_files(root: Path = ROOT) -> dict[Path, str]:
    table = exercise_table()
    readme = fill((root / README).read_text(), "exercises", table, README)
    students = (root / STUDENTS).read_text()
    for name, content in (("watch-example", watch_example()), ("score-example", score_example()),
                          ("endless-loop-example", endless_loop_example()),
                          ("pip-install", pip_line(root))):
        students = fill(students, name, content, STUDENTS)
    student = fill((root / STUDENT_README).read_text(), "exercises", table, STUDENT_README)
    return {root / README: readme, root / STUDENTS: students, root / STUDENT_README: student}
