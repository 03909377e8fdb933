"""What a hostile student puts in their folder, their repository or their code's output
reaches the instructor's terminal, CSV, feedback files and overview safely, and the grader
survives it: escape sequences and control characters are stripped, Markdown fences hold,
spreadsheet formulas stay text, links are refused, a repository's own git configuration
runs nothing, deep or crowded folders are walked without recursion, odd folder names give
safe file names, and an output path that is a device or a FIFO stays what it is.

Every attack is real and aimed at fixtures the test makes (tests run as root)."""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from grader.checks.registry import all_checks
from grader.cli import main
from grader.course import ROOT, total_points
from grader.files import find_exercise_files, misplaced_files, write_atomically
from grader.instructor import deadline
from grader.platforms.classroom50.release_body import open_fence, release_body
from grader.platforms.gradescope.results_json import to_gradescope_json
from grader.platforms.report import to_html, to_json, to_markdown, to_text
from grader.checks.feedback import Feedback
from grader.runner import Report, Result
from grader.untrusted import clean, csv_cell, fence, file_stem

SOLUTIONS, STUBS = ROOT / "solutions", ROOT / "exercises"
SECRET = "TOP-SECRET-TOKEN-0451"
# Control bytes no output may carry: ESC, BEL, backspace, a lone CR, 8-bit CSI and OSC.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
HOSTILE = ("\x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b[1;31mred\x1b[0m"
           "\rFULL MARKS\b\b\x9b31m\x9d8;;http://x\x07 ``` ````` \u202eevil")
# ex01 that prints and raises hostile text (its checks fail with it as feedback).
LOUD_EX01 = f'''
def make_dataset(*args, **kwargs):
    print({HOSTILE!r})
    raise ValueError({HOSTILE!r} + "\\n```\\nclosed?")


def split_dataset(*args, **kwargs):
    print("\\x1b[2K\\rnothing to see")
    return None
'''


def assert_safe(text: str, where: str = "") -> None:
    found = FORBIDDEN.findall(text.replace("\n", "").replace("\t", ""))
    assert not found, f"{where}: control characters {found[:5]!r} left in {text[:300]!r}"
    assert "\u202e" not in text, where
    assert SECRET not in text, where


# -- the rules ---------------------------------------------------------------------------
def test_clean_strips_escapes_and_controls_but_keeps_lines_and_tabs():
    assert clean("a\x1b[31mred\x1b[0m\tb\nc") == "ared\tb\nc"
    assert clean("x\x1b]0;title\x07y\x1b]8;;http://e\x1b\\link\x1b]8;;\x1b\\z") == "xylinkz"
    assert clean("0/26\rscore 26/26") == "0/26\nscore 26/26"        # nothing hides what came before
    assert clean("ab\b\bcd\x07") == "abcd"
    assert clean("\x9b2J\x9d0;t\x07ok\u202e") == "ok"
    assert_safe(clean(HOSTILE))


def test_a_fence_is_longer_than_any_backtick_run_inside():
    assert fence("no ticks") == "```"
    assert fence("a ``` b ````` c") == "``````"


def test_csv_cells_that_start_a_formula_stay_text():
    assert [csv_cell(v) for v in ("=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\t=1", "alice", 7)] \
        == ["'=HYPERLINK(\"x\")", "'+1", "'-2+3", "'@SUM(A1)", "'=1", "alice", 7]


