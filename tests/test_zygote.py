"""Workers forked from a zygote that never held a secret, and a grader that outlives its
workers, its zygote and its grading processes. Real attacks, no mocks: student code
searches its own memory for the instructor's seed and tokens, kills or stops its zygote, its
own process and the process grading it, and sends a 512 MiB reply frame."""
from __future__ import annotations

import csv
import json
import os
import random
import shutil
import string
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.platforms.report import result_text
from grader import messages
from grader.checks.registry import all_checks
from grader.course import ROOT, exercise, total_points
from grader.gateway import zygote_client
from grader.runner import grade

pytestmark = pytest.mark.skipif(not zygote_client.available(), reason="the zygote runs on Linux only")
SOLUTIONS = ROOT / "solutions"
EX_POINTS = {ex: sum(c.points for c in all_checks(ex)) for ex in ("ex01", "ex02", "ex03", "ex04")}

# Reads every anonymous mapping of its own memory through /proc/self/mem, every object the
# garbage collector knows, os.environ and /proc/self/environ, and raises with what it found
# (so that a secret found would be printed in the feedback). A secret's whole text is never
# in this code nor made by it: it is looked for as two halves that must lie side by side.
# The canary is in its own module for sure: it shows that the search works.
SCANNER = """#!file
import gc, os
# Never a secret's whole text in this file or in this process's making: each is looked
# for as two halves that must sit side by side in memory.
SEED = (b"{seed_a}", b"{seed_b}")
CANARY = (b"{canary_a}", b"{canary_b}")
_KEEP = "c{canary}c"            # in memory for sure: shows that the search works
TOKEN = (b"gh", b"p_")
found = {{"seed": set(), "token": set(), "canary": set()}}
def halves(blob, name, a, b):
    at = blob.find(a)
    while at >= 0:
        end = at + len(a) + len(b)
        if blob[at + len(a):end] == b and not blob[end:end + 1].isdigit() and not blob[at - 1:at].isdigit():
            found[name].add(blob[at:end].decode())
        at = blob.find(a, at + 1)
def look(blob):
    halves(blob, "seed", *SEED)
    halves(blob, "canary", *CANARY)
    at = blob.find(TOKEN[0])
    while at >= 0:
        rest = blob[at + 2:at + 40]
        if rest[:2] == TOKEN[1] and rest[2:38].isalnum() and len(rest) == 38:
            found["token"].add((blob[at:at + 2] + rest).decode())
        at = blob.find(TOKEN[0], at + 1)
scanned = 0
try:
    with open("/proc/self/maps") as f:
        regions = [line.split() for line in f]
    with open("/proc/self/mem", "rb", buffering=0) as mem:
        for r in regions:
            if "r" not in r[1] or (len(r) > 5 and not r[5].startswith("[")):
                continue          # unreadable, or a mapped file (libraries)
            start, end = (int(x, 16) for x in r[0].split("-"))
            for at in range(start, end, 1 << 23):
                try:
                    mem.seek(at)
                    chunk = mem.read(min((1 << 23) + 64, end - at))
                except OSError:
                    break
                scanned += len(chunk)
                look(chunk)
except OSError:
    scanned = -1
for obj in gc.get_objects():
    try:
        values = list((obj if isinstance(obj, dict) else vars(obj)).values())
    except TypeError:
        continue
    for v in values:
        if type(v) is int and 10**9 <= v < 10**10:
            look(str(v).encode())
        elif type(v) in (str, bytes):
            look(v.encode("utf-8", "replace") if type(v) is str else v)
look(b"\\0".join(f"{{k}}={{v}}".encode() for k, v in os.environ.items()))
try:
    look(open("/proc/self/environ", "rb").read())
except OSError:
    pass
raise RuntimeError(f"scanned {{scanned}} bytes; " + "; ".join(
    f"{{k}}: {{' '.join(sorted(v)) or 'none'}}" for k, v in found.items()))
"""


