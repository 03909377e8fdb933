"""For course authors: the Classroom 50 autograder folder (`python -m grader classroom50 OUT`).

OUT is committed as CLASSROOM/autograders/ASSIGNMENT/ in the teacher's classroom50
repository, which publishes it as a bundle (at most 10 MiB packed). It holds:

- autograder.py, what the runner runs (this package's autograder.py);
- the grader as students get it (authoring.release.grader_files: no authoring/, so no
  solution), which grades with this package's grade.py;
- course.py (its install helpers), constraints.txt, and requirements.txt: what grading
  needs of the course's dependencies;
- seed, the seed of the randomized cases; README.md, for whoever opens the folder.

It writes with grader/authoring/'s release helpers, imported when it runs: the student
template, which leaves authoring/ out, has no use for it.
"""
from __future__ import annotations

import re
from pathlib import Path

from ...course import DEFAULT_SEED, ROOT

AUTOGRADER = Path(__file__).with_name("autograder.py")
# Course dependencies for students at their desk, not for grading: left out of the install.
DESK_TOOLS = {"pytest", "watchfiles"}
FIXED = ("autograder.py", "course.py", "constraints.txt", "requirements.txt", "seed", "README.md", "grader")

BUNDLE_README = """\
# Classroom 50 autograder: multi-class classification with PyTorch

Written by `python -m grader classroom50` from the course repository; commit this folder as
`CLASSROOM/autograders/ASSIGNMENT/` in your classroom50 repository, and write it again
(into the same folder) to change it. Do not edit it by hand.

Classroom 50's runner runs `autograder.py` in each submission's checkout: it installs the
pinned packages (`requirements.txt`, `constraints.txt`, the CPU-only torch) unless the
runner's Python has them, grades the exercise files with the grader in `grader/` and the
cases drawn from `seed`, and writes `result.json` and `release-body.md`.

This folder is published: students can read it, `seed` included. See the course's
docs/classroom50.md, "What is not secret".
"""


def grading_requirements(root: Path = ROOT) -> list[str]:
    """The course's dependencies (pyproject.toml) that grading needs."""
    import tomllib

    deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    reqs = [d.split("#")[0].strip() for d in deps]
    return [r for r in reqs if re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0].lower() not in DESK_TOOLS]


def bundle_files(root: Path = ROOT, seed: int | None = None) -> dict[str, bytes]:
    """Every file of the autograder folder, by relative path."""
    from ...authoring.release import grader_files

    files = {
        "autograder.py": AUTOGRADER.read_bytes(),
        "course.py": (root / "course.py").read_bytes(),
        "constraints.txt": (root / "constraints.txt").read_bytes(),
        "requirements.txt": ("\n".join(grading_requirements(root)) + "\n").encode(),
        "seed": f"{DEFAULT_SEED if seed is None else seed}\n".encode(),
        "README.md": BUNDLE_README.encode(),
    }
    return files | grader_files(root)


def write_bundle(out: Path, root: Path = ROOT, seed: int | None = None) -> list[Path]:
    """Into a new or empty folder, or over an earlier one (everything replaced)."""
    from ...authoring.release import replace_contents, write_files

    replace_contents(out, FIXED)
    return write_files(out, bundle_files(root, seed))
