"""`python -m grader sandbox`: this machine's protections against student code, layer by
layer (docs/sandbox.md); batch grading refuses to run without them unless --unconfined."""
from __future__ import annotations

import argparse

from ..options import FAILED, PASSED
from ..registry import Platform


def run(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from ..gateway import box_missing_text, box_table, probe_confinement

    found = probe_confinement()
    print(box_table(found))
    if found.missing:
        print("\nBatch grading stops here without --unconfined; it needs:\n" + box_missing_text(found.missing))
    return FAILED if found.missing else PASSED


PLATFORM = Platform(
    name="sandbox", summary="python -m grader sandbox",
    description="Enter the box student code runs in and show, layer by layer, what this "
                "machine applies.",
    run=run)
