"""The files grading reads and writes: a student's exercise files, the digest that binds a
stored result to what was graded, and atomic writes. Nothing here imports torch, so the
classroom check steps that use it start in a fraction of a second."""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .course import ROOT, exercises


def write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
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
