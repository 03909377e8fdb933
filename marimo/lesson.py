# /// script
# [tool.marimo.runtime]
# auto_reload = "autorun"
# ///

import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="Multi-class classification with PyTorch",
    css_file="lesson.css",
)

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


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # Multi-class classification with PyTorch

    In this notebook you build a classifier that tells four clusters of 2-D points apart, from
    the raw data to a trained model and a map of its decisions. You write ten short functions
    in four exercises; the rest of the notebook runs them and shows what they do.

    **How it works.** This is the lesson as a marimo notebook, and your functions are not in it: you write them in the exercise files, `exercises/ex01_data.py`, `exercises/ex02_model.py`, `exercises/ex03_predict.py` and `exercises/ex04_train.py`, where each one says `# YOUR CODE HERE`: replace `raise NotImplementedError()` with your code. This notebook imports them from there and shows each function's docstring where the function comes in: what it must return, with a hint. After each exercise, the course's checks run on your functions (the same checks as `pytest exercises`) and show what each one found: what was called, what came back, what was expected, and the likely mistake, with your points and your progress in the course. The exercises are worth 100 points in all.

    Save an exercise file and the notebook notices: that exercise's checks, and every cell that uses its functions, run again by themselves. The checks run your code in a separate process (on Linux), so an endless loop or a crash in it cannot stop the notebook. A marimo notebook defines each name in one cell, so where the lesson gives a name a second value, the first keeps a name of its own: `X_train_cpu` for `X_train`, `X_test_cpu` for `X_test`, `y_train_cpu` for `y_train`, `y_test_cpu` for `y_test`, `untrained_model` for `model`.
    """)
    return


@app.cell
def _():
    import torch
    from sklearn.datasets import make_blobs
    from sklearn.model_selection import train_test_split
    from torch import nn

    return nn, torch


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    The plots come from a small module of the course, which you can also use in your own
    scripts:
    """)
    return


@app.cell
def _():
    from grader import plots

    return (plots,)


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1. The data

    scikit-learn's `make_blobs` scatters points around a few centres: here 1000 points with 2
    features each, around 4 centres. The centre a point belongs to is its class: 0, 1, 2 or 3.
    So a sample is a row of `X` (its two coordinates) and its label is the matching entry of
    `y`.

    `make_blobs` returns numpy arrays, and PyTorch learns from tensors, so `make_dataset`
    converts them, and picks the right type for each.
    """)
    return


@app.cell(hide_code=True)
def _(ex01_verdict, stop_with):
    # Your functions, from exercises/ex01_data.py, loaded again each time it is saved.
    make_dataset, split_dataset = marimo_cell.load("ex01", EXERCISES, ex01_verdict, stop_with)
    return make_dataset, split_dataset


@app.cell(hide_code=True)
def _(ex01_verdict):
    mo.md(marimo_cell.describe(ex01_verdict, "make_dataset", EXERCISES))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Look at what came back: the shapes, the types, and a few samples.
    """)
    return


@app.cell
def _(make_dataset, show_printed):
    with mo.capture_stdout() as _printed:  # printed lines show under the cell
        X, y = make_dataset()
        print("X:", tuple(X.shape), X.dtype)
        print("y:", tuple(y.shape), y.dtype)
        print("the first five points:\n", X[:5])
        print("their classes:", y[:5])
    show_printed(_printed)
    return X, y


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    And the picture: every class is a cloud of its own colour. The clouds overlap a little, so
    no model will be right about every point.
    """)
    return


@app.cell
def _(X, plots, y):
    plots.plot_data(X, y, title="1000 points in 4 classes")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### Why the labels must be int64

    The two tensors have different jobs, so they have different types. `X` holds measurements
    and goes through `nn.Linear`, whose weights are float32; a float64 `X` (numpy's default)
    stops the forward pass with *mat1 and mat2 must have the same dtype*.

    `y` holds class *indices*: which of the four outputs is the right one for each sample.
    `nn.CrossEntropyLoss` reads an index from an int64 tensor, a `LongTensor`. The same numbers
    as floats mean something else to it, and it refuses them. Try it with a model that has no
    opinion yet (all logits 0):
    """)
    return


