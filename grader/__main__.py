import os
import sys

from .cli import main

status = main()
if (not sys.argv[1:] or sys.argv[1].startswith("-")) and "--in-process" not in sys.argv:
    # Grading (the default command) leaves nothing for the interpreter's teardown: its
    # worker and scratch are closed, its files written, and its zygote ends with this process
    # (PR_SET_PDEATHSIG, or the socket the exit closes), as it did after the teardown. That
    # teardown of torch, scikit-learn and scipy takes a second or more: skipped. (With
    # --in-process, threads the student's code started are still waited for.)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)
sys.exit(status)
