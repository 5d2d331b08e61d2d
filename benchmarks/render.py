"""Time article conversion and the article pane's first paint.

Run with ``.venv/bin/python benchmarks/render.py``. It prints the HTML to
Markdown conversion time of every entry of the seed feed, then for the seed's
longest entry and for a generated article of about 500 KB:

- first paint: from opening the entry, with its Markdown already cached,
  to the first frame that shows its body;
- full layout: until the whole article is laid out (in a worker thread);
- loop stall: the longest time the event loop did not run a task that
  wakes every 10 ms, which is what a key press would wait.

The seed is found as tests/conftest.py finds it ($TIDINGS_SEED, else
shared/seeds in a folder above the repository); without it, its part is
skipped with a message.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from reader.articles import entry_markdown
from reader.convert import html_to_markdown
from reader.models import Entry, FetchResult, ParsedEntry, ParsedFeed
from reader.parse import parse_feed
from reader.store import Store
from reader.tui import app as app_module
from reader.tui.app import TidingsApp
from reader.welcome import WELCOME_META_KEY

REPOSITORY = Path(__file__).resolve().parents[1]
SEED_NAME = "000_ca3e16736f1b57db.txt"


def find_seed() -> Path:
    """Return the seed path as tests/conftest.py finds it: $TIDINGS_SEED,
    else shared/seeds in the nearest folder above the repository that has
    it, else the one beside the repository."""
    if os.environ.get("TIDINGS_SEED"):
        return Path(os.environ["TIDINGS_SEED"])
    for folder in REPOSITORY.parents:
        candidate = folder / "shared" / "seeds" / SEED_NAME
        if candidate.is_file():
            return candidate
    return REPOSITORY.parent / "shared" / "seeds" / SEED_NAME


SEED_PATH = find_seed()
SIZE = (120, 36)
TICK = 0.01


class PaintTimer(TidingsApp):
    """The app, recording when the first frame shows an opened entry's body."""

    # Textual finds CSS_PATH beside the module of the class that sets it.
    CSS_PATH = str(Path(app_module.__file__).parent / TidingsApp.CSS_PATH)
    target: int | None = None
    painted_at: float | None = None

    def post_display_hook(self) -> None:
        """Record the time of the first frame with the target's body."""
        body = self.article.body
        shown = self.article.entry
        if (
            self.painted_at is None
            and shown is not None
            and shown.id == self.target
            and body.lines
        ):
            self.painted_at = time.perf_counter()


class LoopWatch:
    """Measure how late a task that sleeps 10 ms at a time wakes up."""

    def __init__(self) -> None:
        self.worst = 0.0
        """The maximum delay beyond the 10 ms sleep, in seconds."""
        self._task: asyncio.Task[None] | None = None
        self._running = False

    async def __aenter__(self) -> LoopWatch:
        self._running = True
        self._task = asyncio.create_task(self._watch())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._running = False
        if self._task is not None:
            await self._task

    async def _watch(self) -> None:
        last = time.perf_counter()
        while self._running:
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            self.worst = max(self.worst, now - last - TICK)
            last = now


def synthetic_article(size: int = 500_000) -> str:
    """Return article HTML of about ``size`` characters: sections of prose,
    lists, links, tables and Python and shell code."""
    parts = []
    number = 0
    while sum(map(len, parts)) < size:
        number += 1
        words = " ".join(f"word{(number * 13 + k) % 101}" for k in range(120))
        parts.append(
            f"<h2>Section {number}</h2><p>{words} <a href='/p/{number}'>more</a>"
            f" and <code>f({number})</code>.</p>"
            "<ul><li>first point</li><li>second <em>point</em></li></ul>"
            f"<pre><code class='language-python'>def f{number}(x):\n"
            f"    return x * {number}  # {'long comment ' * 8}\n</code></pre>"
            f"<table><tr><th>n</th><th>square</th></tr>"
            f"<tr><td>{number}</td><td>{number * number}</td></tr></table>"
            f"<pre class='lang-sh'>echo {number} | wc -c</pre>"
        )
    return "".join(parts)


