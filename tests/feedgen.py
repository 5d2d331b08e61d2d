"""Generated RSS feeds on disk whose contents change by generation.

Generation ``g`` of feed ``n`` has the title "Feed n gen g", ten base
entries that every generation keeps (their titles carry the generation),
and five entries of its own. A cache that stored generations G of a feed
therefore holds the base entries, the five of each generation in G, and
titles naming max(G): anything else is a torn or duplicated write.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

BASE_ENTRIES = 10
ENTRIES_PER_GENERATION = 5
BODY = "<p>" + "Steady words for a long article body. " * 12 + "</p>"


def feed_document(number: int, generation: int) -> bytes:
    """Return generation ``generation`` of feed ``number`` as RSS 2.0."""
    items = [
        _item(f"base-{i}", f"Base {i} gen {generation}", number)
        for i in range(BASE_ENTRIES)
    ]
    items += [
        _item(f"g{generation}-{j}", f"New {j} of gen {generation}", number)
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
