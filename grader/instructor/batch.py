"""Grade a whole class: every folder in SUBMISSIONS is one student's repository.

- Only the exercise files are taken from a submission (from exercises/ or its top level),
  copied into a private folder: tests, grader or workflow files a student changed are
  never used. With a deadline, they come from the last commit before it (deadline.py).
- Submissions are graded in parallel by processes the main process supervises (pool.py):
  one that is killed, stopped or runs past STUDENT_LIMIT costs only its submission, which
  gets a row saying what happened, and every other submission is still graded.
- Each finished submission leaves a record (its verdicts and a digest of what was graded:
  the exercise files, the seed and the grader's own source), a row in the CSV and a
  feedback file, written in that order, each atomically, with Ctrl-C held off until all
  three are written: a feedback file always has its CSV row. A run started again skips
  every submission whose record matches, so an interrupted run resumes without regrading.
- A student with missing exercise files (or files where the grader does not look) is
  graded on what is there and listed in the run's summary, never a silent 0.
"""
from __future__ import annotations

import contextlib
import csv
import functools
import html
import io
import json
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..course import exercise_ids, exercises
from ..judge import checks
from ..files import find_exercise_files, graded_digest, grader_digest, misplaced_files, write_atomically
from ..gateway import require_for_batch, start_zygote_early
from ..checks.feedback import Feedback
from ..options import Options
from ..results import Report, Result
from ..untrusted import clean, csv_cell, file_stem, one_line
from .. import messages
from . import deadline as git_deadline
from .pool import Lost, supervise
from ..platforms.report import exercise_scores, to_html, to_markdown
from .overview import Entry, load_plotting, write_overview
from ..platforms.status import ProgressBar
from ..platforms.submission import grade_files

RECORDS = ".records"          # inside the feedback folder
RECORD_FORMAT = 2             # 2: each check's result as data (results.Result.to_data)
# Seconds for one submission, times --time-scale: far above an honest grading (~2 s) and
# above the worst a submission can take (~10 minutes: every call of the reference's 31
# running to its time limit); a grading process still busy then is stuck, and is killed.
STUDENT_LIMIT = 900.0


@dataclass
class Job:
    student: str
    files: dict[str, Path]
    digest: str
    content: str | None               # the exercise files alone: identical submissions
    missing: list[str] = field(default_factory=list)
    misplaced: list[str] = field(default_factory=list)
    commit: str | None = None         # with a deadline: the graded commit ...
    later: int | None = None          # ... and how many came after the deadline
    problem: str | None = None        # with a deadline: why no commit could be read
    refused: list[str] = field(default_factory=list)   # links in the submission, not followed
    work: int = 0                     # how long its grading may take, roughly (_work)


def _grade_job(job: Job, seed: int, options: Options) -> tuple[str, dict | str]:
    """In a pool process: grade one submission from a private copy of its exercise files;
    return its record (or why grading failed). It writes nothing: the main process
    writes every file, in a fixed order."""
    try:
        started = time.perf_counter()
        report = grade_files(job.files, f"{job.student}'s submission", seed=seed, options=options)
        seconds = time.perf_counter() - started
    except Exception as exc:          # the grader failed, not the student
        return job.student, one_line(f"{type(exc).__name__}: {exc}")
    return job.student, {**_recorded(job.student, report), "digest": job.digest, "content": job.content,
                         "seconds": round(seconds, 3)}


def _recorded(student: str, report: Report) -> dict:
    """What a record keeps of a report: the scores, and each check's result as data."""
    return {"format": RECORD_FORMAT, "student": student, "scores": exercise_scores(report),
            "total": report.score, "max_score": report.max_score,
            "checks": [r.to_data() for r in report.results]}


def _record_path(feedback_dir: Path, student: str) -> Path:
    return feedback_dir / RECORDS / f"{file_stem(student)}.json"


def feedback_path(feedback_dir: Path, student: str, fmt: str) -> Path:
    """The student's feedback file: named after their folder, made safe (untrusted.file_stem)."""
    return feedback_dir / f"{file_stem(student)}.{fmt}"


def _load_record(feedback_dir: Path, job: Job, any_digest: bool = False) -> dict | None:
    """The student's record, if it is one of what is graded now (or, any_digest, of
    whatever was graded last)."""
    try:
        record = json.loads(_record_path(feedback_dir, job.student).read_text())
    except (OSError, ValueError):
        return None
    ok = (isinstance(record, dict) and record.get("format") == RECORD_FORMAT
          and (any_digest or record.get("digest") == job.digest)
          and isinstance(record.get("scores"), dict) and isinstance(record.get("checks"), list))
    try:
        return record if ok and results_of(record) is not None else None
    except ValueError:                  # not a record this grader wrote: graded again
        return None


def results_of(record: dict) -> list[Result]:
    """A record's results (ValueError if it holds something else)."""
    if not all(isinstance(c, dict) for c in record["checks"]):
        raise ValueError("a check's result is not a mapping")
    return [Result.from_data(c) for c in record["checks"]]