@app.cell
def _(nn, show_printed, torch):
    with mo.capture_stdout() as _printed:  # printed lines show under the cell
        no_opinion = torch.zeros(3, 4)                 # 3 samples, 4 classes, all logits equal
        labels = torch.tensor([0, 3, 1])               # integers: int64 by default
        print(labels.dtype, "->", nn.functional.cross_entropy(no_opinion, labels).item())
        try:
            nn.functional.cross_entropy(no_opinion, labels.float())
        except RuntimeError as error:
            print("float32 ->", error)
    show_printed(_printed)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    The loss of a model that cannot tell the classes apart is ln 4 ≈ 1.386: remember that number
    for the training curves below.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### Training data and test data

    A model is judged on points it has never seen, so we hold back 20% of them: 800 points to
    learn from, 200 to test on. `train_test_split` shuffles before it splits (the blobs come in
    no useful order, but many datasets come sorted by class), and a fixed `random_state` makes
    the split the same on every run. `X` and `y` go through one call together, so that every
    point keeps its own label.
    """)
    return


@app.cell(hide_code=True)
def _(ex01_verdict):
    mo.md(marimo_cell.describe(ex01_verdict, "split_dataset", EXERCISES))
    return


@app.cell
def _(X, show_printed, split_dataset, torch, y):
    with mo.capture_stdout() as _printed:  # printed lines show under the cell
        X_train_cpu, X_test_cpu, y_train_cpu, y_test_cpu = split_dataset(X, y)
        print(len(X_train_cpu), "points to train on,", len(X_test_cpu), "to test on")
        print("classes in the test set:", torch.bincount(y_test_cpu).tolist())
    show_printed(_printed)
    return X_test_cpu, X_train_cpu, y_test_cpu, y_train_cpu


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### Check exercise 1
    """)
    return


@app.cell(hide_code=True)
def _(ex01_saved):
    ex01_saved()  # run again when exercises/ex01_data.py is saved
    ex01_verdict = marimo_cell.grade("ex01", EXERCISES)
    return (ex01_verdict,)


@app.cell(hide_code=True)
def _(ex01_verdict, ex02_verdict, ex03_verdict, ex04_verdict, show_verdict):
    show_verdict(ex01_verdict, [ex01_verdict, ex02_verdict, ex03_verdict, ex04_verdict])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2. Device-agnostic code

    PyTorch runs on NVIDIA GPUs (`"cuda"`), on Apple GPUs (`"mps"`) and on the CPU. Code that
    writes `"cuda"` everywhere breaks on a laptop; code that asks which device there is runs
    everywhere. The model and the data it meets must sit on the same device, so everything is
    moved with `.to(device)`.
    """)
    return


@app.cell(hide_code=True)
def _(ex02_verdict, stop_with):
    # Your functions, from exercises/ex02_model.py, loaded again each time it is saved.
    get_device, build_model = marimo_cell.load("ex02", EXERCISES, ex02_verdict, stop_with)
    return build_model, get_device


@app.cell(hide_code=True)
def _(ex02_verdict):
    mo.md(marimo_cell.describe(ex02_verdict, "get_device", EXERCISES))
    return


@app.cell
def _(
    X_test_cpu,
    X_train_cpu,
    get_device,
    show_printed,
    y_test_cpu,
    y_train_cpu,
):
    with mo.capture_stdout() as _printed:  # printed lines show under the cell
        device = get_device()
        print("this notebook computes on:", device)
        X_train, y_train = X_train_cpu.to(device), y_train_cpu.to(device)
        X_test, y_test = X_test_cpu.to(device), y_test_cpu.to(device)
    show_printed(_printed)
    return X_test, X_train, device, y_test, y_train


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3. The model

    Three `nn.Linear` layers with a ReLU after each of the first two. The first layer takes
    the 2 features of a point, the last one returns 4 numbers, one per class: the *logits*. A
    logit is any real number; the larger it is, the more the model favours that class. The
    ReLUs (`max(0, x)`) are what let the model bend its decision boundaries; section 8 shows
    what happens without them.
    """)
    return


@app.cell(hide_code=True)
def _(ex02_verdict):
    mo.md(marimo_cell.describe(ex02_verdict, "build_model", EXERCISES))
    return


