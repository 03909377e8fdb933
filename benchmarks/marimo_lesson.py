"""How quickly the marimo lesson answers, with the reference solutions in exercises/.

    python benchmarks/marimo_lesson.py [--steps N] [--runs R]

Serves a copy of the course with `marimo run` and drives headless Chromium (Debian's
`chromium`) over the DevTools protocol (tests/browser.py). Prints:
  first render   page opened -> every verdict and all four plots shown, median of R
  slider         one step of the epochs slider -> the loss curves and both maps of
                 regions redrawn (training again with the student's train), median of N
  switch on      the ReLU switch turned on -> section 8's map of regions redrawn with
                 section 6's model (no training), median of N
  switch off     turned off again -> the model without ReLUs trained with the student's
                 train and its map redrawn, median of N
  save           an exercise file saved -> its verdict shown again (the notebook polls
                 the files every 0.5 s, then grades in the worker)
each as wall-clock seconds, as the CPU seconds the server and its processes used (the
kernel, the zygote, the workers: the lesson's own work, which a busy machine does not
change), and as the CPU seconds Chromium used meanwhile (parsing, decoding and painting
the new images in software: a browser with a GPU does less). For the slider and the
switch, the wall-clock runs from the key press or the click until the new images are in
the page and decoded, as the page itself records it: polling the page every few
milliseconds from here would take a core from the server it measures. And, in this
process, what one redraw costs without the browser: 100 epochs of the reference train
(one thread, as in the lesson), and the three plots of a slider's step as SVG: drawn once on
new figures, drawn again on the figures of the step before (as the lesson draws them), and
trimmed as marimo shows a figure (drawn twice).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import Browser, chromium        # noqa: E402
from tests.release_tools import drop_in            # noqa: E402

SWITCH = """(() => { const els = document.querySelectorAll('marimo-switch');
  const found = []; const inner = (n) => { if (n.shadowRoot) inner(n.shadowRoot);
    for (const c of n.children || []) { if (c.getAttribute('role') === 'switch') found.push(c); inner(c); } };
  inner(els[els.length - 1]); found[0].click(); return found.length; })()"""


def cpu_seconds(pid: int) -> float:
    """CPU seconds used by the process pid and its live descendants, with the children each
    has reaped (the zygote's ended workers): what the lesson costs, however busy the
    machine is (the wall-clock times include the waits for a core)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        stats[int(entry.name)] = (int(fields[1]), sum(map(int, fields[11:15])))
    family, total, grew = {pid}, 0, True
    while grew:
        more = {p for p, (parent, _) in stats.items() if parent in family} - family
        family, grew = family | more, bool(more)
    for p in family:
        if p in stats:
            total += stats[p][1]
    return total / tick


def settled(pid: int, quiet: float = 0.3) -> float:
    """cpu_seconds once the server has stopped working (a redraw shown may still be
    followed by the work of cells that come after it)."""
    last = cpu_seconds(pid)
    while True:
        time.sleep(quiet)
        now = cpu_seconds(pid)
        if now - last < 0.02:
            return now
        last = now


def medians(timed: list[tuple[float, ...]]) -> tuple[float, ...]:
    return tuple(statistics.median(column) for column in zip(*timed))


def in_process() -> dict[str, tuple[float, float]]:
    """Wall-clock and CPU seconds, in this process, of one training and of the three plots
    of a slider's step, as the lesson draws them and as marimo would (means of 3)."""
    import torch

    from grader import plots
    from grader.gateway.in_process import prepare_torch
    sys.path.insert(0, str(ROOT / "solutions"))
    import ex01_data, ex02_model, ex04_train      # noqa: E401

    prepare_torch()          # as the notebook's loading does: one thread, no torch._dynamo
    X, y = ex01_data.make_dataset()
    X_train, X_test, y_train, y_test = ex01_data.split_dataset(X, y)
    with contextlib.redirect_stdout(io.StringIO()):
        ex04_train.train(ex02_model.build_model(), X_train, y_train, X_test, y_test, epochs=1)
    torch.manual_seed(42)
    model = ex02_model.build_model()
    start, used = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        history = ex04_train.train(model, X_train, y_train, X_test, y_test, epochs=100, lr=0.1)
    trained, trained_cpu = time.perf_counter() - start, time.process_time() - used
    import matplotlib.pyplot as plt

    class Run:
        """One run of a cell (each plot has a cell of its own in the lesson)."""

    where: list = [None]               # (the cell, its run) where figures are reused
    plots.reuse_figures(lambda: where[0])
    drawn = {}
    for way, save in (("drawn once", plots.svg),          # as the lesson shows its plots
                      ("drawn again", plots.svg),         # ...on the figures shown last time
                      ("trimmed", lambda figure: figure.savefig(       # marimo's own way
                          tempfile.TemporaryFile(), format="svg", bbox_inches="tight"))):
        steps = 1 + 3 if way == "drawn again" else 3     # the first step makes the figures
        for step in range(steps):
            if step == steps - 3:
                start, used = time.perf_counter(), time.process_time()
            for cell, draw in enumerate((lambda: plots.plot_history(history),
                                         lambda: plots.plot_decision_boundary(model, X_test, y_test),
                                         lambda: plots.plot_decision_boundary(model, X_test, y_test))):
                where[0] = (cell, Run()) if way == "drawn again" else None
                axes = draw()
                figure = (axes[0] if isinstance(axes, tuple) else axes).figure
                plots.hand_back(figure)
                save(figure)
                plt.close(figure)
        drawn[f"three plots, {way}"] = ((time.perf_counter() - start) / 3, (time.process_time() - used) / 3)
    return {"train 100 epochs": (trained, trained_cpu), **drawn}


def session(binary: str, steps: int) -> dict[str, tuple[float, float, float]]:
    """One lesson served and opened: each measure's wall-clock, server CPU and Chromium CPU
    seconds (medians of `steps` for the slider and the switch)."""
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp) / "course"
        for folder in ("grader", "marimo", "exercises"):
            shutil.copytree(ROOT / folder, course / folder,
                            ignore=shutil.ignore_patterns("__pycache__", "__marimo__"))
        shutil.copy(ROOT / "pyproject.toml", course)
        drop_in(course)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        marimo = str(Path(sys.executable).with_name("marimo"))
        server = subprocess.Popen([marimo, "run", "marimo/lesson.py", "--headless", "--no-token",
                                   "--host", "127.0.0.1", "--port", str(port)], cwd=course,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env={"PATH": "/usr/bin:/bin", "HOME": tmp,
                                       "MARIMO_SKIP_UPDATE_CHECK": "1"})
        wall: dict[str, float] = {}
        cpu: dict[str, float] = {}
        browser_cpu: dict[str, float] = {}
        try:
            for _ in range(300):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            with Browser(binary) as browser:
                client = browser.process.pid
                used, shown = cpu_seconds(server.pid), cpu_seconds(client)
                browser.open(f"http://127.0.0.1:{port}/")
                wall["first render"], _ = browser.wait(
                    lambda p: p["text"].count("The course: 100/100") == 4 and len(p["images"]) >= 4, 300)
                cpu["first render"] = cpu_seconds(server.pid) - used
                browser_cpu["first render"] = cpu_seconds(client) - shown
                settled(server.pid)
                browser.watch_images()

                def step(act, images: int) -> tuple[float, float, float]:
                    """act's wall-clock time until `images` images changed, the server's
                    CPU seconds until it settled, and Chromium's meanwhile."""
                    used, shown = cpu_seconds(server.pid), cpu_seconds(client)
                    since = browser.now()
                    act()
                    took = browser.changed_images(since, images, 120) or float("nan")
                    return took, settled(server.pid) - used, cpu_seconds(client) - shown

                timed = []
                for _ in range(steps):
                    browser.focus_slider("epochs")
                    timed.append(step(lambda: browser.press("ArrowRight", 39), 3))
                wall["slider"], cpu["slider"], browser_cpu["slider"] = medians(timed)
                # on, off, on, off...: each way `steps` times; the switch redraws one plot,
                # section 8's regions
                timed = [step(lambda: browser.evaluate(SWITCH), 1) for _ in range(2 * steps)]
                wall["switch on"], cpu["switch on"], browser_cpu["switch on"] = medians(timed[0::2])
                wall["switch off"], cpu["switch off"], browser_cpu["switch off"] = medians(timed[1::2])
                path = course / "exercises" / "ex01_data.py"
                start, used, shown = time.monotonic(), cpu_seconds(server.pid), cpu_seconds(client)
                path.write_text(path.read_text().replace("return X_train, X_test, y_train, y_test",
                                                         "return X_train, y_train, X_test, y_test"))
                browser.wait(lambda p: "wrong order" in p["text"], 60, poll=0.05)
                wall["save to verdict"] = time.monotonic() - start
                cpu["save to verdict"] = settled(server.pid) - used
                browser_cpu["save to verdict"] = cpu_seconds(client) - shown
        finally:
            server.terminate()
            server.wait(20)
    return {name: (seconds, cpu[name], browser_cpu[name]) for name, seconds in wall.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5, help="slider steps and switch turns per run")
    parser.add_argument("--runs", type=int, default=1,
                        help="lessons served and opened anew; each figure is the median of the runs' "
                             "(the first render is measured once per run)")
    parser.add_argument("--no-browser", action="store_true", help="only the in-process part")
    args = parser.parse_args()
    if args.no_browser:
        for name, (seconds, cpu_used) in in_process().items():
            print(f"{name:<28}{seconds:7.2f} s  {cpu_used:7.2f} s")
        return
    binary = chromium()
    if binary is None:
        sys.exit("needs Debian's chromium (apt-get install chromium)")
    runs = [session(binary, args.steps) for _ in range(args.runs)]
    print(f"{'':<22}{'wall':>7}    {'CPU':>7}    {'browser':>7}  (CPU: the server and its "
          f"processes; browser: Chromium's CPU; medians of {args.steps} steps, of {args.runs} run(s))")
    for name in runs[0]:
        seconds, cpu_used, shown = medians([run[name] for run in runs])
        print(f"{name:<22}{seconds:7.2f} s  {cpu_used:7.2f} s  {shown:7.2f} s")
    print(f"\nin this process{'':<13}{'wall':>7}    {'CPU':>7}")
    for name, (seconds, cpu_used) in in_process().items():
        print(f"{name:<28}{seconds:7.2f} s  {cpu_used:7.2f} s")


if __name__ == "__main__":
    main()