def test_file_stems_are_safe_and_distinct():
    odd = ["-rf", "a\nb", "a_b", "..", "x" * 300, "\x1b]0;t\x07", "é"]
    stems = [file_stem(n) for n in odd]
    assert len(set(stems)) == len(stems)
    assert all(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", s) and len(s) < 100 for s in stems), stems
    assert file_stem("alice") == "alice" and file_stem("bob.smith-2") == "bob.smith-2"


# -- every renderer, on feedback as a record on disk could hold it -------------------------
def hostile_report() -> Report:
    checks = all_checks("ex01")
    return Report(f"mallory{HOSTILE}", [Result(checks[0], False, Feedback(f"got {HOSTILE}\n```\ninjected")),
                                        *(Result(c, True) for c in checks[1:])],
                  [f"exercises/ is a link{HOSTILE}"])


def test_every_format_strips_control_characters_and_keeps_its_fences():
    report = hostile_report()
    for name, text in [("text", to_text(report)), ("markdown", to_markdown(report)),
                       ("html", to_html(report)), ("json", to_json(report)),
                       ("gradescope", to_gradescope_json(report, 1.0)),
                       ("classroom50", release_body(report, 2026))]:
        assert_safe(text, name)
        assert "\\u001b" not in text and "\\u0007" not in text, name      # not even escaped in JSON
        assert "FULL MARKS" in text, name                                  # the text itself is kept
    for markdown in (to_markdown(report), release_body(report, 2026)):
        assert open_fence(markdown) is None
        opening = next(line for line in markdown.splitlines() if line.strip().endswith("`text"))
        assert opening.strip() == "``````text"        # longer than the ````` the student wrote
    assert all(c["feedback"] == clean(c["feedback"]) for c in json.loads(to_json(report))["checks"])


def test_a_release_body_cut_anywhere_closes_the_block_it_cut():
    report = hostile_report()
    whole = release_body(report, 2026)
    for limit in range(400, len(whole), 5):
        body = release_body(report, 2026, limit=limit)
        assert "cut here" in body and open_fence(body) is None, body


def test_the_classroom50_grading_writes_safe_outputs_over_links_and_fifos(tmp_path, capsys):
    """Classroom 50's grading half on a checkout whose ex01 prints and raises escapes, with
    result.json committed as a link to a file of the instructor's and release-body.md
    left as a FIFO: both are replaced, nothing is followed, nothing hangs."""
    from grader.platforms.classroom50.grade import BODY, RESULT, grade_checkout

    bundle, checkout = tmp_path / "bundle", tmp_path / "checkout"
    bundle.mkdir()
    (bundle / "seed").write_text("2026\n")
    copy_exercises(checkout / "exercises", STUBS)
    (checkout / "exercises" / "ex01_data.py").write_text(LOUD_EX01)
    (tmp_path / "instructor.txt").write_text(SECRET)
    (checkout / RESULT).symlink_to(tmp_path / "instructor.txt")
    os.mkfifo(checkout / BODY)
    env = {"CLASSROOM": "c", "ASSIGNMENT": "a", "SUBMISSION_TAG": "submit/1", "COMMIT_URL": "u",
           "RELEASE_URL": "r"}
    report = grade_checkout(bundle, checkout, env)
    assert report.score == 0
    assert (tmp_path / "instructor.txt").read_text() == SECRET
    for name in (RESULT, BODY):
        assert stat.S_ISREG(os.lstat(checkout / name).st_mode), name
        assert_safe((checkout / name).read_text(), name)
    body = (checkout / BODY).read_text()
    assert "FULL MARKS" in body and open_fence(body) is None
    assert all(t["feedback"] == clean(t["feedback"]) for t in json.loads((checkout / RESULT).read_text())["tests"])
    assert_safe(capsys.readouterr().out, "the Actions log")


# -- output files that stay what they are -----------------------------------------------
def test_a_device_node_is_written_in_place_and_stays_a_device(tmp_path):
    if os.geteuid() != 0:
        pytest.fail("making a device node needs root (the tests run as root, in CI too)")
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    write_atomically(null, "the report\n")
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]           # no temporary file left
    # The command, through cli.main in this process: what it does with --output is the same.
    assert main(["--target", str(STUBS), "--only", "ex01", "--output", str(null)]) in (0, 1)
    assert stat.S_ISCHR(os.lstat(null).st_mode) and os.major(os.lstat(null).st_rdev) == 1


def test_a_fifo_is_written_in_place_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)     # a reader is there: no blocking
    try:
        write_atomically(fifo, "through the pipe\n")
        assert os.read(reader, 1000) == b"through the pipe\n"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    write_atomically(tmp_path / "plain.txt", "a")
    write_atomically(tmp_path / "plain.txt", "b")                # a regular file: replaced
    assert (tmp_path / "plain.txt").read_text() == "b"
    with pytest.raises(IsADirectoryError):
        write_atomically(tmp_path, "x")


# -- links -------------------------------------------------------------------------------
def copy_exercises(folder: Path, source: Path = SOLUTIONS) -> None:
    folder.mkdir(parents=True)
    for path in source.glob("ex0*.py"):
        shutil.copy(path, folder / path.name)