@app.cell
def _(build_model, device, show_printed, torch):
    with mo.capture_stdout() as _printed:  # printed lines show under the cell
        torch.manual_seed(42)                          # the same starting weights on every run
        untrained_model = build_model().to(device)
        print(untrained_model)
        print(sum(p.numel() for p in untrained_model.parameters()), "parameters to learn")
    show_printed(_printed)
    return (untrained_model,)


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### Check exercise 2
    """)
    return


@app.cell(hide_code=True)
def _(ex02_saved):
    ex02_saved()  # run again when exercises/ex02_model.py is saved
    ex02_verdict = marimo_cell.grade("ex02", EXERCISES)
    return (ex02_verdict,)


@app.cell(hide_code=True)
def _(ex01_verdict, ex02_verdict, ex03_verdict, ex04_verdict, show_verdict):
    show_verdict(ex02_verdict, [ex01_verdict, ex02_verdict, ex03_verdict, ex04_verdict])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4. The loss and the optimizer

    Training needs a number that says how wrong the model is, and a rule to change the weights
    so that the number goes down.

    For classification into several classes, the number is the *cross-entropy*:
    `nn.CrossEntropyLoss` turns each row of logits into probabilities with a (log-)softmax and
    takes minus the log of the probability given to the right class. Because the softmax is
    inside the loss, the model must hand over **raw logits**. A model that applies softmax
    itself makes the loss softmax twice: the probabilities get squeezed together, the loss can
    hardly move, and learning crawls.
    """)
    return


@app.cell
def _(X_train, nn, show_printed, untrained_model, y_train):
    with mo.capture_stdout() as _printed:  # printed lines show under the cell
        logits = untrained_model(X_train).detach()     # the untrained model's raw output
        print("loss of the raw logits:            ", nn.CrossEntropyLoss()(logits, y_train).item())
        print("loss after a softmax too many:     ", nn.CrossEntropyLoss()(logits.softmax(dim=1), y_train).item())
    show_printed(_printed)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Both are close to ln 4 now, because the model knows nothing yet; the difference shows as
    training goes on, when only the first can get close to 0.

    The rule is stochastic gradient descent, `torch.optim.SGD`: after `loss.backward()` has
    computed each weight's gradient, `optimizer.step()` moves every weight a small step (the
    learning rate, `lr`) against it.
    """)
    return


@app.cell
def _(show_printed, torch, untrained_model):
    with mo.capture_stdout() as _printed:  # printed lines show under the cell
        print(torch.optim.SGD(untrained_model.parameters(), lr=0.1))
    show_printed(_printed)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5. From logits to predictions: softmax and argmax

    The model's output has one row per sample and one column per class. Two questions can be
    asked of a row:

    * *how sure is the model of each class?* `torch.softmax(logits, dim=1)` turns the row into
      probabilities: each between 0 and 1, summing to 1 across the classes;
    * *which class does it pick?* `argmax(dim=1)` gives the column of the largest value.

    `dim=1` is the class axis; `dim=0` would compare the samples with each other instead. Here
    is one row, worked through:
    """)
    return


@app.cell
def _(show_printed, torch):
    with mo.capture_stdout() as _printed:  # printed lines show under the cell
        row = torch.tensor([[1.5, -0.5, 3.0, 0.25]])  # logits of one sample for classes 0..3
        probabilities = torch.softmax(row, dim=1)
        print("logits:       ", row.tolist())
        print("probabilities:", [round(p, 3) for p in probabilities[0].tolist()])
        print("their sum:    ", round(probabilities.sum(dim=1).item(), 6))
        print("class:        ", probabilities.argmax(dim=1).item(), "(the argmax of the logits is the same:",
              row.argmax(dim=1).item(), ")")
    show_printed(_printed)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Softmax keeps the order of the numbers, so the largest logit always becomes the largest
    probability: to pick a class, `argmax` of the logits is enough. You need softmax when you
    want the probabilities themselves.
    """)
    return


@app.cell(hide_code=True)
def _(ex03_verdict, stop_with):
    # Your functions, from exercises/ex03_predict.py, loaded again each time it is saved.
    predict_proba, predict, accuracy = marimo_cell.load("ex03", EXERCISES, ex03_verdict, stop_with)
    return accuracy, predict, predict_proba


@app.cell(hide_code=True)
def _(ex03_verdict):
    mo.md(marimo_cell.describe(ex03_verdict, "predict_proba", EXERCISES))
    return


@app.cell(hide_code=True)
def _(ex03_verdict):
    mo.md(marimo_cell.describe(ex03_verdict, "predict", EXERCISES))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Accuracy is the share of right predictions, as a percentage.
    """)
    return


