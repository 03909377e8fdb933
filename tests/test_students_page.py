"""Every shell command that docs/students.md shows works as a new student runs it: in a
fresh copy of the repository, with no activated environment (PATH and HOME only), each
```sh block in one shell, line by line. Grading stubs fails checks, so exit status 1 is a
command that worked; a traceback, a missing module or command, or another status is not.

Long-running commands (the watch, the lesson) run in a pseudo-terminal until they show
that they are up, then are stopped. The by-hand pip line is not run (it installs from the
network); the build writes it from pyproject.toml (tests/test_build.py)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from grader.course import ROOT

PAGE = ROOT / "docs" / "students.md"
# Commands that run until the student stops them: what shows they are up.
LONG_RUNNING = {"python3 course.py watch": "q quit", "python3 course.py lesson": r"https?://"}
NOT_RUN = ("python3 -m pip install",)
BROKEN = re.compile(r"Traceback \(most recent call last\)|No module named|command not found|"
                    r"No such file or directory")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the page's commands are POSIX shell")


def shell_blocks(text: str) -> list[list[str]]:
    """The commands of each ```sh block, comments left out."""
    blocks = re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S)
    return [[line.split("  #")[0].strip() for line in block.splitlines()
             if line.strip() and not line.lstrip().startswith("#")] for block in blocks]


def test_the_page_shows_the_commands_a_student_needs():
    commands = [c for block in shell_blocks(PAGE.read_text()) for c in block]
    for needed in ("python3 course.py watch", "python3 course.py grade", "source .venv/bin/activate",
                   "pytest exercises"):
        assert needed in commands, needed


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory) -> Path:
    """The repository's tracked files, and a .venv that is the tests' environment, set up
    already (course.py's stamp), as after a student's first run."""
    copy = tmp_path_factory.mktemp("student") / "multiclass"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for rel in filter(None, tracked):
        source = ROOT / rel
        if source.is_file():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / rel)
    venv, real = copy / ".venv", Path(sys.prefix)
    venv.mkdir()
    for name in os.listdir(real):
        if name != "pyvenv.cfg" and not name.startswith(".installed-"):
            (venv / name).symlink_to(real / name)
    shutil.copy(real / "pyvenv.cfg", venv / "pyvenv.cfg")
    sys.path.insert(0, str(copy))
    try:
        import importlib.util
        spec = importlib.util.spec_from_file_location("course_copy", copy / "course.py")
        course = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(course)
    finally:
        sys.path.remove(str(copy))
    course.VENV = venv
    course.stamp("dev").write_text("set up for the test")
    return copy


def student_env(home: Path) -> dict[str, str]:
    python_dir = Path(sys._base_executable).parent      # a python3 of 3.11 or newer, no venv
    return {"PATH": f"{python_dir}:/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "TERM": "xterm"}


@pytest.mark.slow
def test_every_command_of_the_page_works_as_printed(fresh_copy, tmp_path):
    env = student_env(tmp_path)
    ran = []
    for block in shell_blocks(PAGE.read_text()):
        script = []
        for command in block:
            if command.startswith(NOT_RUN):
                continue
            if command in LONG_RUNNING:
                child = pexpect.spawn("bash", ["-c", command], cwd=str(fresh_copy), env=env,
                                      encoding="utf-8", timeout=180, dimensions=(60, 200))
                try:
                    child.expect(LONG_RUNNING[command])
                    assert not BROKEN.search(child.before), child.before
                finally:
                    child.terminate(force=True)
                ran.append(command)
                continue
            script += [command, f"echo __status {len(ran)} $?"]
            ran.append(command)
        if not script:
            continue
        done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=fresh_copy, env=env,
                              capture_output=True, text=True, timeout=1200)
        output = done.stdout + done.stderr
        assert not BROKEN.search(output), output[-4000:]
        statuses = re.findall(r"__status \d+ (\d+)", done.stdout)
        assert len(statuses) == len(script) // 2, output[-4000:]
        assert all(s in ("0", "1") for s in statuses), output[-4000:]
    assert "python3 course.py watch" in ran and "python3 course.py grade" in ran
