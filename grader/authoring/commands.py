"""The course authors' commands of `python -m grader`: build, check-course, release,
classroom50, gradescope and nbgrader. They live here, with what they run, so that the student
template, which leaves grader/authoring/ out, has none of them (grader/cli.py says so)."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..course import ROOT
from ..options import FAILED, PASSED, add_seed_options, seed_of


def build_command(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m grader build",
                                description="Write exercises/, the marimo lesson and the READMEs' "
                                            "tables from solutions/ and grader/course.toml.")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if a generated file is out of date")
    args = p.parse_args(argv)
    from .build import build, stale_files

    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)}")
        return FAILED if stale else PASSED
    for path in build():
        print(f"wrote {path.relative_to(ROOT)}")
    return PASSED


def release_command(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="python -m grader release",
        description="Write the student template repository into OUT: the stubs, the graders, "
                    "a README for students and the pinned dependencies; no solutions. OUT may "
                    "be new, empty, or a checkout of the template: its .git is kept and "
                    "everything else replaced.")
    p.add_argument("out", help="a new or empty folder, or a checkout of the template")
    p.add_argument("--for", dest="flavour", choices=["classroom50", "github-classroom"],
                   default="classroom50",
                   help="classroom50 (default): no workflow, Classroom 50 adds its own; "
                        "github-classroom: with .github/workflows/classroom.yml (legacy)")
    args = p.parse_args(argv)
    from .release import write_template

    try:
        files = write_template(Path(args.out), flavour=args.flavour)
    except ValueError as exc:
        p.error(str(exc))
    section = {"classroom50": "Classroom 50", "github-classroom": "GitHub Classroom (legacy)"}
    print(f"wrote {len(files)} files to {args.out} ({args.flavour}). Next: docs/classroom50.md, "
          f"'{section[args.flavour]}'.")
    return PASSED


def nbgrader_command(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="python -m grader nbgrader",
        description="Write the nbgrader course into OUT: nbgrader_config.py and "
                    "source/multiclass/ (the notebook and the grader that grades it). OUT may "
                    "be new, empty, or a course written by this command before (its gradebook "
                    "and submissions are kept).")
    p.add_argument("out", help="the course directory")
    args = p.parse_args(argv)
    from .nbcourse import write_course

    try:
        files = write_course(Path(args.out))
    except ValueError as exc:
        p.error(str(exc))
    import sys

    print(f"wrote {len(files)} files to {args.out}. Next, in that folder: "
          f"{sys.executable} -m nbgrader generate_assignment multiclass (docs/nbgrader.md).")
    return PASSED


def classroom50_command(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="python -m grader classroom50",
        description="Write the Classroom 50 autograder folder into OUT, to commit as "
                    "CLASSROOM/autograders/ASSIGNMENT/ in the classroom50 repository: "
                    "autograder.py, the grader, the pins and the seed; no solutions. OUT may "
                    "be new, empty, or written by this command before (then replaced).")
    p.add_argument("out", help="the autograder folder")
    add_seed_options(p)
    args = p.parse_args(argv)
    from .classroom50 import write_bundle

    try:
        files = write_bundle(Path(args.out), seed=seed_of(p, args))
    except ValueError as exc:
        p.error(str(exc))
    print(f"wrote {len(files)} files to {args.out}. Next: docs/classroom50.md, step 4.")
    return PASSED


def gradescope_command(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="python -m grader gradescope",
        description="Write a Gradescope autograder zip (setup.sh, run_autograder, the grader "
                    "and the pinned dependencies; no solutions). With TORCH_INDEX_URL set, "
                    "setup.sh installs torch from that index instead of PyTorch's CPU index.")
    p.add_argument("zip", help="the zip file to write, e.g. autograder.zip")
    add_seed_options(p)
    args = p.parse_args(argv)
    path = Path(args.zip).resolve()
    if not path.parent.is_dir():
        p.error(f"{args.zip}: its directory does not exist")
    seed = None if args.seed is None and not args.seed_file else seed_of(p, args)
    from .release import write_gradescope_zip

    # TORCH_INDEX_URL here becomes setup.sh's index for torch: Gradescope's image build
    # sets no variables of ours.
    names = write_gradescope_zip(path, seed=seed, torch_index=os.environ.get("TORCH_INDEX_URL"))
    print(f"wrote {path} ({len(names)} files). Upload it as the assignment's autograder; "
          "see docs/gradescope.md.")
    return PASSED


def check_course_command(argv: list[str]) -> int:
    from .check_course import main as check_course_main
    return check_course_main(argv)


def reference_command(argv: list[str]) -> int:
    from .reference import main as reference_main
    return reference_main(argv)


def variant_command(argv: list[str]) -> int:
    from .variant import main as variant_main
    return variant_main(argv)
