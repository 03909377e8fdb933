"""The box a worker runs student code in, as data: which protections were applied, and
the table `python -m grader sandbox` prints. `sandbox.enter` builds a `Box` as it applies
each layer; grader.gateway.confinement asks what this machine applies.
"""
from __future__ import annotations

import json
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

