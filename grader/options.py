"""The options several platforms' commands share (the seed, the limits on student code),
and the exit statuses of grader/exits.py passed on. No torch at import: a platform builds
its command line before it starts the zygote."""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from .course import DEFAULT_SEED
from .gateway import DEFAULT_MEMORY_LIMIT
# The exit statuses (grader/exits.py), which the command line takes from here.
from .exits import FAILED as FAILED, PASSED as PASSED, STOPPED as STOPPED, USAGE as USAGE


@dataclass(frozen=True)
class Options:
    """How student code is run. in_process runs it inside the grader (for a debugger);
    otherwise a worker process runs it (grader.gateway.worker). time_scale multiplies every time
    limit; memory_limit (bytes) caps the worker's address space."""
    in_process: bool = False
    time_scale: float = 1.0
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT


def add_seed_options(p: argparse.ArgumentParser) -> None:
    seed = p.add_mutually_exclusive_group()
    seed.add_argument("--seed", type=int,
                      help=f"seed of the randomized cases (default {DEFAULT_SEED}, the one students "
                           "see); instructors can grade with inputs no student has seen")
    seed.add_argument("--seed-file", help="read the seed from FILE (keep it where students cannot read it)")


def add_run_options(p: argparse.ArgumentParser) -> None:
    add_seed_options(p)
    p.add_argument("--time-scale", type=float, default=1.0,
                   help="multiply every time limit by F (for slow machines)")
    p.add_argument("--memory-limit", type=float, default=DEFAULT_MEMORY_LIMIT / 2**30, metavar="GIB",
                   help="memory limit of the process running student code, in GiB "
                        "(default %(default)g; 0 for none)")


def seed_of(parser: argparse.ArgumentParser, args) -> int:
    if args.seed_file:
        try:
            return int(Path(args.seed_file).read_text().strip())
        except (OSError, ValueError) as exc:
            parser.error(f"--seed-file {args.seed_file}: {exc}")
    return DEFAULT_SEED if args.seed is None else args.seed


def options_of(parser: argparse.ArgumentParser, args, in_process: bool = False) -> Options:
    if args.time_scale <= 0:
        parser.error("--time-scale must be positive")
    limit = int(args.memory_limit * 2**30) if args.memory_limit > 0 else None
    return Options(in_process=in_process, time_scale=args.time_scale, memory_limit=limit)


def write(path: str, text: str) -> None:
    from .files import write_atomically
    write_atomically(Path(path).resolve(), text)
