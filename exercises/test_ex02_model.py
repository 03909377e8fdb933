"""Grader for ex02_model.py. Each test is one check worth points; a failing test says what was
called, what came back, what was expected, and the likely mistake.

    pytest exercises/test_ex02_model.py

The checks themselves are in grader/checks/ex02_model.py; the pytest plugin (exercises/conftest.py)
makes each check of this exercise one test here.
"""
EXERCISE = "ex02"
