"""Time the corruption checks a cache could run when it opens.

Run with ``.venv/bin/python benchmarks/open_check.py --entries 100000``. It
builds a cache of generated entries (3 KB of HTML each) in a temporary
directory, then prints the time of opening it, of ``PRAGMA quick_check`` and
of ``PRAGMA integrity_check``, each the best of three runs with the file in
the page cache. The figures decide whether a check can run on every open.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reader.models import FetchResult, ParsedEntry, ParsedFeed
from reader.store import Store

BODY = "<p>" + " ".join(f"word{n % 97}" for n in range(450)) + "</p>"


def build(path: Path, entries: int, per_feed: int = 1000) -> None:
    """Fill the cache at ``path`` with ``entries`` entries in feeds of
    ``per_feed``."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    with Store(path) as store:
        for feed_number in range(0, entries, per_feed):
            feed = store.add_feed(f"http://127.0.0.1/feed/{feed_number}")
            items = tuple(
                ParsedEntry(
                    key=f"post-{n}",
                    title=f"Post {n}",
                    link=f"http://127.0.0.1/post/{n}",
                    author=None,
                    published=start + timedelta(minutes=n),
                    updated=None,
                    content=BODY,
                    summary="",
                )
                for n in range(feed_number, min(entries, feed_number + per_feed))
            )
            result = FetchResult(url=feed.url, content=b"")
            store.save_parsed(feed.id, result, ParsedFeed("Feed", None, items))


def best_of(runs: int, action: object) -> float:
    """Return the shortest of ``runs`` timings of ``action()`` in seconds."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return min(timings)


def pragma(path: Path, name: str) -> None:
    """Run ``PRAGMA name`` on a fresh connection and require "ok"."""
    connection = sqlite3.connect(path)
    try:
        (result,) = connection.execute(f"PRAGMA {name}").fetchone()
        assert result == "ok", result
    finally:
        connection.close()


def main() -> None:
    """Build the cache and print the timings."""
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--entries", type=int, default=10_000)
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "cache.sqlite3"
        build(path, args.entries)
        size = path.stat().st_size / 1024 / 1024
        print(f"entries={args.entries} size={size:.1f} MiB")
        opened = best_of(3, lambda: Store(path).close())
        print(f"open:            {opened * 1000:8.1f} ms")
        for name in ("quick_check", "integrity_check"):
            seconds = best_of(3, lambda name=name: pragma(path, name))
            print(f"{name + ':':16} {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
