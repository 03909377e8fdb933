"""For course authors: the Gradescope autograder zip (`python -m grader gradescope OUT.zip`):
setup.sh and run_autograder (beside this module), the grader as students get it, the pinned
dependencies, and the seed when one is given; no solutions (authoring.release.common_files).

It writes with grader/authoring/'s release helpers, imported when it runs: the student
template, which leaves authoring/ out, has no use for it.
"""
from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

from ...course import ROOT

HERE = Path(__file__).parent
SCRIPTS = ("setup.sh", "run_autograder")        # Gradescope runs them: executable in the zip


def gradescope_files(root: Path = ROOT, seed: int | None = None,
                     torch_index: str | None = None) -> dict[str, bytes]:
    """Every file of the Gradescope autograder zip, by path inside it."""
    from ...authoring.release import common_files

    files = common_files(root)
    for name in SCRIPTS:
        files[name] = (HERE / name).read_bytes()
    if torch_index is not None:         # setup.sh's index for torch (Gradescope sets no variables)
        files["torch-index-url"] = f"{torch_index}\n".encode()
    if seed is not None:
        files["seed"] = f"{seed}\n".encode()
    return files


def write_gradescope_zip(path: Path, root: Path = ROOT, seed: int | None = None,
                         torch_index: str | None = None) -> list[str]:
    """The zip, byte for byte the same for the same sources (fixed dates and modes)."""
    from ...authoring.release import EXECUTABLE

    files = gradescope_files(root, seed, torch_index)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            mode = 0o755 if name in EXECUTABLE or name in SCRIPTS else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, files[name])
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_bytes(buffer.getvalue())
    os.replace(tmp, path)
    return sorted(files)
