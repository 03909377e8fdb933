"""Classroom 50 (docs/classroom50.md): one package, both halves of the autograder.

- `python -m grader classroom50 OUT`, for course authors, writes the autograder folder
  (bundle.py) that the teacher commits to their classroom50 repository;
- in a student's checkout, Classroom 50's runner runs that folder's autograder.py, which
  readies a Python with the pinned packages (standard library only until then) and grades
  with grade.py: result.json (result.py) and release-body.md (release_body.py).

Importing this package imports neither half: the registry imports it for its command.
"""
from __future__ import annotations

import argparse

from ...options import add_seed_options, seed_of
from ...registry import Platform, write_into


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", help="the autograder folder")
    add_seed_options(p)


def run(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from .bundle import write_bundle

    seed = seed_of(p, args)
    return write_into(p, args.out, lambda out: write_bundle(out, seed=seed), ". Next: docs/classroom50.md, step 4.")


PLATFORM = Platform(
    name="classroom50", summary="python -m grader classroom50 OUT",
    description="Write the Classroom 50 autograder folder into OUT, to commit as "
                "CLASSROOM/autograders/ASSIGNMENT/ in the classroom50 repository: autograder.py, "
                "the grader, the pins and the seed; no solutions. OUT may be new, empty, or "
                "written by this command before (then replaced).",
    arguments=arguments, run=run, authors=True)
