"""The files grading reads and writes: a student's exercise files, the digest that binds a
stored result to what was graded, and atomic writes. Nothing here imports torch, so the
classroom check steps that use it start in a fraction of a second."""
from __future__ import annotations

import errno
import hashlib
import os
import secrets
import stat
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .course import ROOT, exercises


def write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of one. The file gets the
    mode any new file gets (the user's umask), so that a teaching assistant in the
    group can read it; tempfile.mkstemp would make it 0600. Only a regular file (or a
    path with nothing there yet) is replaced: a device or a FIFO (--output /dev/null, a
    pipe) is written in place and stays what it is."""
    try:
        kind = os.stat(path).st_mode
    except FileNotFoundError:
        kind = None
    if kind is not None and not stat.S_ISREG(kind):
        if stat.S_ISDIR(kind):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        with open(path, "w", newline="") as f:
            f.write(text)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "w", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:             # Ctrl-C may land just after the replace: tmp is gone then
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@dataclass
class Found:
    """A submission's exercise files by exercise id, and the links refused on the way."""
    files: dict[str, Path]
    refused: list[str] = field(default_factory=list)


def find_exercise_files(submission: Path) -> Found:
    """exercises/<file> if it is there, else <file> at the top level. A link, to a folder
    or a file, is refused with a line that says so: it could point anywhere (a classmate's
    exercises/, /etc/passwd)."""
    found = Found({})
    folder = submission / "exercises"
    if folder.is_symlink():
        found.refused.append("exercises/ is a link, not a folder: refused (links are not followed)")
    for ex in exercises():
        inside = [] if folder.is_symlink() else [(folder / ex.file, f"exercises/{ex.file}")]
        for candidate, shown in [*inside, (submission / ex.file, ex.file)]:
            if candidate.is_symlink():
                found.refused.append(f"{shown} is a link, not a file: refused (links are not followed)")
            elif candidate.is_file():
                found.files[ex.id] = candidate
                break
    return found


def exercise_files(submission: Path) -> dict[str, Path]:
    """The submission's exercise files by exercise id (find_exercise_files, links refused)."""
    return find_exercise_files(submission).files


def unwrapped(submission: Path, levels: int = 3) -> Path:
    """The folder that holds the exercise files: the submission itself, or, where it has
    none of them and nothing but one folder (GitHub's "Download ZIP" puts a repository
    in multiclass-main/), that folder, a few levels down at most."""
    folder = submission
    for _ in range(levels):
        if exercise_files(folder):
            return folder
        try:
            entries = [p for p in folder.iterdir() if not p.name.startswith(".") and p.name != "__MACOSX"]
        except OSError:
            break
        if len(entries) != 1 or not entries[0].is_dir() or entries[0].is_symlink():
            break
        folder = entries[0]
    return folder if exercise_files(folder) else submission


SKIPPED_FOLDERS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".ipynb_checkpoints"}
# How far misplaced_files looks: a student's folder may be nested thousands deep or hold
# a million files; the walk stops there instead of failing or taking minutes.
WALK_DEPTH, WALK_ENTRIES = 12, 20_000


def walk_files(root: Path, depth: int = WALK_DEPTH, entries: int = WALK_ENTRIES):
    """(folder, file names) of root and its folders, breadth first, without recursion or
    links, at most `depth` folders down and `entries` names in all."""
    queue, seen = deque([(root, 0)]), 0
    while queue:
        folder, level = queue.popleft()
        names, folders = [], []
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    seen += 1
                    if seen > entries:
                        break
                    if entry.is_symlink():
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.name)
                    elif entry.is_file(follow_symlinks=False):
                        names.append(entry.name)
        except OSError:
            continue
        yield folder, sorted(names)
        if seen > entries:
            return
        if level < depth:
            queue.extend((folder / d, level + 1) for d in sorted(folders) if d not in SKIPPED_FOLDERS)


def misplaced_files(submission: Path, found: dict[str, Path]) -> list[str]:
    """Exercise files elsewhere in the submission (src/exercises/ex01_data.py, say) for
    the exercises exercise_files did not find: relative paths, for the instructor to see.
    They are not graded: where the grader looks is the same for every student."""
    wanted = {ex.file for ex in exercises() if ex.id not in found}
    out = []
    for folder, names in walk_files(submission):
        for name in sorted(wanted & set(names)):
            out.append((folder / name).relative_to(submission).as_posix())
    return out


def grader_digest(root: Path = ROOT) -> str:
    """The grader's own source: results made by another grader are stale."""
    h = hashlib.sha256()
    for path in sorted((root / "grader").rglob("*")):
        if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts and path.is_file():
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def graded_digest(files: Iterable[Path], *inputs: object, grader: str) -> str:
    """What a grading run depends on: the files (names and contents), the other inputs
    (the seed, a format number) and the grader's digest (computed once by the caller)."""
    h = hashlib.sha256("\0".join(map(str, (*inputs, grader))).encode() + b"\0")
    for path in sorted(files, key=lambda p: p.name):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()
