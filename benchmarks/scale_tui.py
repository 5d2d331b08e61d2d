"""Measure the TUI headless on one cache, in a process of its own.

Run by ``benchmarks/scale.py``; prints one JSON object. Times:

- ``first_screen_ms``: from ``--spawned`` (``time.monotonic()`` in the
  parent just before it started this process) to the first composed frame
  that shows feeds with counts and entries, imports included;
- per key: from posting the key event to the next composed frame. Run with
  ``TEXTUAL_FPS=1000`` so Textual's frame timer (60 per second by default)
  adds at most 1 ms and the figure is the work a key costs.

Frames are observed by wrapping ``App._display``, a Textual internal that
receives every composed frame, also when headless.
"""

from __future__ import annotations

import gc

# As ``tidings`` does before it imports Textual (see reader.cli).
gc.disable()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import reader.cli  # noqa: E402, F401 (imported as ``tidings`` imports it)
from reader.cli_tui import build_app, load_config, textual_theme_names  # noqa: E402
from reader.store import Store  # noqa: E402
from reader.tui.app import TidingsApp  # noqa: E402

KEY_CHARS = {"j": "j", "k": "k", "G": "G", "g": "g"}
SEQUENCES = {
    "entries j/k": ["j"] * 300 + ["k"] * 300,
    "entries pagedown/pageup": ["pagedown"] * 150 + ["pageup"] * 150,
    "entries End/Home": ["end", "home"] * 25,
    "entries G then k": ["G"] + ["k"] * 250,
}
FEED_SEQUENCE = ["j"] * 200 + ["pagedown"] * 20 + ["end", "home"] * 5


def peak_rss_mb() -> float:
    """Return this process's peak resident set size in MB.

    Read from VmHWM in /proc, not from getrusage: Linux carries the peak of
    the forked parent's memory over an exec into ru_maxrss, so a child of a
    large parent would report the parent's size.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class FrameClock:
    """Record when frames are composed; wait for the next one."""

    def __init__(self, app: TidingsApp) -> None:
        self.app = app
        self.first_useful: float | None = None
        self.first_useful_cpu = 0.0
        self.event = asyncio.Event()
        self.last = 0.0
        self.last_cpu = 0.0
        self.cpu: list[float] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            self.last = time.monotonic()
            self.last_cpu = time.thread_time()
            if self.first_useful is None and self._useful():
                self.first_useful = self.last
                usage = resource.getrusage(resource.RUSAGE_SELF)
                self.first_useful_cpu = usage.ru_utime + usage.ru_stime
            self.event.set()

        app._display = display  # type: ignore[method-assign]

    def _useful(self) -> bool:
        try:
            feeds = self.app.feed_list
            entries = self.app.entry_list
        except Exception:
            return False
        return bool(feeds.rows) and entries.item_count() > 0

    async def press(self, key: str) -> float:
        """Post ``key`` and return ms until the next frame."""
        from textual import events

        self.event.clear()
        started = time.monotonic()
        started_cpu = time.thread_time()
        event = events.Key(key, KEY_CHARS.get(key))
        event.set_sender(self.app)
        self.app.post_message(event)
        await asyncio.wait_for(self.event.wait(), timeout=10)
        self.cpu.append((self.last_cpu - started_cpu) * 1000)
        return (self.last - started) * 1000


def percentile(values: list[float], share: float) -> float:
    """Return the value below which ``share`` of ``values`` fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(wall: list[float], cpu: list[float]) -> dict[str, float]:
    """Return median, p95 and max of key times, and the p95 of their CPU
    time on the app's thread, in ms."""
    return {
        "keys": len(wall),
        "median_ms": percentile(wall, 0.5),
        "p95_ms": percentile(wall, 0.95),
        "max_ms": max(wall),
        "cpu_p95_ms": percentile(cpu, 0.95),
    }


