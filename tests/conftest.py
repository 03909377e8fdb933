"""Shared helpers: submissions built from the reference solutions, graded in-process."""
from __future__ import annotations

import os
import shutil
import signal
import textwrap
from pathlib import Path

import pytest

from grader.authoring.catalogue import grade_variant
from grader.course import ROOT, exercise
from grader.runner import Report, grade

# Ctrl-C as a terminal delivers it, whoever started the tests: a shell that runs them in the
# background (`pytest &`) ignores SIGINT, every process it starts inherits that, and the
# tests that press Ctrl-C in the watch, a grading run or batch would see it ignored.
signal.signal(signal.SIGINT, signal.default_int_handler)

SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"


@pytest.fixture(scope="session", autouse=True)
def shared_zygote(tmp_path_factory):
    """One zygote for every grading process the tests start with this repository's grader
    (GRADER_ZYGOTE, grader/gateway/zygote_client.py), instead of one each: a torch import
    (~5 s of CPU) per `python -m grader`. A copied-out grader (a release, a course folder)
    still starts its own, as does this process (tests/test_zygote.py attacks its zygote)."""
    from grader.gateway import zygote_client

    if not zygote_client.available():
        yield
        return
    zygote_client.use_shared = False
    shared = zygote_client.Zygote()
    path = tmp_path_factory.mktemp("zygote") / "socket"
    shared.listen(path)
    os.environ[zygote_client.SHARED] = str(path)
    yield
    del os.environ[zygote_client.SHARED]
    shared.close()
    zygote_client.close()           # this process's own, where a test started it


def make_submission(directory: Path, source: Path = SOLUTIONS, **replacements: str) -> Path:
    """A copy of the exercise modules in `source`; replacements maps an exercise id to
    code appended to its file (its defs replace the originals), or to a whole file when
    the text starts with '#!file'."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in source.glob("ex0*.py"):
        shutil.copy(path, directory / path.name)
    for ex_id, code in replacements.items():
        target = directory / exercise(ex_id).file
        code = textwrap.dedent(code)
        if code.startswith("#!file"):
            target.write_text(code)
        else:
            target.write_text(target.read_text() + "\n\n# --- variant ---\n" + code)
    return directory


@pytest.fixture
def submission(tmp_path):
    """submission(ex01="...code...") -> the directory of a submission."""
    counter = iter(range(1000))
    return lambda source=SOLUTIONS, **code: make_submission(tmp_path / f"s{next(counter)}", source, **code)


def results_by_id(report: Report) -> dict:
    return {r.check.id: r for r in report.results}


@pytest.fixture(scope="session")
def reference_report() -> Report:
    return grade(SOLUTIONS)


@pytest.fixture(scope="session")
def stub_report() -> Report:
    return grade(EXERCISES)


class CatalogueReports:
    """Each variant of the catalogue (tests/catalogue/) graded once per test session, as
    `python -m grader check-course` grades it (grader.authoring.catalogue.grade_variant),
    on first use. Several test files judge the same reports: grading the 110 variants
    again in each of them was most of the suite's time. A variant is known by its exercise
    and name, so that check-course's own copy of the catalogue finds its reports too."""

    def __init__(self):
        from grader.checks.cases import Cases

        self.cases = Cases()        # the reference results, computed once for all variants
        self.reports: dict[tuple[str, str], Report] = {}

    def __call__(self, variant) -> Report:
        key = (variant.exercise, variant.name)
        if key not in self.reports:
            self.reports[key] = grade_variant(variant, SOLUTIONS, self.cases)
        return self.reports[key]


@pytest.fixture(scope="session")
def catalogue_report() -> CatalogueReports:
    """catalogue_report(variant) -> the Report of that catalogue variant, graded once."""
    return CatalogueReports()


def pytest_configure(config):
    config.addinivalue_line("markers", "nbgrader: runs real nbgrader on the course (pytest -m nbgrader)")


# -- course variants (tests/test_variants.py) ---------------------------------------------
VARIANT_LINES: list[str] = []


def pytest_runtest_logreport(report):
    """The variants' reference accuracies and thresholds, from the tests that record them
    (from an xdist worker too: user_properties travel with the report)."""
    if report.when == "call":
        VARIANT_LINES.extend(value for name, value in report.user_properties if name == "variant_reference")


def pytest_terminal_summary(terminalreporter):
    if VARIANT_LINES:
        terminalreporter.section("course variants: reference accuracy and derived thresholds")
        for line in sorted(set(VARIANT_LINES)):
            terminalreporter.write_line(line)


# -- on several workers (pytest -n auto, as .ci/run runs the suite) ----------------------------
# A file's tests run on one worker: its module fixtures are built once and its tests may
# build on each other. The files that judge the catalogue's reports run on one worker too,
# so that the catalogue is still graded once. The longest files start first, so that the
# workers finish together (benchmarks/ci_time.py measures them; a file not listed here
# starts after these, in the usual order).
SHARED_WORKER = {path: "catalogue" for path in
                 ("tests/test_check_course.py", "tests/test_notebook.py", "tests/test_catalogue.py")}
# A test that waits mostly on pip, on a worker of its own (it builds its module's fixtures
# again there: seconds, against minutes of waiting behind the rest of its file).
ALONE = ("tests/test_classroom50.py::test_a_python_without_the_packages_installs_them_once_cpu_only",)
# xdist hands each worker two groups at first, then one whenever a worker has less than two
# to go: ALONE and the catalogue on one, nbgrader and the rest of Classroom 50 on the other.
LONGEST_FIRST = (*ALONE, "tests/test_nbgrader.py", "catalogue", "tests/test_variants.py",
                 "tests/test_classroom50.py", "tests/test_marimo.py", "tests/test_classroom.py",
                 "tests/test_same_score.py", "tests/test_hostile.py", "tests/test_students_page.py",
                 "tests/test_zygote.py", "tests/test_box.py", "tests/test_new_exercise.py",
                 "tests/test_static.py", "tests/test_batch.py", "tests/test_release.py",
                 "tests/test_where_it_stopped.py", "tests/test_lazy_dynamo.py", "tests/test_gradescope.py",
                 "tests/test_watch.py", "tests/test_untrusted_text.py", "tests/test_pytest_plugin.py",
                 "tests/test_platform_seam.py", "tests/test_containment.py", "tests/test_plots.py")


def worker_group(nodeid: str) -> str:
    if nodeid.split("[", 1)[0] in ALONE:
        return nodeid
    path = nodeid.split("::", 1)[0]
    return SHARED_WORKER.get(path, path)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """-n N: whole files (and the catalogue's group) to a worker, in the order collected."""
    if config.getoption("dist") != "load":          # another --dist asked for by name
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return worker_group(nodeid)

    config.option.loadscopereorder = False          # keep the order below, longest first
    return FileScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """On an xdist worker only: the longest files first (every worker sorts alike)."""
    if not hasattr(config, "workerinput"):
        return
    rank = {group: i for i, group in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(worker_group(item.nodeid), len(rank)))
