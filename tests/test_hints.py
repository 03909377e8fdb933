"""python -m grader hint: levels from the idea to the API to almost the code, one at a time,
for the first failing check, remembered in .grader/ beside the exercises; no solution line."""
from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.checks.registry import Check, all_checks
from grader.cli import main
from grader.course import ROOT, exercise, exercises
from grader.platforms.hints import (Found, NoSuchLevel, choose_level, hint, hints_for, render,
                                   state_path)
from grader.checks.feedback import Feedback
from grader.runner import Cause, Result
from tests.release_tools import solution_leaks

SOLUTIONS, STUBS = ROOT / "solutions", ROOT / "exercises"


def test_every_check_has_hints_in_three_levels():
    ids = {c.id for c in all_checks()}
    for ex in exercises():
        named = [f"{ex.id}.{name}" for hints in ex.hints for name in hints.checks]
        assert set(named) <= ids and len(named) == len(set(named)), ex.id
        assert set(named) == {i for i in ids if i.startswith(ex.id + ".")}, ex.id
        assert all(len(hints.levels) == 3 and all(hints.levels) for hints in ex.hints if hints.checks)
        assert [len(hints.levels) for hints in ex.hints if not hints.checks] == [1] and ex.hint


def test_the_hints_hold_no_solution_line():
    assert solution_leaks({"grader/course.toml": (ROOT / "grader" / "course.toml").read_text()}) == []


def test_ex04_explains_train_accuracy_without_a_second_forward_pass():
    text = " ".join(" ".join(h.levels) for h in exercise("ex04").hints).replace("\n", " ")
    assert "The train accuracy needs no second forward pass: the logits of the training step's" in text
    assert "no second forward pass" in exercise("ex04").hint.replace("\n", " ")


def result(check_id: str, passed: bool, cause: Cause | None = None) -> Result:
    ex_id = check_id.split(".")[0]
    return Result(Check(check_id, ex_id, check_id, 1, lambda ctx: None), passed,
                  None if passed else Feedback("no"), cause)


def test_the_first_failing_check_picks_the_hints():
    ex = exercise("ex04")
    found = hints_for(ex, [result("ex04.step_returns_loss", True), result("ex04.step_first_update", True),
                           result("ex04.step_zero_grad", True), result("ex04.evaluate_values", True),
                           result("ex04.train_history_meaning", False), result("ex04.train_progress", False)])
    assert found.hints.checks == ("train_history_meaning",)
    assert found.failed.check.id == "ex04.train_history_meaning"


def test_levels_go_up_one_at_a_time_and_are_remembered(tmp_path):
    state = tmp_path / ".grader" / "hints.json"
    ex = exercise("ex02")
    device, model = (Found(ex, h, None) for h in ex.hints if h.checks)
    assert choose_level(device, state) == 1
    assert choose_level(device, state) == 1                       # shown again, not advanced
    assert [choose_level(device, state, more=True) for _ in range(3)] == [2, 3, 3]
    assert choose_level(device, state) == 3 and choose_level(device, state, level=1) == 1
    assert choose_level(device, state) == 3                       # looking back keeps the level
    assert choose_level(model, state) == 1                        # each check's hints on their own
    assert json.loads(state.read_text()) == {"ex02.device_type": 3, "ex02.sequential": 1}
    state.write_text("not json")
    assert choose_level(device, state, more=True) == 1            # a broken file starts again