def store_with(path: Path, parsed: ParsedFeed, url: str) -> Store:
    """Open a cache at ``path`` holding ``parsed`` as the only feed."""
    store = Store(path)
    store.set_meta(WELCOME_META_KEY, "1")
    feed = store.add_feed(url)
    store.save_parsed(feed.id, FetchResult(url=url, content=b""), parsed)
    return store


async def time_opening(store: Store, entry: Entry, runs: int) -> list[dict[str, float]]:
    """Open ``entry`` ``runs`` times in a headless app; return the timings."""
    results = []
    for _ in range(runs):
        app = PaintTimer(store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            app.target = entry.id
            async with LoopWatch() as watch:
                started = time.perf_counter()
                app.open_entry(entry)
                while app.painted_at is None:
                    await asyncio.sleep(0.001)
                while not app.article.body.complete:
                    await asyncio.sleep(0.001)
                finished = time.perf_counter()
            results.append(
                {
                    "first_paint": app.painted_at - started,
                    "full_layout": finished - started,
                    "loop_stall": watch.worst,
                    "lines": len(app.article.body.lines),
                }
            )
    return results


def print_timings(label: str, results: list[dict[str, float]]) -> None:
    """Print the median and worst of each timing."""
    print(f"{label}: {int(results[0]['lines'])} lines laid out")
    for key in ("first_paint", "full_layout", "loop_stall"):
        values = [result[key] * 1000 for result in results]
        print(
            f"  {key.replace('_', ' '):12} median {statistics.median(values):7.1f} ms"
            f"   max {max(values):7.1f} ms"
        )


def seed_benchmark(directory: Path, runs: int) -> None:
    """Print per-entry conversion times and time the longest seed entry."""
    if not SEED_PATH.is_file():
        print(f"seed feed not found at {SEED_PATH}; set TIDINGS_SEED to its path")
        return
    url = "http://127.0.0.1/feed.xml"
    parsed = parse_feed(SEED_PATH.read_bytes(), url)
    print(f"HTML to Markdown, {len(parsed.entries)} seed entries:")
    for parsed_entry in parsed.entries:
        started = time.perf_counter()
        html_to_markdown(parsed_entry.content, parsed_entry.link)
        elapsed = (time.perf_counter() - started) * 1000
        size = len(parsed_entry.content) / 1000
        print(f"  {elapsed:6.1f} ms  {size:6.1f} KB  {parsed_entry.title[:60]}")
    with store_with(directory / "seed.sqlite3", parsed, url) as store:
        entries = store.list_entries(None)
        longest = max(entries, key=lambda entry: len(entry.content))
        entry_markdown(store, longest)  # conversion cached, as after a first open
        results = asyncio.run(time_opening(store, longest, runs))
    print_timings(
        f"seed's longest entry ({len(longest.content) / 1000:.0f} KB)", results
    )


def synthetic_benchmark(directory: Path, runs: int) -> None:
    """Time converting and opening a generated article of about 500 KB."""
    html = synthetic_article()
    started = time.perf_counter()
    html_to_markdown(html, "http://127.0.0.1/post")
    converted = (time.perf_counter() - started) * 1000
    print(f"HTML to Markdown, synthetic {len(html) / 1000:.0f} KB: {converted:.0f} ms")
    entry = ParsedEntry(
        key="big",
        title="A very long article",
        link="http://127.0.0.1/post",
        author=None,
        published=None,
        updated=None,
        content=html,
        summary="",
    )
    parsed = ParsedFeed(title="Synthetic", link=None, entries=(entry,))
    with store_with(directory / "big.sqlite3", parsed, "http://127.0.0.1/f") as store:
        stored = store.list_entries(None)[0]
        entry_markdown(store, stored)
        results = asyncio.run(time_opening(store, stored, runs))
    print_timings(f"synthetic article ({len(html) / 1000:.0f} KB)", results)


def main() -> None:
    """Run both benchmarks and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="openings per article")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        seed_benchmark(Path(directory), args.runs)
        synthetic_benchmark(Path(directory), args.runs)


if __name__ == "__main__":
    main()
