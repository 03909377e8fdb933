"""The marimo lesson's side of the grader (marimo/lesson.py, written by
grader/authoring/marimo_lesson.py). Nothing here imports marimo: it gives plain data and
Markdown, and the notebook shows them with marimo's elements.

    grade(ex_id, target)           the checks of one exercise, run as `python -m grader`
                                   runs them (in the worker process on Linux), as a Verdict
    prefetch(target)               every exercise graded ahead, in a thread, for grade()
    load(ex_id, target, verdict, stop)
                                   the student's functions for the lesson's demonstrations
    describe(verdict, name, target)
                                   a function's signature and docstring, read from its file
    digest / watch                 what re-runs the cells when an exercise file is saved
    draw_figures_once()            the lesson's plots shown as SVG drawn once, not twice

The demonstrations call the student's functions in the notebook's own process, as any
notebook does. So that a submission cannot take that process (and, under `marimo run`,
the server) down with it, an exercise whose code ended, crashed, hung or flooded the
grader's worker is not imported here at all: its functions only say why. A call that
raises, exits or is a stub stops its cell with a message (stop), never a traceback.
"""
from __future__ import annotations

import functools
import hashlib
import threading
import time
import traceback
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .. import messages
from ..checks.cases import Cases
from ..checks.feedback import FailureKind
from ..checks.registry import all_checks
from ..course import exercise, exercises
from ..gateway import CallTimeout, InProcessGateway, StudentCodeError, time_limit, worker_available
from ..runner import Session
from ..results import points_available
from .report import exercise_totals, result_text
from ..untrusted import clean, fence

# What the student's code may have done in the worker and still be run in the notebook:
# an answer that was wrong, raised, a stub, a missing function. Anything else (an exit, a
# crash, a hang, a flood of output, running out of memory) keeps it out of this process.
RUNNABLE = {FailureKind.RAISED, FailureKind.NOT_IMPLEMENTED, FailureKind.MISSING_FUNCTION, FailureKind.NOT_CALLABLE}
DEMO_LIMIT = 60.0           # seconds for one call from a demonstration (main thread only)
_cases: Cases | None = None  # the randomized cases and their reference answers, made once


@dataclass(frozen=True)
class Failure:
    """Failed checks that share one message (a stub fails every check that calls it)."""
    checks: tuple[str, ...]
    points: int
    message: str
    stub: str | None          # the function, when the message is "not implemented yet"

    @property
    def markdown(self) -> str:
        names = ", ".join(f"*{name}*" for name in self.checks)
        points = f"{self.points} point{'s' if self.points != 1 else ''}"
        if self.stub:
            return f"`{self.stub}()` is not implemented yet ({points}: {names})"
        ticks = fence(self.message)       # the message quotes the student: no ``` of theirs ends it
        return f"**{names}** ({points})\n\n{ticks}text\n{clean(self.message)}\n{ticks}"


@dataclass(frozen=True)
class Verdict:
    exercise: str
    title: str
    file: str
    checks: int
    earned: int
    available: int
    failures: tuple[Failure, ...]
    not_implemented: tuple[str, ...]     # the functions that are still stubs
    blocked: str | None                  # why the notebook does not run this exercise itself
    hint: str

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def heading(self) -> str:
        number = int(self.exercise.removeprefix("ex"))
        return (f"**Exercise {number}, {self.title}**: the checks of "
                f"`pytest exercises/test_{self.file}`")

    @property
    def summary(self) -> str:
        return f"All {self.checks} checks of `exercises/{self.file}` passed."

    @property
    def hint_markdown(self) -> str:
        return f"```text\n{self.hint}\n```"


class _Witness:
    """The session's gateway, keeping what the student's code did when it gave no answer."""

    def __init__(self, gateway):
        self.gateway, self.errors = gateway, []

    def run(self, probe: str, **params):
        try:
            return self.gateway.run(probe, **params)
        except StudentCodeError as exc:
            self.errors.append(exc)
            raise

    def close(self) -> None:
        self.gateway.close()


