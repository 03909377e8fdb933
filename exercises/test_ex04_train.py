"""Grader for ex04_train.py. Each test is one check worth points; a failing test says what was
called, what came back, what was expected, and the likely mistake.

    pytest exercises/test_ex04_train.py

The checks themselves are in grader/checks/ex04_train.py; the pytest plugin (exercises/conftest.py)
makes each check of this exercise one test here.
"""
EXERCISE = "ex04"
