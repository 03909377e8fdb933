"""Grader for ex02_model.py. Each test is one check worth points; a failing test says what was
called, what came back, what was expected, and the likely mistake.

    pytest exercises/test_ex02_model.py

The checks themselves are in grader/checks/ex02_model.py.
"""
from grader.platforms.pytest_plugin import checks_as_tests

globals().update(checks_as_tests("ex02"))
