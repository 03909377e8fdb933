"""What student code can import: the same wherever it is graded.

A submission is its exercise files and nothing else: `pytest exercises` and
`python -m grader` grade exercises/ in place, while --submission, batch and Gradescope grade
a copy of the exercise files alone, and the processes they run in have different sys.path
(pytest puts exercises/ on it, `python -m` the working directory). So that the same files
get the same score everywhere, student code never sees that difference. While it runs (an
exercise module being imported, or any call into one):

- an exercise module imported by name (`from ex03_predict import accuracy`, at the top of a
  file or inside a function) is loaded from the graded folder's file, whatever sys.path and
  sys.modules hold; the module being graded is itself, and each run gets fresh copies of
  the others, so nothing one run does to them reaches another run or another exercise;
- anything else comes from the installed Python alone (its standard library and site
  packages): a helper file of one's own (utils.py, next to the exercises or anywhere on the
  path of the process grading) cannot be imported, as it cannot be when a copy of the
  exercise files is graded elsewhere;
- afterwards sys.modules and sys.path are as they were.
"""
from __future__ import annotations

import contextlib
import functools
import importlib.abc
import importlib.machinery
import importlib.util
import os
import site
import sys
import sysconfig
from pathlib import Path
from types import ModuleType

from ..course import exercises


@functools.cache
def _installed_roots() -> tuple[str, ...]:
    """Where the installed Python keeps modules: its standard library, its site-packages
    (a virtual environment's included), and the folders their .pth files add."""
    paths = sysconfig.get_paths()
    sites = [*site.getsitepackages(), *([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])]
    roots = {paths["stdlib"], paths["platstdlib"], paths["purelib"], paths["platlib"],
             os.path.join(sys.base_prefix, "DLLs"), *sites}            # DLLs: Windows
    for folder in sites:
        for pth in Path(folder).glob("*.pth") if os.path.isdir(folder) else ():
            for line in pth.read_text(errors="replace").splitlines():
                line = line.strip()
                if line and not line.startswith(("#", "import")) and os.path.isdir(os.path.join(folder, line)):
                    roots.add(os.path.join(folder, line))
    return tuple(os.path.realpath(r) for r in roots)


def _installed(entry: str) -> bool:
    if os.path.isfile(entry):
        return True                     # a zip of the standard library (python311.zip)
    real = os.path.realpath(entry or ".")
    return any(real == root or real.startswith(root + os.sep) for root in _installed_roots())


class _ExerciseFinder(importlib.abc.MetaPathFinder):
    """First on sys.meta_path while student code runs: exercise modules come from the
    graded folder, other top-level modules from the installed Python only."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.files = {ex.module: ex.file for ex in exercises()}

    def find_spec(self, fullname, path=None, target=None):
        if path is not None:                       # a submodule: its package's business
            return None
        if fullname in self.files:
            file = self.folder / self.files[fullname]
            if file.is_file():
                return importlib.util.spec_from_file_location(fullname, file)
            raise _not_found(fullname)
        found = importlib.machinery.PathFinder.find_spec(fullname)
        if found is None:
            return None                            # built in, frozen, or missing: not ours
        installed = [entry for entry in sys.path if isinstance(entry, str) and _installed(entry)]
        spec = importlib.machinery.PathFinder.find_spec(fullname, installed)
        if spec is None:
            # Only a folder of the process grading has it (the working directory, the graded
            # folder, a test runner's root): not part of a submission.
            raise _not_found(fullname)
        return spec


def _not_found(name: str) -> ModuleNotFoundError:
    return ModuleNotFoundError(f"No module named {name!r}", name=name)


@contextlib.contextmanager
def exercise_imports(folder: Path, home: ModuleType | None):
    """The import view described above, for one run of student code; `home` is the module
    being graded (or being imported), which imports of its own name get."""
    names = {ex.module for ex in exercises()}
    saved_modules = {name: sys.modules.pop(name) for name in names if name in sys.modules}
    saved_path = list(sys.path)
    if home is not None:
        sys.modules[home.__name__] = home
    finder = _ExerciseFinder(folder)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)
        for name in names:
            sys.modules.pop(name, None)
        sys.modules.update(saved_modules)
        sys.path[:] = saved_path