@app.cell(hide_code=True)
def _(ex03_verdict):
    mo.md(marimo_cell.describe(ex03_verdict, "accuracy", EXERCISES))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    The untrained model, on the test set: with four classes, guessing is right about a quarter
    of the time.
    """)
    return


@app.cell
def _(
    X_test,
    accuracy,
    predict,
    predict_proba,
    show_printed,
    untrained_model,
    y_test,
):
    with mo.capture_stdout() as _printed:  # printed lines show under the cell
        print("probabilities of the first 3 test points:\n", predict_proba(untrained_model, X_test[:3]))
        print("accuracy before training:", accuracy(y_test, predict(untrained_model, X_test)), "%")
    show_printed(_printed)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### Check exercise 3
    """)
    return


@app.cell(hide_code=True)
def _(ex03_saved):
    ex03_saved()  # run again when exercises/ex03_predict.py is saved
    ex03_verdict = marimo_cell.grade("ex03", EXERCISES)
    return (ex03_verdict,)


@app.cell(hide_code=True)
def _(ex01_verdict, ex02_verdict, ex03_verdict, ex04_verdict, show_verdict):
    show_verdict(ex03_verdict, [ex01_verdict, ex02_verdict, ex03_verdict, ex04_verdict])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 6. The training loop

    One *epoch* goes over the whole training set once: a forward pass, the loss, then
    `optimizer.zero_grad()` (gradients add up until cleared), `loss.backward()` and
    `optimizer.step()`. After each update, `evaluate` measures the test set without autograd:
    we only look at it, we do not learn from it.
    """)
    return


@app.cell(hide_code=True)
def _(ex04_verdict, stop_with):
    # Your functions, from exercises/ex04_train.py, loaded again each time it is saved.
    train_step, evaluate, train = marimo_cell.load("ex04", EXERCISES, ex04_verdict, stop_with)
    return (train,)


@app.cell(hide_code=True)
def _(ex04_verdict):
    mo.md(marimo_cell.describe(ex04_verdict, "train_step", EXERCISES))
    return


@app.cell(hide_code=True)
def _(ex04_verdict):
    mo.md(marimo_cell.describe(ex04_verdict, "evaluate", EXERCISES))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    `train` puts it together, prints a progress line every 10 epochs and returns the history of
    the loss and the accuracy.
    """)
    return


@app.cell(hide_code=True)
def _(ex04_verdict):
    mo.md(marimo_cell.describe(ex04_verdict, "train", EXERCISES))
    return


@app.cell
def _():
    hidden_units = mo.ui.slider(start=2, stop=32, step=2, value=8, debounce=True,
                                label="hidden units", show_value=True)
    learning_rate = mo.ui.slider(steps=[0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0], value=0.1,
                                 debounce=True, label="learning rate", show_value=True)
    epochs = mo.ui.slider(start=10, stop=300, step=10, value=100, debounce=True,
                          label="epochs", show_value=True)
    mo.vstack([
        mo.md("Try other settings: each change trains a new model with your `train`, and the "
              "curves and the regions below are drawn again."),
        mo.hstack([hidden_units, learning_rate, epochs], justify="start", gap=2),
    ])
    return epochs, hidden_units, learning_rate


@app.cell
def _(
    X_test,
    X_train,
    build_model,
    device,
    epochs,
    hidden_units,
    learning_rate,
    show_printed,
    torch,
    train,
    y_test,
    y_train,
):
    with mo.capture_stdout() as _printed:  # printed lines show under the cell
        torch.manual_seed(42)
        model = build_model(hidden_units=hidden_units.value).to(device)
        history = train(model, X_train, y_train, X_test, y_test, epochs=epochs.value,
                        lr=learning_rate.value)
    show_printed(_printed)
    return history, model


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    The loss starts near ln 4 and falls; the accuracy climbs. The train and test curves stay
    close together: the model learned the clusters, not the particular training points.
    """)
    return


@app.cell
def _(history, plots):
    plots.plot_history(history)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### Check exercise 4
    """)
    return