def _stub(result, ex) -> str | None:
    """The exercise's function that result found still a stub, if it found one."""
    cause = result.cause
    if cause and cause.kind == FailureKind.NOT_IMPLEMENTED and cause.function in ex.functions:
        return cause.function
    return None


def grade(ex_id: str, target: Path) -> Verdict:
    """Run the checks of one exercise on the files in target, as `python -m grader --only`
    does: in a worker process where there is one (Linux), else contained in this one. A
    verdict prefetch() made of the same files is taken instead."""
    with _prefetch_lock:
        job = _prefetched.pop((ex_id, str(target.resolve())), None)
    if job is not None:
        key, (verdict, after) = job[0], job[1].result()
        if key == after == _files_key(target):
            return verdict
    return _grade(ex_id, target)


# -- grading ahead, while the notebook's first cells import and draw -----------------------
# (ex_id, target) -> (the files' digests, the verdict to come with the digests after it)
_prefetched: dict[tuple[str, str], tuple[tuple[str, ...], Future[tuple[Verdict, tuple[str, ...]]]]] = {}
_prefetch_lock = threading.Lock()
_grading = threading.Lock()


def _files_key(target: Path) -> tuple[str, ...]:
    # A check may import another exercise's file: a verdict is of all of them.
    return tuple(digest(target, ex.id) for ex in exercises())


def prefetch(target: Path) -> None:
    """Grade every exercise on target now, in a thread, for grade() to take: the notebook
    opens with its imports and its first drawings while the worker grades. Only where the
    worker grades (Linux): elsewhere the checks' time limits need the main thread. A file
    saved meanwhile changes the digests, and grade() grades it again."""
    if not worker_available():
        return
    key = _files_key(target)
    jobs: list[tuple[str, Future[tuple[Verdict, tuple[str, ...]]]]] = []
    with _prefetch_lock:
        for ex in exercises():
            jobs.append((ex.id, Future()))
            _prefetched[(ex.id, str(target.resolve()))] = (key, jobs[-1][1])

    def work():
        for ex_id, future in jobs:
            try:
                verdict = _grade(ex_id, target)
                future.set_result((verdict, _files_key(target)))   # saved while graded: not taken
            except BaseException as exc:       # grade() raises it in the cell that asks
                future.set_exception(exc)

    threading.Thread(target=work, name="marimo-prefetch", daemon=True).start()


def _grade(ex_id: str, target: Path) -> Verdict:
    global _cases
    with _grading:                # one at a time: the prefetch's thread and the cells share _cases
        if _cases is None:
            _cases = Cases()
        checks = all_checks(ex_id)
        with Session(target, _cases) as session:
            witness = _Witness(session.ctx.gateway)
            session.ctx.gateway = witness
            results = [session.run(check) for check in checks]
    ex = exercise(ex_id)
    groups: dict = {}                    # by feedback: the same parts, the same message
    for r in results:
        if not r.passed:
            groups.setdefault(r.feedback, []).append(r)
    failures = tuple(Failure(tuple(r.check.name for r in rs), points_available(rs), result_text(rs[0]),
                             _stub(rs[0], ex)) for rs in groups.values())
    blocked = next((e.summary for e in witness.errors if e.kind not in RUNNABLE), None)
    [(_, earned, available)] = exercise_totals(results)
    return Verdict(ex_id, ex.title, ex.file, len(checks), earned, available, failures,
                   tuple(f.stub for f in failures if f.stub), blocked, ex.hint)


def course_points(verdicts: list[Verdict]) -> tuple[int, int]:
    """Points earned in the exercises given, out of the whole course's."""
    return sum(v.earned for v in verdicts), sum(c.points for c in all_checks())


# -- the student's functions in the notebook ------------------------------------------------
def _where(exc: BaseException, target: Path) -> str:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if Path(frame.filename).parent == target:
            return f" ({Path(frame.filename).name}, line {frame.lineno})"
    return ""


