"""Gradescope (docs/gradescope.md): one package, both halves.

- results_json.py: its results.json (`python -m grader --format gradescope`, what the
  autograder's run_autograder runs for each submission);
- autograder_zip.py: the autograder zip that runs it (`python -m grader gradescope
  OUT.zip`, for course authors), with setup.sh and run_autograder beside it.

Importing this package imports neither half: the registry imports it for its command and
its format."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from ...options import PASSED, add_seed_options, seed_of
from ...registry import Platform


def render(report, seconds: float) -> str:
    from .results_json import to_gradescope_json

    return to_gradescope_json(report, seconds)


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("zip", help="the zip file to write, e.g. autograder.zip")
    add_seed_options(p)


def run(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    path = Path(args.zip).resolve()
    if not path.parent.is_dir():
        p.error(f"{args.zip}: its directory does not exist")
    seed = None if args.seed is None and not args.seed_file else seed_of(p, args)
    from .autograder_zip import write_gradescope_zip

    # TORCH_INDEX_URL here becomes setup.sh's index for torch: Gradescope's image build
    # sets no variables of ours.
    names = write_gradescope_zip(path, seed=seed, torch_index=os.environ.get("TORCH_INDEX_URL"))
    print(f"wrote {path} ({len(names)} files). Upload it as the assignment's autograder; "
          "see docs/gradescope.md.")
    return PASSED


PLATFORM = Platform(
    name="gradescope", summary="python -m grader gradescope OUT.zip",
    description="Write a Gradescope autograder zip (setup.sh, run_autograder, the grader and the "
                "pinned dependencies; no solutions). With TORCH_INDEX_URL set, setup.sh installs "
                "torch from that index instead of PyTorch's CPU index.",
    arguments=arguments, run=run, render=render)
