"""Hostile submissions: code that hangs, exits, crashes, hogs memory, floods output, reads
stdin, tampers with torch or forges files. Each is contained: it costs only the checks that
needed the call (the same checks an ordinary exception there costs), with a message that
says what happened and where, and everything else is graded."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from grader.platforms.report import result_text
from grader.course import ROOT, exercise, total_points
from grader.checks.registry import all_checks
from grader.cli import main
from grader.runner import Options, grade
from grader.gateway.sandbox import landlock_abi

QUICK = Options(time_scale=0.2)       # 15 s for train() becomes 3 s; imports get 4 s


def failed(report) -> dict[str, str]:
    return {r.check.id: result_text(r) for r in report.results if not r.passed}


def raising(function: str) -> str:
    """The baseline: the same function raising an ordinary exception."""
    return f"def {function}(*args, **kwargs):\n    raise RuntimeError('plain failure')\n"


BASELINES: dict[str, object] = {}      # by function: the same for every attack on it


def assert_costs_like_an_exception(submission, exercise, function, code, message, options=Options()):
    hostile = grade(submission(**{exercise: code}), options=options)
    if function not in BASELINES:
        BASELINES[function] = grade(submission(**{exercise: raising(function)}))
    baseline = BASELINES[function]
    assert set(failed(hostile)) == set(failed(baseline)), "it cost other checks than an exception would"
    assert hostile.score == baseline.score < total_points()
    assert all(message in text for text in failed(hostile).values()), next(iter(failed(hostile).values()))
    return hostile


@pytest.mark.parametrize("exercise, function, code, message, options", [
    pytest.param("ex04", "train", "def train(*args, **kwargs):\n    while True:\n        pass\n",
                 "train() did not finish within 3 s", QUICK, id="endless-loop-in-train"),
    pytest.param("ex04", "train",
                 "import time\ndef train(*args, **kwargs):\n    while True:\n        try:\n"
                 "            time.sleep(0.1)\n        except BaseException:\n            pass\n",
                 "train() did not finish within 3 s", QUICK, id="endless-loop-that-swallows-the-alarm"),
    pytest.param("ex03", "predict", "import os\ndef predict(model, X):\n    os._exit(0)\n",
                 "your code ended the process (os._exit(0)) inside predict()", Options(), id="os-exit-0"),
    pytest.param("ex03", "accuracy", "def accuracy(y_true, y_pred):\n    raise KeyboardInterrupt\n",
                 "your code ended the process (KeyboardInterrupt) inside accuracy()", Options(),
                 id="keyboard-interrupt"),
    pytest.param("ex03", "predict_proba",
                 "import ctypes\ndef predict_proba(model, X):\n    return ctypes.string_at(0)\n",
                 "your code crashed the process (segmentation fault, SIGSEGV) inside predict",
                 Options(), id="segfault"),
    pytest.param("ex03", "accuracy",
                 "import os, signal\ndef accuracy(y_true, y_pred):\n    os.kill(os.getpid(), signal.SIGTERM)\n",
                 "your code crashed the process (SIGTERM) inside accuracy()", Options(), id="sigterm-to-itself"),
    pytest.param("ex03", "accuracy", "import os\ndef accuracy(y_true, y_pred):\n    os.abort()\n",
                 "your code crashed the process (abort, SIGABRT) inside accuracy()", Options(), id="os-abort"),
    pytest.param("ex03", "accuracy",
                 "import os, signal\ndef accuracy(y_true, y_pred):\n    parent = os.getpid()\n"
                 "    child = os.fork()\n    if child == 0:\n        os.kill(parent, signal.SIGUSR1)\n"
                 "        os._exit(0)\n    os.waitpid(child, 0)\n    return 100.0\n",
                 "your code crashed the process (SIGUSR1) inside accuracy()", Options(), id="sigusr1-from-its-child"),
    pytest.param("ex02", "build_model",
                 "def build_model(*args, **kwargs):\n    return bytearray(64 * 2**30)\n",
                 "build_model() ran out of memory (the limit is 4 GiB)", Options(), id="memory-64-gib-at-once"),
    pytest.param("ex02", "build_model",
                 "import torch\ndef build_model(*args, **kwargs):\n    hoard = []\n    while True:\n"
                 "        hoard.append(torch.ones(2**26))\n",
                 "build_model() ran out of memory (the limit is 2 GiB)", Options(memory_limit=2 * 2**30),
                 id="memory-growing-without-end"),
    pytest.param("ex01", "make_dataset",
                 "_real = make_dataset\ndef make_dataset(*args, **kwargs):\n"
                 "    for _ in range(100_000):\n        print('x' * 99)\n    return _real(*args, **kwargs)\n",
                 "make_dataset() printed more than 100,000 characters", Options(), id="10-mb-of-prints"),
    pytest.param("ex01", "make_dataset",
                 "import os\ndef make_dataset(*args, **kwargs):\n    while True:\n        os.write(1, b'x' * 2**20)\n",
                 "make_dataset() raised OSError: [Errno 27] File too large", Options(), id="writes-to-fd-1-without-end"),
    pytest.param("ex01", "make_dataset", "def make_dataset(*args, **kwargs):\n    return input('n? ')\n",
                 "make_dataset() raised EOFError", Options(), id="input"),
])
def test_hostile_calls_cost_only_their_checks(submission, exercise, function, code, message, options):
    assert_costs_like_an_exception(submission, exercise, function, code, message, options)


SELF_SIGNAL = ("import os, signal\n_real = accuracy\ndef accuracy(y_true, y_pred):\n"
               "    os.kill(os.getpid(), signal.SIGTERM)\n    return _real(y_true, y_pred)\n")


def test_a_signal_code_sends_itself_is_told_the_same_inside_the_grader(submission, tmp_path):
    """--in-process (and macOS, where there is no worker): the grader's own process would
    end with no report; it gives the worker's message and a score instead."""
    report = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, "-m", "grader", "--in-process", "--target", str(submission(ex03=SELF_SIGNAL)),
                           "--only", "ex03", "--format", "json", "--output", str(report)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 1, proc.stderr
    entries = {entry["id"]: entry for entry in json.loads(report.read_text())["checks"]}
    assert "your code crashed the process (SIGTERM) inside accuracy()" in entries["ex03.accuracy_percent"]["feedback"]
    assert not entries["ex03.accuracy_percent"]["passed"] and entries["ex03.predict_matches_argmax"]["passed"]


