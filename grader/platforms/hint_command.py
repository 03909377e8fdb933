"""`python -m grader hint [ex0N] [--more | --level N]`: a hint for the first failing check,
one level at a time (hints.py finds and renders it)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..course import ROOT, exercise_ids
from ..options import PASSED, USAGE
from ..registry import Platform


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("exercise", nargs="?", choices=exercise_ids())
    level = p.add_mutually_exclusive_group()
    level.add_argument("--more", action="store_true", help="the next level of the hint")
    level.add_argument("--level", type=int, metavar="N", help="level N of the hint")
    p.add_argument("--target", default=str(ROOT / "exercises"), help=argparse.SUPPRESS)


def run(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from .status import StatusLine

    error = None
    with StatusLine() as status:
        status("loading torch and the checks")
        from .hints import NoSuchLevel, hint
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


PLATFORM = Platform(
    name="hint", summary="python -m grader hint ex0N",
    description="A hint for the first failing check of EXERCISE (default: of the first exercise "
                "with one), one level at a time: the idea, the API, almost the code.",
    arguments=arguments, run=run)
