"""The students' watch, `python -m grader watch`: grade every exercise, then each one again
as soon as its file is saved (watch.py the loop, file_events.py the saves noticed,
keys.py the terminal's keys, progress.py the lasting best scores)."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..course import ROOT
from ..messages import STOPPED_WATCHING
from ..options import PASSED, add_run_options, options_of, seed_of
from ..registry import Platform, Stopped


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", default=str(ROOT / "exercises"),
                   help="directory with the exercise modules (default: exercises/)")
    p.add_argument("--poll", action="store_true",
                   help="look for saved files by polling: for folders whose changes send no file "
                        "events (chosen by itself for network and shared folders, WSL's /mnt/)")
    p.add_argument("--progress", help="the file that keeps your best scores (default: "
                                      ".grader-progress.json beside the target directory)")
    p.add_argument("--no-clear", action="store_true", help="do not clear the screen between gradings")
    add_run_options(p)


def run(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    target = Path(args.target)
    if not target.is_absolute() and not target.exists() and (ROOT / target).is_dir():
        target = ROOT / target
    if not target.is_dir():
        p.error(f"--target {args.target}: no such directory")
    print("Starting the watch: importing torch takes a few seconds ...", flush=True)
    from ..gateway import start_zygote_early

    start_zygote_early()                # it imports torch; the watch itself never does
    from .watch import run_watch

    return run_watch(target, seed=seed_of(p, args), options=options_of(p, args), poll=args.poll,
                     clear=not args.no_clear,
                     progress_path=Path(args.progress) if args.progress else None)


def stopped(args: argparse.Namespace | None) -> Stopped:
    """Ctrl-C, while torch loads or while watching, ends the watch as q does."""
    return Stopped("\n" + STOPPED_WATCHING, to_stderr=False, status=PASSED)


PLATFORM = Platform(
    name="watch", summary="python -m grader watch",
    description="Grade every exercise, then grade each one again as soon as its file is saved, "
                "until you quit. Keys: h hint, n next exercise, a re-grade all, q quit.",
    arguments=arguments, run=run, stopped=stopped)
