"""`python -m grader batch SUBMISSIONS --csv grades.csv`: grade a whole class (batch.py),
resuming without regrading when started again."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..messages import BATCH_INTERRUPTED
from ..options import FAILED, PASSED, USAGE, add_run_options, options_of, seed_of
from ..registry import Platform, Stopped, interrupted


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("submissions", help="folder holding one folder per student")
    p.add_argument("--csv", required=True, help="the grades: student, one column per exercise, total")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="submissions graded at once (default: the number of cores, %(default)s)")
    p.add_argument("--feedback", help="folder for the per-student feedback files "
                                      "(default: next to the CSV, named after it)")
    p.add_argument("--feedback-format", choices=["md", "html"], default="md")
    p.add_argument("--overview", help="the class overview page (default: next to the CSV, "
                                      "named after it: grades-overview.md, with its .png)")
    p.add_argument("--student", action="append", metavar="NAME",
                   help="grade only this student's folder (repeat for more); the others' "
                        "grades stay as they are")
    p.add_argument("--force", action="store_true",
                   help="grade again even what is graded already (with --student: only them)")
    p.add_argument("--deadline", metavar="WHEN",
                   help="grade, in each student's git repository, the last commit before WHEN "
                        "(e.g. 2026-12-01T23:59, this machine's time zone, or with +01:00); "
                        "the CSV names the commit and counts those after it")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--unconfined", action="store_true",
                   help="grade even where student code cannot be confined (see docs/sandbox.md)")
    add_run_options(p)


def run(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    submissions, csv_path = Path(args.submissions), Path(args.csv).resolve()
    if not submissions.is_dir():
        p.error(f"{args.submissions}: no such directory")
    if not csv_path.parent.is_dir():
        p.error(f"--csv {args.csv}: its directory does not exist")
    if args.student:
        unknown = [s for s in args.student if not (submissions / s).is_dir()]
        if unknown:
            p.error(f"--student: no folder {', '.join(unknown)} in {args.submissions}")
    from .deadline import DeadlineError, parse_deadline

    try:
        deadline = parse_deadline(args.deadline) if args.deadline else None
    except DeadlineError as exc:
        p.error(f"--deadline {exc}")
    feedback = Path(args.feedback).resolve() if args.feedback else csv_path.with_name(csv_path.stem + "-feedback")
    overview = Path(args.overview).resolve() if args.overview else csv_path.with_name(csv_path.stem + "-overview.md")
    from ..gateway import Unconfined
    try:
        from .batch import run_batch, write_class_overview

        outcome = run_batch(submissions, csv_path, jobs=args.jobs, seed=seed_of(p, args),
                            options=options_of(p, args), feedback_dir=feedback, fmt=args.feedback_format,
                            progress=not args.quiet, students=args.student, force=args.force,
                            deadline=deadline, unconfined=args.unconfined)
        written = write_class_overview(outcome, overview)
    except Unconfined as exc:
        print(exc, file=sys.stderr)
        return USAGE
    asked = outcome.graded + outcome.resumed + len(outcome.failed)
    counted = f"{asked} of {len(outcome.records)} submission(s), those named by --student" \
        if args.student else f"{len(outcome.records)} submission(s)"
    print(f"{counted}: {outcome.graded} graded, {outcome.resumed} "
          f"already graded. Grades: {csv_path}  Feedback: {feedback}  Overview: {written[0]}")
    if outcome.problems:
        print(f"Check these {len(outcome.problems)}:")
        for line in outcome.problems:
            print(f"  {line}")
    for line in outcome.failed:
        print(f"grading failed, run again to retry: {line}", file=sys.stderr)
    return FAILED if outcome.failed else PASSED


def stopped(args: argparse.Namespace | None) -> Stopped:
    """Ctrl-C keeps what is graded: the CSV holds it, and the same command grades the rest."""
    if args is None:
        return interrupted(args)
    return Stopped(BATCH_INTERRUPTED.format(csv=Path(args.csv).resolve().name))


PLATFORM = Platform(
    name="batch", summary="python -m grader batch SUBMISSIONS --csv FILE",
    description="Grade every folder in SUBMISSIONS (one student's repository each: "
                "`gh teacher download ORG CLASSROOM ASSIGNMENT` with Classroom 50 clones them "
                "all, or `git clone` each one). Only the exercise files are taken from each. "
                "Started again, it resumes without regrading.",
    arguments=arguments, run=run, stopped=stopped)
