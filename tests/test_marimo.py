"""The marimo lesson (marimo/lesson.py), run as students run it: in the student template
(nothing links back here), through marimo's own commands, with a clean environment.

- `marimo check --strict` finds nothing, and the file is in marimo's own layout;
- it holds no line of a solution region, and none of the student's functions;
- `marimo export html` runs every cell: with the solutions in exercises/ it shows full
  marks, with the stubs "not implemented yet" for every function, and no error either way;
- in headless Chromium, served by `marimo run`: the verdicts of the stubs, the verdicts
  again once the solutions are saved into exercises/ (the notebook watches the files), and
  the plots redrawn after a slider moves. The screenshots stay in the test's tmp dir.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.authoring.markers import MarkerError
from grader.checks.registry import all_checks
from grader.course import ROOT, exercises

from .browser import Browser, chromium
from .release_tools import SOLUTIONS, drop_in, release, solution_leaks

pytest.importorskip("marimo")
MARIMO = str(Path(sys.executable).with_name("marimo"))
LESSON = ROOT / "marimo" / "lesson.py"
TOTAL = sum(c.points for c in all_checks())
EXPORT_LIMIT_S = 300        # each export takes 15-60 s on two busy cores


def course_copy(where: Path, solutions: bool) -> Path:
    """What a student has: the student template (the grader, the lesson, the stubs), with
    the reference solutions saved into exercises/ if asked."""
    release(where)
    if solutions:
        drop_in(where)
    return where


def clean_env(home: Path) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": str(home), "MARIMO_SKIP_UPDATE_CHECK": "1",
            "MPLCONFIGDIR": str(home / "mpl")}


# -- reading an exported page ---------------------------------------------------------------
def session_of(page: str) -> dict:
    """The cells' outputs, which `marimo export html` keeps as JSON in the page."""
    start = page.index('"session":', page.index("__MARIMO_MOUNT_CONFIG__")) + len('"session":')
    while page[start].isspace():
        start += 1
    return json.JSONDecoder().raw_decode(page, start)[0]


def flatten(data: str) -> str:
    """The text of an output: unescaped until stable (callouts keep theirs in attributes)."""
    previous = None
    while data != previous:
        previous = data
        data = html.unescape(data).replace("&#92;", "\\").replace('\\"', '"')
        data = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), data)
    data = re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+", "[image]", data)
    # A tag goes, but an image in its attributes (an output appended among printed lines) stays.
    data = re.sub(r"<[^<>]*>", lambda tag: " [image] " * tag.group(0).count("[image]") or " ", data)
    return re.sub(r"\s+", " ", data).strip()


