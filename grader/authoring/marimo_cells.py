"""The parts of the marimo lesson that are not in solutions/lesson.md: the notebook's frame,
the cells around the student's functions and the checks, and where the marimo version
departs from the lesson's Jupyter ways (see grader/authoring/marimo_lesson.py)."""
from __future__ import annotations

from pathlib import Path
from string import Template

from ..checks.registry import all_checks
from ..course import Exercise, course_lesson, exercises, lesson_words, render
from .markers import MarkerError
from .nbcourse import LESSON, solution_parts

# The notebook's configuration: marimo's module autoreloader (marimo edit only) re-runs
# the cells that use a module the student changed. The exercise files themselves are
# watched by the notebook (the machinery below), which works in marimo run too.
HEADER = '''\
# /// script
# [tool.marimo.runtime]
# auto_reload = "autorun"
# ///

import marimo

__generated_with = "{version}"
{app}

{setup}

'''

SETUP = '''\
with app.setup(hide_code=True):
    # Generated from solutions/lesson.md by `python -m grader build`: course authors edit
    # that file and grader/authoring/marimo_cells.py, not this one.
    import sys
    from pathlib import Path

    import marimo as mo

    # This notebook is in marimo/: the course's grader and the exercise files are beside it.
    ROOT = Path(__file__).resolve().parent.parent
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    EXERCISES = ROOT / "exercises"

    # The process that forks the grader's workers starts first, so that its imports
    # (torch) overlap the notebook's own instead of holding up the first checks.
    from grader.gateway import start_zygote_early as _start_zygote_early
    _start_zygote_early()

    # marimo shows a figure as a PNG at twice its dpi; drawn as SVG it takes about a
    # quarter less time on each redraw, and stays sharp at any zoom. The lesson's plots
    # have fixed margins: drawn once, not twice to trim them, and a cell that runs again
    # draws on the figure it showed instead of building a new one. (The names are the
    # setup's own: a cell of the student's may import matplotlib.)
    import matplotlib as _matplotlib
    _matplotlib.rcParams["savefig.format"] = "svg"

    from grader.platforms import marimo_cell
    marimo_cell.draw_figures_once()

    # Every exercise graded now, in the worker, while the first cells import and draw.
    marimo_cell.prefetch(EXERCISES)

    # What the lesson imports (torch, scikit-learn, matplotlib), imported here and left out
    # of the garbage collector's rounds from now on: its objects live as long as the
    # notebook, and each round walked them all again while the plots redraw.
    marimo_cell.import_for_good()
'''

FOOTER = '''

if __name__ == "__main__":
    app.run()
'''

# A name the lesson gives a second value keeps its first value under another name here,
# because a marimo notebook defines each name in one cell.
RENAMES = {
    "X_train": "X_train_cpu", "X_test": "X_test_cpu",
    "y_train": "y_train_cpu", "y_test": "y_test_cpu",
    "model": "untrained_model",
}


def _files() -> str:
    names = [f"`exercises/{ex.file}`" for ex in exercises()]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _how_it_works() -> str:
    total = sum(c.points for c in all_checks())
    return (
        "**How it works.** This is the lesson as a marimo notebook, and your functions are "
        f"not in it: you write them in the exercise files, {_files()}, where each one says "
        "`# YOUR CODE HERE`: replace `raise NotImplementedError()` with your code. This "
        "notebook imports them from there and shows each function's docstring where the "
        "function comes in: what it must return, with a hint. After each exercise, the "
        "course's checks run on your functions (the same checks as `pytest exercises`) and "
        "show what each one found: what was called, what came back, what was expected, and "
        "the likely mistake, with your points and your progress in the course. The "
        f"exercises are worth {total} points in all.")


def _when_saved() -> str:
    renamed = ", ".join(f"`{new}` for `{old}`" for old, new in RENAMES.items())
    return (
        "Save an exercise file and the notebook notices: that exercise's checks, and every "
        "cell that uses its functions, run again by themselves. The checks run your code in "
        "a separate process (on Linux), so an endless loop or a crash in it cannot stop the "
        "notebook. A marimo notebook defines each name in one cell, so where the lesson "
        f"gives a name a second value, the first keeps a name of its own: {renamed}.")


