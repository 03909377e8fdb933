"""python -m grader: grade, build the generated files, or show a hint.

    python -m grader [--target DIR] [--only ex0N] [--format text|json] [--output FILE]
    python -m grader build [--check]
    python -m grader hint ex0N

Exit status: 0 when every selected check passed, 1 when any failed, 2 on a usage error.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from .course import ROOT, exercise, exercise_ids

PASSED, FAILED, USAGE = 0, 1, 2


def _grade_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m grader", description="Grade the exercises.",
                                epilog="Other commands: 'python -m grader build', "
                                       "'python -m grader hint ex0N'.")
    p.add_argument("--target", default=str(ROOT / "exercises"),
                   help="directory with the exercise modules (default: exercises/); "
                        "--target solutions grades the reference")
    p.add_argument("--only", choices=exercise_ids(), help="grade one exercise")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--output", help="write the report to FILE instead of standard output")
    return p


def _write(path: str, text: str) -> None:
    """Write atomically: a reader never sees half a report."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=".report-")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, target)


def grade_command(argv: list[str]) -> int:
    parser = _grade_parser()
    args = parser.parse_args(argv)
    target = Path(args.target)
    if not target.is_absolute() and not target.exists() and (ROOT / target).is_dir():
        target = ROOT / target
    if not target.is_dir():
        parser.error(f"--target {args.target}: no such directory")
    if args.output and not Path(args.output).resolve().parent.is_dir():
        parser.error(f"--output {args.output}: its directory does not exist")

    from .report import score_table, to_json, to_text
    from .runner import grade

    report = grade(target, only=args.only)
    text = to_json(report) if args.format == "json" else to_text(report)
    if args.output:
        _write(args.output, text)
        print(score_table(report.results))
    else:
        sys.stdout.write(text)
    return PASSED if report.passed else FAILED


def build_command(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m grader build",
                                description="Write exercises/ from solutions/.")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if a generated file is out of date")
    args = p.parse_args(argv)
    from .build import build, generated_files

    if args.check:
        stale = [path for path, text in generated_files().items()
                 if not path.exists() or path.read_text() != text]
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)}")
        return FAILED if stale else PASSED
    for path in build():
        print(f"wrote {path.relative_to(ROOT)}")
    return PASSED


def hint_command(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m grader hint")
    p.add_argument("exercise", choices=exercise_ids())
    ex = exercise(p.parse_args(argv).exercise)
    print(f"{ex.id}: {ex.title} ({ex.file}: {', '.join(ex.functions)})\n\n{ex.hint}")
    return PASSED


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    commands = {"build": build_command, "hint": hint_command}
    try:
        if argv and argv[0] in commands:
            return commands[argv[0]](argv[1:])
        return grade_command(argv)
    except SystemExit as exc:           # argparse: usage errors exit 2, --help exits 0
        return exc.code if isinstance(exc.code, int) else USAGE
