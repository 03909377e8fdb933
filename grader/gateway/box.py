"""The box a worker runs student code in, as data: which protections were applied.

`sandbox.enter` builds a `Box` as it applies each layer. `probe()` enters a box in a
throw-away process to learn what this machine really applies (`python -m grader sandbox`
prints it, batch refuses to run without reads and network confined); `expected()` guesses
the same without forking, cheaply enough for the student's own tools to warn once.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import asdict, dataclass, field

# The layers, in the order they are applied, with what each stops.
USER_NS, PID_NS, NET_NS, IPC_NS, MOUNT_NS = ("user namespace", "pid namespace", "network namespace",
                                             "ipc namespace", "mount namespace")
READS, WRITES, TCP, SCOPE = "Landlock reads", "Landlock writes", "Landlock TCP", "Landlock scopes"
SOCKETS, PROCESSES, ENVIRONMENT = "seccomp sockets", "process limit", "environment"
STOPS = {
    USER_NS: "allows the others without root; as root the worker takes a uid of its own instead",
    PID_NS: "seeing or signalling other processes; anything left running after grading",
    NET_NS: "any network: TCP, UDP, DNS, abstract unix sockets",
    IPC_NS: "other processes' shared memory, semaphores and message queues",
    MOUNT_NS: "a private /tmp, and every mount read-only but scratch: chmod, utime outside it",
    READS: "reading anything but the Python installation, the exercise files and scratch",
    WRITES: "writing anywhere but scratch",
    TCP: "TCP bind and connect",
    SCOPE: "abstract unix sockets and signals outside the box",
    SOCKETS: "any new socket (path unix sockets: ssh-agent, tmux), io_uring, open_by_handle_at",
    PROCESSES: "fork bombs and process swarms",
    ENVIRONMENT: "tokens in the environment: a short allowlist, HOME and TMPDIR in scratch",
}
ADVICE = {
    READS: "a Linux kernel 5.13 or later with Landlock enabled (it is on Ubuntu 22.04+, "
           "Debian 12+, Fedora 35+; else add lsm=landlock to the kernel command line)",
    NET_NS: "unprivileged user namespaces (Ubuntu 24.04: `sudo sysctl "
            "kernel.apparmor_restrict_unprivileged_userns=0`), or run the grader as root in a "
            "container",
}


@dataclass
class Layer:
    name: str
    applied: bool
    detail: str = ""             # how it was applied, or why not

    @property
    def stops(self) -> str:
        return STOPS[self.name]


@dataclass
class Box:
    layers: list[Layer] = field(default_factory=list)
    submission: str | None = None       # the exercise files' copy in scratch, if made

    def add(self, name: str, applied: bool, detail: str = "") -> None:
        self.layers.append(Layer(name, applied, detail))

    def applied(self, name: str) -> bool:
        return any(layer.applied for layer in self.layers if layer.name == name)

    @property
    def missing(self) -> list[str]:
        """What batch needs and lacks: reads confined, and the network (a network
        namespace, or no sockets at all)."""
        needs = []
        if not self.applied(READS):
            needs.append(READS)
        if not (self.applied(NET_NS) or self.applied(SOCKETS)):
            needs.append(NET_NS)
        return needs

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Box:
        data = json.loads(text)
        return cls([Layer(**layer) for layer in data["layers"]], data.get("submission"))


def unconfined_box(reason: str) -> Box:
    return Box([Layer(name, False, reason) for name in STOPS])


def probe() -> Box:
    """Enter a box in a throw-away child process and report what it applied."""
    from . import sandbox
    if not sandbox.available():
        return unconfined_box(f"no worker sandbox on {sys.platform}")
    read_end, write_end = os.pipe()
    with tempfile.TemporaryDirectory(prefix="grader-probe-") as scratch:
        pid = os.fork()
        if pid == 0:
            try:
                output = os.open(os.devnull, os.O_WRONLY)
                box = sandbox.enter(scratch, output, None, keep=(write_end,))
                os.write(write_end, box.to_json().encode())
            finally:
                os._exit(0)
        os.close(write_end)
        chunks = []
        while chunk := os.read(read_end, 65536):
            chunks.append(chunk)
        os.close(read_end)
        os.waitpid(pid, 0)
    try:
        return Box.from_json(b"".join(chunks).decode())
    except (ValueError, KeyError, TypeError):
        return unconfined_box("the probe process failed")


def expected() -> list[str]:
    """What `probe().missing` would say, guessed without forking (for a warning)."""
    from . import landlock, seccomp
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return [READS, NET_NS]
    missing = [] if landlock.abi() >= 1 else [READS]
    if not (_user_namespaces() or seccomp.supported()):
        missing.append(NET_NS)
    return missing


def _user_namespaces() -> bool:
    if os.geteuid() == 0:
        return True
    for path, blocked in (("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1"),
                          ("/proc/sys/kernel/unprivileged_userns_clone", "0"),
                          ("/proc/sys/user/max_user_namespaces", "0")):
        try:
            with open(path) as f:
                if f.read().strip() == blocked:
                    return False
        except OSError:
            pass
    return True


def table(box: Box) -> str:
    """One line per layer: name, applied or missing (and why), what it stops."""
    rows = [("layer", "here", "what it stops")]
    for layer in box.layers:
        state = ("applied" if layer.applied else "MISSING") + (f" ({layer.detail})" if layer.detail else "")
        rows.append((layer.name, state, layer.stops))
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    return "\n".join(f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}" for a, b, c in rows)


def missing_text(missing: list[str]) -> str:
    lines = [f"- {name} ({STOPS[name]}): needs {ADVICE[name]}" for name in missing]
    return "\n".join(lines)


class Unconfined(Exception):
    """Batch would run strangers' code without reads or the network confined."""


UNCONFINED_STOP = ("python -m grader batch runs every student's code on this machine, and here "
                   "it cannot confine what that code reads or where it connects:\n{missing}\n"
                   "`python -m grader sandbox` shows every protection. To grade anyway, "
                   "without them, run again with --unconfined.")
UNCONFINED_GOING_ON = ("WARNING: --unconfined: student code runs without these protections:\n{missing}")
UNCONFINED_WARNING = ("Note: on this machine the grader cannot confine what student code reads or "
                      "connects to ({names}); fine for your own code. `python -m grader sandbox` "
                      "says more.")
_warned = False


def require_for_batch(unconfined: bool) -> None:
    """Raise Unconfined when this machine's box lacks what batch needs, unless
    `unconfined`, which is then said once on stderr."""
    global _warned
    missing = probe().missing
    if not missing:
        return
    if not unconfined:
        raise Unconfined(UNCONFINED_STOP.format(missing=missing_text(missing)))
    print(UNCONFINED_GOING_ON.format(missing=missing_text(missing)), file=sys.stderr)
    _warned = True


def warn_once() -> None:
    """For the student's own tools: one line on stderr, once per process, where the box
    would lack reads or network confinement; grading goes on."""
    global _warned
    if _warned:
        return
    _warned = True
    missing = expected()
    if missing:
        print(UNCONFINED_WARNING.format(names=", ".join(missing)), file=sys.stderr)
