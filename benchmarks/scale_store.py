"""Time the store's read paths on one cache: counts, pages, search."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reader.listing import EntryScope
from reader.store import Store
from reader.tui.paging import EntryPages

SCREEN_ROWS = 30

SEARCHES = {
    "common word (the)": "the",
    "tech word (python)": "python",
    "two words (kernel cache)": "kernel cache",
    "2-letter prefix (pa)": "pa",
    'phrase ("the kernel")': '"the kernel"',
    "one entry (marker0x77)": "marker0x77",
    "title field (title:parser)": "title:parser",
    "word in 50% less one (bexbexmunru)": "bexbexmunru",
    "the same and a common word (the bexbexmunru)": "the bexbexmunru",
    "word in 20% (damiquomun)": "damiquomun",
    "negation (python -rust)": "python -rust",
    'phrase of the two commonest words ("of the")': '"of the"',
}
"""Queries timed by ``search_figures``, named for the report. The generated
words come from ``scale_data`` and match the shares named at 100,000
entries."""

SEARCH_LIMITS = (50, 500)
"""Best matches requested: ``tidings search`` lists 50, the search screen
500."""


def median_ms(action: Callable[[], Any], runs: int = 15) -> float:
    """Run ``action`` ``runs`` times and return the median in ms."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def median_cpu_ms(action: Callable[[], Any], runs: int = 15) -> float:
    """Run ``action`` ``runs`` times and return the median CPU time in ms."""
    times = []
    for _ in range(runs):
        started = time.process_time()
        action()
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


def busy_feed_id(store: Store) -> int:
    """Return the feed with the most entries."""
    return max(store.list_feeds(), key=lambda feed: feed.total).id


def store_figures(path: Path) -> dict[str, Any]:
    """Return the store-level figures of the cache at ``path``."""
    with Store(path) as store:
        busy = busy_feed_id(store)
        scope = EntryScope(feed_id=busy)

        def open_feed(scope: EntryScope = scope) -> None:
            pages = EntryPages(store, scope)
            for index in range(SCREEN_ROWS):
                pages.get(index)

        def last_page() -> None:
            pages = EntryPages(store, scope)
            pages.get(len(pages) - 1)

        def middle_page() -> None:
            pages = EntryPages(store, scope)
            pages.get(len(pages) // 2)

        totals = store.entry_totals()
        return {
            "entries": totals.total,
            "unread": totals.unread,
            "feeds": len(store.list_feeds()),
            "busy_feed_entries": store.count_rows(scope),
            "feed list with unread counts (list_feeds) ms": median_ms(store.list_feeds),
            "virtual feed counts (entry_totals) ms": median_ms(store.entry_totals),
            "open busy feed (count + first screen) ms": median_ms(open_feed),
            "open All (count + first screen) ms": median_ms(
                lambda: open_feed(EntryScope())
            ),
            "open Unread (count + first screen) ms": median_ms(
                lambda: open_feed(EntryScope(unread_only=True))
            ),
            "busy feed, last page (End) ms": median_ms(last_page),
            "busy feed, middle page (OFFSET) ms": median_ms(middle_page),
            "busy feed, next unread from the top ms": median_ms(
                lambda: EntryPages(store, scope).next_unread(0, 1)
            ),
            "search": search_figures(store, busy),
        }


def search_figures(store: Store, busy: int) -> dict[str, Any]:
    """Return median times of ranked searches and of filters as you type."""
    store.update_search_index()
    figures: dict[str, Any] = {}
    for name, query in SEARCHES.items():
        found = store.search(query)
        order = "BM25" if found.scored else "title, then date"
        figures[f"{name}: matches"] = f"{found.total} by {order}"
        for limit in SEARCH_LIMITS:

            def run(query: str = query, limit: int = limit) -> None:
                store.search(query, limit=limit)

            figures[f"{name}: best {limit}, ms"] = median_ms(run, runs=7)
            figures[f"{name}: best {limit}, CPU ms"] = median_cpu_ms(run, runs=7)
    for typed in ("p", "py", "pyt", "python"):
        scope = EntryScope(feed_id=busy, search=typed)
        figures[f"filter busy feed by {typed!r} (count + first screen) ms"] = median_ms(
            lambda scope=scope: EntryPages(store, scope).get(SCREEN_ROWS), runs=5
        )
    for typed in ("py", "python"):
        scope = EntryScope(search=typed)
        figures[f"filter All by {typed!r} (count + first screen) ms"] = median_ms(
            lambda scope=scope: EntryPages(store, scope).get(SCREEN_ROWS), runs=5
        )
    return figures
