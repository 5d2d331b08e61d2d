"""A JSON dump of the cache: every feed, its entries and their state.

The dump is written as it is read, one entry per line, so a cache of
100,000 entries never sits in memory at once. It is read from one snapshot
of the cache, so a refresh running meanwhile cannot tear it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from reader.models import Entry, Feed
from reader.schema import SCHEMA_VERSION
from reader.store import Store

EXPORT_FORMAT = "tidings-export"
EXPORT_VERSION = 1
"""Version of the dump's layout, raised when a field changes meaning."""

# Entries read from SQLite per query while dumping one feed.
_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class ExportCounts:
    """How much a dump contains."""

    feeds: int = 0
    entries: int = 0


def write_json_export(store: Store, output: TextIO) -> ExportCounts:
    """Write every feed with its entries and state to ``output`` as JSON.

    The top-level object has ``format``, ``version``, ``schema_version``,
    ``exported_at`` and ``feeds``. Each feed carries its ``entries``, each
    with its content, summary, enclosures and read and starred flags with
    their times. Times are ISO 8601 in UTC, or null.
    """
    header = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "schema_version": SCHEMA_VERSION,
        "exported_at": _time(datetime.now(UTC)),
    }
    # The header's closing brace is dropped so that "feeds" can follow.
    output.write(_dumps(header)[:-1] + ', "feeds": [')
    feeds = entries = 0
    with store.snapshot():
        for feed in store.list_feeds():
            output.write(",\n" if feeds else "\n")
            entries += _write_feed(store, feed, output)
            feeds += 1
    output.write("\n]}\n")
    return ExportCounts(feeds, entries)


def _write_feed(store: Store, feed: Feed, output: TextIO) -> int:
    output.write(_dumps(feed_record(feed))[:-1] + ', "entries": [')
    count = 0
    for entry in _entries(store, feed.id):
        output.write(",\n" if count else "\n")
        output.write(_dumps(entry_record(entry)))
        count += 1
    output.write("\n]}")
    return count


def _entries(store: Store, feed_id: int) -> Iterator[Entry]:
    offset = 0
    while True:
        page = store.list_entries(feed_id, limit=_PAGE_SIZE, offset=offset)
        yield from page
        if len(page) < _PAGE_SIZE:
            return
        offset += len(page)


def feed_record(feed: Feed) -> dict[str, Any]:
    """Return the JSON object of a feed in the dump, without its entries."""
    return {
        "id": feed.id,
        "url": feed.url,
        "title": feed.title,
        "link": feed.link,
        "etag": feed.etag,
        "last_modified": feed.last_modified,
        "last_refreshed": _time(feed.last_refreshed),
        "last_error": feed.last_error,
    }


def entry_record(entry: Entry) -> dict[str, Any]:
    """Return the JSON object of an entry in the dump."""
    return {
        "id": entry.id,
        "key": entry.key,
        "title": entry.title,
        "link": entry.link,
        "author": entry.author,
        "published": _time(entry.published),
        "updated": _time(entry.updated),
        "first_seen": _time(entry.first_seen),
        "read": entry.read,
        "read_at": _time(entry.read_at),
        "starred": entry.starred,
        "starred_at": _time(entry.starred_at),
        "enclosures": [
            {"url": e.url, "type": e.type, "length": e.length} for e in entry.enclosures
        ],
        "summary": entry.summary,
        "content": entry.content,
    }


def _time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False)
