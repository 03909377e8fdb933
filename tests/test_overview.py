"""The class overview (grader/instructor/overview.py), on made-up verdicts: which checks the
class answered wrong, with what, apart from what it did not attempt; the totals;
identical submissions. (tests/test_batch.py and tests/test_nbgrader.py make it from real
grading runs.)"""
from __future__ import annotations

from grader import messages
from grader.checks.feedback import FailureKind, Feedback
from grader.instructor.overview import Entry, check_summaries, identical_groups, to_markdown, write_overview
from grader.results import Cause, Result, recorded_check


def verdict(check_id: str, passed: bool, feedback: Feedback | Cause | None = None, points: int = 4) -> Result:
    """A made-up result: a check's own feedback, or a cause (the student's code gave no answer)."""
    check = recorded_check(check_id, check_id.split(".")[0], f"the check {check_id}", points)
    if isinstance(feedback, Cause):
        return Result(check, passed, Feedback(feedback.summary), feedback)
    return Result(check, passed, feedback)


SOFTMAX = Feedback("the rows do not sum to 1", got="...", likely="softmax ran over dim=0")
SIGMOID = Feedback("the rows do not sum to 1", likely="this looks like sigmoid")
STUB = Cause(FailureKind.NOT_IMPLEMENTED, messages.NOT_IMPLEMENTED.format(function="predict_proba"),
             function="predict_proba")
MISSING = Cause(FailureKind.MISSING_FILE,
                messages.MISSING_FILE.format(file="ex03_predict.py", target="x (exercises/ or its top level)"))


def entries() -> list[Entry]:
    return [
        Entry("ann", 8, 8, [verdict("ex03.rows", True), verdict("ex03.argmax", True)], content="A"),
        Entry("ben", 4, 8, [verdict("ex03.rows", False, SOFTMAX), verdict("ex03.argmax", True)], content="B"),
        Entry("cat", 4, 8, [verdict("ex03.rows", False, SOFTMAX), verdict("ex03.argmax", True)], content="B"),
        Entry("dov", 4, 8, [verdict("ex03.rows", False, SIGMOID), verdict("ex03.argmax", True)], content="D"),
        Entry("eve", 0, 8, [verdict("ex03.rows", False, STUB), verdict("ex03.argmax", False, STUB)], content="S"),
        Entry("fin", 0, 8, [verdict("ex03.rows", False, STUB), verdict("ex03.argmax", False, STUB)], content="S"),
        Entry("gil", 0, 8, [verdict("ex03.rows", False, MISSING), verdict("ex03.argmax", False, MISSING)],
              notes=["no exercise files"]),
        Entry("hal", None, 8, notes=["not graded: a cell has no score"]),
    ]


def test_wrong_answers_are_counted_apart_from_what_was_not_attempted():
    rows = {s.id: s for s in check_summaries([e for e in entries() if e.total is not None])}
    assert (rows["ex03.rows"].wrong, rows["ex03.rows"].not_attempted, rows["ex03.rows"].graded) == (3, 3, 7)
    assert rows["ex03.rows"].message == "the rows do not sum to 1 (likely: softmax ran over dim=0)"
    assert rows["ex03.rows"].message_count == 2
    assert (rows["ex03.argmax"].wrong, rows["ex03.argmax"].not_attempted) == (0, 3)
    assert list(rows) == ["ex03.rows", "ex03.argmax"]                  # the most wrong first


def test_identical_submissions_that_earned_something_are_listed():
    groups = identical_groups(entries())
    assert [[e.student for e in g] for g in groups] == [["ben", "cat"]]   # eve and fin: the stubs


def test_the_page_names_the_checks_the_totals_and_who_was_not_graded():
    page = to_markdown(entries(), "Class overview", "overview.png")
    assert "8 student(s), 7 graded. Totals out of 8: mean 2.9, median 4, lowest 0, highest 8." in page
    assert ("| ex03 the check ex03.rows | 4 | 3/7 | 3/7 | the rows do not sum to 1 (likely: softmax ran "
            "over dim=0) (2 of 3) |") in page
    assert "ex03.argmax" not in page                                 # nobody answered it wrong
    assert "| ex03 From logits to predictions | 2.9/8 | 1/7 | 3/7 |" in page
    assert "- gil: no exercise files" in page and "- hal: not graded: a cell has no score" in page
    assert "- ben, cat (total 4)" in page and "worth a look, not proof" in page
    totals = page[page.index("## Totals"):page.index("## Not graded")]
    assert "| 0-0.8 | 3 |" in totals and "| 7.2-8 | 1 |" in totals and "| 3.2-4 | 0 |" in totals


