"""Probes: trusted code that runs beside the student's code, calls it, and reports back
plain data (see grader.probes.plain). Checks never touch student objects; they ask the gateway
to run a probe and judge what it reports.

A probe is a function ``probe(student, **params) -> dict`` registered with @probe. The
params are plain data too, so any probe can later run in another process unchanged.
"""
