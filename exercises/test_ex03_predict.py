"""Grader for ex03_predict.py. Each test is one check worth points; a failing test says what was
called, what came back, what was expected, and the likely mistake.

    pytest exercises/test_ex03_predict.py

The checks themselves are in grader/checks/ex03_predict.py.
"""
from grader.platforms.pytest_plugin import checks_as_tests

globals().update(checks_as_tests("ex03"))
