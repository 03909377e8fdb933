"""python -m grader: grade, grade a class, build the generated files, or show a hint.

    python -m grader [--target DIR | --submission DIR] [--only ex0N]
                     [--format text|json|gradescope] [--output FILE]
                     [--in-process] [--seed N | --seed-file FILE] [--time-scale F]
                     [--memory-limit GIB]
    python -m grader batch SUBMISSIONS --csv grades.csv [--jobs N] [--feedback DIR]
                     [--feedback-format md|html] [--overview FILE] [--student NAME]
                     [--force] [--deadline WHEN] (and the seed and limit options)
    python -m grader sandbox                 this machine's protections against student code
    python -m grader overview --nbgrader COURSE_DIR   the class overview of an nbgrader course
    python -m grader build [--check]
    python -m grader check-course [--only ex0N]   for course authors, after an edit
    python -m grader hint [ex0N] [--more | --level N]
    python -m grader release OUT [--for classroom50|github-classroom]   the student template
    python -m grader classroom50 OUT         the Classroom 50 autograder folder
    python -m grader nbgrader OUT            the nbgrader course directory
    python -m grader watch [--target DIR] [--poll]   grade again on every save (keys: h n a q)
    python -m grader gradescope OUT.zip      a Gradescope autograder
    python -m grader classroom run|check ID  the template's workflow steps (grader/classroom.py)

When GITHUB_STEP_SUMMARY is set (a GitHub Actions step), grading also appends a Markdown
score table with each failing check's message to that file.

Exit status: 0 when every selected check passed, 1 when any failed, 2 on a usage error,
130 when stopped with Ctrl-C.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# Nothing here imports torch at module level: `python -m grader classroom check` answers
# from the results cache in a fraction of a second.
from .course import ROOT, exercise_ids
from .messages import BATCH_INTERRUPTED, IN_PROCESS, INTERRUPTED, NEEDS_SET_UP

from .options import (FAILED, PASSED, STOPPED, USAGE, add_run_options,
                      options_of, seed_of, write)

AUTHORING = ("build", "check-course", "release", "classroom50", "gradescope", "nbgrader")
# Packages outside the default set-up: the package's name, and the set-up that installs it.
SET_UPS = {"yaml": ("PyYAML", "--instructor"), "nbformat": ("nbformat", "--instructor"),
           "nbgrader": ("nbgrader", "--instructor"), "marimo": ("marimo", "--marimo")}


def _grade_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m grader", description="Grade the exercises.",
                                epilog="Other commands: 'python -m grader build', "
                                       "'python -m grader hint ex0N', "
                                       "'python -m grader watch', "
                                       "'python -m grader batch SUBMISSIONS --csv FILE', "
                                       "'python -m grader overview --nbgrader COURSE_DIR', "
                                       "'python -m grader release OUT', "
                                       "'python -m grader classroom50 OUT', "
                                       "'python -m grader nbgrader OUT', "
                                       "'python -m grader gradescope OUT.zip', "
                                       "'python -m grader classroom run|check ID', "
                                       "'python -m grader check-course'.")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--target", default=str(ROOT / "exercises"),
                       help="directory with the exercise modules (default: exercises/); "
                            "--target solutions grades the reference")
    where.add_argument("--submission",
                       help="a student's folder: only its exercise files (in exercises/ or at "
                            "its top level) are graded, from a private copy")
    p.add_argument("--only", choices=exercise_ids(), help="grade one exercise")
    p.add_argument("--format", choices=["text", "json", "gradescope"], default="text",
                   help="gradescope: Gradescope's results.json")
    p.add_argument("--output", help="write the report to FILE instead of standard output")
    p.add_argument("--in-process", action="store_true",
                   help="run your code inside the grader, without limits, so that a debugger "
                        "(breakpoint()) works; a crash in your code then stops the grader")
    add_run_options(p)
    return p


def _start_zygote() -> None:
    """The process that forks the workers, started before this one imports torch, so that
    the two imports overlap (grader/gateway/zygote_client.py)."""
    from .gateway import start_zygote_early
    start_zygote_early()


def grade_command(argv: list[str]) -> int:
    from .platforms.status import StatusLine

    if not {"--in-process", "-h", "--help"} & set(argv):
        _start_zygote()

    # A status line on a terminal's stderr while grading takes long (loading torch included);
    # none under a debugger.
    with StatusLine(live="--in-process" not in argv) as status:
        status("loading torch and the checks")
        return _grade(argv, status)


def _grade(argv: list[str], status) -> int:
    parser = _grade_parser()
    args = parser.parse_args(argv)
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

    from .checks.cases import Cases
    from .platforms.report import score_table, to_gradescope_json, to_json, to_text, write_step_summary
    from .runner import grade

    options = options_of(parser, args, args.in_process)
    if args.in_process:
        print(IN_PROCESS, file=sys.stderr)
    seed = seed_of(parser, args)
    started = time.perf_counter()
    if args.submission is not None:
        from .platforms.submission import grade_submission
        report = grade_submission(target, only=args.only, cases=Cases(seed), options=options,
                                  on_activity=status)
    else:
        report = grade(target, only=args.only, cases=Cases(seed), options=options, on_activity=status)
    status.close()                      # the report replaces the status line
    seconds = time.perf_counter() - started
    if args.format == "json":
        text = to_json(report)
    elif args.format == "gradescope":
        text = to_gradescope_json(report, seconds)
    else:
        text = to_text(report)
    if args.output:
        write(args.output, text)
        print(score_table(report.results))
    else:
        sys.stdout.write(text)
    write_step_summary(report, "Grading " + report.target)
    return PASSED if report.passed else FAILED


def batch_command(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="python -m grader batch",
        description="Grade every folder in SUBMISSIONS (one student's repository each: "
                    "`gh teacher download ORG CLASSROOM ASSIGNMENT` with Classroom 50 clones "
                    "them all, or `git clone` each one). Only the exercise files are taken "
                    "from each. Started again, it resumes without regrading.")
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
    args = p.parse_args(argv)
    submissions, csv_path = Path(args.submissions), Path(args.csv).resolve()
    if not submissions.is_dir():
        p.error(f"{args.submissions}: no such directory")
    if not csv_path.parent.is_dir():
        p.error(f"--csv {args.csv}: its directory does not exist")
    if args.student:
        unknown = [s for s in args.student if not (submissions / s).is_dir()]
        if unknown:
            p.error(f"--student: no folder {', '.join(unknown)} in {args.submissions}")
    from .instructor.deadline import DeadlineError, parse_deadline

    try:
        deadline = parse_deadline(args.deadline) if args.deadline else None
    except DeadlineError as exc:
        p.error(f"--deadline {exc}")
    feedback = Path(args.feedback).resolve() if args.feedback else csv_path.with_name(csv_path.stem + "-feedback")
    overview = Path(args.overview).resolve() if args.overview else csv_path.with_name(csv_path.stem + "-overview.md")
    from .gateway import Unconfined
    try:
        from .instructor.batch import run_batch, write_class_overview

        outcome = run_batch(submissions, csv_path, jobs=args.jobs, seed=seed_of(p, args),
                            options=options_of(p, args), feedback_dir=feedback, fmt=args.feedback_format,
                            progress=not args.quiet, students=args.student, force=args.force,
                            deadline=deadline, unconfined=args.unconfined)
        written = write_class_overview(outcome, overview)
    except Unconfined as exc:
        print(exc, file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        print(BATCH_INTERRUPTED.format(csv=csv_path.name), file=sys.stderr)
        return STOPPED
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


def sandbox_command(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="python -m grader sandbox",
                            description="Enter the box student code runs in and show, layer by "
                                        "layer, what this machine applies.").parse_args(argv)
    from .gateway import box_missing_text, box_table, probe_confinement

    found = probe_confinement()
    print(box_table(found))
    if found.missing:
        print("\nBatch grading stops here without --unconfined; it needs:\n" + box_missing_text(found.missing))
    return FAILED if found.missing else PASSED


def overview_command(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="python -m grader overview",
        description="The class overview of an nbgrader course after `nbgrader autograde`: for "
                    "each check, how many failed it and the most common message; the totals; "
                    "identical submissions. (python -m grader batch writes its own.)")
    p.add_argument("--nbgrader", required=True, metavar="COURSE_DIR",
                   help="the course directory (with gradebook.db and autograded/)")
    p.add_argument("--assignment", default="multiclass", help="default: %(default)s")
    p.add_argument("--output", help="the Markdown page (default: COURSE_DIR/ASSIGNMENT-overview.md), "
                                    "with its .png beside it")
    args = p.parse_args(argv)
    course = Path(args.nbgrader)
    if not course.is_dir():
        p.error(f"--nbgrader {args.nbgrader}: no such directory")
    from .instructor.gradebook import CourseError, nbgrader_entries
    from .instructor.overview import write_overview

    try:
        entries = nbgrader_entries(course, args.assignment)
    except CourseError as exc:
        print(f"python -m grader overview: {exc}", file=sys.stderr)
        return USAGE
    path = Path(args.output).resolve() if args.output else (course / f"{args.assignment}-overview.md").resolve()
    written = write_overview(entries, path, f"Class overview: {args.assignment}")
    print(f"{len(entries)} submission(s). Overview: {', '.join(map(str, written))}")
    return PASSED


def hint_command(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="python -m grader hint",
        description="A hint for the first failing check of EXERCISE (default: of the first "
                    "exercise with one), one level at a time: the idea, the API, almost the code.")
    p.add_argument("exercise", nargs="?", choices=exercise_ids())
    level = p.add_mutually_exclusive_group()
    level.add_argument("--more", action="store_true", help="the next level of the hint")
    level.add_argument("--level", type=int, metavar="N", help="level N of the hint")
    p.add_argument("--target", default=str(ROOT / "exercises"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    from .platforms.status import StatusLine

    error = None
    with StatusLine() as status:
        status("loading torch and the checks")
        from .platforms.hints import NoSuchLevel, hint
        try:
            text = hint(Path(args.target), args.exercise, more=args.more, level=args.level,
                        on_activity=status)
        except NoSuchLevel as exc:
            error = exc
    if error is not None:                    # said once the status line is gone
        print(f"hint: {error}", file=sys.stderr)
        return USAGE
    print(text)
    return PASSED


def watch_command(argv: list[str]) -> int:
    if not {"-h", "--help"} & set(argv):
        print("Starting the watch: importing torch takes a few seconds ...", flush=True)
        _start_zygote()
    try:
        return _watch(argv)
    except KeyboardInterrupt:           # Ctrl-C before the watch began (torch is imported first)
        print("\nStopped watching.")
        return PASSED


def _watch(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="python -m grader watch",
        description="Grade every exercise, then grade each one again as soon as its file is "
                    "saved, until you quit. Keys: h hint, n next exercise, a re-grade all, q quit.")
    p.add_argument("--target", default=str(ROOT / "exercises"),
                   help="directory with the exercise modules (default: exercises/)")
    p.add_argument("--poll", action="store_true",
                   help="look for saved files by polling: for folders whose changes send no file "
                        "events (chosen by itself for network and shared folders, WSL's /mnt/)")
    p.add_argument("--progress", help="the file that keeps your best scores (default: "
                                      ".grader-progress.json beside the target directory)")
    p.add_argument("--no-clear", action="store_true", help="do not clear the screen between gradings")
    add_run_options(p)
    args = p.parse_args(argv)
    target = Path(args.target)
    if not target.is_absolute() and not target.exists() and (ROOT / target).is_dir():
        target = ROOT / target
    if not target.is_dir():
        p.error(f"--target {args.target}: no such directory")
    from .watch.watch import run_watch

    return run_watch(target, seed=seed_of(p, args), options=options_of(p, args), poll=args.poll,
                     clear=not args.no_clear,
                     progress_path=Path(args.progress) if args.progress else None)


def classroom_command(argv: list[str]) -> int:
    from .platforms.classroom import main as classroom_main
    return classroom_main(argv)


def _authoring(name: str):
    """An author's command, imported when it runs (the student template has none)."""
    def run(argv: list[str]) -> int:
        from .authoring import commands
        return getattr(commands, name.replace("-", "_") + "_command")(argv)
    return run


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    commands = {"hint": hint_command, "batch": batch_command, "classroom": classroom_command,
                "watch": watch_command, "overview": overview_command, "sandbox": sandbox_command,
                **{name: _authoring(name) for name in AUTHORING}}
    try:
        if argv and argv[0] in commands:
            return commands[argv[0]](argv[1:])
        return grade_command(argv)
    except SystemExit as exc:           # argparse: usage errors exit 2, --help exits 0
        return exc.code if isinstance(exc.code, int) else USAGE
    except KeyboardInterrupt:           # Ctrl-C: one line, not the grader's traceback
        print(INTERRUPTED, file=sys.stderr)
        return STOPPED
    except ModuleNotFoundError as exc:  # the student template leaves the authors' modules out
        if argv and (exc.name or "").startswith("grader.authoring"):
            print(f"python -m grader {argv[0]}: for course authors; it is not part of the "
                  "student template", file=sys.stderr)
            return USAGE
        top = (exc.name or "").split(".")[0]
        if argv and top in SET_UPS:
            package, option = SET_UPS[top]
            print(NEEDS_SET_UP.format(command=argv[0], package=package, option=option), file=sys.stderr)
            return USAGE
        raise