def _failure(name: str, exc: BaseException, file: str, target: Path) -> str:
    """What stopped a call, in the grader's words, as Markdown."""
    if isinstance(exc, NotImplementedError):
        frames = traceback.extract_tb(exc.__traceback__)
        if frames and Path(frames[-1].filename).name == file:
            stub = frames[-1].name if frames[-1].name != "<module>" else name
            return (f"`{messages.NOT_IMPLEMENTED.format(function=stub)}`: write it in "
                    f"`exercises/{file}` and save; this cell then runs again.")
    if isinstance(exc, CallTimeout):
        return messages.TIMED_OUT.format(where=f"`{name}()`", seconds=DEMO_LIMIT)
    if isinstance(exc, SystemExit):
        return messages.EXITED.format(how=f"sys.exit({exc.code!r})", where=f"`{name}()`")
    error = f"{type(exc).__name__}: {exc}".strip().rstrip(":")[:300] + _where(exc, target)
    return (messages.RAISED.format(where=f"`{name}()`", error=f"`{error}`")
            + "; the checks of its exercise say more.")


def _sentence(text: str) -> str:
    """text ending as a sentence does: a message that ends in '?' or '.' gets no second mark."""
    return text if text.endswith((".", "?", "!")) else text + "."


def _unavailable(name: str, reason: str, stop: Callable[[str], None]):
    def call(*args, **kwargs):
        stop(reason)
    call.__name__ = name
    return call


def _guarded(fn, name: str, file: str, target: Path, stop: Callable[[str], None]):
    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            with time_limit(DEMO_LIMIT):
                return fn(*args, **kwargs)
        except (Exception, CallTimeout, SystemExit) as exc:
            failure = _failure(name, exc, file, target)
        stop(failure)          # outside the handler: the stop is the notebook's own exception
    return call


def load(ex_id: str, target: Path, verdict: Verdict, stop: Callable[[str], None]) -> tuple:
    """The exercise's functions, in the manifest's order, for the demonstrations. stop(md)
    must end the calling cell showing md (mo.stop does); it is called instead of raising."""
    ex = exercise(ex_id)
    if verdict.blocked:
        reason = (f"This notebook does not run `exercises/{ex.file}` itself: when the grader "
                  f"ran it, {_sentence(verdict.blocked)} Fix that first (see the checks of its exercise).")
        return tuple(_unavailable(name, reason, stop) for name in ex.functions)
    try:
        # The contained in-process gateway: an error or an exit while importing becomes a
        # message, under its time limit; each load is a fresh module, read from the file.
        module = InProcessGateway(target).module(ex_id)
    except StudentCodeError as exc:
        return tuple(_unavailable(name, exc.summary, stop) for name in ex.functions)
    found = []
    for name in ex.functions:
        fn = getattr(module, name, None)
        if fn is None:
            found.append(_unavailable(name, messages.MISSING_FUNCTION.format(
                file=ex.file, function=name), stop))
        elif not callable(fn):
            found.append(_unavailable(name, messages.NOT_CALLABLE.format(
                file=ex.file, function=name, kind=type(fn).__name__), stop))
        else:
            found.append(_guarded(fn, name, ex.file, target.resolve(), stop))
    return tuple(found)


def describe(verdict: Verdict, name: str, target: Path) -> str:
    """The function's signature and docstring, from the student's file (read, not run)."""
    import ast

    path = target / verdict.file
    where = f"`exercises/{verdict.file}`"
    try:
        tree = ast.parse(path.read_text())
        node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    except (OSError, SyntaxError, ValueError, StopIteration):
        return f"**Your function** `{name}()`, in {where} (it cannot be read there now)."
    status = " It is not implemented yet." if name in verdict.not_implemented else ""
    doc = clean(ast.get_docstring(node) or "")
    text = f"**Your function** `{name}({ast.unparse(node.args)})`, in {where}.{status}"
    return text + (f"\n\n{fence(doc)}text\n{doc}\n{fence(doc)}" if doc else "")


