"""Grade a whole class: every folder in SUBMISSIONS is one student's repository.

- Only the exercise files are taken from a submission (from exercises/ or its top level),
  copied into a private folder: tests, grader or workflow files a student changed are
  never used.
- Submissions are graded in parallel, each in its own process with its own workers.
- Each finished submission leaves a record (its scores and a digest of what was graded:
  the exercise files, the seed and the grader's own source), its feedback file, and a
  rewritten CSV, all written atomically. A run started again skips every submission whose
  record matches, so an interrupted run resumes without regrading.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import multiprocessing
import signal
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from ..checks.cases import Cases
from ..files import exercise_files, graded_digest, grader_digest, write_atomically
from ..course import exercise_ids, exercises
from ..checks.registry import all_checks
from .report import exercise_scores, to_html, to_markdown
from ..runner import Options
from .submission import grade_files

RECORDS = ".records"          # inside the feedback folder


@dataclass(frozen=True)
class Job:
    student: str
    files: dict[str, Path]
    digest: str


@functools.cache
def _cases(seed: int) -> Cases:
    """One Cases per seed and pool process: the reference results computed for the first
    submission serve all the others."""
    return Cases(seed)


def _grade_job(job: Job, seed: int, options: Options, feedback_dir: Path, fmt: str) -> dict:
    """In a pool process: grade one submission from a private copy of its exercise files,
    write its feedback file, and return its record."""
    started = time.perf_counter()
    report = grade_files(job.files, f"{job.student}'s submission", cases=_cases(seed), options=options)
    seconds = time.perf_counter() - started
    report.target = job.student
    title = f"Feedback for {job.student}"
    text = to_html(report, title) if fmt == "html" else to_markdown(report, title)
    write_atomically(feedback_dir / f"{job.student}.{fmt}", text)
    return {"student": job.student, "digest": job.digest, "scores": exercise_scores(report),
            "total": report.score, "max_score": report.max_score, "seconds": round(seconds, 3)}


def _pool_process_setup() -> None:
    """In each pool process: Ctrl-C is the grader's to handle, which stops the pool (a pool
    process's own workers die with it: grader.gateway.sandbox, PR_SET_PDEATHSIG)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """After Ctrl-C: drop the submissions not started and stop those being graded now."""
    pool.shutdown(wait=False, cancel_futures=True)
    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    for child in children:
        child.join(5)
        if child.is_alive():
            child.kill()


def _record_path(feedback_dir: Path, student: str) -> Path:
    return feedback_dir / RECORDS / f"{student}.json"


def _load_record(feedback_dir: Path, job: Job) -> dict | None:
    try:
        record = json.loads(_record_path(feedback_dir, job.student).read_text())
    except (OSError, ValueError):
        return None
    ok = isinstance(record, dict) and record.get("digest") == job.digest and isinstance(record.get("scores"), dict)
    return record if ok else None


def csv_text(records: list[dict]) -> str:
    ids = exercise_ids()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *ids, "total"])
    for r in sorted(records, key=lambda r: r["student"]):
        writer.writerow([r["student"], *(r["scores"].get(i, 0) for i in ids), r["total"]])
    return out.getvalue()


class Progress:
    """One line on stderr, rewritten in place on a terminal, one line per step otherwise."""
    WIDTH = 30

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.started = time.perf_counter()
        self.live = stream.isatty()

    def step(self, label: str) -> None:
        self.done += 1
        filled = round(self.WIDTH * self.done / self.total) if self.total else self.WIDTH
        elapsed = time.perf_counter() - self.started
        line = (f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done}/{self.total} "
                f"{elapsed:5.1f}s  {label}")
        self.stream.write(("\r\x1b[K" + line) if self.live else line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.live:
            self.stream.write("\n")


@dataclass
class Outcome:
    records: list[dict]
    graded: int
    resumed: int
    failed: list[str]


def run_batch(submissions: Path, csv_path: Path, *, jobs: int, seed: int, options: Options,
              feedback_dir: Path, fmt: str = "md", progress: bool = True) -> Outcome:
    students = sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    fingerprint = grader_digest()
    all_checks()                       # imported before the pool forks: every process has them
    records: dict[str, dict] = {}
    todo: list[Job] = []
    for folder in students:
        files = exercise_files(folder)
        job = Job(folder.name, files, graded_digest(files.values(), seed, grader=fingerprint))
        record = _load_record(feedback_dir, job)
        if record is not None:
            records[job.student] = record
        else:
            todo.append(job)
    resumed = len(records)
    bar = Progress(len(students)) if progress else None
    for student in sorted(records):
        if bar:
            bar.step(f"{student}: {records[student]['total']} (already graded)")
    write_atomically(csv_path, csv_text(list(records.values())))
    failed: list[str] = []
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context,
                             initializer=_pool_process_setup) as pool:
        pending = {pool.submit(_grade_job, job, seed, options, feedback_dir, fmt): job for job in todo}
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    job = pending.pop(future)
                    try:
                        record = future.result()
                    except Exception as exc:      # the grader failed, not the student
                        failed.append(f"{job.student}: {type(exc).__name__}: {exc}")
                        if bar:
                            bar.step(f"{job.student}: grading failed ({type(exc).__name__})")
                        continue
                    write_atomically(_record_path(feedback_dir, job.student), json.dumps(record) + "\n")
                    records[job.student] = record
                    write_atomically(csv_path, csv_text(list(records.values())))
                    if bar:
                        bar.step(f"{job.student}: {record['total']}/{record['max_score']}")
        except BaseException:
            for future in pending:
                future.cancel()
            _stop_pool(pool)
            if bar:
                bar.finish()
            raise
    if bar:
        bar.finish()
    return Outcome(sorted(records.values(), key=lambda r: r["student"]), len(todo) - len(failed),
                   resumed, failed)
