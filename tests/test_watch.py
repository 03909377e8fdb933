"""python -m grader watch, driven as a student drives it: in a pseudo-terminal (pexpect),
on a copy of the exercises, saving files and pressing keys."""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time

import pexpect
import pytest

from grader.checks.registry import all_checks
from grader.cli import main
from grader.course import ROOT, exercise, exercise_ids
from grader.watch.file_events import (SETTLE_EMPTY_S, SETTLE_S, UNNOTICED_S, FileEvents, fingerprint,
                                          polling_reason, wait_until_settled)
from grader.watch.keys import Keys
from grader.watch.watch import Watch

SOLUTIONS, EXERCISES = ROOT / "solutions", ROOT / "exercises"
TOTAL = sum(c.points for c in all_checks())
POINTS = {ex_id: sum(c.points for c in all_checks(ex_id)) for ex_id in exercise_ids()}
FOOTER = "q quit"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pexpect drives a POSIX terminal")


def total_line(points: int) -> str:
    return rf"total\s+\[[#.]+\]\s+{points}/{TOTAL}"


def copy_exercises(folder, source=EXERCISES):
    target = folder / "exercises"
    target.mkdir()
    for ex_id in exercise_ids():
        shutil.copy(source / exercise(ex_id).file, target / exercise(ex_id).file)
    return target


def save(target, ex_id: str, text: str) -> None:
    (target / exercise(ex_id).file).write_text(text)


@pytest.fixture
def watch():
    """watch(target, *options) -> the watch, started and past its first table; a watch
    that a failing test leaves running is ended."""
    children = []

    def start(target, *options: str, command=("-m", "grader", "watch")) -> pexpect.spawn:
        child = pexpect.spawn(sys.executable, [*command, "--target", str(target), *options],
                              cwd=str(ROOT), encoding="utf-8", timeout=20, dimensions=(60, 200))
        children.append(child)
        child.expect(FOOTER, timeout=60)            # importing torch on a busy machine
        return child

    yield start
    for child in children:
        if child.isalive():
            child.terminate(force=True)


def expect_view(child, *patterns: str, timeout: float = 30) -> str:
    """The next view, up to its footer, holding every pattern in order."""
    child.expect(FOOTER, timeout=timeout)
    text = child.before
    position = 0
    for pattern in patterns:
        found = re.compile(pattern).search(text, position)
        assert found, f"{pattern!r} not in:\n{text}"
        position = found.end()
    return text


def quit_with(child, key: str) -> int:
    child.sendcontrol("c") if key == "ctrl-c" else child.send(key)
    child.expect(pexpect.EOF, timeout=30)     # bounds for a busy machine (pytest -n auto), not speed checks
    rest = child.before
    child.close()
    assert "Traceback" not in rest and "Stopped watching." in rest
    return child.exitstatus


def test_first_table_a_fix_changes_the_total_keys_and_lasting_progress(tmp_path, watch):
    target = copy_exercises(tmp_path)
    child = watch(target)
    # The first table: every exercise, the total, then the first exercise's failing checks.
    first = child.before
    for ex_id in exercise_ids():
        assert re.search(rf"{ex_id}\s+{re.escape(exercise(ex_id).title)}\s+\[\.+\]\s+0/{POINTS[ex_id]}", first)
    assert re.search(total_line(0), first)
    assert re.search(r"ex01 Data as tensors: \d+ check\(s\) failing", first)
    assert "make_dataset() is not implemented yet" in first and "Traceback" not in first

    # A save that completes ex03 changes the total and names the next exercise.
    save(target, "ex03", (SOLUTIONS / "ex03_predict.py").read_text())
    full = exercise("ex03").points
    view = expect_view(child, rf"\bex03\s.*{full}/{full}\s+best {full}/{full}, done \d{{4}}-\d\d-\d\d",
                       total_line(full), rf"ex03 is complete \({full}/{full}\)\. Next: ex04 ")
    assert "graded ex03 in" in view

    child.send("h")                                 # the hint of the exercise in focus
    child.expect_exact("Hint 1 of ")                # its first level, for its first failing check
    child.expect_exact("More: press h again  (hint 2 of ")   # the key, not a command to type
    child.send("n")                                 # the next exercise not complete: ex01
    expect_view(child, r"ex01 Data as tensors: \d+ check\(s\) failing")

    # A worse state shows the current score, and the best stays in the table and the file.
    save(target, "ex03", (EXERCISES / "ex03_predict.py").read_text())
    expect_view(child, rf"\bex03\s.*\s0/{full}\s+best {full}/{full}, done ", total_line(0),
                r"ex03 From logits to predictions: \d+ check\(s\) failing")
    assert quit_with(child, "q") == 0
    record = json.loads((tmp_path / ".grader-progress.json").read_text())["exercises"]["ex03"]
    assert record["best"] == full and record["completed"]


