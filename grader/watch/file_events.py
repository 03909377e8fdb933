"""Which exercise files were saved, as soon as they are: watchfiles (inotify on Linux), or
polling where file events do not arrive.

Polling is chosen up front with --poll, for a network or shared folder (NFS, SMB, sshfs, a
virtual machine's or container's shared folder), and for a Windows folder under WSL
(/mnt/c/...): their changes made from elsewhere send no events. Where events are used, the
watch also compares the files it graded with the files on disk (unnoticed()), a backup that
finds a save whose event came late or never (a busy machine); events stay on, as the next
save's event may well arrive.

A save is graded once it has settled (wait_until_settled()): an editor that truncates a file
and writes it again a moment later would otherwise have its empty file graded.
"""
from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import watchfiles

STEP_MS = 30          # a change is reported once no other arrived for this long...
DEBOUNCE_MS = 300     # ...or after this long at most (an editor's save is several writes)
WAIT_MS = 100         # wait() returns after this long without changes (to read keys)
POLL_MS = 150         # how often polling looks at the files
UNNOTICED_S = 1.0     # a file saved this long ago without an event: graded all the same
SETTLE_S = 0.15       # a save is graded once its file kept its size and time this long...
SETTLE_EMPTY_S = 2.0  # ...or, empty or missing (mid-save), this long (an editor may take 1 s)
SETTLE_STEP_S = 0.02
# File systems whose changes made elsewhere (another machine, the host of a VM) send no events.
REMOTE_FILE_SYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "v9fs", "drvfs", "afs",
                       "fuse.sshfs", "sshfs", "vboxsf", "prl_fs", "vmhgfs", "fuse.vmhgfs-fuse",
                       "virtiofs", "fuse.grpcfuse", "fakeowner", "fuse.rclone"}


def _file_system(path: Path, mountinfo: str) -> str | None:
    """The type of the file system holding path, from /proc/self/mountinfo's text."""
    best, fs_type = -1, None
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        fields, rest = left.split(), right.split()
        if len(fields) < 5 or not rest:
            continue
        mount = fields[4].replace("\\040", " ")
        inside = str(path) == mount or str(path).startswith(mount.rstrip("/") + "/")
        if inside and len(mount) > best:
            best, fs_type = len(mount), rest[0]
    return fs_type


def polling_reason(target: Path, requested: bool, mountinfo: str | None = None,
                   kernel_release: str | None = None) -> str | None:
    """Why this folder must be polled, in words; None where file events serve."""
    if requested:
        return "--poll"
    path = Path(target).resolve()
    release = platform.uname().release if kernel_release is None else kernel_release
    if "microsoft" in release.lower() and str(path).startswith("/mnt/"):
        return "a Windows folder under WSL"
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text()
        except OSError:
            return None
    fs_type = _file_system(path, mountinfo)
    if fs_type in REMOTE_FILE_SYSTEMS:
        return f"a {fs_type} folder"
    return None


def fingerprint(path: Path):
    """What changes when a file is saved (None for a missing file)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def wait_until_settled(paths: list[Path]) -> None:
    """Return once every file has kept its size and modification time for SETTLE_S (an
    empty or missing one for SETTLE_EMPTY_S), or after SETTLE_EMPTY_S + SETTLE_S at most.
    Quiet time counts from the file's modification time, so a save that settled while its
    event was on its way is graded at once."""
    started = time.monotonic()
    seen = {path: (fingerprint(path), started) for path in paths}
    while time.monotonic() - started < SETTLE_EMPTY_S + SETTLE_S:
        now, waiting = time.monotonic(), False
        for path in paths:
            current = fingerprint(path)
            if current != seen[path][0]:
                seen[path] = (current, now)
            quiet = now - seen[path][1]
            if current is not None:
                quiet = max(quiet, time.time() - current[0] / 1e9)
            needed = SETTLE_EMPTY_S if current is None or current[1] == 0 else SETTLE_S
            waiting = waiting or quiet < needed
        if not waiting:
            return
        time.sleep(SETTLE_STEP_S)


class FileEvents:
    """The exercise files in one folder that changed: wait() gives their exercise ids."""

    def __init__(self, target: Path, files: dict[str, str], poll_reason: str | None = None):
        self.target = Path(target).resolve()
        self.files = dict(files)                      # file name -> exercise id
        self.poll_reason = poll_reason
        self._pending: set[str] = set()
        self._changes = self._start()

    @property
    def mode(self) -> str:
        return f"polling: {self.poll_reason}" if self.poll_reason else "file events"

    def _start(self):
        folder = str(self.target)
        changes = watchfiles.watch(
            folder, watch_filter=lambda change, path: os.path.dirname(path) == folder
            and os.path.basename(path) in self.files,
            debounce=DEBOUNCE_MS, step=STEP_MS, rust_timeout=WAIT_MS, yield_on_timeout=True,
            force_polling=self.poll_reason is not None, poll_delay_ms=POLL_MS, recursive=False)
        # The generator starts watching at its first step, not when it is made: take that
        # step now, so that a save from here on is seen.
        self._pending |= self._ids(next(changes))
        return changes

    def _ids(self, changes) -> set[str]:
        return {self.files[os.path.basename(path)] for _, path in changes}

    def wait(self) -> set[str]:
        """The exercises whose files changed, within about WAIT_MS (empty when none did)."""
        found, self._pending = self._pending | self._ids(next(self._changes)), set()
        return found

    def unnoticed(self, graded: dict[str, object], now: float) -> set[str]:
        """Exercises whose file differs from the one last graded (graded: exercise id ->
        fingerprint) and was saved more than UNNOTICED_S ago: no event reported them."""
        found = set()
        for name, ex_id in self.files.items():
            current = fingerprint(self.target / name)
            # A missing file proves nothing: editors that save by renaming leave a moment
            # without one.
            if current is not None and ex_id in graded and current != graded[ex_id] \
                    and now - current[0] / 1e9 > UNNOTICED_S:
                found.add(ex_id)
        return found

    def close(self) -> None:
        self._changes.close()