def test_hint_without_an_exercise_finds_the_first_unfinished_one(tmp_path):
    exercises_dir = tmp_path / "exercises"
    exercises_dir.mkdir()
    for ex in exercises():
        shutil.copy((SOLUTIONS if ex.id == "ex01" else STUBS) / ex.file, exercises_dir / ex.file)
    proc = subprocess.run([sys.executable, "-m", "grader", "hint", "--target", str(exercises_dir)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert proc.stdout.startswith("ex02: Device and model")
    assert "failing: get_device returns a torch.device" in proc.stdout
    assert "Hint 1 of 3, the idea:" in proc.stdout
    assert "More: python3 course.py hint ex02 --more  (hint 2 of 3, the API)" in proc.stdout
    more = hint(exercises_dir, "ex02", more=True)
    assert "Hint 2 of 3, the API:" in more and "torch.cuda.is_available()" in more
    assert json.loads(state_path(exercises_dir).read_text()) == {"ex02.device_type": 2}
    assert state_path(exercises_dir) == tmp_path / ".grader" / "hints.json"


def test_a_failure_that_is_not_the_checks_own_comes_first(tmp_path):
    shutil.copytree(SOLUTIONS, tmp_path / "exercises", ignore=shutil.ignore_patterns("*.md"))
    (tmp_path / "exercises" / "ex03_predict.py").write_text("def predict_proba(:\n")
    text = hint(tmp_path / "exercises", "ex03")
    assert "first fix this: ex03_predict.py could not be imported" in text and "SyntaxError" in text
    assert hint(tmp_path / "exercises", "ex01").startswith("Every check of ex01 passes: no hint needed.")


def test_level_n_beyond_the_last_is_an_error_that_says_how_many_there_are(tmp_path, capsys):
    state = tmp_path / ".grader" / "hints.json"
    device = Found(exercise("ex02"), exercise("ex02").hints[0], None)
    for level in (4, 0):
        with pytest.raises(NoSuchLevel, match=f"there is no hint {level}: the hints for ex02 have 3 "
                                              "levels, --level 1 to 3"):
            choose_level(device, state, level=level)
    assert not state.exists()                       # nothing remembered from a wrong level
    # The command (cli.main, in this process): a usage error, on stderr alone.
    assert main(["hint", "ex02", "--level", "4", "--target", str(_unfinished(tmp_path))]) == 2
    out, err = capsys.readouterr()
    assert out == "", out
    assert err.strip().endswith("hint: there is no hint 4: the hints for get_device returns a "
                                "torch.device have 3 levels, --level 1 to 3"), err


def _unfinished(tmp_path):
    """exercises/ with ex01 solved and the others stubs."""
    exercises_dir = tmp_path / "exercises"
    exercises_dir.mkdir(exist_ok=True)
    for ex in exercises():
        shutil.copy((SOLUTIONS if ex.id == "ex01" else STUBS) / ex.file, exercises_dir / ex.file)
    return exercises_dir


# `python3 course.py ...` as a student runs it outside the .venv: the Python running
# course.py has no site-packages (-S), so no torch; its set-up is left out (it installs .venv),
# and the grader it starts runs in this environment instead.
COURSE = ("import sys, course; from pathlib import Path; course.setup = lambda *a, **k: None; "
          "course.venv_python = lambda: Path(sys.executable); sys.exit(course.main(sys.argv[1:]))")


def as_printed(command: str, *extra: str) -> subprocess.CompletedProcess:
    words = shlex.split(command)
    assert words[:2] == ["python3", "course.py"], command
    return subprocess.run([sys.executable, "-S", "-c", COURSE, *words[2:], *extra], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_the_commands_grading_and_hints_print_work_as_printed_without_the_venv(tmp_path):
    target = str(_unfinished(tmp_path))
    graded = as_printed("python3 course.py grade", "--target", target)
    assert graded.returncode == 1, graded.stderr
    printed = re.search(r"a hint: (python3 course\.py hint ex02)$", graded.stdout, re.M)
    assert printed, graded.stdout
    first = as_printed(printed.group(1), "--target", target)
    assert first.returncode == 0 and "Hint 1 of 3, the idea:" in first.stdout, first.stderr
    more = re.search(r"More: (python3 course\.py hint ex02 --more)  \(hint 2 of 3", first.stdout)
    assert more, first.stdout
    second = as_printed(more.group(1), "--target", target)
    assert second.returncode == 0 and "Hint 2 of 3, the API:" in second.stdout, second.stderr
    # The same command once more, in this process (what it prints is what hint() returns).
    third = hint(Path(target), "ex02", more=True)
    again = re.search(r"last hint for this check; (python3 course\.py hint ex02) --level N shows", third)
    assert again, third
    first_again = as_printed(again.group(1), "--level", "1", "--target", target)
    assert "Hint 1 of 3, the idea:" in first_again.stdout, first_again.stderr


def test_in_the_watch_the_next_level_is_a_key_press_away():
    ex = exercise("ex02")
    found = Found(ex, ex.hints[0], None)
    assert "More: press h again  (hint 2 of 3, the API)" in render(found, 1, in_watch=True)
    last = render(found, 3, in_watch=True)
    assert "That is the last hint for this check; h shows it again" in last and "--more" not in last