def test_broken_saves_are_reported_and_the_watch_goes_on(tmp_path, watch):
    target = copy_exercises(tmp_path)
    solution = (SOLUTIONS / "ex03_predict.py").read_text()
    save(target, "ex03", solution)
    child = watch(target, "--time-scale", "0.05")   # an endless loop is stopped after 0.5 s
    assert re.search(total_line(POINTS["ex03"]), child.before)

    save(target, "ex03", solution + "\ndef predict(model, X)\n    return None\n")
    expect_view(child, total_line(0), r"could not be imported.*SyntaxError")
    save(target, "ex03", solution.replace("    model.eval()\n", "    while True:\n        pass\n", 1))
    expect_view(child, r"predict_proba\(\) did not finish within [\d.]+ s: is there an endless loop")
    save(target, "ex03", solution + "\nimport os\nos._exit(3)\n")
    expect_view(child, r"ended the process \(os._exit\(3\)\)")
    save(target, "ex03", solution)
    view = expect_view(child, total_line(POINTS["ex03"]), "ex03 is complete")
    assert "(file events)" in view          # events stay on, whatever the backup found
    assert quit_with(child, "ctrl-c") == 0


def test_a_file_truncated_then_written_again_is_graded_once_settled(tmp_path, watch):
    """An editor that empties the file and writes it a moment later: the empty file is
    never graded (it would show every function missing)."""
    target = copy_exercises(tmp_path)
    child = watch(target)
    path = target / exercise("ex03").file
    for pause in (0.1, 0.6, 1.0):
        path.write_text("")
        time.sleep(pause)
        path.write_text((SOLUTIONS / "ex03_predict.py").read_text() if pause != 0.6
                        else (EXERCISES / "ex03_predict.py").read_text())
        full = POINTS["ex03"] if pause != 0.6 else 0
        view = expect_view(child, total_line(full))      # the next view is the rewritten file's
        assert "MISSING" not in view, view
    assert quit_with(child, "q") == 0


# `python3 course.py watch` as the student runs it, its set-up left out (it installs .venv).
COURSE_WATCH = ("import sys, course; from pathlib import Path; course.setup = lambda dev: None; "
                "course.venv_python = lambda: Path(sys.executable); sys.exit(course.main(sys.argv[1:]))")


@pytest.fixture(scope="module")
def finished_course(tmp_path_factory):
    """`python3 course.py watch --poll`, as the student runs it, on a finished course: one
    watch that the next two tests drive in turn (the first table, the watch, the target)."""
    target = copy_exercises(tmp_path_factory.mktemp("finished"), source=SOLUTIONS)
    child = pexpect.spawn(sys.executable, ["-c", COURSE_WATCH, "watch", "--target", str(target), "--poll"],
                          cwd=str(ROOT), encoding="utf-8", timeout=20, dimensions=(60, 200))
    try:
        child.expect(FOOTER, timeout=60)            # importing torch on a busy machine
        yield child.before, child, target
    finally:
        if child.isalive():
            child.terminate(force=True)


def test_h_on_a_finished_course_congratulates_and_hints_nothing(finished_course):
    first, child, _ = finished_course
    assert re.search(total_line(TOTAL), first) and "Every exercise is complete" in first
    child.send("h")
    child.expect_exact("Every exercise is complete: there is nothing left to hint. Well done!")
    child.send("x")                                 # any other key shows the keys: nothing came between
    child.expect_exact("keys: h hint")
    assert "Hint " not in child.before and "More:" not in child.before


def test_polling_finds_saves_too_through_course_py(finished_course):
    first, child, target = finished_course
    assert "(polling: --poll)" in first
    save(target, "ex03", (EXERCISES / "ex03_predict.py").read_text())
    child.expect(total_line(TOTAL - POINTS["ex03"]), timeout=30)        # the save, found by polling
    child.expect(r"ex03 From logits to predictions: \d+ check\(s\) failing", timeout=30)
    assert quit_with(child, "ctrl-c") == 0          # course.py waits for the watch to stop


def test_a_missing_target_is_a_usage_error(tmp_path, capsys):
    assert main(["watch", "--target", str(tmp_path / "nowhere")]) == 2
    assert "no such directory" in capsys.readouterr().err


