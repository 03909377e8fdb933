"""Grader for ex04_train.py. Each test is one check worth points; a failing test says what was
called, what came back, what was expected, and the likely mistake.

    pytest exercises/test_ex04_train.py

The checks themselves are in grader/checks/ex04_train.py.
"""
from grader.platforms.pytest_plugin import checks_as_tests

globals().update(checks_as_tests("ex04"))