def test_linked_folders_and_files_are_refused_with_a_message(tmp_path):
    copy_exercises(tmp_path / "alice" / "exercises")
    (tmp_path / "secret.txt").write_text(SECRET)
    mallory = tmp_path / "mallory"
    mallory.mkdir()
    (mallory / "exercises").symlink_to("../alice/exercises")
    (mallory / "ex01_data.py").symlink_to(tmp_path / "secret.txt")
    (mallory / "ex02_model.py").symlink_to("../alice/exercises/ex02_model.py")
    found = find_exercise_files(mallory)
    assert found.files == {}
    assert "exercises/ is a link, not a folder: refused (links are not followed)" in found.refused
    assert "ex01_data.py is a link, not a file: refused (links are not followed)" in found.refused
    assert "ex02_model.py is a link, not a file: refused (links are not followed)" in found.refused
    assert misplaced_files(mallory, {}) == []


def test_the_submission_path_grades_no_link_and_says_so(tmp_path):
    """--submission, as Gradescope's run_autograder calls it (through cli.main, in this
    process; test_gradescope runs run_autograder itself)."""
    copy_exercises(tmp_path / "alice" / "exercises")
    mallory = tmp_path / "mallory"
    mallory.mkdir()
    (mallory / "exercises").symlink_to("../alice/exercises")
    assert main(["--submission", str(mallory), "--only", "ex01", "--format", "gradescope",
                 "--output", str(tmp_path / "results.json")]) == 1
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["score"] == 0
    assert "exercises/ is a link, not a folder: refused (links are not followed)" in results["output"]


# -- folder walks ---------------------------------------------------------------------------
def nest(folder: Path, depth: int) -> Path:
    """A folder nested `depth` deep below `folder`; the innermost."""
    folder.mkdir(parents=True, exist_ok=True)
    for _ in range(depth):
        folder = folder / "d"
        folder.mkdir()
    return folder


def remove_nested(folder: Path, depth: int) -> None:
    """rmtree recurses (as pytest's clean-up would): take it apart from the bottom."""
    paths = [folder]
    for _ in range(depth):
        paths.append(paths[-1] / "d")
    for path in reversed(paths):
        for child in path.iterdir():
            if not child.is_dir():
                child.unlink()
        path.rmdir()


def test_a_folder_nested_1200_deep_is_walked_without_recursion(tmp_path):
    sub = tmp_path / "deep"
    (nest(sub / "src", 2) / "ex01_data.py").write_text("x = 1\n")
    (nest(sub / "z", 1200) / "ex02_model.py").write_text("x = 1\n")
    try:
        assert misplaced_files(sub, {}) == ["src/d/d/ex01_data.py"]          # too deep: not looked at
    finally:
        remove_nested(sub / "z", 1200)


def test_a_folder_with_100000_files_is_walked_within_bounds(tmp_path):
    crowded = tmp_path / "crowded"
    crowded.mkdir()
    for i in range(100_000):
        os.close(os.open(crowded / f"f{i}", os.O_CREAT | os.O_WRONLY, 0o644))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "ex03_predict.py").write_text("x = 1\n")
    assert misplaced_files(tmp_path, {}) in ([], ["src/ex03_predict.py"])    # stopped, not stuck
    assert find_exercise_files(tmp_path).files == {}


# -- git runs nothing of the student's ---------------------------------------------------
def git(repo: Path, *args: str, **env: str) -> str:
    base = {"PATH": os.environ["PATH"], "HOME": str(repo.parent), "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "s", "GIT_AUTHOR_EMAIL": "s@x",
            "GIT_COMMITTER_NAME": "s", "GIT_COMMITTER_EMAIL": "s@x", **env}
    return subprocess.run(["git", "-C", str(repo), *args], env=base, check=True, capture_output=True,
                          text=True).stdout.strip()


