"""Grader for ex03_predict.py. Each test is one check worth points; a failing test says what was
called, what came back, what was expected, and the likely mistake.

    pytest exercises/test_ex03_predict.py

The checks themselves are in grader/checks/ex03_predict.py; the pytest plugin (exercises/conftest.py)
makes each check of this exercise one test here.
"""
EXERCISE = "ex03"