# Paragraphs of the lesson (by their start) about running a Jupyter notebook, and what the
# marimo lesson says instead.
NOTEBOOK_TEXT = {
    "**How it works.**": _how_it_works,
    "Run the cells from top to bottom.": _when_saved,
}

_LESSON = course_lesson()
# The sliders' ranges hold the lesson's values, on their steps.
_SLIDERS = lesson_words(_LESSON) | {
    "hidden_stop": str(max(32, _LESSON.hidden_units)), "hidden_step": str(2 - _LESSON.hidden_units % 2),
    "lr_steps": ", ".join(map(str, sorted({0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, _LESSON.learning_rate}))),
    "epochs_stop": str(max(300, _LESSON.epochs)), "epochs_step": "10" if _LESSON.epochs % 10 == 0 else "1",
    "epochs_start": str(min(10, _LESSON.epochs))}

_CONTROLS = Template('''\
hidden_units = mo.ui.slider(start=2, stop=$hidden_stop, step=$hidden_step, value=$hidden_units, debounce=True,
                            label="hidden units", show_value=True)
learning_rate = mo.ui.slider(steps=[$lr_steps], value=$learning_rate,
                             debounce=True, label="learning rate", show_value=True)
epochs = mo.ui.slider(start=$epochs_start, stop=$epochs_stop, step=$epochs_step, value=$epochs, debounce=True,
                      label="epochs", show_value=True)
mo.vstack([
    mo.md("Try other settings: each change trains a new model with your `train`, and the "
          "curves and the regions below are drawn again."),
    mo.hstack([hidden_units, learning_rate, epochs], justify="start", gap=2),
])''').substitute(_SLIDERS)

_TRAIN = '''\
torch.manual_seed(42)
model = build_model(hidden_units=hidden_units.value).to(device)
history = train(model, X_train, y_train, X_test, y_test, epochs=epochs.value,
                lr=learning_rate.value)'''

# Section 8 is about the model without ReLUs: its switch starts off, and turning it on
# shows the model of section 6 again, for comparison. The switch has a cell of its own:
# the cell that shows it with the sliders runs again when one moves, and a switch made
# again would be off again.
_RELU_SWITCH = 'with_relu = mo.ui.switch(value=False, label="with ReLU")'
_RELU_CONTROLS = 'mo.hstack([with_relu, hidden_units, learning_rate, epochs], justify="start", gap=2)'

_RELU_REGIONS = '''\
if with_relu.value:
    linear_model = model          # section 6's model, ReLUs and all
else:
    torch.manual_seed(42)
    _units = hidden_units.value
    linear_model = nn.Sequential(nn.Linear($features, _units), nn.Linear(_units, _units),
                                 nn.Linear(_units, $classes)).to(device)
    train(linear_model, X_train, y_train, X_test, y_test, epochs=epochs.value,
          lr=learning_rate.value)
plots.plot_decision_boundary(
    linear_model, X_test, y_test,
    title="With ReLUs: borders that bend" if with_relu.value else "Without ReLUs: straight borders only")'''
_RELU_REGIONS = render(_RELU_REGIONS, _LESSON)

# The lesson's experiments, by their code, as controls: sliders for the hidden units, the
# learning rate and the epochs, and in section 8 a switch for the ReLUs. The model comes
# from the student's build_model, or without ReLUs from the lesson's own nn.Sequential; the
# student's train trains it each time a control changes.
CONTROLS = {
    "torch.manual_seed(42)\n"
    "model = build_model().to(device)\n"
    + render("history = train(model, X_train, y_train, X_test, y_test, epochs=$epochs, lr=$learning_rate)"):
        [_CONTROLS, _TRAIN],
    "torch.manual_seed(42)\n"
    + render("linear_model = nn.Sequential(nn.Linear($features, $hidden_units), "
             "nn.Linear($hidden_units, $hidden_units), nn.Linear($hidden_units, $classes)).to(device)\n"
             "linear_history = train(linear_model, X_train, y_train, X_test, y_test, epochs=$epochs, "
             "lr=$learning_rate)\n"
             'plots.plot_decision_boundary(linear_model, X_test, y_test, title="Without ReLUs: straight '
             'borders only");'):
        [_RELU_SWITCH, _RELU_CONTROLS, _RELU_REGIONS],
}