def secrets_case(tmp_path: Path) -> tuple[str, str, str, Path, str]:
    """A random seed (in a --seed-file), canary and GitHub token, and the scanner that
    looks for them."""
    seed, canary = (str(random.randrange(10**9, 10**10)) for _ in range(2))
    token = "ghp_" + "".join(random.choice(string.ascii_letters + string.digits) for _ in range(36))
    seed_file = tmp_path / "seed.txt"
    seed_file.write_text(seed + "\n")
    code = SCANNER.format(seed_a=seed[:5], seed_b=seed[5:], canary_a=canary[:5], canary_b=canary[5:],
                          canary=canary)
    assert seed not in code and token not in code
    return seed, canary, token, seed_file, code


def copy_solutions(folder: Path, **files: str) -> Path:
    """The reference solutions in `folder`, with some exercise files replaced."""
    folder.mkdir(parents=True)
    for path in SOLUTIONS.glob("ex0*.py"):
        shutil.copy(path, folder / path.name)
    for ex_id, code in files.items():
        path = folder / exercise(ex_id).file
        path.write_text(code.removeprefix("#!file\n") if code.startswith("#!file") else path.read_text() + "\n" + code)
    return folder


def failed(report) -> dict[str, str]:
    return {r.check.id: result_text(r) for r in report.results if not r.passed}


def scanned_feedback(text: str, canary: str) -> str:
    """The scanner's line, after asserting that its search worked (it found the canary)."""
    line = next((l for l in text.splitlines() if "scanned " in l), None)
    assert line is not None, text[-3000:]
    assert f"canary: {canary}" in line, line       # the search works: the canary is found
    assert "seed: none" in line and "token: none" in line, line
    return line


def test_the_zygote_is_started_by_exec_with_no_token_in_its_environment(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_thisIsNotForStudentsToSee0000000000000")
    zygote = zygote_client.Zygote()
    try:
        # Ready first: Popen returns once exec has closed its pipe, a moment before the
        # kernel has set up the new command line and environment (both read empty then).
        zygote._await("ready", zygote_client.READY_LIMIT, "starting up")
        pid = zygote.proc.pid
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert cmdline[1:3] == [b"-m", b"grader.gateway.zygote"]
        assert b"PATH=" in environ       # the environment was read, not an empty page
        assert b"GITHUB_TOKEN" not in environ and b"ghp_" not in environ
    finally:
        zygote.close()
    assert zygote.proc.poll() is not None


@pytest.fixture(scope="module")
def one_submission(tmp_path_factory):
    """One `--submission` run (through cli.main, so that the grader's peak memory can be read)
    of two attacks, each in its own exercise's worker: ex01 searches its memory for the
    instructor's seed (from --seed-file) and a token in the grader's environment; ex03
    sends a 512 MiB reply frame. The run, the report, and the secrets and canary."""
    tmp_path = tmp_path_factory.mktemp("submission")
    seed, canary, token, seed_file, code = secrets_case(tmp_path)
    folder = copy_solutions(tmp_path / "student", ex01=code, ex03=BIG_FRAME)
    report = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, "-c", PEAK, "--submission", str(folder), "--seed-file", str(seed_file),
                           "--format", "json", "--output", str(report)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "GITHUB_TOKEN": token})
    assert proc.returncode == 1, proc.stderr
    return proc, report.read_text(), (seed, canary, token)


def test_student_code_finds_no_seed_or_token_in_its_own_memory(one_submission):
    """The worker running the student's code never held the seed or the token."""
    proc, report, (seed, canary, token) = one_submission
    checks = json.loads(report)["checks"]
    assert all(not c["passed"] for c in checks if c["exercise"] == "ex01")         # it raised what it found
    assert all(c["passed"] for c in checks if c["exercise"] in ("ex02", "ex04"))    # ex03: the frame's
    scanned_feedback(report, canary)
    for text in (proc.stdout, proc.stderr, report):
        assert seed not in text and token not in text


