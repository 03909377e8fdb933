"""`python -m grader overview --nbgrader COURSE_DIR`: the class overview (overview.py) of an
nbgrader course, read by gradebook.py. (`python -m grader batch` writes its own.)"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..options import PASSED, USAGE
from ..registry import Platform


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--nbgrader", required=True, metavar="COURSE_DIR",
                   help="the course directory (with gradebook.db and autograded/)")
    p.add_argument("--assignment", default="multiclass", help="default: %(default)s")
    p.add_argument("--output", help="the Markdown page (default: COURSE_DIR/ASSIGNMENT-overview.md), "
                                    "with its .png beside it")


def run(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    course = Path(args.nbgrader)
    if not course.is_dir():
        p.error(f"--nbgrader {args.nbgrader}: no such directory")
    from .gradebook import CourseError, nbgrader_entries
    from .overview import write_overview

    try:
        entries = nbgrader_entries(course, args.assignment)
    except CourseError as exc:
        print(f"python -m grader overview: {exc}", file=sys.stderr)
        return USAGE
    path = Path(args.output).resolve() if args.output else (course / f"{args.assignment}-overview.md").resolve()
    written = write_overview(entries, path, f"Class overview: {args.assignment}")
    print(f"{len(entries)} submission(s). Overview: {', '.join(map(str, written))}")
    return PASSED


PLATFORM = Platform(
    name="overview", summary="python -m grader overview --nbgrader COURSE_DIR",
    description="The class overview of an nbgrader course after `nbgrader autograde`: for each "
                "check, how many failed it and the most common message; the totals; identical "
                "submissions. (python -m grader batch writes its own.)",
    arguments=arguments, run=run)
