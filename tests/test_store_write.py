"""The refresh write path: entry fingerprints and unchanged entries."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.models import Enclosure, FetchResult, ParsedEntry, ParsedFeed
from reader.store import Store

ENTRIES = (
    ParsedEntry(
        key="tricky",
        title='Quotes " and \\ backslash, caf\u00e9, \U0001f600, \u2028',
        link="http://127.0.0.1/a?x=1&y=2",
        author=None,
        published=datetime(2025, 3, 1, 12, 30, tzinfo=UTC),
        updated=None,
        content="<p>line\nbreak\ttab \x00 nul</p>",
        summary="",
        enclosures=(Enclosure("http://127.0.0.1/a.mp3", "audio/mpeg", 1234),),
    ),
    ParsedEntry(
        key="plain",
        title="Plain",
        link=None,
        author="Ada",
        published=None,
        updated=datetime(2025, 3, 2, tzinfo=UTC),
        content="text",
        summary="sum",
    ),
)


def dumped_fingerprint(entry: ParsedEntry) -> str:
    """Return the fingerprint as earlier versions computed it."""
    published = (
        entry.published.isoformat(timespec="microseconds") if entry.published else None
    )
    updated = (
        entry.updated.isoformat(timespec="microseconds") if entry.updated else None
    )
    enclosures = json.dumps(
        [{"url": e.url, "type": e.type, "length": e.length} for e in entry.enclosures]
    )
    fields = (
        entry.title,
        entry.link,
        entry.author,
        published,
        updated,
        entry.content,
        entry.summary,
        enclosures,
    )
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "cache.sqlite3") as cache:
        yield cache


def test_fingerprint_matches_earlier_versions(store: Store) -> None:
    feed = store.add_feed("http://127.0.0.1/feed.xml")
    parsed = ParsedFeed(title="Feed", link=None, entries=ENTRIES)
    store.save_parsed(feed.id, FetchResult(url=feed.url, content=b""), parsed)
    with sqlite3.connect(store.path) as db:
        stored = dict(db.execute("SELECT key, fingerprint FROM entries").fetchall())
    for entry in ENTRIES:
        assert stored[entry.key] == dumped_fingerprint(entry), entry.key


def test_unchanged_entries_not_rewritten(store: Store) -> None:
    feed = store.add_feed("http://127.0.0.1/feed.xml")
    parsed = ParsedFeed(title="Feed", link=None, entries=ENTRIES)
    result = FetchResult(url=feed.url, content=b"")
    assert store.save_parsed(feed.id, result, parsed) == (2, 0)
    with sqlite3.connect(store.path) as db:
        db.execute("CREATE TABLE writes (entry_id INTEGER);")
        db.execute(
            "CREATE TRIGGER count_writes AFTER UPDATE ON entries BEGIN "
            "INSERT INTO writes VALUES (new.id); END"
        )
    changed = ParsedFeed(
        title="Feed",
        link=None,
        entries=(ENTRIES[0], ParsedEntry(**{**_fields(ENTRIES[1]), "title": "New"})),
    )
    assert store.save_parsed(feed.id, result, changed) == (0, 1)
    with sqlite3.connect(store.path) as db:
        writes = db.execute("SELECT count(*) FROM writes").fetchone()[0]
        queued = db.execute(
            "SELECT (SELECT count(*) FROM entries_fts_pending) "
            "+ (SELECT count(*) FROM entries_fts_stale)"
        ).fetchone()[0]
    assert writes == 1
    assert queued == 0
    assert store.search("New").total == 1
    assert store.search("Plain").total == 0


def _fields(entry: ParsedEntry) -> dict[str, object]:
    return {name: getattr(entry, name) for name in entry.__dataclass_fields__}
