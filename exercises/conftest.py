# Turns the checks into tests, reports a failed check by its feedback alone, and prints
# the score table at the end of the run (grader/platforms/pytest_plugin.py).
pytest_plugins = ["grader.platforms.pytest_plugin"]