# -- choosing polling, and finding saves that sent no event (no terminal needed) ----------
MOUNTINFO = """\
22 27 0:21 / / rw,relatime - ext4 /dev/sda1 rw
40 22 0:40 / /home/student/share rw,relatime - nfs4 server:/export rw
41 22 0:41 / /media/my\\040files rw - vboxsf files rw
"""


def test_polling_is_chosen_where_file_events_do_not_arrive(tmp_path):
    local = polling_reason(tmp_path, False, mountinfo=MOUNTINFO, kernel_release="6.8.0-generic")
    assert local is None
    assert polling_reason(tmp_path, True, mountinfo=MOUNTINFO, kernel_release="") == "--poll"
    assert polling_reason("/home/student/share/course/exercises", False, mountinfo=MOUNTINFO,
                          kernel_release="6.8.0") == "a nfs4 folder"
    assert polling_reason("/media/my files/exercises", False, mountinfo=MOUNTINFO,
                          kernel_release="6.8.0") == "a vboxsf folder"
    wsl = "5.15.153.1-microsoft-standard-WSL2"
    assert polling_reason("/mnt/c/Users/me/course/exercises", False, mountinfo=MOUNTINFO,
                          kernel_release=wsl) == "a Windows folder under WSL"
    assert polling_reason("/home/me/course/exercises", False, mountinfo=MOUNTINFO, kernel_release=wsl) is None


def test_a_save_without_an_event_is_found_once_it_is_old_enough(tmp_path):
    path = tmp_path / "ex03_predict.py"
    path.write_text("one")
    events = FileEvents(tmp_path, {path.name: "ex03"}, poll_reason="--poll")
    try:
        graded = {"ex03": fingerprint(path)}
        assert events.unnoticed(graded, time.time()) == set()         # unchanged
        path.write_text("two, longer")
        assert events.unnoticed(graded, time.time()) == set()         # its event may still come
        assert events.unnoticed(graded, time.time() + UNNOTICED_S + 1) == {"ex03"}
        path.unlink()                   # a moment without the file (a save by renaming) is no evidence
        assert events.unnoticed(graded, time.time() + UNNOTICED_S + 1) == set()
    finally:
        events.close()


def test_a_save_settles_before_it_is_graded(tmp_path):
    import threading

    path = tmp_path / "ex03_predict.py"
    path.write_text("")
    writer = threading.Timer(0.3, path.write_text, ["x = 1\n"])
    writer.start()
    started = time.monotonic()
    wait_until_settled([path])          # empty: waits for the rewrite, then SETTLE_S more
    writer.join()
    assert path.read_text() == "x = 1\n" and time.monotonic() - started >= 0.3 + SETTLE_S * 0.9
    os.utime(path, (time.time() - 10, time.time() - 10))
    started = time.monotonic()
    wait_until_settled([path])          # unchanged for long: no wait at all
    assert time.monotonic() - started < SETTLE_EMPTY_S


class FakeEvents:
    """File events that never come; the backup look at the files finds one save."""
    poll_reason, mode = None, "file events"

    def __init__(self):
        self.found = [{"ex03"}]

    def wait(self):
        return set()

    def unnoticed(self, graded, now):
        return self.found.pop() if self.found else set()


class FakeKeys:
    def __init__(self):
        self.presses = ["", "", "q"]

    def read(self):
        return self.presses.pop(0)


def test_a_save_without_its_event_is_graded_and_events_stay_on(tmp_path, monkeypatch):
    target = copy_exercises(tmp_path)
    saved = []
    monkeypatch.setattr(Watch, "start", lambda self: None)
    monkeypatch.setattr(Watch, "saved", lambda self, changed, note="": saved.append(changed))
    watch = Watch(target, None, None, None)
    watch.graded = {"ex03": None}
    events = FakeEvents()
    assert watch.run(events, FakeKeys()) == 0
    assert saved == [{"ex03"}] and events.poll_reason is None and watch.mode == "file events"


def test_keys_arrive_one_by_one_without_escape_sequences_and_input_may_end():
    read_end, write_end = os.pipe()
    with os.fdopen(read_end) as stream, Keys(stream) as keys:
        assert keys.read() == ""                    # nothing pressed: no waiting
        os.write(write_end, "h\x1b[An\x1bOPq".encode())
        assert keys.read() == "hnq"                 # an arrow and F1 are not keys
        os.close(write_end)
        assert keys.read() == "" and keys.read() == ""   # input ended: the watch goes on