def report_of(record: dict) -> Report:
    """A record's results as a Report (the checks the course still has), to render its feedback."""
    known = {c.id for c in checks()}
    return Report(record["student"], [r for r in results_of(record) if r.id in known])


def feedback_text(record: dict, fmt: str) -> str:
    report, title = report_of(record), f"Feedback for {record['student']}"
    text = to_html(report, title) if fmt == "html" else to_markdown(report, title)
    notes = [clean(line) for line in record.get("refused") or []]
    if record.get("missing"):
        notes.append(f"Not found: {', '.join(record['missing'])} (the grader looks in exercises/ "
                     f"and at the top level of the repository).")
    for note in notes:
        text += f"<p>{html.escape(note)}</p>\n" if fmt == "html" else f"\n{note}\n"
    return text


def csv_text(records: list[dict], with_commits: bool = False) -> str:
    ids = exercise_ids()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *ids, "total", "missing_files"]
                    + (["commit", "commits_after_deadline", "not_graded_because"] if with_commits else []))
    for r in sorted(records, key=lambda r: r["student"]):
        # A grade not given (no commit to grade at the deadline) is empty, never a 0.
        grades = ["" for _ in ids] + [""] if r.get("problem") else \
            [*(r["scores"].get(i, 0) for i in ids), r["total"]]
        row = [r["student"], *grades, "" if r.get("problem") else " ".join(r.get("missing", []))]
        if with_commits:
            row += [r.get("commit") or "", "" if r.get("later") is None else r["later"],
                    r.get("problem") or ""]
        writer.writerow([csv_cell(cell) for cell in row])      # a folder named =HYPERLINK(...)
    return out.getvalue()


@contextlib.contextmanager
def _ctrl_c_held():
    """Ctrl-C waits until the block is done (a record, its CSV row and its feedback are
    written together), then interrupts as usual."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed = []
    previous = signal.signal(signal.SIGINT, lambda *_: pressed.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


@dataclass
class Outcome:
    records: list[dict]
    graded: int
    resumed: int
    failed: list[str]
    problems: list[str]           # students whose files are missing or misplaced, ...


def _problems(job: Job) -> list[str]:
    """What the instructor should look at, for the run's summary and the overview."""
    out = list(job.refused)
    if job.problem:
        out.append(f"{job.problem}; nothing graded")
    elif not job.files:
        where = f" (found {', '.join(job.misplaced)}: the grader looks in exercises/ and at the top level)" \
            if job.misplaced else ""
        out.append(f"no exercise files{where}")
    elif job.missing:
        where = f" (found {', '.join(job.misplaced)}, not graded)" if job.misplaced else ""
        out.append(f"missing {', '.join(job.missing)}{where}")
    if job.later:
        out.append(f"{job.later} commit(s) after the deadline, not graded")
    return out


def _job(folder: Path, seed: int, fingerprint: str, deadline: datetime | None, scratch: Path) -> Job:
    commit = later = problem = None
    source, refused = folder, []
    if deadline is not None:
        if git_deadline.is_repository(folder):
            copy = scratch / file_stem(folder.name)
            snap = git_deadline.snapshot(folder, deadline, copy)
            commit, later, problem, refused = snap.commit, snap.later, snap.problem, list(snap.refused)
            source = copy
        else:
            problem = "not a git repository, so no commit to grade at the deadline"
    found = find_exercise_files(source) if problem is None else None
    files = found.files if found else {}
    return Job(folder.name, files, graded_digest(files.values(), seed, grader=fingerprint),
               graded_digest(files.values(), grader="content") if files else None,
               [ex.file for ex in exercises() if ex.id not in files],
               misplaced_files(source, files) if source.is_dir() else [],
               commit, later, problem, refused + (found.refused if found else []), _work(files))


def _work(files: dict[str, Path]) -> int:
    """A rough measure of how long grading these files takes: the size of those whose
    functions are written (a stub's raise NotImplementedError ends each call at once)."""
    size = 0
    for path in files.values():
        try:
            text = path.read_bytes()
        except OSError:
            continue
        if b"NotImplementedError" not in text:
            size += len(text)
    return size


