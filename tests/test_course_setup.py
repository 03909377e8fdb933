"""course.py says what it installs and roughly how long that takes, while pip stays quiet."""
from __future__ import annotations

import importlib.util
import io
import os
import socket
import sys

import pytest

from grader.course import ROOT


def load_course_py():
    spec = importlib.util.spec_from_file_location("course_script", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_setup_says_what_it_installs_and_how_long_it_takes(tmp_path, monkeypatch, capsys):
    course = load_course_py()
    monkeypatch.setattr(course, "VENV", tmp_path / ".venv")
    calls = []

    class Builder:
        def __init__(self, **kwargs):
            pass

        def create(self, path):
            course.venv_python().parent.mkdir(parents=True)
            course.venv_python().touch()

    monkeypatch.setattr(course.venv, "EnvBuilder", Builder)
    monkeypatch.setattr(course, "install_pip", lambda python, version, wheel=None: calls.append(("pip", version)) or True)
    monkeypatch.setattr(course, "pip", lambda *args, python=None: calls.append(args))
    monkeypatch.setattr(course, "resolve", lambda reqs, extra: calls.append(("dry-run",)) or [
        {"metadata": {"name": name}, "download_info": {"url": f"file:///wheels/{name}.whl"}}
        for name in (r.split("==")[0] for r in reqs)])
    monkeypatch.setattr(course, "compile_imported", lambda python: calls.append(("compile",)))
    monkeypatch.setattr(course, "wait_for_all", lambda cmds: calls.append(("at once", cmds)))
    course.setup(dev=False)
    said = capsys.readouterr().out
    assert "course.py: creating .venv" in said
    assert "course.py: installing torch 2.13.0, scikit-learn " in said          # pinned versions
    assert "downloads about 250 MB" in said and "takes a few minutes" in said
    assert said.rstrip().splitlines()[-1].startswith("course.py: set up in ")
    assert calls.pop(0) == ("pip", course.pins()["pip"])          # the pinned pip, in the new .venv
    assert calls[0] == ("dry-run",)
    # What was resolved (and checked for CUDA packages), exactly: no second resolution; torch
    # by a pip of its own, the rest by another, at once. pip itself stays quiet.
    kind, (torch, rest) = calls[1]
    assert kind == "at once" and all("--quiet" in cmd and "--no-deps" in cmd for cmd in (torch, rest))
    assert [a for a in torch if "@" in a] == ["torch @ file:///wheels/torch.whl"]
    assert "scikit-learn @ file:///wheels/scikit-learn.whl" in rest and not any("torch @" in a for a in rest)
    assert calls[2] == ("compile",)                              # what grading imports, compiled
    capsys.readouterr()
    course.setup(dev=False)                                                      # set up already: silent
    assert capsys.readouterr().out == "" and len(calls) == 3
    course.setup(dev=False, marimo=True)                                         # adds marimo only
    said = capsys.readouterr().out
    assert "adding marimo " in said and "250 MB" not in said and "torch 2.13.0" not in said
    course.setup(dev=False, instructor=True)                                     # the instructors' set
    said = capsys.readouterr().out
    assert "adding PyYAML " in said and "nbgrader 0.9.6" in said and "250 MB" not in said
    # What nbgrader's jsonschema would import at every start, at seconds each: left out.
    calls.clear()
    course.install_resolved([{"metadata": {"name": name}, "download_info": {"url": f"file:///{name}.whl"}}
                             for name in ("jsonschema", "rfc3987-syntax")])
    assert [a for cmd in calls[0][1] for a in cmd if "@" in a] == ["jsonschema @ file:///jsonschema.whl"]
    course.setup(dev=False)
    assert capsys.readouterr().out == ""                                         # covered by both


def test_what_grading_imports_is_compiled_even_where_the_environment_says_not_to(tmp_path, monkeypatch):
    """compile_imported's processes write their compiled files whatever PYTHONDONTWRITEBYTECODE
    says (a container's environment often sets it), at once, each told its code."""
    course = load_course_py()
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    python = tmp_path / "python"
    python.write_text('#!/bin/sh\necho "${PYTHONDONTWRITEBYTECODE-unset} $MPLBACKEND $2" >> "$(dirname "$0")/ran"\n')
    python.chmod(0o755)
    course.compile_imported(python)
    ran = sorted((tmp_path / "ran").read_text().splitlines())
    assert ran == sorted(f"unset Agg {code}" for code in course.WARM_UP)


def test_ctrl_c_in_the_lesson_leaves_the_answer_to_marimo(tmp_path):
    """marimo asks whether to quit: course.py waits for its answer, with no traceback."""
    pexpect = pytest.importorskip("pexpect")
    pytest.importorskip("marimo")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "MARIMO_SKIP_UPDATE_CHECK": "1"}
    child = pexpect.spawn(sys.executable, [str(ROOT / "course.py"), "lesson", "--headless", "--no-token",
                                           "--port", str(port)], cwd=ROOT, env=env, encoding="utf-8", timeout=120)
    child.logfile_read = seen = io.StringIO()
    try:
        child.expect("URL")
        child.sendintr()
        child.expect(r"quit\? \(y/N\)", timeout=30)
        child.sendline("y")
        child.expect(pexpect.EOF, timeout=30)
    finally:
        child.close(force=True)
    assert "Traceback" not in seen.getvalue() and "KeyboardInterrupt" not in seen.getvalue()
    assert child.exitstatus == 0
