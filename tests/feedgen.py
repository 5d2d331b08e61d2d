"""Generated RSS feeds on disk whose contents change by generation.

Generation ``g`` of feed ``n`` has the title "Feed n gen g", ten base
entries that every generation keeps, and five entries in slot ``g % 4``
that the next generations of that slot reuse. Every title names its
generation. After a refresh of generation ``g``, the feed title, the base
entries and slot ``g % 4`` all name ``g``, and each slot contains five
entries: anything else is a torn or duplicated write. Reusing slots keeps
the cache the same size however many generations a test writes.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from pathlib import Path
from xml.sax.saxutils import escape

Row = tuple[int, str, int, str, str, int, int]
"""Feed id, feed title, entry id, key, entry title, read, starred."""

BASE_ENTRIES = 10
ENTRIES_PER_GENERATION = 5
SLOTS = 4
BODY = "<p>" + "Steady words for a long article body. " * 12 + "</p>"


def feed_document(number: int, generation: int) -> bytes:
    """Return generation ``generation`` of feed ``number`` as RSS 2.0."""
    items = [
        _item(f"base-{i}", f"Base {i} gen {generation}", number)
        for i in range(BASE_ENTRIES)
    ]
    slot = generation % SLOTS
    items += [
        _item(f"slot{slot}-{j}", f"Slot {j} gen {generation}", number)
        for j in range(ENTRIES_PER_GENERATION)
    ]
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Feed {number} gen {generation}</title>"
        f"<link>https://feeds.test/{number}/</link>"
        "<description>generated</description>" + "".join(items) + "</channel></rss>"
    ).encode()


def _item(key: str, title: str, number: int) -> str:
    return (
        f"<item><guid isPermaLink='false'>{key}</guid><title>{title}</title>"
        f"<link>https://feeds.test/{number}/{key}</link>"
        f"<description>{escape(BODY)}</description></item>"
    )


def write_feeds(folder: Path, count: int, generation: int) -> list[Path]:
    """Write generation ``generation`` of feeds 0..count-1 into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"feed-{number:04d}.xml"
        # Written beside and renamed, so a refresh never reads half a file.
        partial = path.with_suffix(".part")
        partial.write_bytes(feed_document(number, generation))
        partial.replace(path)
        paths.append(path)
    return paths


def read_cache(db: Path) -> dict[int, list[Row]]:
    """Return every entry row of the cache at ``db``, grouped by feed id."""
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute(
            "SELECT f.id, f.title, e.id, e.key, e.title, e.read, e.starred "
            "FROM feeds f JOIN entries e ON e.feed_id = f.id"
        ).fetchall()
    finally:
        connection.close()
    by_feed: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_feed[row[0]].append(row)
    return dict(by_feed)


def whole_generation(rows: list[Row]) -> int:
    """Assert that one feed's rows contain one whole generation and return it.

    The feed title, the base entry titles and the titles of the
    generation's slot must name the same generation, and every slot must
    contain all of its entries.
    """
    feed_title = rows[0][1]
    match = re.fullmatch(r"Feed \d+ gen (\d+)", feed_title)
    assert match, feed_title
    generation = int(match[1])
    base = sorted(row[4] for row in rows if row[3].startswith("base-"))
    assert base == sorted(f"Base {i} gen {generation}" for i in range(BASE_ENTRIES))
    slot = f"slot{generation % SLOTS}-"
    current = sorted(row[4] for row in rows if row[3].startswith(slot))
    expected = [f"Slot {j} gen {generation}" for j in range(ENTRIES_PER_GENERATION)]
    assert current == expected, feed_title
    per_slot: dict[str, int] = defaultdict(int)
    for row in rows:
        if not row[3].startswith("base-"):
            per_slot[row[3].split("-")[0]] += 1
    assert set(per_slot.values()) == {ENTRIES_PER_GENERATION}, feed_title
    return generation