def test_a_handler_the_code_installs_is_its_own(submission):
    """Only a signal's default disposition ends the call: code that handles the signal it
    sends itself carries on, as it would in any process."""
    code = ("import os, signal\nsignal.signal(signal.SIGUSR2, lambda *args: None)\n_real = accuracy\n"
            "def accuracy(y_true, y_pred):\n    os.kill(os.getpid(), signal.SIGUSR2)\n    return _real(y_true, y_pred)\n")
    assert grade(submission(ex03=code), only="ex03").score == exercise("ex03").points


def test_reading_stdin_at_the_os_level_gets_end_of_file(submission):
    code = ("import os, sys\n_real = make_dataset\ndef make_dataset(*args, **kwargs):\n"
            "    assert os.read(0, 10) == b'' and sys.stdin.read() == ''\n"
            "    return _real(*args, **kwargs)\n")
    assert grade(submission(ex01=code), only="ex01").score == sum(c.points for c in all_checks("ex01"))


EX01 = sum(c.points for c in all_checks("ex01"))


@pytest.mark.parametrize("code, message", [
    ("#!file\nimport time\ntime.sleep(1000)\n", "did not finish within 4 s"),
    ("#!file\nimport sys\nsys.exit(0)\n", "ended the process (sys.exit(0))"),
    ("#!file\nimport os\nos._exit(0)\n", "ended the process (os._exit(0)) while importing ex01_data.py"),
    ("#!file\nimport ctypes\nctypes.string_at(0)\n", "crashed the process (segmentation fault"),
    ("#!file\nimport signal\nsignal.raise_signal(signal.SIGHUP)\n",
     "crashed the process (SIGHUP) while importing ex01_data.py"),
])
def test_hostile_imports_cost_only_their_exercise(submission, code, message):
    report = grade(submission(ex01=code), options=QUICK)
    lost = failed(report)
    assert {check.split(".")[0] for check in lost} == {"ex01"} and report.score == total_points() - EX01
    assert all("ex01_data.py could not be imported" in text and message in text for text in lost.values()), \
        next(iter(lost.values()))


