"""Entry list paging by date and by title in one feed of 50,000 entries.

Builds a temporary cache through ``Store.save_parsed`` (one feed, titles
drawn from a small vocabulary so many are equal, a third read, one in fifty
starred), then times in CPU milliseconds (``time.process_time``, median of
repeated runs) what the entry list does: open a list (count and first
page), jump to the end, page back by key, jump home, locate an entry, and
find an unread entry far away. It also times the title-order migration on
that cache and the file growth it costs. Run it with

    .venv/bin/python -m benchmarks.sort_title [ENTRIES]

Wall-clock figures are noisy on a shared machine, so only CPU time is shown,
with the load average beside it.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from reader.listing import EntryScope
from reader.models import FetchResult, ParsedEntry, ParsedFeed
from reader.schema import MIGRATIONS
from reader.sort_order import SortOrder
from reader.store import Store
from reader.tui.paging import PAGE_SIZE, EntryPages

WORDS = [
    "release", "notes", "parsing", "config", "types", "async", "testing",
    "cache", "sqlite", "terminal", "python", "rust", "feeds", "reader",
    "keyboard", "vim", "layout", "unicode",
]  # fmt: skip
CHUNK = 1_000
RUNS = 15


def build(path: Path, count: int) -> int:
    """Fill a cache at ``path`` with one feed of ``count`` entries."""
    rng = random.Random(7)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    with Store(path, retention=None) as store:
        feed_id = store.add_feed("https://bench.test/feed").id
        for first in range(0, count, CHUNK):
            chunk = tuple(
                ParsedEntry(
                    key=f"e{number}",
                    title=" ".join(rng.choices(WORDS, k=3)).capitalize(),
                    link=None,
                    author=None,
                    published=start + timedelta(minutes=number),
                    updated=None,
                    content="<p>body</p>",
                    summary="",
                )
                for number in range(first, min(count, first + CHUNK))
            )
            document = ParsedFeed("Bench", None, chunk)
            store.save_parsed(feed_id, FetchResult(url="x", content=b""), document)
        ids = [row.id for row in store.list_rows(EntryScope(), limit=count)]
        store.set_read(ids[::3], True)
        store.set_starred(ids[::50], True)
    return feed_id


def median_ms(action: Callable[[], Any]) -> float:
    """Return the median CPU time of ``action`` in milliseconds."""
    times = []
    for _ in range(RUNS):
        started = time.process_time()
        action()
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


def list_figures(store: Store, scope: EntryScope) -> dict[str, float]:
    """Time the entry list's reads of ``scope``."""
    count = store.count_rows(scope)
    pages = EntryPages(store, scope)
    middle = pages.get(count // 2)
    assert middle is not None

    def open_list() -> None:
        EntryPages(store, scope).get(0)

    def jump_end() -> None:
        EntryPages(store, scope).get(count - 1)

    def page_back() -> None:
        fresh = EntryPages(store, scope)
        fresh.get(count - 1)
        fresh.get(count - 1 - PAGE_SIZE)

    def jump_home_after_end() -> None:
        fresh = EntryPages(store, scope)
        fresh.get(count - 1)
        fresh.get(0)

    def locate() -> None:
        EntryPages(store, scope).locate_entry(middle.id)

    def far_unread() -> None:
        fresh = EntryPages(store, every_entry(scope))
        fresh.next_unread(count // 2, 1)

    return {
        "open": median_ms(open_list),
        "end": median_ms(jump_end),
        "end + page back": median_ms(page_back),
        "end + home": median_ms(jump_home_after_end),
        "locate entry": median_ms(locate),
        "next unread": median_ms(far_unread),
    }


def every_entry(scope: EntryScope) -> EntryScope:
    """Return ``scope`` without its unread-only filter, so that finding an
    unread entry has read ones to skip."""
    return EntryScope(
        feed_id=scope.feed_id, starred_only=scope.starred_only, order=scope.order
    )


def migration_figures(path: Path) -> tuple[float, int]:
    """Drop the title indexes, then time the migration that adds them back;
    return (CPU ms, bytes it adds to the file after VACUUM)."""
    step = next(i for i, sql in enumerate(MIGRATIONS) if "entries_title_rows" in sql)
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(
        "DROP INDEX entries_feed_title_rows; DROP INDEX entries_title_rows; "
        "DROP INDEX entries_starred_title_rows; VACUUM;"
    )
    before = path.stat().st_size
    started = time.process_time()
    db.executescript(f"BEGIN; {MIGRATIONS[step]} COMMIT;")
    spent = (time.process_time() - started) * 1000
    db.executescript("VACUUM;")
    db.close()
    return spent, path.stat().st_size - before


def main(argv: list[str]) -> int:
    count = int(argv[1]) if len(argv) > 1 else 50_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        feed_id = build(path, count)
        seconds = time.perf_counter() - started
        print(f"built {count:,} entries in one feed in {seconds:.1f} s")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        with Store(path, retention=None) as store:
            orders: tuple[SortOrder, ...] = ("date", "title")
            for label, scope in (
                ("feed", EntryScope(feed_id=feed_id)),
                ("feed, unread only", EntryScope(feed_id=feed_id, unread_only=True)),
                ("All", EntryScope()),
                ("Starred", EntryScope(starred_only=True)),
            ):
                for order in orders:
                    ordered = EntryScope(
                        feed_id=scope.feed_id,
                        unread_only=scope.unread_only,
                        starred_only=scope.starred_only,
                        order=order,
                    )
                    figures = list_figures(store, ordered)
                    shown = ", ".join(f"{k} {v:.2f}" for k, v in figures.items())
                    print(f"{label:<18} {order:<5} CPU ms: {shown}")
        spent, grown = migration_figures(path)
        print(
            f"title-order migration: {spent:.0f} CPU ms, "
            f"{grown / 2**20:.1f} MiB added to {path.stat().st_size / 2**20:.1f} MiB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
