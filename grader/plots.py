"""Plots for the lesson: the data, a model's decision regions, and the training curves.

    from grader import plots
    plots.plot_data(X, y)
    plots.plot_decision_boundary(model, X_test, y_test)
    plots.plot_history(history)

They work in a notebook and in a script. matplotlib is imported only when a plot is made,
so grading never loads it; without a display the Agg backend is used (save with
plt.savefig). Each function returns what it drew on, to add to or to inspect. A figure
made here has fixed margins that hold its labels and title: it is drawn at the size it is
shown, with nothing to trim (svg()). In the marimo lesson, a cell that runs again draws on
the figure it showed last time (reuse_figures()).
"""
from __future__ import annotations

import os
import sys
import weakref
from typing import Callable, Hashable

import numpy as np
import torch


def _pyplot():
    import matplotlib

    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    # Notebooks name their own backend in MPLBACKEND (inline); elsewhere, no display
    # means no window to open, so draw off-screen.
    if headless and not os.environ.get("MPLBACKEND") and "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _numpy(values) -> np.ndarray:
    """Tensors on any device, or arrays, as numpy arrays."""
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return np.asarray(values)


def class_color(k: int):
    """The colour of class k, the same in every plot."""
    import matplotlib

    return matplotlib.colormaps["tab10"](k % 10)


# The margins around the axes, in inches: room for the tick labels, the axis labels and a
# title of one line (the two axes of plot_history have the second's between them).
_LEFT, _RIGHT, _BOTTOM, _TOP, _BETWEEN = 0.75, 0.2, 0.55, 0.32, 0.775
_laid_out: weakref.WeakSet = weakref.WeakSet()


def _figure(columns: int, width: float, height: float):
    """A figure of `columns` axes side by side, each width x height inches, in fixed margins
    (one that was shown before, cleared, where reuse_figures() allows it)."""
    layout = (columns, width, height)
    here = _where() if _where is not None else None
    figure = _spare(here, layout) if here is not None else None
    if figure is None:
        figure_width = _LEFT + columns * width + (columns - 1) * _BETWEEN + _RIGHT
        figure_height = _BOTTOM + height + _TOP
        figure, _ = _pyplot().subplots(1, columns, figsize=(figure_width, figure_height), gridspec_kw={
            "left": _LEFT / figure_width, "right": 1 - _RIGHT / figure_width,
            "bottom": _BOTTOM / figure_height, "top": 1 - _TOP / figure_height, "wspace": _BETWEEN / width})
        _laid_out.add(figure)
    if here is not None:
        _made[figure] = (here[0], weakref.ref(here[1]), layout)
    return figure.axes[0] if columns == 1 else tuple(figure.axes)


def laid_out(figure) -> bool:
    """Whether figure was made here, in fixed margins (and so needs no trimming)."""
    return figure in _laid_out


def svg(figure) -> bytes:
    """The figure as SVG, drawn once. Trimming it to what it shows (bbox_inches="tight", as
    notebooks show figures) draws it twice, once to measure it: a figure made here has
    fixed margins and is drawn at its own size; any other is trimmed. Its text is SVG text
    (in the font matplotlib names, else the browser's sans-serif), not each glyph drawn as
    a path: a quarter smaller, and quicker to write and to show."""
    import io

    import matplotlib

    out = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(out, format="svg", bbox_inches=None if laid_out(figure) else "tight")
    if any(figure is spare for spares in _spares.values() for _, spare in spares):
        figure.stale = False     # saving set its colours back: no change, it may be reused
    return out.getvalue()


def _axes(ax):
    return ax if ax is not None else _figure(1, 4.65, 3.85)


# -- figures drawn again ---------------------------------------------------------------------
# The lesson draws its plots again at every move of a slider, and building a figure (its
# axes, their ticks, the legends) costs about as much as drawing it. So, once
# reuse_figures() is on, a figure a cell showed is kept, and when that cell runs again and
# asks for a figure of the same layout, it gets that one, cleared: by then nothing uses it
# (marimo runs again every cell that used the old one). Only a figure left as a function
# here drew it is kept (any change after, ax.plot or ax.set_xscale, marks it stale), until
# it is changed, and it is never handed out again in the run that made it.
_where: Callable[[], tuple[Hashable, object] | None] | None = None
_made: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()     # figure -> place, run, layout
_spares: dict[tuple, list] = {}                                     # (place, layout) -> [(run, figure)]
_SPARES_PER_PLACE = 4


def reuse_figures(where: Callable[[], tuple[Hashable, object] | None]) -> None:
    """Reuse figures from now on: where() says where a figure is being made, as (the place,
    this run of it), e.g. (a marimo cell, its run), or None where none may be reused."""
    global _where
    _where = where


def hand_back(figure) -> None:
    """figure is being shown: if it is as a function here left it, the place that made it
    may draw on it again on a later run."""
    made = _made.pop(figure, None)
    if made is None or figure.stale:
        return
    place, run, layout = made
    spares = _spares.setdefault((place, layout), [])
    if len(spares) < _SPARES_PER_PLACE:
        spares.append((run, figure))


def _left_as_drawn(figure) -> None:
    """figure was made and drawn on by one of the functions here: any change from now on
    marks it stale, and a stale figure is not drawn on again."""
    if figure in _made:
        figure.stale = False


