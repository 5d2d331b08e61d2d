"""Measure the TUI's CPU time per key while it refreshes, headless.

Run ``.venv/bin/python benchmarks/tui_pilot.py`` (nginx, or the asyncio
server when nginx is missing). The app runs in this process under Textual's
Pilot on a new cache of generated feeds, so no terminal or tmux takes part.
It presses ``R``, then alternates ``j`` and ``k`` in the feed list every
150 ms until the refresh ends, as ``tui_latency.py`` does in tmux. For each
key it prints the time from posting the key event to the next composed
frame, and the CPU time of the app's thread over that span, which the
machine's load changes little. It also prints the thread's CPU time over
the whole refresh and the full garbage collections that ran.

Frames are observed by wrapping ``App._display``, a Textual internal that
receives every composed frame, also when headless.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import feedgen
import feedserver
from textual import events

from reader.store import Store
from reader.tui.app import TidingsApp
from reader.welcome import WELCOME_META_KEY

KEY_INTERVAL = 0.15


class FrameClock:
    """The wall and thread CPU time of each key, up to the next frame."""

    def __init__(self, app: TidingsApp) -> None:
        self.app = app
        self.frame = asyncio.Event()
        self.last_frame = (0.0, 0.0)
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            self.last_frame = (time.perf_counter(), time.thread_time())
            self.frame.set()

        app._display = display  # type: ignore[method-assign]

    async def press(self, key: str) -> tuple[float, float]:
        """Post ``key``; return (seconds to the next frame, CPU seconds)."""
        self.frame.clear()
        started, started_cpu = time.perf_counter(), time.thread_time()
        event = events.Key(key, key)
        event.set_sender(self.app)
        self.app.post_message(event)
        await asyncio.wait_for(self.frame.wait(), timeout=10)
        frame_time, frame_cpu = self.last_frame
        return frame_time - started, frame_cpu - started_cpu


class FullCollections:
    """The thread CPU time of each full (generation 2) garbage collection."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.thread_time()
        else:
            self.seconds.append(time.thread_time() - self._started)


def spread(values: list[float]) -> str:
    """Return the median, 95th percentile and maximum of seconds, in ms."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"median {statistics.median(ordered) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms"
    )


async def press_keys(
    clock: FrameClock, app: TidingsApp, count: int | None
) -> list[tuple[float, float]]:
    """Alternate j and k every 150 ms: ``count`` keys, or until the refresh
    ends when None."""
    samples = []
    while (count is None and app.refreshing) or len(samples) < (count or 1):
        samples.append(await clock.press("j" if len(samples) % 2 == 0 else "k"))
        await asyncio.sleep(KEY_INTERVAL)
    return samples


def report(name: str, samples: list[tuple[float, float]]) -> None:
    """Print the spread of the wall and CPU times of ``samples``."""
    wall = [wall for wall, _cpu in samples]
    cpu = [cpu for _wall, cpu in samples]
    print(f"{name}: {len(samples)} keys")
    print(f"    key to frame: {spread(wall)}")
    print(f"    app thread's CPU per key: {spread(cpu)}")


async def measure(database: Path, feeds: int) -> None:
    """Open the app on ``database``, then time keys idle and refreshing."""
    with Store(database) as store:
        app = TidingsApp(store)
        clock = FrameClock(app)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause(0.5)
            await app.workers.wait_for_complete()
            app.feed_list.focus()
            await pilot.pause(0.2)
            report("idle", await press_keys(clock, app, 40))
            collections = FullCollections()
            started, started_cpu = time.perf_counter(), time.thread_time()
            await pilot.press("R")
            busy = await press_keys(clock, app, None)
            elapsed = time.perf_counter() - started
            used = time.thread_time() - started_cpu
            await app.workers.wait_for_complete()
            await pilot.pause(0.3)
            report("refreshing", busy)
            print(f"refresh of {feeds} feeds: {elapsed:.1f} s")
            print(f"    app thread's CPU over the refresh: {used:.2f} s")
            print(f"    status line: {app.status.refresh_state}")
            full = collections.seconds
            longest = max(full, default=0.0) * 1000
            print(f"full collections: {len(full)}, longest {longest:.1f} ms of CPU")


def main() -> None:
    """Serve the feeds, run the app headless and print the figures."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--feeds", type=int, default=500, help="feeds to refresh")
    args = options.parse_args()
    with tempfile.TemporaryDirectory(prefix="tidings-pilot-") as name:
        folder = Path(name)
        names = feedgen.write_feeds(folder / "feeds", args.feeds)
        server = feedserver.start_nginx(folder / "feeds", folder / "nginx", 100)
        server = server or feedserver.start_asyncio_server(folder / "feeds", 100, 0)
        database = folder / "cache.sqlite3"
        with Store(database) as store:
            store.set_meta(WELCOME_META_KEY, "1")
            for number, feed in enumerate(names):
                store.add_feed(server.url(number, feed))
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"{os.cpu_count()} CPUs, {args.feeds} feeds, server: {server.kind}")
        print(f"load average at the start: {load}")
        try:
            asyncio.run(measure(database, args.feeds))
        finally:
            server.stop()
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"load average at the end: {load}")


if __name__ == "__main__":
    main()
