"""course.py says what it installs and roughly how long that takes, while pip stays quiet."""
from __future__ import annotations

import importlib.util

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
    monkeypatch.setattr(course, "pip", lambda *args, python=None: calls.append(args))
    monkeypatch.setattr(course, "resolve", lambda reqs, extra: calls.append(("dry-run",)) or [
        {"metadata": {"name": name}, "download_info": {"url": f"file:///wheels/{name}.whl"}}
        for name in (r.split("==")[0] for r in reqs)])
    monkeypatch.setattr(course, "compile_all", lambda python: calls.append(("compile",)))
    course.setup(dev=False)
    said = capsys.readouterr().out
    assert "course.py: creating .venv" in said
    assert "course.py: installing torch 2.13.0, scikit-learn " in said          # pinned versions
    assert "downloads about 250 MB" in said and "takes a few minutes" in said
    assert said.rstrip().splitlines()[-1].startswith("course.py: set up in ")
    assert calls[0] == ("dry-run",) and "--quiet" in calls[1]                    # pip itself stays quiet
    # what was resolved (and checked for CUDA packages), exactly: no second resolution
    assert "--no-deps" in calls[1] and "torch @ file:///wheels/torch.whl" in calls[1]
    assert calls[2] == ("compile",)                                              # on every core
    capsys.readouterr()
    course.setup(dev=False)                                                      # set up already: silent
    assert capsys.readouterr().out == "" and len(calls) == 3
