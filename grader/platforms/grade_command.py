"""`python -m grader [OPTIONS]`: grade the exercises (or a student's folder) and print the
report in one of the formats the platforms render (registry.formats()). When
GITHUB_STEP_SUMMARY is set (a GitHub Actions step), it also appends a Markdown score table
with each failing check's message to that file. Exit status: 0 when every selected check
passed, 1 when any failed, 2 on a usage error, 130 when stopped with Ctrl-C."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .. import registry
from ..registry import Platform
from ..course import ROOT, exercise_ids
from ..messages import IN_PROCESS
from ..options import FAILED, PASSED, add_run_options, options_of, seed_of, write


def arguments(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group()
    where.add_argument("--target", default=str(ROOT / "exercises"),
                       help="directory with the exercise modules (default: exercises/); "
                            "--target solutions grades the reference")
    where.add_argument("--submission",
                       help="a student's folder: only its exercise files (in exercises/ or at "
                            "its top level) are graded, from a private copy")
    p.add_argument("--only", choices=exercise_ids(), help="grade one exercise")
    p.add_argument("--format", choices=sorted(registry.formats(), key=lambda name: name != "text"), default="text",
                   help="gradescope: Gradescope's results.json")
    p.add_argument("--output", help="write the report to FILE instead of standard output")
    p.add_argument("--in-process", action="store_true",
                   help="run your code inside the grader, without limits, so that a debugger "
                        "(breakpoint()) works; a crash in your code then stops the grader")
    add_run_options(p)


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from ..gateway import start_zygote_early
    from .status import StatusLine

    if not args.in_process:
        # The process that forks the workers, started before this one imports torch, so
        # that the two imports overlap (grader/gateway/zygote_client.py).
        start_zygote_early()
    # A status line on a terminal's stderr while grading takes long (loading torch
    # included); none under a debugger.
    with StatusLine(live=not args.in_process) as status:
        status("loading torch and the checks")
        return _grade(parser, args, status)


def _grade(parser: argparse.ArgumentParser, args: argparse.Namespace, status) -> int:
    if args.submission is not None:
        target = Path(args.submission)
        if not target.is_dir():
            parser.error(f"--submission {args.submission}: no such directory")
    else:
        target = Path(args.target)
        if not target.is_absolute() and not target.exists() and (ROOT / target).is_dir():
            target = ROOT / target
        if not target.is_dir():
            parser.error(f"--target {args.target}: no such directory")
    if args.output and not Path(args.output).resolve().parent.is_dir():
        parser.error(f"--output {args.output}: its directory does not exist")

    from .report import score_table, write_step_summary
    from ..judge import grade

    options = options_of(parser, args, args.in_process)
    if args.in_process:
        print(IN_PROCESS, file=sys.stderr)
    seed = seed_of(parser, args)
    render = registry.platform(args.format).render
    assert render is not None               # registry.formats() lists only platforms that render
    started = time.perf_counter()
    if args.submission is not None:
        from .submission import grade_submission
        report = grade_submission(target, only=args.only, seed=seed, options=options, on_activity=status)
    else:
        report = grade(target, only=args.only, seed=seed, options=options, on_activity=status)
    status.close()                      # the report replaces the status line
    text = render(report, time.perf_counter() - started)
    if args.output:
        write(args.output, text)
        print(score_table(report.results))
    else:
        sys.stdout.write(text)
    write_step_summary(report, "Grading " + report.target)
    return PASSED if report.passed else FAILED


PLATFORM = Platform(name="grade", description="Grade the exercises.", arguments=arguments, run=run)