def title(root: Path) -> str:
    first = (root / LESSON).read_text().splitlines()[0]
    if not first.startswith("# ") or '"' in first:
        raise MarkerError(f"{LESSON}:1: the lesson must start with its title, '# ...'")
    return first[2:].strip()


def imports(root: Path) -> str:
    """The solution files' imports, as the nbgrader notebook has them."""
    found: list[str] = []
    for ex in exercises():
        found += [i for i in solution_parts(root / "solutions" / ex.file)[0] if i not in found]
    return "\n".join(found)


def load(ex: Exercise) -> str:
    targets = ", ".join(ex.functions) + ("," if len(ex.functions) == 1 else "")
    return (f"# Your functions, from exercises/{ex.file}, loaded again each time it is saved.\n"
            f'{targets} = marimo_cell.load("{ex.id}", EXERCISES, {ex.id}_verdict, stop_with)')


def describe(ex: Exercise, function: str) -> str:
    return f'mo.md(marimo_cell.describe({ex.id}_verdict, "{function}", EXERCISES))'


def grade(ex: Exercise) -> str:
    return (f"{ex.id}_saved()  # run again when exercises/{ex.file} is saved\n"
            f'{ex.id}_verdict = marimo_cell.grade("{ex.id}", EXERCISES)')


def verdict(ex: Exercise) -> str:
    course = ", ".join(f"{e.id}_verdict" for e in exercises())
    return f"show_verdict({ex.id}_verdict, [{course}])"


_HELPERS = '''\
def stop_with(message):
    """Stop the cell that called a function of yours, and say why."""
    mo.stop(True, mo.callout(mo.md(message), kind="warn"))


def show_printed(printed, *shown):
    """What a cell printed (captured in printed), if anything, above what it shows."""
    lines = printed.getvalue()
    return mo.vstack(([mo.plain_text(lines)] if lines else []) + list(shown))


def show_verdict(verdict, course):
    """One exercise's checks: its points, the course's, each failed check's message, the hint."""
    earned, available = marimo_cell.course_points(course)
    progress = f'<progress value="{earned}" max="{available}" style="width: 18rem"></progress>'
    items = [
        mo.md(verdict.heading),
        mo.hstack([
            mo.stat(f"{verdict.earned}/{verdict.available}", label="points", bordered=True),
            mo.vstack([mo.md(f"The course: **{earned}/{available}** points"), mo.Html(progress)]),
        ], justify="start", gap=2),
    ]
    items += [mo.callout(mo.md(failure.markdown), kind="warn" if failure.stub else "danger")
              for failure in verdict.failures]
    if verdict.passed:
        items.append(mo.callout(mo.md(verdict.summary), kind="success"))
    items.append(mo.accordion({"Hint": mo.md(verdict.hint_markdown)}))
    return mo.vstack(items)'''


def _watcher() -> str:
    ids = [ex.id for ex in exercises()]
    states = "\n".join(f'{i}_saved, _set_{i} = mo.state(_seen["{i}"])' for i in ids)
    setters = ", ".join(f'"{i}": _set_{i}' for i in ids)
    return f'''\
# Saving an exercise file re-runs the cells that use it: each file's digest is a marimo
# state, which a thread sets when the file's content changes (in marimo edit and run).
_seen = {{ex: marimo_cell.digest(EXERCISES, ex) for ex in {ids!r}}}
{states}
_setters = {{{setters}}}
marimo_cell.start_watching(EXERCISES, _setters, _seen, mo.Thread)'''


def machinery() -> list[str]:
    """The hidden cells at the end: showing verdicts and stopping cells, watching files."""
    return [_HELPERS, _watcher()]
