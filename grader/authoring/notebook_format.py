"""nbformat, as nbcourse.py builds and validates the nbgrader notebook with it, imported
without jsonschema's checker of the "iri" string format.

jsonschema, which nbformat validates with, imports rfc3987_syntax for that checker where
it is installed (jupyter-events, which nbgrader needs, requires it), and rfc3987_syntax
builds its grammar as it is imported: about 3 s of CPU in every process that imports
nbformat (`python -m grader build`, `check-course`, `nbgrader`, `variant`). nbformat's
schemas name no string format and it validates with no format checker, so what it checks
is the same. The import is refused only while nbformat and jsonschema are imported: a later
`import rfc3987_syntax` works as ever.
"""
from __future__ import annotations

import sys

_CHECKER = "rfc3987_syntax"
_refused = _CHECKER not in sys.modules
if _refused:
    sys.modules[_CHECKER] = None  # type: ignore[assignment]    # importing it raises ImportError
try:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
finally:
    if _refused and _CHECKER in sys.modules and sys.modules[_CHECKER] is None:
        del sys.modules[_CHECKER]

__all__ = ["nbformat", "new_code_cell", "new_markdown_cell", "new_notebook"]
