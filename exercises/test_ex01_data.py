"""Grader for ex01_data.py. Each test is one check worth points; a failing test says what was
called, what came back, what was expected, and the likely mistake.

    pytest exercises/test_ex01_data.py

The checks themselves are in grader/checks/ex01_data.py.
"""
from grader.platforms.pytest_plugin import checks_as_tests

globals().update(checks_as_tests("ex01"))
