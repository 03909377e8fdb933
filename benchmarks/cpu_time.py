"""CPU time of everything a command starts: a cpuacct cgroup (cgroup v1, as root).

The grader's zygote and the workers it forks are nobody's waited-for children, so
RUSAGE_CHILDREN leaves them out (about 40% of the tests' CPU time). A process in a cgroup,
and everything it forks, is counted there. Made inside the group this process is in, a
group is counted by that one too (ci_time.py's group holds the tests' own). Where no group
can be made (not root, another cgroup layout), `CpuGroup.make` gives None.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

CPUACCT = Path("/sys/fs/cgroup/cpuacct")


def current_group() -> Path:
    """This process's cpuacct cgroup."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if "cpuacct" in controllers.split(","):
            return CPUACCT / path.lstrip("/")
    return CPUACCT


class CpuGroup:
    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def make(cls, name: str) -> CpuGroup | None:
        try:
            path = current_group() / f"{name}-{os.getpid()}"
            path.mkdir()
        except OSError:
            return None
        return cls(path)

    def join(self, pid: int | None = None) -> None:
        """Move a process (this one by default) into the group."""
        (self.path / "cgroup.procs").write_text(str(pid or os.getpid()))

    def prefix(self) -> list[str]:
        """Put before a command: it joins the group before it starts."""
        return ["sh", "-c", f'echo $$ > {self.path}/cgroup.procs && exec "$@"', "sh"]

    def seconds(self) -> float:
        return int((self.path / "cpuacct.usage").read_text()) / 1e9

    def close(self, wait: float = 5.0) -> float:
        """The CPU seconds counted, once the processes in the group have ended (a grader's
        zygote and workers end moments after it) or `wait` seconds have passed; then what is
        still in it (this process, say) moves to the parent group, and the group goes."""
        deadline = time.monotonic() + wait
        while self._pids() - {str(os.getpid())} and time.monotonic() < deadline:
            time.sleep(0.05)
        seconds = self.seconds()
        for pid in self._pids():
            try:
                (self.path.parent / "cgroup.procs").write_text(pid)
            except OSError:
                pass                    # it has just ended
        try:
            self.path.rmdir()
        except OSError:
            print(f"(left {self.path}: processes still in it)")
        return seconds

    def _pids(self) -> set[str]:
        return set((self.path / "cgroup.procs").read_text().split())