def _spare(here: tuple[Hashable, object], layout: tuple):
    """A figure of this layout the place showed on an earlier run, cleared, or None."""
    place, run = here
    # A figure changed since it was shown (by a cell that uses it) is not drawn on again.
    spares = _spares[place, layout] = [spare for spare in _spares.get((place, layout), [])
                                       if not spare[1].stale]
    earlier = next((i for i, (made_in, _) in enumerate(spares) if made_in() is not run), None)
    if earlier is None:
        return None
    figure = spares.pop(earlier)[1]
    for ax in figure.axes:         # back as _figure made it: nothing drawn, limits automatic
        for artist in [*ax.lines, *ax.images, *ax.collections, *ax.patches, *ax.texts]:
            artist.remove()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        ax.set_title("")
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_prop_cycle(None)            # the first line takes the first colour again
        ax.relim()                         # no data: the limits follow what is drawn next
        ax.set_aspect("auto")
        ax.autoscale(True)
    figure.canvas.manager = None           # pyplot's current figure, numbered as a new one
    _pyplot().figure(figure)
    return figure


def _scatter(ax, X: np.ndarray, y: np.ndarray) -> None:
    for k in np.unique(y):
        points = X[y == k]
        ax.scatter(points[:, 0], points[:, 1], s=14, color=class_color(int(k)),
                   edgecolors="black", linewidths=0.3, label=f"class {int(k)}")
    ax.set_xlabel("feature 0")
    ax.set_ylabel("feature 1")
    ax.legend(loc="best", fontsize="small")


def _title(ax, title: str) -> None:
    # At a fixed height: matplotlib otherwise measures every tick label on each draw to
    # find where the title goes, and these plots have nothing above the axes to avoid.
    ax.set_title(title, y=1.0)


def _two_features(X: np.ndarray) -> None:
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"these plots show 2-D points; X has shape {list(X.shape)}, "
                         f"not [N, 2]")


def plot_data(X, y, ax=None, title: str = "The data, one colour per class"):
    """Scatter the points X ([N, 2]) coloured by their class y ([N]). Returns the Axes."""
    X, y = _numpy(X), _numpy(y)
    _two_features(X)
    made = ax is None
    ax = _axes(ax)
    _scatter(ax, X, y)
    _title(ax, title)
    if made:
        _left_as_drawn(ax.figure)
    return ax


def plot_decision_boundary(model, X, y, ax=None, title: str = "The model's decision regions",
                           resolution: int = 200, margin: float = 1.0):
    """Colour the plane by the class the model predicts there (the argmax of its logits),
    and scatter the points (X, y) over it. Returns the Axes; the regions are its first
    image, ax.images[0], whose array holds the class predicted at each point of the grid
    (row 0 at the bottom)."""
    X_np, y_np = _numpy(X), _numpy(y)
    _two_features(X_np)
    low, high = X_np.min(axis=0) - margin, X_np.max(axis=0) + margin
    xs, ys = np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    xx, yy = np.meshgrid(xs, ys)
    grid = torch.from_numpy(np.column_stack([xx.ravel(), yy.ravel()])).float()

    was_training = model.training            # plotting must not change the model
    model.eval()
    try:
        with torch.inference_mode():
            logits = model(grid.to(next(model.parameters()).device))
    finally:
        model.train(was_training)
    regions = logits.argmax(dim=1).cpu().numpy().reshape(xx.shape)
    n_classes = logits.shape[1]

    from matplotlib.colors import ListedColormap

    made = ax is None
    ax = _axes(ax)
    # One pixel per grid point, centred on it: a raster is far cheaper to draw, save and
    # show than the polygons of a filled contour (the lesson redraws it on every slider
    # move), and looks the same at this resolution.
    half_x, half_y = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    ax.imshow(regions, origin="lower", interpolation="none", aspect="auto", alpha=0.35,
              extent=(low[0] - half_x, high[0] + half_x, low[1] - half_y, high[1] + half_y),
              cmap=ListedColormap([class_color(k) for k in range(n_classes)]),
              vmin=-0.5, vmax=n_classes - 0.5)
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    _scatter(ax, X_np, y_np)
    _title(ax, title)
    if made:
        _left_as_drawn(ax.figure)
    return ax


def plot_history(history: dict, axes=None):
    """The loss and the accuracy per epoch, train and test, side by side.
    history is what train() returns. Returns the two Axes (loss, accuracy)."""
    made = axes is None
    if made:
        axes = _figure(2, 3.875, 3.08)
    loss_ax, acc_ax = axes
    for ax, metric, unit in ((loss_ax, "loss", "loss"), (acc_ax, "acc", "accuracy (%)")):
        for split in ("train", "test"):
            values = [float(v) for v in history[f"{split}_{metric}"]]
            ax.plot(range(1, len(values) + 1), values, label=split)
        ax.set_xlabel("epoch")
        ax.set_ylabel(unit)
        ax.legend()
    _title(loss_ax, "Loss")
    _title(acc_ax, "Accuracy")
    if made:
        _left_as_drawn(loss_ax.figure)
    return loss_ax, acc_ax
