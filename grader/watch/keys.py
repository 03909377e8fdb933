"""Single key presses from the terminal, without Enter and without blocking.

In a terminal, `with Keys() as keys:` puts it in cbreak mode (keys arrive one at a time
and are not echoed; Ctrl-C still interrupts) and restores it on the way out, whatever
ends the block. keys.read() returns the keys pressed since the last call. Where standard
input is not a terminal (a pipe, a file), its characters are read the same way until it ends.
"""
from __future__ import annotations

import os
import re
import sys

try:                          # POSIX terminals
    import select
    import termios
    import tty
except ImportError:           # Windows
    termios = None  # type: ignore[assignment]  # each use checks for None
try:
    import msvcrt
except ImportError:
    msvcrt = None  # type: ignore[assignment]  # each use checks for None


# What arrow, function and other special keys send: dropped, so that their letters are
# not taken for keys.
ESCAPES = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|O.|.)?", re.DOTALL)


class Keys:
    def __init__(self, stream=None):
        self.stream = stream or sys.stdin
        self._saved = None
        self._ended = False
        try:
            self.fd = self.stream.fileno()
        except (AttributeError, OSError, ValueError):
            self.fd, self._ended = None, True

    def __enter__(self) -> "Keys":
        if termios is not None and self.fd is not None and os.isatty(self.fd):
            self._saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)
        return self

    def __exit__(self, *exc) -> None:
        if self._saved is not None:
            try:
                termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            except termios.error:        # the terminal is gone (closed window)
                pass
            self._saved = None

    def read(self) -> str:
        """The keys pressed since the last call ('' when none)."""
        if self._ended:
            return ""
        if termios is None:
            return self._read_windows()
        if not select.select([self.fd], [], [], 0)[0]:
            return ""
        chunk = os.read(self.fd, 64)
        if not chunk:                     # end of input: no more keys, the watch goes on
            self._ended = True
            return ""
        return ESCAPES.sub("", chunk.decode("utf-8", "replace"))

    def _read_windows(self) -> str:
        if sys.platform != "win32" or msvcrt is None or not os.isatty(self.fd):
            return ""
        keys = ""
        while msvcrt.kbhit():
            key = msvcrt.getwch()
            if key in ("\x00", "\xe0"):   # a special key: its code follows
                msvcrt.getwch()
                continue
            keys += key
        return keys
