"""The exit statuses of every command of the grader, in one place (no torch at import)."""
from __future__ import annotations

PASSED = 0       # graded, and every check passed; or the command did what it was asked
FAILED = 1       # a check failed, or the command found a problem
USAGE = 2        # wrong arguments, or nothing could be graded as asked (argparse's own status)
STOPPED = 130    # stopped by Ctrl-C (128 + SIGINT, as a shell reports it)
