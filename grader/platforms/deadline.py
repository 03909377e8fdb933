"""Grading a student's repository as it was at a deadline: the last commit before it on
the checked-out branch (its first-parent history), read from git's objects into a folder
of our own. The student's checkout, index and branches are never touched.

Commit dates are written by the student's machine: a deadline read from them is a
convention, not proof. The hosting service's push times are the record (GitHub Classroom
shows them); the CSV says which commit was graded and how many came after the deadline.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from ..course import exercises

GIT_TIMEOUT = 60          # seconds per git command; a repository is read, never fetched


class DeadlineError(ValueError):
    pass


def parse_deadline(text: str) -> datetime:
    """2026-12-01T23:59 (this machine's time zone) or with an offset (…+01:00, …Z)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise DeadlineError(f"{text!r}: expected a date and time like 2026-12-01T23:59") from None
    return moment if moment.tzinfo else moment.astimezone()       # naive: local time


@dataclass(frozen=True)
class Snapshot:
    commit: str | None       # the graded commit, None when there is none before the deadline
    later: int               # commits on the branch dated after the deadline
    problem: str | None      # why nothing could be read, for the run's summary


def _git(repo: Path, *args: str) -> bytes:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, timeout=GIT_TIMEOUT)
    if proc.returncode != 0:
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        raise DeadlineError(lines[-1] if lines else f"git {args[0]} failed")
    return proc.stdout


def is_repository(folder: Path) -> bool:
    return (folder / ".git").exists()


def snapshot(repo: Path, deadline: datetime, into: Path) -> Snapshot:
    """Write into `into` the exercise files (wherever they are in the tree, so that the
    finder sees what a checkout would show) of the last commit before the deadline."""
    try:
        return _snapshot(repo, deadline, into)
    except (DeadlineError, OSError, subprocess.TimeoutExpired, ValueError) as exc:
        return Snapshot(None, 0, f"git could not read the repository ({exc})")


def _snapshot(repo: Path, deadline: datetime, into: Path) -> Snapshot:
    log = _git(repo, "log", "--first-parent", "--format=%H %ct", "HEAD").decode().split("\n")
    commits = [(sha, int(ts)) for sha, ts in (line.split() for line in log if line.strip())]
    cutoff = deadline.timestamp()
    later = sum(1 for _, ts in commits if ts > cutoff)
    graded = next((sha for sha, ts in commits if ts <= cutoff), None)
    if graded is None:
        return Snapshot(None, later, "no commit before the deadline")
    names = {ex.file for ex in exercises()}
    into.mkdir(parents=True, exist_ok=True)
    for entry in _git(repo, "ls-tree", "-r", "-z", "--full-tree", graded).split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, blob = meta.decode().split()
        path = PurePosixPath(raw_path.decode(errors="replace"))
        # Regular files only (no links), and only paths that stay inside `into`.
        if kind != "blob" or mode not in ("100644", "100755") or path.name not in names \
                or path.is_absolute() or ".." in path.parts:
            continue
        target = into.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_git(repo, "cat-file", "blob", blob))
    return Snapshot(graded, later, None)