def run_batch(submissions: Path, csv_path: Path, *, jobs: int, seed: int, options: Options,
              feedback_dir: Path, fmt: str = "md", progress: bool = True,
              students: list[str] | None = None, force: bool = False,
              deadline: datetime | None = None, unconfined: bool = False) -> Outcome:
    """Grade the class; `students` limits the run to those (the others' results stay as
    they are), `force` regrades even what a record says is graded already. Raises
    box.Unconfined where student code cannot be confined, unless `unconfined`."""
    # The zygote imports torch (seconds, on one core): meanwhile this process finds what the
    # box applies here, reads the submissions and imports what the overview is drawn with,
    # which the end would wait for. (Refused, the run ends, and the zygote with it.)
    start_zygote_early()
    require_for_batch(unconfined)
    load_plotting()
    folders = sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    fingerprint = grader_digest()
    checks()                           # asked before the pool forks: every process has them
    with tempfile.TemporaryDirectory(prefix="grader-deadline-") as scratch:
        all_jobs = [_job(f, seed, fingerprint, deadline, Path(scratch)) for f in folders]
        selected = {j.student for j in all_jobs if students is None or j.student in students}
        records: dict[str, dict] = {}
        todo: list[Job] = []
        for job in all_jobs:
            if job.student not in selected:      # --student: the others stay as they were
                record = _load_record(feedback_dir, job, any_digest=True)
            else:
                record = None if force else _load_record(feedback_dir, job)
                if record is None:
                    todo.append(job)
            if record is not None:
                records[job.student] = record
        by_name = {j.student: j for j in all_jobs}
        with_commits = deadline is not None

        def annotate(record: dict) -> dict:
            # What depends on this run, not on the files: where they came from.
            job = by_name[record["student"]]
            return {**record, "missing": job.missing, "commit": job.commit, "later": job.later,
                    "problem": job.problem, "notes": _problems(job), "refused": job.refused}

        records = {student: annotate(record) for student, record in records.items()}

        # Stale results of what is graded again go first: feedback, then the CSV row.
        for job in todo:
            feedback_path(feedback_dir, job.student, fmt).unlink(missing_ok=True)
        with _ctrl_c_held():
            write_atomically(csv_path, csv_text(list(records.values()), with_commits))
            for student, record in records.items():      # a feedback file lost or in another format
                if not feedback_path(feedback_dir, student, fmt).exists():
                    write_atomically(feedback_path(feedback_dir, student, fmt), feedback_text(record, fmt))
        resumed = sum(1 for s in records if s in selected)
        bar = ProgressBar(len(selected)) if progress else None
        for student in sorted(s for s in records if s in selected):
            if bar:
                bar.step(f"{student}: {records[student]['total']} (already graded)")
        failed: list[str] = []
        try:
            _grade_all(todo, seed, options, jobs, bar, failed, lambda record: _save(
                annotate(record), records, feedback_dir, csv_path, fmt, with_commits))
        finally:
            if bar:
                bar.finish()
        problems = [one_line(f"{job.student}: {line}") for job in all_jobs if job.student in selected
                    for line in _problems(job)]
        return Outcome(sorted(records.values(), key=lambda r: r["student"]),
                       len(todo) - len(failed), resumed, failed, problems)


def _save(record: dict, records: dict, feedback_dir: Path, csv_path: Path, fmt: str,
          with_commits: bool) -> None:
    """The record, then the CSV with its row, then the feedback: all three or, after a
    hard kill, a prefix of them, which the next run repairs."""
    student = record["student"]
    with _ctrl_c_held():
        write_atomically(_record_path(feedback_dir, student), json.dumps(record) + "\n")
        records[student] = record
        write_atomically(csv_path, csv_text(list(records.values()), with_commits))
        write_atomically(feedback_path(feedback_dir, student, fmt), feedback_text(record, fmt))


def _lost_record(job: Job, reason: str) -> dict:
    """A row for a submission whose grading process was lost: no points, every check saying
    what happened, and no digest, so that the next run grades it again."""
    lost = Feedback(messages.GRADING_LOST.format(reason=reason))
    report = Report(job.student, [Result(check, False, lost) for check in checks()])
    return {**_recorded(job.student, report), "digest": None, "content": job.content, "seconds": None}


def _grade_all(todo: list[Job], seed: int, options: Options, jobs: int, bar, failed: list[str],
               save) -> None:
    grade = functools.partial(_grade_job, seed=seed, options=options)
    limit = STUDENT_LIMIT * options.time_scale
    # The longest first: the run does not end on one core while a long one finishes.
    todo = sorted(todo, key=lambda job: -job.work)
    with contextlib.closing(supervise(todo, grade, max(1, min(jobs, len(todo))), limit)) as outcomes:
        for job, outcome in outcomes:        # Ctrl-C: no process, and none of their workers, is left
            _take(job, outcome, bar, failed, save)


def _take(job: Job, outcome, bar, failed: list[str], save) -> None:
    if isinstance(outcome, Lost):            # a row all the same, graded again next run
        failed.append(f"{job.student}: {outcome.reason}")
        save(_lost_record(job, outcome.reason))
        if bar:
            bar.step(f"{job.student}: grading stopped ({outcome.reason})")
        return
    if not (isinstance(outcome, list) and len(outcome) == 2 and outcome[0] == job.student):
        outcome = [job.student, "its grading process sent an unexpected result"]
    student, outcome = outcome
    if not isinstance(outcome, dict):
        failed.append(one_line(f"{student}: {outcome}"))
        if bar:
            bar.step(f"{student}: grading failed ({str(outcome).split(':')[0]})")
        return
    save(outcome)
    if bar:
        bar.step(f"{student}: {outcome['total']}/{outcome['max_score']}")


def write_class_overview(outcome: Outcome, path: Path) -> list[Path]:
    """The overview of every student in the CSV (grader/instructor/overview.py)."""
    # A submission with nothing to grade at the deadline has no total, not a 0.
    entries = [Entry(r["student"], None if r.get("problem") else r["total"], r["max_score"],
                     [] if r.get("problem") else results_of(r), r.get("content"), r.get("notes", []))
               for r in outcome.records]
    return write_overview(entries, path, "Class overview")
