"""Fill a tidings cache with generated entries through the Store API.

Entries go in with ``Store.save_parsed``, the path a refresh takes, in
chunks of ``CHUNK`` entries per feed, so counters, indexes and the search
index are built as a refresh builds them. Retention is off while building,
because the chunks are not whole feed documents.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from benchmarks.scale_data import (
    NOW,
    UNREAD_AGE,
    FeedPlan,
    Writer,
    entries,
    feed_sizes,
)
from reader.listing import EntryScope
from reader.models import FetchResult, ParsedFeed
from reader.store import Store

CHUNK = 1_000
STARRED_SHARE = 0.01


def build_stage(path: Path, writer: Writer, plans: list[FeedPlan], total: int) -> float:
    """Grow the cache at ``path`` to ``total`` entries; return seconds taken."""
    started = time.perf_counter()
    with Store(path, retention=None) as store:
        feed_ids = _subscribe(store, plans)
        for plan, size in zip(plans, feed_sizes(plans, total), strict=True):
            feed_id = feed_ids[plan.number]
            have = store.count_rows(EntryScope(feed_id=feed_id))
            for start in range(have, size, CHUNK):
                chunk = tuple(entries(writer, plan, start, min(size, start + CHUNK)))
                document = ParsedFeed(
                    plan.title, f"https://example.test/{plan.number}", chunk
                )
                result = FetchResult(url=_url(plan), content=b"")
                store.save_parsed(feed_id, result, document)
        _mark_old_read(store)
        _star_some(store, writer.random)
    return time.perf_counter() - started


def _url(plan: FeedPlan) -> str:
    return f"https://example.test{plan.url}"


def _subscribe(store: Store, plans: list[FeedPlan]) -> dict[int, int]:
    ids = {}
    for plan in plans:
        feed = store.find_feed(_url(plan)) or store.add_feed(_url(plan))
        ids[plan.number] = feed.id
    return ids


def _mark_old_read(store: Store) -> None:
    """Leave unread only the entries dated within UNREAD_AGE of NOW."""
    store.mark_all_read()
    recent: list[int] = []
    rows = store.list_rows(EntryScope(), limit=1_000)
    while rows and rows[0].date >= NOW - UNREAD_AGE:
        recent.extend(row.id for row in rows if row.date >= NOW - UNREAD_AGE)
        rows = store.list_rows(EntryScope(), limit=1_000, after=rows[-1].sort_key)
    store.set_read(recent, False)


def _star_some(store: Store, rng: random.Random) -> None:
    """Star about STARRED_SHARE of the entries not starred yet."""
    target = int(store.entry_totals().total * STARRED_SHARE)
    missing = target - store.entry_totals().starred
    if missing <= 0:
        return
    ids: list[int] = []
    rows = store.list_rows(EntryScope(), limit=1_000)
    while rows:
        ids.extend(row.id for row in rows if not row.starred)
        rows = store.list_rows(EntryScope(), limit=1_000, after=rows[-1].sort_key)
    store.set_starred(rng.sample(ids, min(missing, len(ids))), True)
