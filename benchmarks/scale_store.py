"""Time the store's read paths on one cache: counts, pages, search.

``benchmarks/scale.py`` builds the caches and calls ``store_figures``. To
time the searches alone on a cache built before, run
``.venv/bin/python benchmarks/scale_store.py CACHE`` (about a minute at
100,000 entries). It may migrate the cache, so give it a copy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
        figures.update(_query_figures(store, name, query))
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


def _query_figures(store: Store, name: str, query: str) -> dict[str, Any]:
    """Return the times of one query, counted, uncounted and its count.

    "first page" is ``search(count=False)``, which the search screen and
    ``tidings search`` show before the count. "count" is the count they
    run after it, timed only where the first page skipped it.
    """
    figures: dict[str, Any] = {}
    found = store.search(query)
    order = "BM25" if found.scored else "title, then date"
    figures[f"{name}: matches"] = f"{found.total} by {order}"
    for limit in SEARCH_LIMITS:

        def run(query: str = query, limit: int = limit) -> None:
            store.search(query, limit=limit)

        def first_page(query: str = query, limit: int = limit) -> None:
            store.search(query, limit=limit, count=False)

        figures[f"{name}: best {limit}, ms"] = median_ms(run, runs=7)
        figures[f"{name}: best {limit}, CPU ms"] = median_cpu_ms(run, runs=7)
        figures[f"{name}: first page of {limit}, CPU ms"] = median_cpu_ms(
            first_page, runs=7
        )
    if store.search(query, count=False).total is None:
        figures[f"{name}: count after the first page, CPU ms"] = median_cpu_ms(
            lambda: store.count_matches(query), runs=7
        )
    return figures


def main() -> None:
    """Print the search figures of an existing cache as JSON."""
    options = argparse.ArgumentParser(description="Time searches on one cache.")
    options.add_argument("cache", type=Path, help="a cache built by scale.py")
    args = options.parse_args()
    with Store(args.cache) as store:
        figures = search_figures(store, busy_feed_id(store))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