def test_it_writes_the_page_and_its_plot(tmp_path):
    written = write_overview(entries(), tmp_path / "class.md", "Class overview")
    assert written == [tmp_path / "class.md", tmp_path / "class.png"]
    assert "![totals and the most failed checks](class.png)" in (tmp_path / "class.md").read_text()
    assert (tmp_path / "class.png").read_bytes()[:4] == b"\x89PNG"


def test_the_plots_labels_wrap_at_spaces_and_name_the_misconception():
    from grader.instructor.overview import CheckSummary, Diagnosis, plot_label

    name = "the model is Linear, ReLU, Linear, ReLU, Linear with the sizes asked for"
    message = ("there is no ReLU: without a non-linearity, stacked Linear layers collapse into "
               "one (likely: the ReLUs were left out of nn.Sequential)")
    symptom, likely = message.split(" (likely: ")
    no_likely = plot_label(CheckSummary("ex02.relu", "ex02", name, 4, 3, 0, 5, Diagnosis(symptom), 3))
    assert "non-linearity" in no_likely and not any(line.endswith("-") for line in no_likely.splitlines())
    label = plot_label(CheckSummary("ex02.relu", "ex02", name, 4, 3, 0, 5, Diagnosis(symptom, likely[:-1]), 3))
    words = set(f"ex02 {name} mostly: the ReLUs were left out of nn.Sequential ...".split())
    assert all(line.split() and set(line.split()) <= words for line in label.splitlines()), label
    assert "mostly: the ReLUs were left out of nn.Sequential" in " ".join(label.split())
    softmax = plot_label(check_summaries(entries())[0])
    assert " ".join(softmax.split()).endswith("mostly: softmax ran over dim=0")


def test_nothing_downstream_parses_a_message():
    """The overview takes the likely mistake, and whether a check was attempted, from the
    results' fields: a message, a line of the student's code or of what it printed that
    looks like a label ("likely:", a path, a stub's words) changes nothing."""
    raised = Cause(FailureKind.RAISED, "predict_proba() raised ValueError: likely: /tmp/grader-x/y", "ValueError")
    tricky = [
        # The student's printout holds a "likely:" line and a stub's words: not the likely mistake.
        Feedback("the rows do not sum to 1",
                 output="  likely:   sigmoid\n" + messages.NOT_IMPLEMENTED.format(function="predict_proba")),
        # A message that reads like a stub's, yet the check judged an answer: attempted.
        Feedback(messages.NOT_IMPLEMENTED.format(function="predict_proba"), got="a tensor of zeros"),
    ]
    graded = [Entry("ann", 0, 8, [verdict("ex03.rows", False, tricky[0]), verdict("ex03.argmax", False, tricky[1])]),
              Entry("ben", 0, 8, [verdict("ex03.rows", False, raised), verdict("ex03.argmax", False, STUB)]),
              Entry("cat", 0, 8, [verdict("ex03.rows", False, raised), verdict("ex03.argmax", False, STUB)])]
    rows = {s.id: s for s in check_summaries(graded)}
    assert (rows["ex03.rows"].wrong, rows["ex03.rows"].not_attempted) == (3, 0)
    # grouped by cause: both raised the same, however its message reads
    assert rows["ex03.rows"].message == raised.summary and rows["ex03.rows"].message_count == 2
    assert (rows["ex03.argmax"].wrong, rows["ex03.argmax"].not_attempted) == (1, 2)
    assert rows["ex03.argmax"].message == messages.NOT_IMPLEMENTED.format(function="predict_proba")
    alone = {s.id: s for s in check_summaries(graded[:1])}
    assert alone["ex03.rows"].message == "the rows do not sum to 1"
    page = to_markdown(graded, "Class overview")
    assert "sigmoid" not in page and "grader-x" in page      # the message quoted as it is, never parsed
