# Turns the checks into tests, reports a failed check by its feedback alone, and prints
# the score table at the end of the run.
from grader.platforms.pytest_plugin import *  # noqa: F401,F403