class CollectionClock:
    """Time the collector's full (generation 2) passes."""

    def __init__(self) -> None:
        self.passes: list[float] = []
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.passes.append((time.perf_counter() - self._started) * 1000)

    def summary(self) -> dict[str, float]:
        """Return the number of full passes and their longest time in ms."""
        return {"passes": len(self.passes), "max_ms": max(self.passes, default=0.0)}


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Start the app, wait for the first screen, then press the keys."""
    if args.no_freeze:
        gc.enable()
        gc.freeze = lambda: None  # type: ignore[assignment]
    result: dict[str, Any] = {}
    with Store(args.db) as store:
        # The app as ``tidings`` builds it, with the user's config (none here).
        app = build_app(store, load_config(themes=textual_theme_names()))
        clock = FrameClock(app)
        async with app.run_test(size=(args.width, args.height)) as pilot:
            while clock.first_useful is None:
                await asyncio.sleep(0.001)
            result["first_screen_ms"] = (clock.first_useful - args.spawned) * 1000
            result["first_screen_cpu_ms"] = clock.first_useful_cpu * 1000
            result["rss_first_screen_mb"] = peak_rss_mb()
            result["first_feed_entries"] = app.entry_list.item_count()
            result["feed_rows"] = len(app.feed_list.rows)
            # The cache check runs in a thread after the first frame; the
            # keys are timed after it, so it does not share their CPU.
            started = time.monotonic()
            while not any(worker.group == "check" for worker in app.workers):
                await asyncio.sleep(0.001)
            await app.workers.wait_for_complete()
            result["cache check after first screen ms"] = (
                time.monotonic() - started
            ) * 1000
            await pilot.pause(0.2)
            if args.keys:
                collections = CollectionClock()
                result["moves"] = await press_sequences(app, clock, pilot)
                result["full collections while pressing keys"] = collections.summary()
                result["objects frozen / tracked"] = (
                    gc.get_freeze_count(),
                    len(gc.get_objects()),
                )
        result["rss_peak_mb"] = peak_rss_mb()
    return result


async def press_sequences(
    app: TidingsApp, clock: FrameClock, pilot: Any
) -> dict[str, Any]:
    """Press each sequence and return the figures per sequence."""
    moves: dict[str, Any] = {}
    app.entry_list.focus()
    await pilot.pause(0.05)
    for name, keys in SEQUENCES.items():
        moves[name] = await press_all(clock, keys)
    app.feed_list.focus()
    await pilot.pause(0.05)
    moves["feeds j/pagedown/End/Home"] = await press_all(clock, FEED_SEQUENCE)
    # Open the busy feed from the feed below it, and All from Unread: each
    # costs a count from the counters and one page.
    feeds = app.feed_list
    busy = next(index for index, row in enumerate(feeds.rows) if row.feed)
    for name, start in (("open busy feed", busy + 1), ("open All", 1)):
        wall, mark = [], len(clock.cpu)
        for _ in range(20):
            feeds.cursor = start
            await pilot.pause(0.01)
            wall.append(await timed(clock, "k"))
        moves[f"{name} (k in feed list)"] = summary(wall, clock.cpu[mark:])
    return moves


async def press_all(clock: FrameClock, keys: list[str]) -> dict[str, float]:
    """Press ``keys`` one at a time and return their figures."""
    mark = len(clock.cpu)
    wall = [await timed(clock, key) for key in keys]
    return summary(wall, clock.cpu[mark:])


async def timed(clock: FrameClock, key: str) -> float:
    """Press ``key``, then let the app settle briefly before the next."""
    elapsed = await clock.press(key)
    await asyncio.sleep(0.002)
    return elapsed


def main() -> None:
    """Parse options, measure, print JSON."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--db", type=Path, required=True)
    options.add_argument("--spawned", type=float, required=True)
    options.add_argument("--keys", action="store_true", help="also press keys")
    options.add_argument("--no-freeze", action="store_true", help="skip gc.freeze")
    options.add_argument("--width", type=int, default=120)
    options.add_argument("--height", type=int, default=36)
    args = options.parse_args()
    print(json.dumps(asyncio.run(measure(args))))


if __name__ == "__main__":
    main()
