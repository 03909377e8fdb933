"""Grading a student's repository as it was at a deadline: the last commit before it on
the checked-out branch (its first-parent history), read from git's objects into a folder
of our own. The student's checkout, index and branches are never touched.

Commit dates are written by the student's machine: a deadline read from them is a
convention, not proof. The hosting service's push times are the record (GitHub Classroom
shows them); the CSV says which commit was graded and how many came after the deadline.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from ..course import exercises
from ..files import WALK_DEPTH

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
    refused: tuple[str, ...] = ()    # exercise files (or exercises/) committed as links


def _git(git_dir: Path, *args: str) -> bytes:
    """git on a repository of our own (`git_dir`, empty) that borrows the student's
    objects: the student's .git/config, hooks, attributes and replace refs are never
    read, so nothing in them (gpg.program with log.showSignature, core.fsmonitor, an
    alias, a pager) can run a command. No system or global configuration either."""
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(git_dir), "LC_ALL": "C",
           "GIT_DIR": str(git_dir),
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_ATTR_NOSYSTEM": "1",
           "GIT_NO_REPLACE_OBJECTS": "1", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    safe = ["-c", "core.fsmonitor=false", "-c", f"core.hooksPath={os.devnull}",
            "-c", "log.showSignature=false", "-c", "core.pager=cat"]
    proc = subprocess.run(["git", *safe, *args], capture_output=True, timeout=GIT_TIMEOUT, env=env,
                          stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        raise DeadlineError(lines[-1] if lines else f"git {args[0]} failed")
    return proc.stdout


def is_repository(folder: Path) -> bool:
    return os.path.lexists(folder / ".git")


def snapshot(repo: Path, deadline: datetime, into: Path) -> Snapshot:
    """Write into `into` the exercise files (wherever they are in the tree, so that the
    finder sees what a checkout would show) of the last commit before the deadline."""
    try:
        return _snapshot(repo, deadline, into)
    except (DeadlineError, OSError, subprocess.TimeoutExpired, ValueError) as exc:
        return Snapshot(None, 0, f"git could not read the repository ({exc})")


def _checked_git_dir(repo: Path) -> Path:
    """The student's .git, refused when it could lead to another repository: a link, a
    file naming another folder (gitdir: ../alice/.git), objects borrowed from elsewhere."""
    git_dir = repo / ".git"
    if git_dir.is_symlink() or not git_dir.is_dir():
        raise DeadlineError(".git is a link or a file, not a folder: refused (it could name "
                            "another repository)")
    objects = git_dir / "objects"
    if objects.is_symlink() or not objects.is_dir():
        raise DeadlineError(".git/objects is a link or missing: refused")
    if os.path.lexists(objects / "info" / "alternates"):
        raise DeadlineError(".git/objects/info/alternates borrows objects from another "
                            "repository: refused")
    if _holds_a_link(objects):
        raise DeadlineError(".git/objects holds a link: refused (it could lead to another repository)")
    return git_dir


def _holds_a_link(objects: Path) -> bool:
    """Whether objects/ or a folder in it (loose objects, pack/, info/) holds a link."""
    with os.scandir(objects) as top:
        folders = []
        for entry in top:
            if entry.is_symlink():
                return True
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.path)
    for folder in folders:
        with os.scandir(folder) as inner:
            if any(entry.is_symlink() for entry in inner):
                return True
    return False


def _c_quoted(path: Path) -> str:
    """The path as git reads a quoted line of objects/info/alternates."""
    out = []
    for byte in os.fsencode(path):
        char = chr(byte)
        out.append("\\" + char if char in '"\\' else char if 32 <= byte < 127 else f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


REF = re.compile(r"refs/[^\0\s]+")
SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def _head(git_dir: Path) -> str:
    """The commit HEAD names, read from the files (a symbolic ref, a loose or packed ref)
    without git, which would read the repository's configuration."""
    ref = "HEAD"
    for _ in range(5):
        path = git_dir.joinpath(*ref.split("/"))
        text = None
        if path.is_symlink():
            raise DeadlineError(f"{ref} is a link: refused")
        if path.is_file():
            text = path.read_text(errors="replace").strip()
        elif (git_dir / "packed-refs").is_file() and not (git_dir / "packed-refs").is_symlink():
            for line in (git_dir / "packed-refs").read_text(errors="replace").splitlines():
                sha, _, name = line.partition(" ")
                if name.strip() == ref:
                    text = sha
                    break
        if text is None:
            raise DeadlineError(f"{ref} names no commit")
        if text.startswith("ref:"):
            ref = text[4:].strip()
            if not REF.fullmatch(ref) or {".", ".."} & set(ref.split("/")):
                raise DeadlineError(f"HEAD names an odd ref {ref!r}")
            continue
        if SHA.fullmatch(text):
            return text
        raise DeadlineError(f"{ref} holds no commit id")
    raise DeadlineError("HEAD: too many symbolic refs")


def _snapshot(repo: Path, deadline: datetime, into: Path) -> Snapshot:
    student_git = _checked_git_dir(repo)
    ours = Path(tempfile.mkdtemp(prefix="git-", dir=into.parent if into.parent.is_dir() else None))
    try:
        for folder in ("objects/info", "refs"):
            (ours / folder).mkdir(parents=True)
        # Borrowed by path, C-quoted: a folder name may hold a colon, a newline, anything.
        (ours / "objects" / "info" / "alternates").write_text(
            _c_quoted((student_git / "objects").resolve()) + "\n")
        (ours / "HEAD").write_text("ref: refs/heads/none\n")
        (ours / "config").write_text("[core]\n\trepositoryformatversion = 0\n\tbare = true\n")
        shallow = student_git / "shallow"      # a shallow clone: where its history stops
        if shallow.is_file() and not shallow.is_symlink():
            (ours / "shallow").write_bytes(shallow.read_bytes())
        return _read(functools.partial(_git, ours),
                     _head(student_git), deadline, into)
    finally:
        shutil.rmtree(ours, ignore_errors=True)


def _read(git, head: str, deadline: datetime, into: Path) -> Snapshot:
    log = git("log", "--first-parent", "--no-show-signature", "--format=%H %ct", head).decode().split("\n")
    commits = [(sha, int(ts)) for sha, ts in (line.split() for line in log if line.strip())]
    cutoff = deadline.timestamp()
    later = sum(1 for _, ts in commits if ts > cutoff)
    graded = next((sha for sha, ts in commits if ts <= cutoff), None)
    if graded is None:
        return Snapshot(None, later, "no commit before the deadline")
    names = {ex.file for ex in exercises()}
    refused = []
    into.mkdir(parents=True, exist_ok=True)
    for entry in git("ls-tree", "-r", "-z", "--full-tree", graded).split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, blob = meta.decode().split()
        path = PurePosixPath(raw_path.decode(errors="replace"))
        if mode == "120000" and (path.name in names or path.name == "exercises"):
            refused.append(f"{path} is a link in the commit: refused (links are not followed)")
        # Regular files only (no links), only paths that stay inside `into`, and no deeper
        # than the finder looks (a tree nested thousands deep is left alone).
        if kind != "blob" or mode not in ("100644", "100755") or path.name not in names \
                or path.is_absolute() or ".." in path.parts or len(path.parts) > WALK_DEPTH + 2:
            continue
        target = into.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(git("cat-file", "blob", blob))
    return Snapshot(graded, later, None, tuple(refused))
