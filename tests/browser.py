"""A headless Chromium driven over the DevTools protocol, with nothing but `websockets`
(a marimo dependency): open a page, read its rendered text (open shadow roots included,
where marimo's callouts keep theirs), press keys, find images, take a screenshot.
Used by tests/test_marimo.py and benchmarks/marimo_lesson.py."""
from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

# Every text node and image of the page, shadow roots included, in document order.
_WALK = """(() => { const texts = [], images = [];
  const walk = (n) => { if (n.shadowRoot) walk(n.shadowRoot);
    for (const c of n.childNodes) {
      if (c.nodeName === 'SCRIPT' || c.nodeName === 'STYLE') continue;
      if (c.nodeName === 'IMG') images.push(c.src.length + ':' + c.src.slice(-64));
      if (c.nodeType === 3) texts.push(c.textContent); else walk(c); } };
  walk(document.body);
  return {text: texts.join(' ').replace(/\\s+/g, ' '), images}; })()"""

# Focus the thumb (role="slider", in a shadow root) of the marimo slider labelled LABEL.
_FOCUS_SLIDER = """((label) => {
  for (const el of document.querySelectorAll('marimo-slider')) {
    if ((el.dataset.label || '').includes(label)) {
      const thumbs = []; const inner = (n) => { if (n.shadowRoot) inner(n.shadowRoot);
        for (const c of n.children || []) { if (c.getAttribute('role') === 'slider') thumbs.push(c); inner(c); } };
      inner(el); if (thumbs.length) { thumbs[0].focus(); return thumbs[0].getAttribute('aria-valuenow'); } } }
  return null; })"""


# Record, in the page, when the images change: the page's clock then, and when every image
# has been decoded (ready to paint). Watching from inside costs the page nothing between
# changes, where polling the page from outside every few milliseconds would take a core
# from the server it measures. An image counts as drawn again when its element is new or
# its source was set, even to the same picture (a plot drawn again may look the same).
_WATCH_IMAGES = """(() => {
  const ids = new WeakMap(); let next = 0;
  const id = (i) => { if (!ids.has(i)) ids.set(i, {id: next++, version: 0}); return ids.get(i); };
  const prints = () => [...document.querySelectorAll('img')].map(i => id(i).id + ':' + id(i).version);
  window.__images = [{t: performance.now(), decoded: performance.now(), images: prints()}];
  const touches = (r) => r.type === 'attributes' ? r.target.nodeName === 'IMG'
    : [...r.addedNodes, ...r.removedNodes].some(n => n.nodeName === 'IMG' || (n.querySelector && n.querySelector('img')));
  new MutationObserver((records) => {
    if (!records.some(touches)) return;
    for (const r of records) if (r.type === 'attributes' && r.target.nodeName === 'IMG') id(r.target).version++;
    const t = performance.now(), images = prints();
    Promise.all([...document.querySelectorAll('img')].map(i => i.decode().catch(() => null)))
      .then(() => window.__images.push({t, decoded: performance.now(), images}));
  }).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
  return true; })()"""


# .ci/run installs chromium while the set-up and the first tests run, and names here the
# file it writes the install's exit status to when it is done.
INSTALLING = "CHROMIUM_INSTALL_STATUS"
INSTALL_LIMIT_S = 900


class InstallFailed(Exception):
    """.ci/run's install of chromium failed; the message holds the end of its log."""


def chromium() -> str | None:
    """The browser; where .ci/run is still installing it, once that is done."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    status = os.environ.get(INSTALLING)
    if found or not status:
        return found
    status_file, deadline = Path(status), time.monotonic() + INSTALL_LIMIT_S
    while not status_file.exists():
        if time.monotonic() > deadline:
            raise InstallFailed(f"chromium's install did not end in {INSTALL_LIMIT_S} s")
        time.sleep(0.5)
    if status_file.read_text().strip() != "0":
        log = Path(os.environ.get("CHROMIUM_INSTALL_LOG", os.devnull))
        raise InstallFailed("installing chromium failed:\n" + log.read_text(errors="replace")[-3000:])
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    def __init__(self, binary: str, width: int = 1280, height: int = 1600):
        from websockets.sync.client import connect

        self.profile = tempfile.mkdtemp(prefix="chromium-")
        # No traffic of its own (updates, sync, QUIC): on a machine whose network reaches
        # nothing but the page, each would be a refused connection or a failed look-up.
        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-quic", "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not start")
            time.sleep(0.05)
        port = port_file.read_text().split()[0]
        page = None
        for _ in range(100):
            try:
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
                page = next(t for t in targets if t["type"] == "page")
                break
            except Exception:
                time.sleep(0.1)
        if page is None:
            self.close()
            raise RuntimeError("chromium has no page to drive")
        self.stack = contextlib.ExitStack()
        self.ws = self.stack.enter_context(connect(page["webSocketDebuggerUrl"], max_size=None))
        self.id = 0
        self.call("Page.enable")

    def call(self, method: str, **params) -> dict:
        self.id += 1
        self.ws.send(json.dumps({"id": self.id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") == self.id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)

    def page(self) -> dict:
        """{"text": the rendered text, "images": a fingerprint per <img>}."""
        return self.evaluate(_WALK) or {"text": "", "images": []}

    def wait(self, done, timeout: float, poll: float = 0.1) -> tuple[float, dict]:
        """Seconds until done(page) held (or timeout), and the page then."""
        start = time.monotonic()
        while True:
            page = self.page()
            elapsed = time.monotonic() - start
            if done(page) or elapsed > timeout:
                return elapsed, page
            time.sleep(poll)

    def watch_images(self) -> None:
        """Start recording changes to the page's own <img> elements (not those in shadow
        roots; marimo shows a figure drawn as SVG in the page's own) (see changed_images)."""
        self.evaluate(_WATCH_IMAGES)

    def now(self) -> float:
        """The page's clock, in seconds."""
        return self.evaluate("performance.now()") / 1000

    def changed_images(self, since: float, at_least: int, timeout: float) -> float | None:
        """Seconds from since (the page's clock) until at_least of the images on the page
        then had changed and been decoded, as watch_images recorded it; None on timeout.
        Asks the page 4 times a second."""
        deadline = time.monotonic() + timeout
        before = None
        while time.monotonic() < deadline:
            log = self.evaluate("window.__images")
            if before is None:
                before = [e for e in log if e["t"] / 1000 <= since][-1]["images"]
            for entry in log:
                if entry["t"] / 1000 > since and sum(
                        a != b for a, b in zip(before, entry["images"])) >= at_least:
                    return entry["decoded"] / 1000 - since
            time.sleep(0.25)
        return None

    def focus_slider(self, label: str) -> str | None:
        """Focus the slider labelled label; its value (aria-valuenow), or None."""
        return self.evaluate(f"{_FOCUS_SLIDER}({json.dumps(label)})")

    def press(self, key: str, code: int) -> None:
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=key, code=key,
                      windowsVirtualKeyCode=code)

    def screenshot(self, path: Path, width: int = 1280) -> None:
        """The whole page: marimo scrolls inside an element, so the window is made as tall
        as the tallest scrolling content first."""
        height = self.evaluate("Math.max(...[...document.querySelectorAll('*')]"
                               ".map(e => e.scrollHeight))") or 1600
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=int(height),
                  deviceScaleFactor=1, mobile=False)
        time.sleep(1.0)           # let the layout settle at the new size
        shot = self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))
        self.call("Emulation.clearDeviceMetricsOverride")

    def close(self) -> None:
        if hasattr(self, "stack"):
            self.stack.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
