"""Render the Space in headless Chromium with one recommendation shown, and save a screenshot.

The app is served locally; the page is opened at ``/?song=<id>&lang=<ko|en>``, which runs that song's
recommendation on page load, and Chromium saves a PNG of the rendered page (table, emotion bars,
emotional arc, heatmap) to ``bench/results/``. One request is also made with gradio_client, to time it.
Look at the PNG: Korean text must show as Hangul, not empty boxes.

Needs Debian's chromium (``apt-get install -y chromium``); without it the check is skipped.

    python bench/browser_check.py --tiny            # a tiny random model (no trained model needed)
    python bench/browser_check.py --song en-001-ribbon-for-your-hair --lang en
    python bench/browser_check.py --tiny --hostile  # a ?song= link carrying HTML/Markdown must render inert
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import select
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import RESULTS, print_table, serve, space_env

space_env()

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def find_chromium(explicit: str | None) -> str | None:
    for candidate in ([explicit] if explicit else []) + list(CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


class DevTools:
    """A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (stdlib only).

    Chromium reads commands from fd 3 and writes replies and events to fd 4, one JSON message per
    NUL-terminated frame (what Puppeteer's pipe transport does).
    """

    def __init__(self, chromium: str, args: list[str]):

        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        # posix_spawn (not preexec_fn, unsafe with the server's threads) maps the pipes to fds 3 and 4.
        actions = [
            (os.POSIX_SPAWN_DUP2, to_child_r, 3),
            (os.POSIX_SPAWN_DUP2, from_child_w, 4),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        ]
        self.pid = os.posix_spawn(chromium, [chromium, "--remote-debugging-pipe", *args], dict(os.environ),
                                  file_actions=actions)
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0

    def _read_message(self, deadline: float) -> dict:

        while b"\0" not in self._buffer:
            if not select.select([self._from_child], [], [], max(0.0, deadline - time.monotonic()))[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        frame, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(frame)

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:

        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing anyway
            self.call("Browser.close", timeout=5)

        for _ in range(100):  # up to 10 s for a clean exit
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                break
            time.sleep(0.1)
        else:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        os.close(self._to_child)
        os.close(self._from_child)


# Rendered = the page shows the expected first recommendation, the plots are images, and no output shows
# Gradio's progress timer.
RENDERED_JS = """(() => {
  const text = document.body.innerText;
  const images = document.querySelectorAll('img[src^="data:image"]').length;
  return JSON.stringify({found: text.includes(%s), images, busy: /processing \\|/.test(text)});
})()"""


#: a view of the page: the JavaScript that opens it (clicks its tab; None: the page as it opens) and how many plots
#: it shows
VIEWS = {"similar": (None, 3), "dig": ("""(() => {
  const tab = [...document.querySelectorAll('button[role="tab"]')].find(b => /^(Dig|디깅)$/.test(b.innerText.trim()));
  if (tab && tab.getAttribute('aria-selected') !== 'true') tab.click();
  return '{}';
})()""", 1)}


def rendered(state: dict, plots: int = 3) -> bool:
    return bool(state.get("found")) and state.get("images", 0) >= plots and not state.get("busy")


# The link of the hardening report: it must show as text, with no element of evil.example in the page.
HOSTILE_SONG = ('<a href="https://evil.example/login">Session expired</a><img src=https://evil.example/t.png>'
                "[click](https://evil.example/md)")
INJECTED_JS = """(() => JSON.stringify({
  injected: document.querySelectorAll('a[href*="evil.example"], img[src*="evil.example"]').length,
  shown: document.body.innerText.includes('Session expired</a>'),
}))()"""


def screenshot(chromium: str, url: str, expected: str, out: Path, width: int, height: int,
               timeout_s: float, probe: str | None = None, view: str = "similar") -> tuple[float, dict]:
    """Open ``url`` (its ``view``: see :data:`VIEWS`), wait until ``expected`` text and the plots are rendered, save a
    PNG; (seconds, page state).

    ``probe``: a JavaScript expression returning JSON, evaluated once the page is rendered (merged into the state).
    """
    open_view, plots = VIEWS[view]

    profile = tempfile.mkdtemp(prefix="lyricmood-chromium-")
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
        f"--user-data-dir={profile}", f"--window-size={width},{height}", "about:blank",
    ]
    start = time.perf_counter()
    browser = DevTools(chromium, flags)
    try:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session)
        browser.call("Page.enable", session=session)
        browser.call("Page.navigate", {"url": url}, session)
        state: dict = {}
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if open_view is not None:
                browser.call("Runtime.evaluate", {"expression": open_view, "returnByValue": True}, session)
            expression = RENDERED_JS % json.dumps(expected)
            value = browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
            state = json.loads(value["result"].get("value") or "{}")
            if rendered(state, plots):
                break
            time.sleep(0.5)
        time.sleep(1.0)  # let the last images paint
        if probe is not None:
            value = browser.call("Runtime.evaluate", {"expression": probe, "returnByValue": True}, session)
            state.update(json.loads(value["result"].get("value") or "{}"))
        shot = browser.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session)
        out.write_bytes(base64.b64decode(shot["data"]))
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
    return time.perf_counter() - start, state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="serve a tiny random model instead of the default one")
    parser.add_argument("--song", default="ko-001-ssuk-kaeneun-eondeok", help="catalog id shown on load (default: a Korean song)")
    parser.add_argument("--lang", choices=("ko", "en"), default="ko", help="interface language (default ko)")
    parser.add_argument("--out", type=Path, default=RESULTS / "space_screenshot.png")
    parser.add_argument("--chromium", default=None, help="path to the chromium binary")
    parser.add_argument("--window", default="1400,2200", help="window size W,H in pixels")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for the page to render")
    parser.add_argument("--view", choices=sorted(VIEWS), default="similar",
                        help="the view to render: similar (the song's recommendations, default) or dig (seeds + map)")
    parser.add_argument("--hostile", action="store_true",
                        help="open a ?song= link carrying HTML and Markdown instead: it must render as plain text")
    args = parser.parse_args(argv)

    chromium = find_chromium(args.chromium)
    if chromium is None:
        print("SKIPPED: chromium not found (/usr/bin/chromium); install it with `apt-get install -y chromium`.")
        return 0

    from gradio_client import Client

    if args.hostile:
        return hostile_check(chromium, args)
    demo, url, built = serve(args.tiny, ui_lang=args.lang)
    try:
        client = Client(url, verbose=False)
        start = time.perf_counter()
        table, message, *_ = client.predict(args.song, "builtin", 10, False, None, None, "any", 0.0, None, "none", args.lang,
                                            api_name="/recommend_song")
        request_s = time.perf_counter() - start
        if message.startswith("⚠️"):
            print(f"the recommendation failed: {message}", file=sys.stderr)
            return 1
        args.out.parent.mkdir(parents=True, exist_ok=True)
        width, height = (int(v) for v in args.window.split(","))
        page = f"{url}/?song={args.song}&lang={args.lang}"
        if args.view == "dig":  # the Dig tab opens on the songs that fit the catalog's first two songs
            seeds_shown = demo.lyricmood_recommender.index.ids[:2]
            table, message, _ = client.predict(seeds_shown, k=10, ui_lang=args.lang, api_name="/recommend_songs")
            args.out = args.out.with_name(args.out.stem + "_dig.png")
        first_title = table["data"][0][1]
        shot_s, state = screenshot(chromium, page, first_title, args.out, width, height, args.timeout, view=args.view)
    finally:
        demo.close()
    size = args.out.stat().st_size if args.out.is_file() else 0
    print_table(
        [
            ("build app", f"{built:.1f} s", "tiny random model" if args.tiny else "default model"),
            ("one recommendation (gradio_client)", f"{request_s:.2f} s", f"{len(table['data'])} rows"),
            ("page load + render (chromium)", f"{shot_s:.1f} s",
             f"first recommendation {'shown' if state.get('found') else 'NOT shown'}, {state.get('images', 0)} images"),
            ("screenshot", "", f"{args.out} ({size / 1024:.0f} KiB)"),
        ],
        ("step", "time", "result"),
    )
    print(f"first row: {table['data'][0][:3] if table['data'] else None}")
    ok = rendered(state, VIEWS[args.view][1])
    if not ok:
        print("the page did not finish rendering the recommendation in time", file=sys.stderr)
    return 0 if size > 0 and ok else 1


def hostile_check(chromium: str, args: argparse.Namespace) -> int:
    """Open ``/?song=<HTML and Markdown>``: the message must show it as text, and no link or image of it exist."""
    from urllib.parse import quote

    demo, url, _ = serve(args.tiny, ui_lang="en")
    try:
        width, height = (int(v) for v in args.window.split(","))
        page = f"{url}/?lang=en&song={quote(HOSTILE_SONG)}"
        out = args.out.with_name("space_hostile.png")
        out.parent.mkdir(parents=True, exist_ok=True)
        _, state = screenshot(chromium, page, "unknown song id", out, width, height, min(args.timeout, 30),
                              probe=INJECTED_JS)
    finally:
        demo.close()
    print_table([("hostile ?song= link", f"{state.get('injected')} injected elements",
                  f"shown as text: {state.get('shown')}; screenshot {out}")], ("check", "result", "detail"))
    return 0 if state.get("injected") == 0 and state.get("shown") else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Not sys.exit: at interpreter exit a native thread of the served app (torch / tokenizers) could still be
    # running, and C++ aborts ("terminate called without an active exception", exit 134) after the work is done.
    os._exit(code)
