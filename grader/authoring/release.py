"""For course authors: what students and graders get, written from this repository.

    python -m grader release OUT          the student template repository (GitHub Classroom)
    python -m grader gradescope OUT.zip   a Gradescope autograder

Neither holds a solution in any form: the exercise files are the stubs (written from
solutions/ by grader.authoring.build.strip_solutions), and solutions/, tests/ (its mistake catalogue
holds near-solutions), benchmarks/, nbgrader/ and the authors' modules of grader/ stay out.
The grader itself is shipped: it computes the right answers independently (grader/oracle.py)
and never stores them.
"""
from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

from .markers import strip_solutions
from ..course import ROOT, exercises

TEMPLATES = Path(__file__).with_name("templates")
# grader/authoring/ is for course authors only (it reads solutions/ and writes releases):
# what ships follows from the folder a module lives in, not from a list of names.
AUTHORS_ONLY = {"authoring", "__pycache__"}
TOP_LEVEL = ("course.py", "constraints.txt")
GITIGNORE = ".venv/\n__pycache__/\n*.pyc\n.pytest_cache/\n"


def grader_files(root: Path = ROOT) -> dict[str, bytes]:
    """The grader package as students and graders get it, by relative path."""
    files = {}
    package = root / "grader"
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if path.is_file() and not path.is_symlink() and not AUTHORS_ONLY & set(rel.parts) \
                and path.suffix in (".py", ".toml"):
            files[f"grader/{rel.as_posix()}"] = path.read_bytes()
    return files


def _pyproject(root: Path) -> bytes:
    text = (root / "pyproject.toml").read_text()
    old = 'testpaths = ["tests"]'
    if old not in text:
        raise ValueError(f"pyproject.toml: expected {old!r}")
    return text.replace(old, 'testpaths = ["exercises"]').encode()


def _common(root: Path) -> dict[str, bytes]:
    files = {name: (root / name).read_bytes() for name in TOP_LEVEL}
    files["pyproject.toml"] = _pyproject(root)
    return files | grader_files(root)


def template_files(root: Path = ROOT) -> dict[str, bytes]:
    """Every file of the student template, by relative path."""
    from ..checks.registry import all_checks
    from .workflow import workflow

    files = _common(root)
    files["README.md"] = (TEMPLATES / "student_README.md").read_bytes()
    files[".gitignore"] = GITIGNORE.encode()
    files[".github/workflows/classroom.yml"] = workflow(all_checks()).encode()
    files["exercises/conftest.py"] = (root / "exercises" / "conftest.py").read_bytes()
    for ex in exercises():
        source = (root / "solutions" / ex.file).read_text()
        files[f"exercises/{ex.file}"] = strip_solutions(source, ex.file).encode()
        test = f"test_{ex.module}.py"
        files[f"exercises/{test}"] = (root / "exercises" / test).read_bytes()
    return files


EXECUTABLE = {"course.py", "run_autograder", "setup.sh"}


def write_template(out: Path, root: Path = ROOT) -> list[Path]:
    written = []
    for rel, data in template_files(root).items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if rel in EXECUTABLE:
            path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        written.append(path)
    return written


def gradescope_files(root: Path = ROOT, seed: int | None = None) -> dict[str, bytes]:
    """Every file of the Gradescope autograder zip, by path inside it."""
    files = _common(root)
    for name in ("setup.sh", "run_autograder"):
        files[name] = (TEMPLATES / name).read_bytes()
    if seed is not None:
        files["seed"] = f"{seed}\n".encode()
    return files


def write_gradescope_zip(path: Path, root: Path = ROOT, seed: int | None = None) -> list[str]:
    """The zip, byte for byte the same for the same sources (fixed dates and modes)."""
    files = gradescope_files(root, seed)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            mode = 0o755 if name in EXECUTABLE else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, files[name])
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_bytes(buffer.getvalue())
    os.replace(tmp, path)
    return sorted(files)
