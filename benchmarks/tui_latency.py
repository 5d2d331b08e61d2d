"""Measure key-to-screen latency in the TUI while it refreshes 500 feeds.

Run ``.venv/bin/python benchmarks/tui_latency.py`` (needs tmux, and nginx
or falls back to the asyncio server). tidings runs in a tmux pane of
120x36 on a new cache of generated feeds. The script presses ``R`` to
refresh every feed, then alternates ``j`` and ``k`` in the feed list every
150 ms until the refresh ends. Each sample is the time from sending the key
to the moment ``tmux capture-pane`` shows the highlight on the new row. It
includes tmux's own delivery of the key and the polling, a few ms each, so
the figures are upper bounds. The same is measured with no refresh running,
for comparison.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import feedgen
import feedserver

from reader.store import Store
from reader.welcome import WELCOME_META_KEY

REPOSITORY = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 120, 36
FEED_PANE = range(1, 33)  # columns inside the feed list's border
KEY_INTERVAL = 0.15
_SGR = re.compile(r"\x1b\[([0-9;]*)m")


class Pane:
    """tidings in a detached tmux session on a private server socket."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.tmux = shutil.which("tmux") or sys.exit("tmux is not installed")
        self.socket = f"tidings-bench-{uuid.uuid4().hex[:8]}"
        assignments = [f"{key}={value}" for key, value in env.items()]
        command = ["env", "-u", "COLUMNS", "-u", "LINES", *assignments, *argv]
        self.call(
            "-f", "/dev/null", "new-session", "-d", "-s", "main",
            "-x", str(WIDTH), "-y", str(HEIGHT), *command,
        )  # fmt: skip

    def call(self, *args: str) -> str:
        """Run a tmux command on this session's server; return its stdout."""
        return subprocess.run(
            [self.tmux, "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def screen(self) -> str:
        """Return the visible screen with its SGR escapes."""
        return self.call("capture-pane", "-e", "-p", "-t", "main")

    def send(self, key: str) -> None:
        """Type one key."""
        self.call("send-keys", "-t", "main", key)

    def kill(self) -> None:
        """End the session and its tmux server."""
        subprocess.run([self.tmux, "-L", self.socket, "kill-server"], check=False)


def backgrounds(line: str, background: str) -> tuple[list[str], str]:
    """Return the SGR background at each column of ``line``, and the one in
    effect at its end. ``background`` is the one in effect at its start:
    tmux writes an attribute only where it changes."""
    columns: list[str] = []
    position = 0
    for match in _SGR.finditer(line):
        columns += [background] * len(line[position : match.start()])
        codes = match[1].split(";")
        if codes in ([""], ["0"]) or "49" in codes:
            background = ""
        if "48" in codes:
            start = codes.index("48")
            background = ";".join(codes[start : start + 5])
        position = match.end()
    columns += [background] * len(line[position:])
    return columns, background


def highlighted_row(screen: str) -> int | None:
    """Return the screen row of the feed list's highlighted feed."""
    rows = []
    background = ""
    for number, line in enumerate(screen.splitlines()[: HEIGHT - 3]):
        columns, background = backgrounds(line, background)
        if number > 0:
            rows.append(columns[FEED_PANE[2]] if len(columns) > FEED_PANE[2] else "")
    if not rows:
        return None
    common = statistics.mode(rows)
    odd = [index for index, background in enumerate(rows) if background != common]
    return odd[0] if len(odd) == 1 else None


def plain(screen: str) -> str:
    """Return ``screen`` without escapes."""
    return _SGR.sub("", screen)


def press_and_wait(
    pane: Pane, key: str, expected: int, until: str | None, timeout: float = 5.0
) -> float | None:
    """Press ``key`` and return seconds until row ``expected`` is highlighted,
    or None if ``until`` shows first: the end of a refresh sorts the feed
    list again, which moves the highlight."""
    started = time.perf_counter()
    pane.send(key)
    while time.perf_counter() - started < timeout:
        screen = pane.screen()
        if highlighted_row(screen) == expected:
            return time.perf_counter() - started
        if until is not None and until in plain(screen):
            return None
    screen = pane.screen()
    raise RuntimeError(
        f"row {expected} not highlighted {timeout} s after {key!r}; row "
        f"{highlighted_row(screen)} is. The screen:\n{plain(screen)}"
    )


def sample(pane: Pane, count: int | None, until: str | None) -> list[float]:
    """Alternate j and k; stop after ``count`` keys or once ``until`` shows."""
    samples: list[float] = []
    row = highlighted_row(pane.screen())
    if row is None:
        raise RuntimeError("no highlighted feed found on screen")
    while count is None or len(samples) < count:
        key, target = ("j", row + 1) if len(samples) % 2 == 0 else ("k", row)
        latency = press_and_wait(pane, key, target, until)
        if latency is None:
            break
        samples.append(latency)
        time.sleep(KEY_INTERVAL)
        if until is not None and until in plain(pane.screen()):
            break
    return samples


def describe(samples: list[float]) -> str:
    """Return count, median, 95th percentile and maximum in ms."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{len(samples)} keys: median {statistics.median(ordered) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"
    )


def main() -> None:
    """Serve the feeds, start tidings under tmux and print the figures."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--feeds", type=int, default=500, help="feeds to refresh")
    options.add_argument("--folder", type=Path, help="reuse generated feeds here")
    args = options.parse_args()
    with tempfile.TemporaryDirectory(prefix="tidings-tui-") as name:
        folder = Path(name)
        feeds = args.folder or folder / "feeds"
        names = feedgen.write_feeds(feeds, args.feeds)
        server = feedserver.start_nginx(feeds, folder / "nginx", 100)
        server = server or feedserver.start_asyncio_server(feeds, 100, 0.0)
        database = folder / "cache.sqlite3"
        with Store(database) as store:
            store.set_meta(WELCOME_META_KEY, "1")
            for number, feed in enumerate(names):
                store.add_feed(server.url(number, feed))
        env = {
            "PYTHONPATH": str(REPOSITORY),
            "TERM": "xterm-256color",
            "HOME": str(folder),
            **{f"XDG_{kind}_HOME": str(folder / kind) for kind in ("STATE", "CACHE")},
        }
        pane = Pane([sys.executable, "-m", "reader", "--db", str(database)], env)
        try:
            deadline = time.monotonic() + 30
            while "Feeds" not in plain(pane.screen()):
                if time.monotonic() > deadline:
                    raise RuntimeError("tidings did not show its feed list")
                time.sleep(0.1)
            pane.send("BTab")  # The entry list has the focus at the start.
            time.sleep(0.5)
            print(f"{os.cpu_count()} CPUs, {args.feeds} feeds, server: {server.kind}")
            print("idle:       ", describe(sample(pane, 20, None)))
            pane.send("R")
            started = time.perf_counter()
            done = f"Refreshed {args.feeds} feeds"
            busy = sample(pane, None, done)
            while done not in plain(pane.screen()):
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            print("refreshing: ", describe(busy))
            print(f"refresh of {args.feeds} feeds took {elapsed:.1f} s in the TUI")
        finally:
            pane.kill()
            server.stop()


if __name__ == "__main__":
    main()
