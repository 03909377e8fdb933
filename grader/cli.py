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

Each command is a platform's (grader/registry.py): this module finds the one named, parses
its arguments and runs it, and turns what ends it early (a usage error, Ctrl-C, a package
the set-up left out) into one line and an exit status.

When GITHUB_STEP_SUMMARY is set (a GitHub Actions step), grading also appends a Markdown
score table with each failing check's message to that file.

Exit status: 0 when every selected check passed, 1 when any failed, 2 on a usage error,
130 when stopped with Ctrl-C.
"""
from __future__ import annotations

import argparse
import sys

# Nothing here imports torch at module level: `python -m grader classroom check` answers
# from the results cache in a fraction of a second.
from . import registry
from .messages import NEEDS_SET_UP
from .options import USAGE

# Packages outside the default set-up: the package's name, and the set-up that installs it.
SET_UPS = {"yaml": ("PyYAML", "--instructor"), "nbformat": ("nbformat", "--instructor"),
           "nbgrader": ("nbgrader", "--instructor"), "marimo": ("marimo", "--marimo")}
NOT_IN_TEMPLATE = ("python -m grader {command}: for course authors; it is not part of the "
                   "student template")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    name = registry.DEFAULT
    if argv and argv[0] in registry.commands():
        name, argv = argv[0], argv[1:]
    elif argv and not argv[0].startswith("-") and not (registry.PACKAGE / "authoring").is_dir():
        # The student template leaves grader/authoring/ out, and with it its platforms.
        print(NOT_IN_TEMPLATE.format(command=argv[0]), file=sys.stderr)
        return USAGE
    platform: registry.Platform | None = None
    args: argparse.Namespace | None = None
    try:
        platform = registry.platform(name)
        parser = registry.parser(platform)
        args = parser.parse_args(argv)
        assert platform.run is not None         # registry.commands() lists only platforms that run
        return platform.run(parser, args)
    except SystemExit as exc:           # argparse: usage errors exit 2, --help exits 0
        return exc.code if isinstance(exc.code, int) else USAGE
    except KeyboardInterrupt:           # Ctrl-C: the platform's one line, not the grader's traceback
        stopped = (platform.stopped if platform else registry.interrupted)(args)
        print(stopped.message, file=sys.stderr if stopped.to_stderr else sys.stdout)
        return stopped.status
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("grader.authoring"):    # a shipped platform's authors' part
            print(NOT_IN_TEMPLATE.format(command=name), file=sys.stderr)
            return USAGE
        top = (exc.name or "").split(".")[0]
        if top in SET_UPS:
            package, option = SET_UPS[top]
            print(NEEDS_SET_UP.format(command=name, package=package, option=option), file=sys.stderr)
            return USAGE
        raise