@app.cell(hide_code=True)
def _(ex04_saved):
    ex04_saved()  # run again when exercises/ex04_train.py is saved
    ex04_verdict = marimo_cell.grade("ex04", EXERCISES)
    return (ex04_verdict,)


@app.cell(hide_code=True)
def _(ex01_verdict, ex02_verdict, ex03_verdict, ex04_verdict, show_verdict):
    show_verdict(ex04_verdict, [ex01_verdict, ex02_verdict, ex03_verdict, ex04_verdict])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 7. The decision boundary

    The model assigns a class to every point of the plane, not only to the data. Colouring the
    plane by the predicted class shows the regions it learned, with the test points on top: a
    point whose colour differs from its region's is a mistake.
    """)
    return


@app.cell
def _(X_test, model, plots, y_test):
    plots.plot_decision_boundary(model, X_test, y_test, title="The trained model's regions, with the test points")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    The borders between regions are made of straight pieces that bend where a ReLU switches on
    or off.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 8. Without the ReLUs

    Take the ReLUs out and train the same way:
    """)
    return


@app.cell
def _():
    with_relu = mo.ui.switch(value=False, label="with ReLU")
    return (with_relu,)


@app.cell
def _(epochs, hidden_units, learning_rate, with_relu):
    mo.hstack([with_relu, hidden_units, learning_rate, epochs], justify="start", gap=2)
    return


@app.cell
def _(
    X_test,
    X_train,
    device,
    epochs,
    hidden_units,
    learning_rate,
    model,
    nn,
    plots,
    show_printed,
    torch,
    train,
    with_relu,
    y_test,
    y_train,
):
    with mo.capture_stdout() as _printed:  # printed lines show under the cell
        if with_relu.value:
            linear_model = model          # section 6's model, ReLUs and all
        else:
            torch.manual_seed(42)
            _units = hidden_units.value
            linear_model = nn.Sequential(nn.Linear(2, _units), nn.Linear(_units, _units),
                                         nn.Linear(_units, 4)).to(device)
            train(linear_model, X_train, y_train, X_test, y_test, epochs=epochs.value,
                  lr=learning_rate.value)
        _shown = plots.plot_decision_boundary(
            linear_model, X_test, y_test,
            title="With ReLUs: borders that bend" if with_relu.value else "Without ReLUs: straight borders only")
    show_printed(_printed, _shown)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Three Linear layers in a row are one Linear layer in disguise: `W3(W2(W1 x + b1) + b2) + b3`
    multiplies out to `W x + b`. Such a model can only cut the plane with straight lines. These
    four blobs happen to lie so that straight cuts separate them well, which is why it still
    scores well here; data that curls around itself (one class inside a ring of another, say)
    cannot be separated that way, and only the non-linear model learns it.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## What you built

    Data as float32 features and int64 labels, a train/test split, code that runs on any
    device, a model that outputs logits, the loss that expects them, predictions with softmax
    and argmax, and the loop that trains it all. The same steps, with a bigger model and more
    data, train most classifiers.
    """)
    return


@app.cell(hide_code=True)
def _():
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
        return mo.vstack(items)

    return show_printed, show_verdict, stop_with


@app.cell(hide_code=True)
def _():
    # Saving an exercise file re-runs the cells that use it: each file's digest is a marimo
    # state, which a thread sets when the file's content changes (in marimo edit and run).
    _seen = {ex: marimo_cell.digest(EXERCISES, ex) for ex in ['ex01', 'ex02', 'ex03', 'ex04']}
    ex01_saved, _set_ex01 = mo.state(_seen["ex01"])
    ex02_saved, _set_ex02 = mo.state(_seen["ex02"])
    ex03_saved, _set_ex03 = mo.state(_seen["ex03"])
    ex04_saved, _set_ex04 = mo.state(_seen["ex04"])
    _setters = {"ex01": _set_ex01, "ex02": _set_ex02, "ex03": _set_ex03, "ex04": _set_ex04}
    marimo_cell.start_watching(EXERCISES, _setters, _seen, mo.Thread)
    return ex01_saved, ex02_saved, ex03_saved, ex04_saved


if __name__ == "__main__":
    app.run()
