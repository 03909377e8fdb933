"""A gateway onto a notebook: the student's functions are taken from the notebook's
namespace (its globals()) instead of being imported from the exercise files. Probes, time
limits, output capture and caching are the InProcessGateway's own."""
from __future__ import annotations

import contextlib
import functools
import traceback
import types
from pathlib import Path

from ..course import exercise
from ..probes.student import NotImplementedYet
from .in_process import InProcessGateway


def _stub_aware(fn, name: str, cell_files: set[str]):
    """fn, except that a NotImplementedError raised in a notebook cell (the stub nbgrader
    leaves) means "not implemented yet", as it does in an exercise file. The Gateway
    recognises stubs by the exercise file's name, which a cell does not have."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except NotImplementedError as exc:
            frames = traceback.extract_tb(exc.__traceback__)
            if frames and frames[-1].filename in cell_files:
                raise NotImplementedYet(name) from None
            raise

    return call


class NotebookGateway(InProcessGateway):
    def __init__(self, namespace: dict):
        # No folder: the functions come from the namespace, and the student's frames are
        # those in a cell's file (the kernel's temporary files, which no folder names).
        super().__init__(Path("<notebook>"))
        self.namespace = namespace

    def _cell_files(self) -> set[str]:
        return {v.__code__.co_filename for v in self.namespace.values()
                if isinstance(v, types.FunctionType)}

    def _is_student_file(self, filename: str) -> bool:
        return filename in self._cell_files()

    def _location(self, frame) -> str:
        return ""             # a cell's file is a kernel's temporary name: it says nothing

    def _where(self, filename: str, line: int, function: str) -> str:
        return f"line {line} of the cell that defines {function}()" if function != "<module>" \
            else f"line {line} of a cell"

    def _hint(self, exc) -> str:
        return ""             # no exercise files here: the imports are the kernel's own

    def _imports(self, home):
        # The functions run in the notebook's kernel, with the imports the student's own
        # cells see there: no exercise files to serve.
        return contextlib.nullcontext()

    def _import(self, ex_id: str):
        ex = exercise(ex_id)
        cell_files = self._cell_files()
        module = types.ModuleType(ex.module)
        for name in ex.functions:
            if name in self.namespace:          # a missing one is reported by the probe
                value = self.namespace[name]
                if isinstance(value, types.FunctionType):
                    value = _stub_aware(value, name, cell_files)
                setattr(module, name, value)
        return module