# Signals its parent, the zygote: only ever this test's zygote. A worker that cannot see its
# parent (a pid namespace) says so. After SIGKILL it waits to die with its parent.
SIGNAL_PARENT = ("import os, signal, time\n_predict = predict\n"
                 "def predict(model, X):\n"
                 "    parent = os.getppid()\n"
                 "    try:\n"
                 "        with open(f'/proc/{{parent}}/cmdline', 'rb') as f:\n"
                 "            ours = b'grader.gateway.zygote' in f.read()\n"
                 "    except OSError:\n"
                 "        ours = False\n"
                 "    if not ours:\n"
                 "        raise RuntimeError('parent out of reach')\n"
                 "    os.kill(parent, signal.{signal})\n"
                 "    time.sleep({wait})\n"
                 "    return _predict(model, X)\n")
OUT_OF_REACH = "out of reach"       # what an attack says where the box keeps it from its target


def test_a_worker_that_kills_its_zygote_costs_only_that_call(submission):
    report = grade(submission(ex03=SIGNAL_PARENT.format(signal="SIGKILL", wait=2)))
    lost = failed(report)
    assert lost and {check.split(".")[0] for check in lost} == {"ex03"}, lost
    expected = messages.WORKER_LOST.format(where="inside predict()", fate="killed (SIGKILL)")
    assert all(expected in text for text in lost.values()) or \
        all(OUT_OF_REACH in text for text in lost.values()), lost
    # The next exercise's worker came from a new zygote: everything else is graded.
    assert report.score == total_points() - sum(c.points for c in all_checks("ex03") if c.id in lost)


def test_a_worker_that_stops_its_zygote_keeps_its_marks_and_the_zygote_is_replaced(submission):
    """A stopped zygote is a silent one: found out when next asked, killed, replaced."""
    stopped = zygote_client.zygote()
    report = grade(submission(ex03=SIGNAL_PARENT.format(signal="SIGSTOP", wait=0)))
    if any(OUT_OF_REACH in text for text in failed(report).values()):
        return                                  # the box kept the worker from its zygote
    assert report.score == total_points(), failed(report)
    assert stopped.lost == "stopped (SIGSTOP)" and stopped.proc.poll() is not None
    assert zygote_client.zygote() is not stopped


def test_a_worker_that_stops_itself_is_ended_at_once_or_cannot_stop_in_the_box(submission):
    code = ("import os, signal\ndef predict(model, X):\n    os.kill(os.getpid(), signal.SIGSTOP)\n")
    lost = failed(grade(submission(ex03=code), only="ex03"))
    expected = messages.STOPPED.format(signal="SIGSTOP", where="inside predict()")
    # In the box, the code is the init of its pid namespace, which a signal from inside with
    # its default action does not reach: the stop does nothing and predict returns None.
    in_the_box = "predict returned None" in next(iter(lost.values()), "")
    assert lost and all((expected not in text) if in_the_box else (expected in text)
                        for text in lost.values()), next(iter(lost.values()))


def test_an_honest_result_too_large_to_send_says_so(submission):
    code = ("import torch\ndef predict_proba(model, X):\n"
            "    return torch.zeros(2000, 2000, dtype=torch.float64)\n")
    lost = failed(grade(submission(ex03=code), only="ex03"))
    assert any("more than the 8 MiB the grader accepts" in text for text in lost.values()), lost


# Writes a frame header announcing 512 MiB to every pipe it can write to (its reply pipe),
# then streams the 512 MiB, a MiB at a time.
BIG_FRAME = ("import os, stat, struct\n_predict = predict\n"
             "def predict(model, X):\n"
             "    for name in os.listdir('/proc/self/fd'):\n"
             "        fd = int(name)\n"
             "        try:\n"
             "            if stat.S_ISFIFO(os.fstat(fd).st_mode):\n"
             "                os.write(fd, struct.pack('<Q', 512 * 2**20))\n"
             "                for _ in range(512):\n"
             "                    os.write(fd, b'x' * 2**20)\n"
             "        except OSError:\n"
             "            pass\n"
             "    return _predict(model, X)\n")
PEAK = ("import resource, sys\nfrom grader.cli import main\ncode = main(sys.argv[1:])\n"
        "print('peak', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\nsys.exit(code)\n")


