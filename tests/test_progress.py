"""The watch's lasting progress file: best scores and first completions, kept safely."""
from __future__ import annotations

import json
from datetime import datetime

from grader.authoring.release import GITIGNORE
from grader.course import ROOT
from grader.watch.progress import FILE_NAME, Progress, default_path

MONDAY, TUESDAY = datetime(2026, 11, 23, 10, 0, 0), datetime(2026, 11, 24, 9, 0, 0)


def test_best_score_and_first_completion_survive_a_restart(tmp_path):
    path = tmp_path / FILE_NAME
    progress = Progress.load(path)
    assert progress.note("ex02", 20) == ""                        # nothing yet
    assert progress.record("ex02", 0, 20) is False                # a zero is not worth a record
    assert progress.record("ex02", 12, 20, MONDAY) is True
    assert progress.record("ex02", 20, 20, MONDAY) is True
    assert progress.save()
    again = Progress.load(path)
    assert again.note("ex02", 20) == "best 20/20, done 2026-11-23"
    assert again.note("ex01", 22) == ""


def test_a_worse_score_or_a_later_completion_changes_nothing(tmp_path):
    progress = Progress(tmp_path / FILE_NAME)
    progress.record("ex03", 26, 26, MONDAY)
    assert progress.record("ex03", 5, 26, TUESDAY) is False
    assert progress.record("ex03", 26, 26, TUESDAY) is False      # completed first on Monday
    assert progress.note("ex03", 26) == "best 26/26, done 2026-11-23"
    progress.record("ex04", 10, 32)
    assert progress.note("ex04", 32) == "best 10/32"
    assert progress.note("ex04", 8) == "best 8/8"                 # never more than is available now


def test_the_file_is_small_json_written_whole(tmp_path):
    path = tmp_path / FILE_NAME
    progress = Progress(path)
    progress.record("ex01", 22, 22, MONDAY)
    progress.save()
    assert json.loads(path.read_text()) == {
        "format": 1, "exercises": {"ex01": {"best": 22, "completed": "2026-11-23T10:00:00"}}}
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]    # no temporary file left


def test_a_broken_file_starts_afresh_and_an_unwritable_one_costs_only_the_record(tmp_path):
    path = tmp_path / FILE_NAME
    for text in ("{not json", "[]", '{"format": 1, "exercises": []}', '{"format": 99, "exercises": {}}',
                 '{"format": 1, "exercises": {"ex01": {"best": "lots", "completed": 3}, "ex02": 7}}'):
        path.write_text(text)
        progress = Progress.load(path)
        assert progress.note("ex01", 22) == "" and progress.note("ex02", 20) == ""
    blocked = Progress(tmp_path / "a-file" / FILE_NAME)
    (tmp_path / "a-file").write_text("")                          # its folder is a file
    blocked.record("ex01", 22, 22)
    assert blocked.save() is False and "could not save the progress file" in blocked.save_error


def test_it_lives_beside_the_exercises_and_git_ignores_it():
    assert default_path(ROOT / "exercises") == ROOT / FILE_NAME
    for gitignore in ((ROOT / ".gitignore").read_text(), GITIGNORE):     # here and in the template
        assert f"/{FILE_NAME}" in gitignore.splitlines()