def hostile_repository(root: Path, marker: Path, name: str = "eve") -> tuple[Path, str]:
    """A repository whose last commit carries a signature and whose .git/config, hooks and
    aliases run a script that writes `marker`; and that commit's id."""
    repo = root / name
    copy_exercises(repo / "exercises")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "solved", GIT_AUTHOR_DATE="2026-11-30T12:00:00+00:00",
        GIT_COMMITTER_DATE="2026-11-30T12:00:00+00:00")
    signed = (f"tree {git(repo, 'rev-parse', 'HEAD^{tree}')}\nparent {git(repo, 'rev-parse', 'HEAD')}\n"
              "author s <s@x> 1796040000 +0000\ncommitter s <s@x> 1796040000 +0000\n"
              "gpgsig -----BEGIN PGP SIGNATURE-----\n \n AAAA\n -----END PGP SIGNATURE-----\n\nsigned\n")
    (root / "commit.txt").write_text(signed)
    sha = git(repo, "hash-object", "-t", "commit", "-w", str(root / "commit.txt"))
    git(repo, "update-ref", "refs/heads/main", sha)
    script = root / "evil.sh"
    script.write_text(f"#!/bin/sh\necho \"$0 $*\" >> {marker}\nexit 1\n")
    script.chmod(0o755)
    for key, value in [("gpg.program", script), ("log.showSignature", "true"), ("core.fsmonitor", script),
                       ("core.pager", script), ("alias.log", f"!{script}"), ("diff.external", script),
                       ("core.sshCommand", script), ("uploadpack.packObjectsHook", script)]:
        git(repo, "config", key, str(value))
    hooks = repo / ".git" / "hooks"
    for hook in ("post-checkout", "reference-transaction", "post-index-change", "pre-auto-gc"):
        shutil.copy(script, hooks / hook)
    return repo, sha


def test_git_runs_no_command_from_the_students_repository(tmp_path):
    marker = tmp_path / "marker"
    repo, sha = hostile_repository(tmp_path, marker, 'eve: a\nb "c\\ é')   # a name git must quote
    git(repo, "log", "--format=%H", "HEAD")              # the attack is real: plain git runs it
    assert marker.exists()
    marker.unlink()
    snap = deadline.snapshot(repo, deadline.parse_deadline("2026-12-01T23:59+00:00"), tmp_path / "copy")
    assert not marker.exists(), marker.read_text()
    assert (snap.commit, snap.later, snap.problem) == (sha, 0, None)
    assert (tmp_path / "copy" / "exercises" / "ex01_data.py").read_bytes() == (SOLUTIONS / "ex01_data.py").read_bytes()


def test_a_repository_that_names_another_one_is_refused(tmp_path):
    marker = tmp_path / "marker"
    alice, _ = hostile_repository(tmp_path, marker)
    when = deadline.parse_deadline("2026-12-01T23:59+00:00")
    gitfile = tmp_path / "gitfile"
    gitfile.mkdir()
    (gitfile / ".git").write_text(f"gitdir: {alice / '.git'}\n")       # alice's history, alice's marks
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / ".git").symlink_to(alice / ".git")
    borrowed = tmp_path / "borrowed"
    shutil.copytree(alice / ".git", borrowed / ".git")
    shutil.rmtree(borrowed / ".git" / "objects")
    (borrowed / ".git" / "objects" / "info").mkdir(parents=True)
    (borrowed / ".git" / "objects" / "info" / "alternates").write_text(str(alice / ".git" / "objects") + "\n")
    for repo, why in [(gitfile, ".git is a link or a file"), (linked, ".git is a link or a file"),
                      (borrowed, "borrows objects from another repository")]:
        snap = deadline.snapshot(repo, when, tmp_path / f"copy-{repo.name}")
        assert snap.commit is None and why in (snap.problem or ""), snap
    assert not marker.exists()