def test_a_512_mib_reply_frame_is_refused_before_it_is_read(one_submission):
    proc, report, _ = one_submission
    feedback = [c["feedback"] for c in json.loads(report)["checks"] if not c["passed"] and c["exercise"] == "ex03"]
    assert any(f"a frame of {512 * 2**20:,} bytes" in text for text in feedback), feedback
    peak_kib = int(proc.stderr.split("peak")[-1])
    assert peak_kib < 1024 * 1024, f"the grader grew to {peak_kib // 1024} MiB"    # was 1.9 GB


# Signals the process grading it: its zygote's parent (the batch's grading process). Only
# ever a process of this test's grader, never init or anything else on the machine.
SIGNAL_GRADER = """#!file
import os, signal
try:
    with open(f"/proc/{{os.getppid()}}/status") as f:
        grader = int(next(line for line in f if line.startswith("PPid:")).split()[1])
    with open(f"/proc/{{grader}}/cmdline", "rb") as f:
        ours = grader > 1 and b"grader" in f.read()
except (OSError, StopIteration):
    ours = False
if not ours:
    raise RuntimeError("grader out of reach")
os.kill(grader, signal.{signal})
"""


def stopped_graders() -> list[int]:
    """This worktree's grader processes that are stopped (none should be left)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            state = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[0]
            if state == b"T" and b"grader" in (entry / "cmdline").read_bytes() \
                    and Path(os.readlink(entry / "cwd")).is_relative_to(ROOT):
                found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def test_a_class_survives_attacks_on_its_graders_and_keeps_its_secrets(tmp_path):
    """Through `python -m grader batch` with honest classmates: a student that kills or
    stops the process grading it gets a row saying so, one that kills its zygote loses only
    that call's checks, one that searches its memory finds no seed and no token, and every
    classmate keeps full marks."""
    seed, canary, token, seed_file, scanner = secrets_case(tmp_path)
    subs = tmp_path / "submissions"
    students = {"alice": {}, "bob": {}, "eve_scans": {"ex01": scanner},
                "kim_kills_grader": {"ex01": SIGNAL_GRADER.format(signal="SIGKILL")},
                "sam_stops_grader": {"ex01": SIGNAL_GRADER.format(signal="SIGSTOP")},
                "zoe_kills_zygote": {"ex03": SIGNAL_PARENT.format(signal="SIGKILL", wait=2)}}
    for name, files in students.items():
        copy_solutions(subs / name / "exercises", **files)
    grades = tmp_path / "out" / "grades.csv"
    grades.parent.mkdir()
    proc = subprocess.run([sys.executable, "-m", "grader", "batch", str(subs), "--csv", str(grades),
                           "--jobs", "2", "--quiet", "--seed-file", str(seed_file)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "GITHUB_TOKEN": token})
    with open(grades, newline="") as f:
        totals = {row["student"]: int(row["total"]) for row in csv.DictReader(f)}
    assert set(totals) == set(students), proc.stderr
    assert totals["alice"] == totals["bob"] == total_points()
    assert totals["eve_scans"] == total_points() - EX_POINTS["ex01"]
    feedback = {name: (grades.parent / "grades-feedback" / f"{name}.md").read_text() for name in students}
    scanned_feedback(feedback["eve_scans"], canary)
    for name, how in (("kim_kills_grader", "killed (SIGKILL)"), ("sam_stops_grader", "stopped (SIGSTOP)")):
        if OUT_OF_REACH in feedback[name]:        # the box kept it from the grading process
            assert totals[name] == total_points() - EX_POINTS["ex01"]
            continue
        assert totals[name] == 0
        assert messages.GRADING_LOST.format(reason=f"its grading process was {how}") in feedback[name]
        assert f"{name}: its grading process was {how}" in proc.stderr
    assert EX_POINTS["ex03"] >= total_points() - totals["zoe_kills_zygote"] > 0
    assert "the grader's process that started it was killed (SIGKILL)" in feedback["zoe_kills_zygote"] \
        or OUT_OF_REACH in feedback["zoe_kills_zygote"]
    outputs = [proc.stdout, proc.stderr] + [p.read_text(errors="replace") for p in grades.parent.rglob("*")
                                            if p.is_file() and p.suffix != ".png"]
    assert all(seed not in text and token not in text for text in outputs)
    assert proc.returncode == (1 if "grading stopped" in proc.stderr + "".join(feedback.values()) else 0)
    assert not stopped_graders()


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def test_a_batchs_grading_processes_share_one_zygote_and_a_killed_one_leaves_nothing(submission):
    """Each grading process of a batch asks the main process's zygote for its judge and
    workers (one torch import for the class, not one per process). One that the supervisor
    kills for taking too long, while its worker loops, takes its judge and that worker with it."""
    from grader import judge
    from grader.instructor.pool import Lost, supervise

    honest = submission()
    looping = submission(ex01="import time\nwhile True:\n    try:\n        time.sleep(0.05)\n"
                              "    except BaseException:\n        pass\n")
    judge.checks()                          # the main process's zygote and judge, as batch starts them
    zygote = zygote_client.zygote()
    before = _children(zygote.proc.pid)

    def grade(folder):
        return [type(zygote_client._zygote).__name__, judge.grade(folder, only="ex01").score]

    outcomes = dict(supervise([str(honest), str(looping)], grade, size=2, limit=8.0))
    assert outcomes[str(honest)] == ["SharedZygote", exercise("ex01").points]
    assert isinstance(outcomes[str(looping)], Lost) and "longer than 8 s" in outcomes[str(looping)].reason
    for _ in range(100):                    # the zygote hears the socket close, then kills
        if _children(zygote.proc.pid) == before:
            break
        time.sleep(0.1)
    assert _children(zygote.proc.pid) == before


def test_a_test_sessions_zygote_serves_only_this_repositorys_grader(tmp_path):
    """GRADER_ZYGOTE (tests/conftest.py): a grading process of this repository grades
    through the session's zygote; a copy of the grader elsewhere (a release, a course
    folder) starts its own, so that a test of a copy never runs this repository's code."""
    assert os.environ.get(zygote_client.SHARED)
    probe = "from grader.gateway import zygote_client as z; print(type(z.zygote()).__name__)"
    here = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    shutil.copytree(ROOT / "grader", tmp_path / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    there = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                           timeout=120, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert (here.stdout.strip(), there.stdout.strip()) == ("SharedZygote", "Zygote"), here.stderr + there.stderr


def test_each_worker_has_a_pid_namespace_of_its_own_and_a_judge_the_zygotes(tmp_path):
    """Two workers alive at once, then a judge: each worker's box is a pid namespace of
    its own (forked into it by the zygote as root, or made by the worker, whichever this
    machine allows), and the zygote comes back to its own, where it forks the judge."""
    import socket

    zygote = zygote_client.Zygote()
    opened: list[int] = []
    try:
        boxes = []
        for n in range(2):
            scratch = tmp_path / f"scratch{n}"
            scratch.mkdir()
            requests_r, requests_w = os.pipe()
            replies_r, replies_w = os.pipe()
            output = os.open(scratch / ".printed", os.O_RDWR | os.O_CREAT, 0o600)
            opened += [requests_w, replies_r]
            pid = zygote.spawn((requests_r, replies_w, output), str(SOLUTIONS), str(scratch), None, 1.0)
            for fd in (requests_r, replies_w, output):
                os.close(fd)
            boxes.append(pid)
        ours, theirs = socket.socketpair()
        judge = zygote.judge(theirs.fileno())
        theirs.close()
        own = os.readlink(f"/proc/{zygote.proc.pid}/ns/pid")

        def children_ns(pid: int) -> str:
            # Where the box's processes live: a worker's own namespace once it is in it
            # (pid_for_children: the worker's, or that of the process that waits for it).
            deadline = time.monotonic() + 10
            while (ns := os.readlink(f"/proc/{pid}/ns/pid_for_children")) == own and time.monotonic() < deadline:
                time.sleep(0.01)
            return ns

        first, second = (children_ns(pid) for pid in boxes)
        assert own not in (first, second) and first != second
        assert os.readlink(f"/proc/{zygote.proc.pid}/ns/pid_for_children") == own
        assert os.readlink(f"/proc/{judge}/ns/pid") == own
        assert os.readlink(f"/proc/{judge}/ns/pid_for_children") == own
        ours.close()
    finally:
        for fd in opened:
            os.close(fd)
        zygote.close()
