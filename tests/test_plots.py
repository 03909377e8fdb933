"""The plotting helpers draw what they say: the classes, the model's regions and the axes.
They are read back from the Axes' artists, never from pixels."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn

from grader import plots
from grader.course import ROOT

pytest.importorskip("matplotlib")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


def four_corners():
    """Points around (+-2, +-2), class k in quadrant k."""
    g = torch.Generator().manual_seed(0)
    centres = torch.tensor([[2.0, 2.0], [-2.0, 2.0], [-2.0, -2.0], [2.0, -2.0]])
    y = torch.arange(40) % 4
    X = centres[y] + 0.3 * torch.randn(40, 2, generator=g)
    return X, y


def left_right_model():
    """Class 0 where x < 0, class 1 where x > 0: logits (-x, x)."""
    model = nn.Sequential(nn.Linear(2, 2))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[-1.0, 0.0], [1.0, 0.0]]))
        model[0].bias.zero_()
    return model


def test_plot_data_draws_one_scatter_per_class_with_its_points():
    X, y = four_corners()
    ax = plots.plot_data(X, y)
    assert len(ax.collections) == 4
    for k, collection in enumerate(ax.collections):
        assert collection.get_label() == f"class {k}"
        np.testing.assert_allclose(collection.get_offsets(), X[y == k].numpy(), rtol=1e-6)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [f"class {k}" for k in range(4)]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("feature 0", "feature 1")
    assert ax.get_title()


def test_the_same_class_has_the_same_colour_in_every_plot():
    X, y = four_corners()
    scatter = plots.plot_data(X, y).collections
    boundary = plots.plot_decision_boundary(nn.Sequential(nn.Linear(2, 4)), X, y)
    regions = boundary.images[0]
    for k in range(4):
        np.testing.assert_allclose(scatter[k].get_facecolor()[0][:3], plots.class_color(k)[:3])
        # the colour the regions' image gives the pixels of class k
        np.testing.assert_allclose(regions.to_rgba(np.array([k]))[0][:3], plots.class_color(k)[:3])


def test_decision_regions_follow_the_model():
    X = torch.tensor([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    y = torch.tensor([0, 0, 1, 1])
    model = left_right_model()
    model.train()
    ax = plots.plot_decision_boundary(model, X, y, resolution=101)
    assert model.training                       # the plot left the model as it was
    regions = ax.images[0]
    classes = np.asarray(regions.get_array())   # the class at each grid point, row 0 at the bottom
    assert classes.shape == (101, 101)
    x_low, x_high, y_low, y_high = regions.get_extent()
    xs = np.linspace(x_low, x_high, 102)[:-1] + (x_high - x_low) / 202   # the pixels' centres
    assert (classes[:, xs < -0.05] == 0).all() and (classes[:, xs > 0.05] == 1).all()
    assert x_low < -1.5 and x_high > 1.5 and y_low < -1.5 and y_high > 1.5
    # the points are drawn over the regions, per class, and the axes are named
    assert regions.get_zorder() < min(c.get_zorder() for c in ax.collections)
    assert [c.get_label() for c in ax.collections] == ["class 0", "class 1"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("feature 0", "feature 1")
    # the plane covers the points with a margin
    assert ax.get_xlim()[0] < -1.5 and ax.get_xlim()[1] > 1.5


def test_decision_boundary_refuses_points_that_are_not_2d():
    with pytest.raises(ValueError, match=r"not \[N, 2\]"):
        plots.plot_decision_boundary(nn.Linear(3, 2), torch.zeros(5, 3), torch.zeros(5))


def test_plot_history_draws_train_and_test_curves_per_epoch():
    history = {"train_loss": [1.2, 0.8, 0.5], "test_loss": [1.1, 0.9, 0.6],
               "train_acc": [30.0, 60.0, 90.0], "test_acc": [25.0, 55.0, 85.0]}
    loss_ax, acc_ax = plots.plot_history(history)
    for ax, metric in ((loss_ax, "loss"), (acc_ax, "acc")):
        lines = {line.get_label(): line for line in ax.get_lines()}
        assert set(lines) == {"train", "test"}
        for split, line in lines.items():
            assert list(line.get_xdata()) == [1, 2, 3]
            assert list(line.get_ydata()) == history[f"{split}_{metric}"]
        assert ax.get_xlabel() == "epoch"
    assert loss_ax.get_ylabel() == "loss" and "accuracy" in acc_ax.get_ylabel()


def test_headless_plots_use_agg_and_matplotlib_loads_only_when_plotting():
    code = ("import sys; from grader import plots; import torch\n"
            "assert 'matplotlib' not in sys.modules\n"
            "ax = plots.plot_data(torch.zeros(3, 2), torch.tensor([0, 1, 1]))\n"
            "import matplotlib; print(matplotlib.get_backend())")
    env = {k: v for k, v in __import__("os").environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().lower() == "agg"


def test_each_figure_holds_its_labels_and_title_in_its_fixed_margins():
    """A figure made here needs no trimming: what it shows lies inside it, and svg() draws it
    at its own size, where a figure made elsewhere is trimmed to what it shows."""
    import re

    import matplotlib.pyplot as plt

    X, y = four_corners()
    history = {"train_loss": [12000.5, 0.8], "test_loss": [1.1, 0.9],      # wide tick labels
               "train_acc": [30.0, 100.0], "test_acc": [25.0, 100.0]}
    for figure in (plots.plot_data(X * 10, y).figure, plots.plot_history(history)[0].figure,
                   plots.plot_decision_boundary(left_right_model(), X, y).figure):
        assert plots.laid_out(figure)
        shown, size = figure.get_tightbbox(), figure.get_size_inches()
        assert shown.x0 >= 0 and shown.y0 >= 0 and shown.x1 <= size[0] and shown.y1 <= size[1], (shown, size)
        width = float(re.search(rb'<svg[^>]* width="([\d.]+)pt"', plots.svg(figure)).group(1))
        assert width == pytest.approx(size[0] * 72)
    _, other = plt.subplots(figsize=(6, 5))
    other.plot([0, 1], [0, 1])
    assert not plots.laid_out(other.figure)
    width = float(re.search(rb'<svg[^>]* width="([\d.]+)pt"', plots.svg(other.figure)).group(1))
    assert width < 6 * 72


class Run:
    """One run of a place (a marimo cell's run, in the lesson)."""


@pytest.fixture
def reusing(monkeypatch):
    """Figures reused as in the lesson, at one place whose run is runs[0] (a test sets a
    new Run() to run the place again); plots' own state put back after."""
    runs = [Run()]
    monkeypatch.setattr(plots, "_spares", {})
    monkeypatch.setattr(plots, "_made", __import__("weakref").WeakKeyDictionary())
    monkeypatch.setattr(plots, "_where", None)
    plots.reuse_figures(lambda: ("a cell", runs[0]))
    return runs


def svg_text(figure) -> bytes:
    """The figure's SVG without what differs between two drawings of the same picture (the
    date, and the ids matplotlib draws from its artists' identity)."""
    import re

    return re.sub(rb'(id|xlink:href|clip-path)="[^"]*"|<dc:date>[^<]*</dc:date>', b"", plots.svg(figure))


def test_a_figure_drawn_again_shows_exactly_what_a_new_one_would(reusing):
    """A cell that runs again draws on the figure it showed, cleared: the picture is the
    one a new figure gives, whichever plot of the same layout was on it before."""
    X, y = four_corners()
    before = {"train_loss": [1.4, 0.3, 0.2], "test_loss": [1.3, 0.4, 0.3],
              "train_acc": [20.0, 90.0, 95.0], "test_acc": [25.0, 80.0, 90.0]}
    after = {"train_loss": [12000.5, 0.8], "test_loss": [1.1, 0.9],
             "train_acc": [30.0, 100.0], "test_acc": [25.0, 100.0]}
    model = left_right_model()
    draws = {"history": lambda first: plots.plot_history(before if first else after)[0].figure,
             "regions": lambda first: plots.plot_decision_boundary(
                 model, X * (3 if first else 1), y, title="first" if first else "second").figure,
             "data": lambda first: plots.plot_data(X * (3 if first else 1), y).figure}
    plots.reuse_figures(lambda: None)             # nothing reused: the pictures to match
    new = {name: svg_text(draw(False)) for name, draw in draws.items()}
    plots.reuse_figures(lambda: ("a cell", reusing[0]))
    for first in draws:
        for second in draws:
            plots._spares.clear()
            reusing[0] = Run()
            shown = draws[first](True)
            plots.hand_back(shown)                # as marimo_cell shows a figure
            plots.svg(shown)
            reusing[0] = Run()
            again = draws[second](False)
            same_layout = (first == "history") == (second == "history")
            assert (again is shown) == same_layout, (first, second)
            assert svg_text(again) == new[second], (first, second)


def test_a_figure_is_reused_only_as_drawn_at_its_place_on_a_later_run(reusing):
    """Never a figure changed after the function drew it (before it was shown or after),
    one not shown, one from another place, or one in the run that made it (the cell may
    still hold it); and once
    reused, it is pyplot's current figure, numbered apart from the others."""
    import matplotlib.pyplot as plt

    X, y = four_corners()
    changed = plots.plot_data(X, y)
    changed.set_xscale("symlog")                  # after the function: stale
    plots.hand_back(changed.figure)
    drawn_on = plots.plot_data(X, y)
    plots.plot_decision_boundary(left_right_model(), X, y, ax=drawn_on)   # given its axes
    plots.hand_back(drawn_on.figure)
    plots.plot_data(X, y)                         # not shown
    changed_later = plots.plot_data(X, y)
    plots.hand_back(changed_later.figure)
    plots.svg(changed_later.figure)               # shown, then changed by another cell
    changed_later.set_xscale("symlog")
    kept = plots.plot_data(X, y)
    plots.hand_back(kept.figure)
    plots.svg(kept.figure)
    assert plots.plot_data(X, y) is not kept      # the same run
    reusing[0] = Run()
    plots.reuse_figures(lambda: ("another cell", reusing[0]))
    assert plots.plot_data(X, y) is not kept
    plots.reuse_figures(lambda: ("a cell", reusing[0]))
    _, other = plt.subplots()
    again = plots.plot_data(X, y)
    assert again is kept
    assert plt.gcf() is again.figure and plt.gcf().number != other.figure.number
    assert plots.plot_data(X, y) not in (changed, drawn_on, changed_later)   # the one spare is taken


def test_without_reuse_figures_every_figure_is_new(monkeypatch):
    monkeypatch.setattr(plots, "_where", None)
    X, y = four_corners()
    shown = plots.plot_data(X, y)
    plots.hand_back(shown.figure)
    assert plots.plot_data(X, y) is not shown
