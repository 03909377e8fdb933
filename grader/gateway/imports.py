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
- any other module in the graded folder (a helper file of one's own, utils.py) cannot be
  imported, as it cannot be from a copy of the exercise files;
- afterwards sys.modules and sys.path are as they were.
"""
from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from ..course import exercises


class _ExerciseFinder(importlib.abc.MetaPathFinder):
    """First on sys.meta_path while student code runs: exercise modules come from the
    graded folder, and nothing else does."""

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
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        if importlib.machinery.PathFinder.find_spec(fullname, [str(self.folder)]) is not None:
            # A file of the student's own next to the exercises: not part of a submission.
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


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
