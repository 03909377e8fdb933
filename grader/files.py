"""The files grading reads and writes: a student's exercise files, the digest that binds a
stored result to what was graded, and atomic writes. Nothing here imports torch, so the
classroom check steps that use it start in a fraction of a second."""
from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from .course import ROOT, exercises


def write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of one. The file gets the
    mode any new file gets (the user's umask), so that a teaching assistant in the
    group can read it; tempfile.mkstemp would make it 0600."""
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


def exercise_files(submission: Path) -> dict[str, Path]:
    """The submission's exercise files by exercise id: exercises/<file> if it is there,
    else <file> at the top level. Links are not followed (they could point anywhere)."""
    found = {}
    for ex in exercises():
        for candidate in (submission / "exercises" / ex.file, submission / ex.file):
            if candidate.is_file() and not candidate.is_symlink():
                found[ex.id] = candidate
                break
    return found


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


def misplaced_files(submission: Path, found: dict[str, Path]) -> list[str]:
    """Exercise files elsewhere in the submission (src/exercises/ex01_data.py, say) for
    the exercises exercise_files did not find: relative paths, for the instructor to see.
    They are not graded: where the grader looks is the same for every student."""
    wanted = {ex.file for ex in exercises() if ex.id not in found}
    out = []
    for folder, dirs, names in os.walk(submission):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS)
        for name in sorted(wanted & set(names)):
            path = Path(folder) / name
            if not path.is_symlink():
                out.append(path.relative_to(submission).as_posix())
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