def test_monkeypatched_comparisons_cannot_pass_wrong_answers(submission):
    """softmax over dim=0, with torch.allclose, torch.equal and Tensor.__eq__ patched to
    agree with anything: the verdicts are reached in the grader's process, untouched."""
    wrong = ("import torch\ndef predict_proba(model, X):\n    model.eval()\n"
             "    with torch.inference_mode():\n        return torch.softmax(model(X), dim=0)\n")
    patches = ("torch.allclose = lambda *a, **k: True\ntorch.equal = lambda *a, **k: True\n"
               "torch.Tensor.__eq__ = lambda self, other: torch.ones((), dtype=torch.bool)\n"
               "torch.Tensor.sum = lambda self, *a, **k: torch.ones(self.shape[0])\n")
    plain = grade(submission(ex03=wrong), only="ex03")
    patched = grade(submission(ex03=wrong + patches), only="ex03")
    # The patches can only break the student's own code further (accuracy uses ==).
    assert set(failed(plain)) <= set(failed(patched)) and patched.score <= plain.score < exercise("ex03").points
    assert any("softmax ran over dim=0" in text for text in failed(patched).values())


def test_forged_result_files_change_nothing(submission, tmp_path, monkeypatch):
    """A stub whose import writes a perfect report where the grader will write its own,
    grades.csv and results.json beside it and in its working folder, and a file standing
    in for a grader module: the grader's report is the honest one, and where the kernel
    offers Landlock none of the forged files exist. (Through cli.main in this process: the
    worker is the same as the command's.)"""
    report_path, outside = tmp_path / "report.json", tmp_path / "grader_module.py"
    forged = json.dumps({"score": total_points(), "max_score": total_points(), "checks": []})
    targets = [report_path, tmp_path / "grades.csv", tmp_path / "results.json", outside,
               "grades.csv", "results.json"]
    code = "#!file\n" + "".join(
        f"try:\n    open({str(t)!r}, 'w').write({forged!r})\nexcept OSError:\n    pass\n" for t in targets
    ) + (ROOT / "exercises" / "ex01_data.py").read_text()
    directory = submission(source=ROOT / "exercises", ex01=code)
    monkeypatch.chdir(tmp_path)                 # the command's working folder
    assert main(["--target", str(directory), "--format", "json", "--output", str(report_path)]) == 1
    assert json.loads(report_path.read_text())["score"] == 0
    if landlock_abi() >= 1:
        for name in ("grades.csv", "results.json", "grader_module.py"):
            assert not (tmp_path / name).exists(), name
        assert not (directory / "grades.csv").exists()


def test_prints_before_a_crash_are_shown_under_the_check(submission):
    code = "import os\ndef predict(model, X):\n    print('about to leave')\n    os._exit(3)\n"
    lost = failed(grade(submission(ex03=code), only="ex03"))
    text = lost["ex03.predict_matches_argmax"]
    assert "ended the process (os._exit(3)) inside predict()" in text
    assert "your code printed:" in text and "about to leave" in text


def test_patching_the_grader_from_student_code_changes_no_verdict(submission):
    """The checks and the report live in the grader's process; the worker's copies of
    them are the only ones student code can reach."""
    patches = ("import grader.runner, grader.checks.feedback, grader.checks.registry\n"
               "grader.runner.run_check = lambda check, ctx: grader.runner.Result(check, True, '')\n"
               "grader.checks.feedback.CheckFailed.__init__ = lambda self, *a, **k: None\n"
               "grader.checks.registry._CHECKS.clear()\n")
    wrong = "def accuracy(y_true, y_pred):\n    return (y_true == y_pred).float().mean().item()\n"
    plain = grade(submission(ex03=wrong), only="ex03")
    patched = grade(submission(ex03=patches + wrong), only="ex03")
    assert failed(patched) == failed(plain) and patched.score == plain.score < exercise("ex03").points
    assert any("fraction" in text for text in failed(patched).values())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the worker runs on Linux only")
def test_inherited_descriptors_cannot_reach_the_graders_sockets_and_files(submission):
    """A worker is forked from whatever runs the grader (the marimo lesson's server, say):
    what that process had open is not the student's to write to."""
    read_end, write_end = os.pipe()
    code = ("import os\n"
            "def accuracy(y_true, y_pred):\n"
            f"    os.write({write_end}, b'leaked')\n"
            "    return 100.0 * float((y_true == y_pred).float().mean())\n")
    try:
        grade(submission(ex03=code), only="ex03")
        os.close(write_end)
        assert os.read(read_end, 100) == b""          # end of file: nothing came through
    finally:
        os.close(read_end)