def test_batch_at_a_deadline_runs_nothing_of_a_repository_and_refuses_links(tmp_path):
    marker = tmp_path / "marker"
    subs = tmp_path / "subs"
    subs.mkdir()
    eve, _ = hostile_repository(subs, marker)
    (subs / "gitfile").mkdir()
    (subs / "gitfile" / ".git").write_text("gitdir: ../eve/.git\n")          # eve's history
    mal = subs / "mal"
    mal.mkdir()
    git(mal, "init", "-q", "-b", "main")
    (mal / "exercises").symlink_to("../eve/exercises")
    git(mal, "add", "exercises")
    git(mal, "commit", "-qm", "linked", GIT_AUTHOR_DATE="2026-11-30T12:00:00+00:00",
        GIT_COMMITTER_DATE="2026-11-30T12:00:00+00:00")
    proc = subprocess.run([sys.executable, "-m", "grader", "batch", str(subs), "--csv", str(tmp_path / "g.csv"),
                           "--deadline", "2026-12-01T23:59+00:00", "--quiet", "--jobs", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not marker.exists(), marker.read_text()
    with open(tmp_path / "g.csv", newline="") as f:
        totals = {r["student"]: r["total"] for r in csv.DictReader(f)}
    # gitfile's .git names another repository: refused, so no commit is graded (an empty
    # grade, never a 0: docs/grading-a-class.md).
    assert totals == {"eve": str(total_points()), "gitfile": "", "mal": "0"}
    assert "gitfile: git could not read the repository (.git is a link or a file" in proc.stdout
    assert "mal: exercises is a link in the commit: refused (links are not followed)" in proc.stdout
    assert "exercises is a link in the commit: refused" in (tmp_path / "g-feedback" / "mal.md").read_text()


# -- a whole class, through the command line ----------------------------------------------
ODD = "-rf\n\x1b]0;pwn\x07 " + "b" * 200
FORMULA = '=HYPERLINK("evil.example","click me")'


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    subs = root / "submissions"
    (root / "secret.txt").write_text(SECRET + "\n")
    copy_exercises(subs / "alice" / "exercises")
    mallory = subs / "mallory"
    mallory.mkdir()
    (mallory / "exercises").symlink_to("../alice/exercises")
    (mallory / "ex02_model.py").symlink_to(root / "secret.txt")
    copy_exercises(subs / FORMULA / "exercises", STUBS)
    (subs / FORMULA / "exercises" / "ex01_data.py").write_text(LOUD_EX01)
    copy_exercises(subs / ODD / "exercises", STUBS)
    copy_exercises(subs / "deep" / "exercises", STUBS)
    nest(subs / "deep" / "node_modules_not", 1200)
    proc = subprocess.run([sys.executable, "-m", "grader", "batch", str(subs), "--csv", str(root / "g.csv"),
                           "--jobs", "1"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    yield root, proc
    remove_nested(subs / "deep" / "node_modules_not", 1200)


def test_a_hostile_class_is_graded_with_a_row_and_a_safe_feedback_file_each(hostile_class):
    root, proc = hostile_class
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(root / "g.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 5
    by_name = {r["student"]: r for r in rows}
    assert by_name["alice"]["total"] == str(total_points())
    assert by_name["mallory"]["total"] == "0"                       # no marks through a link
    assert by_name["'" + FORMULA]["total"] == "0"                   # a formula, shown as text
    assert by_name["deep"]["total"] == "0"
    assert "'-rf " + "b" * 200 in by_name                     # one line, no escapes, quoted
    for row in rows:
        assert not any(str(v).startswith(("=", "+", "-", "@")) for v in row.values()), row
    feedback = sorted(p.name for p in (root / "g-feedback").glob("*.md"))
    assert len(feedback) == 5
    assert all(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\.md", n) and len(n) < 100 for n in feedback), feedback


def test_a_hostile_class_leaves_no_control_character_and_no_secret_in_any_output(hostile_class):
    root, proc = hostile_class
    assert_safe(proc.stdout, "stdout")
    assert_safe(proc.stderr, "stderr")
    for path in [root / "g.csv", root / "g-overview.md", *(root / "g-feedback").glob("*.md")]:
        text = path.read_text()
        assert_safe(text, path.name)
        assert "\\u001b" not in text and "\\u0007" not in text, path.name
    # A record keeps the folder's name exactly (it is the student's identity, escaped as
    # JSON escapes it); every message in it is clean.
    texts = []
    for path in (root / "g-feedback" / ".records").glob("*.json"):
        assert_safe(path.read_text(), path.name)
        record = json.loads(path.read_text())
        texts += [t for c in record["checks"] for part in (c["feedback"], c["cause"]) if part
                  for t in part.values() if isinstance(t, str)]
        assert all(line == clean(line) for line in record["notes"] + record["refused"])
    assert texts and all(t == clean(t) for t in texts)
    loud = next(p for p in (root / "g-feedback").glob("_HYPERLINK*.md")).read_text()
    assert "FULL MARKS" in loud and open_fence(loud) is None and "``````text" in loud


def test_links_are_refused_in_the_feedback_and_the_summary(hostile_class):
    root, proc = hostile_class
    mallory = (root / "g-feedback" / "mallory.md").read_text()
    assert "exercises/ is a link, not a folder: refused" in mallory
    assert "ex02_model.py is a link, not a file: refused" in mallory
    assert "mallory: exercises/ is a link, not a folder: refused" in proc.stdout
    assert "mallory: exercises/ is a link" in (root / "g-overview.md").read_text()
