"""nbgrader's Execute, telling its log which cell is running while one takes long.

`nbgrader autograde` prints nothing while a cell runs: a submission with an endless loop
in a demonstration cell looks like a hung autograde until the cell's time limit stops it.
This Execute logs, every `report_every` seconds, the student, the cell and how long it has
run. Its kernels are told that grading happens outside them (GRADED_OUTSIDE): their
autograder cells skip the checks, whose points would be replaced anyway. The course's
nbgrader_config.py registers it in Execute's place (Execute's settings, such as
c.Execute.timeout, apply to it too).
"""
from __future__ import annotations

import os
import threading
import time

from nbgrader.preprocessors import Execute
from traitlets import Float

from .notebook import GRADED_OUTSIDE


class TimedExecute(Execute):
    report_every = Float(20.0, help="seconds between the log's lines about a long cell").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        before = os.environ.get(GRADED_OUTSIDE)
        os.environ[GRADED_OUTSIDE] = "1"          # inherited by the kernel it starts
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if before is None:
                del os.environ[GRADED_OUTSIDE]
            else:
                os.environ[GRADED_OUTSIDE] = before

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return super().preprocess_cell(cell, resources, index)
        student = (resources or {}).get("nbgrader", {}).get("student", "?")
        meta = cell.metadata.get("nbgrader", {})
        first = next((line for line in cell.source.splitlines() if line.strip()), "")[:60]
        name = f"cell {index + 1} ({meta.get('grade_id') or cell.get('id', '')}: {first!r})"
        done, start = threading.Event(), time.monotonic()

        def report():
            while not done.wait(self.report_every):
                self.log.warning("%s: %s still running after %.0f s (stopped at %s s)", student,
                                 name, time.monotonic() - start, self.timeout)

        reporter = threading.Thread(target=report, daemon=True)
        reporter.start()
        try:
            return super().preprocess_cell(cell, resources, index)
        finally:
            done.set()
            reporter.join()