class Export:
    def __init__(self, course: Path, process: subprocess.Popen):
        self.course, self.process = course, process

    def finish(self) -> Export:
        try:
            self.stdout, self.stderr = self.process.communicate(timeout=EXPORT_LIMIT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            pytest.fail(f"marimo export took more than {EXPORT_LIMIT_S} s")
        self.returncode = self.process.returncode
        cells = session_of((self.course / "lesson.html").read_text())["cells"]
        self.errors = [o for c in cells for o in c["outputs"] if o["type"] == "error"]
        self.raw = [html.unescape(str(data)) for c in cells for o in c["outputs"]
                    for data in o.get("data", {}).values()]
        self.texts = [flatten(data) for data in self.raw]
        self.consoles = [c.get("text", "") for cell in cells for c in cell.get("console", [])]
        # Tags leave spaces around code and bold text: compare without any whitespace.
        self.text = re.sub(r"\s+", "", " ".join(self.texts))
        return self

    def count(self, phrase: str) -> int:
        return self.text.count(re.sub(r"\s+", "", phrase))

    def shows(self, phrase: str) -> bool:
        return self.count(phrase) > 0


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Export]:
    """`marimo export html` of the lesson with the solutions and with the stubs, run at once."""
    runs = {}
    for name in ("solutions", "stubs"):
        base = tmp_path_factory.mktemp(f"marimo-{name}")
        course = course_copy(base / "course", solutions=name == "solutions")
        process = subprocess.Popen(
            [MARIMO, "export", "html", "marimo/lesson.py", "-o", "lesson.html", "-f"],
            cwd=course, env=clean_env(base), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        runs[name] = Export(course, process)
    return {name: run.finish() for name, run in runs.items()}


# -- the file -------------------------------------------------------------------------------
def test_marimo_check_finds_nothing_and_the_layout_is_marimos(tmp_path):
    proc = subprocess.run([MARIMO, "check", "--strict", str(LESSON)], capture_output=True,
                          text=True, timeout=120, env=clean_env(tmp_path))
    assert proc.returncode == 0 and not (proc.stdout + proc.stderr).strip(), proc.stdout + proc.stderr
    copy = tmp_path / "lesson.py"
    shutil.copy(LESSON, copy)
    subprocess.run([MARIMO, "check", "--fix", str(copy)], capture_output=True, timeout=120,
                   env=clean_env(tmp_path))
    assert copy.read_text() == LESSON.read_text(), "marimo would rewrite the generated file"


def test_the_lesson_holds_no_solution_and_no_student_function():
    text = LESSON.read_text()
    assert solution_leaks({"marimo/lesson.py": text}) == []
    for ex in exercises():
        for name in ex.functions:
            assert f"def {name}(" not in text
        assert f'marimo_cell.load("{ex.id}", EXERCISES' in text     # they come from the files


def test_the_lesson_autoreloads_and_runs_its_cells_on_opening():
    assert '# [tool.marimo.runtime]\n# auto_reload = "autorun"' in LESSON.read_text()
    import tomllib
    runtime = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["marimo"]["runtime"]
    assert runtime["auto_instantiate"] is True


# -- headless -------------------------------------------------------------------------------
@pytest.mark.slow
def test_with_the_solutions_the_lesson_shows_full_marks_and_no_error(exported):
    run = exported["solutions"]
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.errors == []
    assert run.count(f"The course: {TOTAL}/{TOTAL} points") == len(exercises())
    for ex in exercises():
        assert run.shows(f"All {len(all_checks(ex.id))} checks of exercises/{ex.file} passed.")
    assert run.count("[image]") == 4          # the data, the curves, two maps of regions
    assert not run.shows("not implemented yet")
    # What a demonstration prints is the cell's output, which `marimo run` shows too.
    assert run.shows("X: (1000, 2) torch.float32") and run.shows("probabilities: [")
    assert run.shows("Epoch: 90 |")                     # train's progress lines
    assert not any("X: (1000, 2)" in c for c in run.consoles)
    # Section 8 opens as its title says: without the ReLUs.
    [switch] = [o for o in run.raw if "marimo-switch" in o and "with ReLU" in o]
    assert re.search(r"data-initial-value=['\"]false", switch), switch[:500]
    assert not any("Traceback" in t for t in run.texts + run.consoles)


@pytest.mark.slow
def test_with_the_stubs_every_function_is_not_implemented_yet_and_no_error(exported):
    run = exported["stubs"]
    assert run.returncode == 0, run.stderr[-3000:]
    # A cell that needs a function still to be written waits, without an error of its own.
    assert {e["ename"] for e in run.errors} <= {"ancestor-stopped"}, run.errors
    assert run.count(f"The course: 0/{TOTAL} points") == len(exercises())
    for ex in exercises():
        for name in ex.functions:
            assert run.shows(f"{name}() is not implemented yet ("), name     # its verdict
    # The first demonstration that calls a stub says so, and stops there.
    assert run.shows("make_dataset() is not implemented yet: write it in exercises/ex01_data.py")
    assert not any("Traceback" in t for t in run.texts + run.consoles)


# -- in a browser ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def verdicts_shown(text: str) -> bool:
    return all(f"Exercise {int(ex.id[2:])}, {ex.title}" in text for ex in exercises())


STALE_OUTPUTS_UNFILTERED = """[...document.styleSheets].some(sheet => [...sheet.cssRules].some(
    rule => rule.selectorText === ".marimo-output-stale" && rule.style.filter === "none"))"""


@pytest.mark.slow
def test_in_a_browser_the_verdicts_follow_the_files_and_a_slider_redraws(tmp_path):
    binary = chromium()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("no chromium here (apt-get install chromium)")
    course = course_copy(tmp_path / "course", solutions=False)
    port = free_port()
    server = subprocess.Popen(
        [MARIMO, "run", "marimo/lesson.py", "--headless", "--no-token", "--host", "127.0.0.1",
         "--port", str(port)], cwd=course, env=clean_env(tmp_path),
        stdout=subprocess.DEVNULL, stderr=(tmp_path / "server.log").open("w"))
    timings = {}
    try:
        with Browser(binary) as browser:
            start = time.monotonic()
            while True:       # marimo answers in a second or two
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert time.monotonic() - start < 60 and server.poll() is None, "marimo run did not start"
                    time.sleep(0.2)
            browser.open(f"http://127.0.0.1:{port}/")

            # The stubs: every exercise's verdict, and each function not implemented yet.
            timings["first verdicts"], page = browser.wait(
                lambda p: verdicts_shown(p["text"]) and "What you built" in p["text"], 240)
            browser.screenshot(tmp_path / "stubs.png")
            text = page["text"]
            assert verdicts_shown(text), text[-3000:]
            assert text.count(f"The course: 0/{TOTAL} points") == len(exercises())
            for ex in exercises():
                for name in ex.functions:
                    assert f"{name}() is not implemented yet" in text, name
            assert "Traceback" not in text
            # marimo/lesson.css is in force: outputs being recomputed dim without a filter.
            assert browser.evaluate(STALE_OUTPUTS_UNFILTERED) is True

            # The student saves the solutions: the notebook sees the files change.
            saved = time.monotonic()
            drop_in(course)
            _, page = browser.wait(lambda p: p["text"].count(f"The course: {TOTAL}/{TOTAL}")
                                   == len(exercises()) and len(p["images"]) >= 4, 240)
            timings["regraded and redrawn after a save"] = time.monotonic() - saved
            text = page["text"]
            assert text.count(f"The course: {TOTAL}/{TOTAL} points") == len(exercises()), text[-3000:]
            assert "not implemented yet" not in text and "Traceback" not in text
            time.sleep(1)
            browser.screenshot(tmp_path / "solutions.png")

            # One step of the epochs slider trains again and redraws the curves and regions.
            before = browser.page()["images"]
            assert browser.focus_slider("epochs") == "100"
            browser.press("ArrowRight", 39)
            timings["slider to redrawn plots"], page = browser.wait(
                lambda p: sum(a != b for a, b in zip(before, p["images"])) >= 3, 120, poll=0.05)
            assert sum(a != b for a, b in zip(before, page["images"])) >= 3, "nothing was redrawn"
            assert browser.focus_slider("epochs") == "110"
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    (tmp_path / "timings.json").write_text(json.dumps(timings, indent=2))
    print("marimo lesson in chromium:", {k: round(v, 2) for k, v in timings.items()})


# -- the writer -------------------------------------------------------------------------------
def lesson_root(tmp_path: Path, edit) -> Path:
    shutil.copytree(SOLUTIONS, tmp_path / "solutions")
    shutil.copy(ROOT / "constraints.txt", tmp_path)
    lesson = tmp_path / "solutions" / "lesson.md"
    lesson.write_text(edit(lesson.read_text()))
    return tmp_path


@pytest.mark.parametrize("edit, message", [
    # the experiment the controls replace is gone from the lesson
    (lambda t: t.replace("epochs=$epochs, lr=$learning_rate)\n```", "epochs=50, lr=0.1)\n```", 1),
     "no longer has what it replaces"),
    # a name given a second value that RENAMES does not know
    (lambda t: t.replace('print(torch.optim.SGD(model.parameters(), lr=$learning_rate))',
                         'device = "cpu"'), "defined by two cells"),
    # the paragraph about running Jupyter cells is gone
    (lambda t: t.replace("Run the cells from top to bottom.", "Run the cells."),
     "no longer has what it replaces"),
])
def test_the_build_stops_where_the_lesson_and_the_marimo_version_part(tmp_path, edit, message):
    from grader.authoring.marimo_lesson import notebook_text

    with pytest.raises(MarkerError, match=message):
        notebook_text(lesson_root(tmp_path, edit))


# -- course.py --------------------------------------------------------------------------------
def test_course_py_sets_up_marimo_only_when_asked_and_opens_the_lesson(tmp_path, monkeypatch):
    import course

    assert "marimo" not in course.requirements(dev=False)
    assert "marimo" in course.requirements(dev=False, marimo=True)
    installs = []
    monkeypatch.setattr(course, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(course, "resolve", lambda reqs, extra: reqs)     # what setup asks for
    monkeypatch.setattr(course, "refuse_cuda", lambda resolved: None)
    monkeypatch.setattr(course, "install_resolved", lambda resolved: installs.append(resolved))
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").touch()
    course.setup(dev=False)                          # the core set: no marimo
    assert installs and "marimo" not in installs[-1]
    course.setup(dev=False)                          # done already
    assert len(installs) == 1
    course.setup(dev=False, marimo=True)             # marimo on top
    assert len(installs) == 2 and "marimo" in installs[-1]
    course.setup(dev=False)                          # the marimo set serves the core set
    assert len(installs) == 2
    calls = []
    monkeypatch.setattr(course, "run_until_done", lambda cmd: calls.append(cmd) or 0)
    assert course.main(["lesson"]) == 0
    assert calls[-1][1:4] == ["-m", "marimo", "edit"] and calls[-1][-1].endswith("lesson.py")