# -- re-running when a file is saved --------------------------------------------------------
def digest(target: Path, ex_id: str) -> str:
    try:
        return hashlib.sha256((target / exercise(ex_id).file).read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _told_to_exit() -> bool:
    # A mo.Thread says should_exit once the cell that started it is run again or gone.
    return getattr(threading.current_thread(), "should_exit", False)


def start_watching(target: Path, setters: dict[str, Callable[[str], None]],
                   seen: dict[str, str], thread_class=threading.Thread) -> None:
    """watch() in a thread of thread_class (mo.Thread, so that its state setters reach the
    notebook), for as long as the calling thread lives: the kernel's, which ends with its
    session under `marimo run` (its cells are not told)."""
    owner = threading.current_thread()
    thread_class(target=watch, args=(target, setters, seen), daemon=True,
                 kwargs={"should_exit": lambda: not owner.is_alive() or _told_to_exit()}).start()


def watch(target: Path, setters: dict[str, Callable[[str], None]], seen: dict[str, str],
          should_exit: Callable[[], bool] = _told_to_exit, interval: float = 0.5) -> None:
    """Poll the exercise files; call setters[ex_id](new digest) when one's content changes
    (a marimo state setter: the cells that read the state run again). Runs until
    should_exit(); a file caught half-written is read again once it has settled."""
    seen = dict(seen)
    while not should_exit():
        time.sleep(interval)
        for ex_id, setter in setters.items():
            now = digest(target, ex_id)
            if now == seen[ex_id]:
                continue
            time.sleep(interval / 2)
            while (settled := digest(target, ex_id)) != now:
                now = settled
                time.sleep(interval / 2)
            seen[ex_id] = now
            try:
                setter(now)
            except Exception:        # the notebook's session has ended under us
                return


# -- figures --------------------------------------------------------------------------------
def import_for_good() -> None:
    """Import what the lesson's cells use (torch.optim without torch._dynamo's 1.4 s import:
    gateway.keep_dynamo_lazy) and freeze everything alive (gc.freeze): some 300,000 objects
    that live as long as the notebook, which every full collection would otherwise walk
    again while a slider redraws (about a tenth of drawing the plots)."""
    import gc

    import matplotlib.pyplot  # noqa: F401
    import sklearn.datasets  # noqa: F401
    import sklearn.model_selection  # noqa: F401

    from ..gateway import keep_dynamo_lazy
    keep_dynamo_lazy()
    gc.collect()
    gc.freeze()


def draw_figures_once() -> None:
    """marimo shows a matplotlib figure through an _mime_ method it gives matplotlib's
    Artist when matplotlib is imported, saving the figure trimmed (bbox_inches="tight"):
    drawn twice, once to measure it. The lesson's plots (grader.plots) have fixed margins:
    they are drawn once, as SVG (plots.svg), and a cell that runs again draws on the figure
    it showed (plots.reuse_figures); any other figure goes marimo's way."""
    import base64

    from matplotlib.artist import Artist

    from .. import plots

    marimos = getattr(Artist, "_mime_", None)
    if marimos is None or getattr(marimos, "draws_once", False):     # not marimo's, or done
        return

    def _mime_(artist) -> tuple[str, str]:
        figure = artist.figure
        if not plots.laid_out(figure):
            return marimos(artist)
        plots.hand_back(figure)
        return "image/svg+xml", "data:image/svg+xml;base64," + base64.b64encode(plots.svg(figure)).decode()

    _mime_.draws_once = True          # type: ignore[attr-defined]
    Artist._mime_ = _mime_            # type: ignore[attr-defined]
    plots.reuse_figures(_running_cell)


def _running_cell() -> tuple[str, object] | None:
    """The marimo cell running now and this run of it (marimo makes a new execution context
    for each run), or None outside a cell's run."""
    try:
        from marimo._runtime.context.types import safe_get_context
    except ImportError:             # another marimo: figures are built anew
        return None
    context = safe_get_context()
    run = getattr(context, "execution_context", None)
    return None if run is None else (run.cell_id, run)
