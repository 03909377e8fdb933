"""The grading engine: checks with points, the gateway into student code, scoring,
reports and the command line (python -m grader)."""
