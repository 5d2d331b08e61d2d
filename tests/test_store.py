"""Store tests: schema, identity across refreshes, state, errors."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.models import (
    Enclosure,
    EntryNotFoundError,
    FeedExistsError,
    FeedNotFoundError,
    FetchResult,
    ParsedEntry,
    ParsedFeed,
    StoreError,
)
from reader.schema import SCHEMA_VERSION
from reader.store import Store


def _entry(key: str, title: str, day: int | None = 1, body: str = "<p>x</p>"):
    published = datetime(2026, 3, day, 12, tzinfo=UTC) if day else None
    return ParsedEntry(
        key=key,
        title=title,
        link=f"https://blog.example/{key}",
        author="Ada",
        published=published,
        updated=None,
        content=body,
        summary="",
        enclosures=(Enclosure("https://blog.example/a.mp3", "audio/mpeg", 42),),
    )


def _document(*entries: ParsedEntry, title: str = "Example blog") -> ParsedFeed:
    return ParsedFeed(title=title, link="https://blog.example/", entries=entries)


def _result(etag: str | None = None) -> FetchResult:
    return FetchResult(url="https://blog.example/feed", content=b"...", etag=etag)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "cache.sqlite3") as opened:
        yield opened


@pytest.fixture
def feed_id(store: Store) -> int:
    return store.add_feed("https://blog.example/feed").id


def test_new_cache_uses_wal_and_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "new" / "cache.sqlite3"
    Store(path).close()
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_newer_schema_rejected(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(StoreError, match="upgrade tidings"):
        Store(path)
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1


def test_non_sqlite_file_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    path.write_bytes(b"this is not a database\n" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match=str(path)):
        Store(path)
    assert path.read_bytes() == before


def test_add_feed_twice_rejected(store: Store, feed_id: int) -> None:
    with pytest.raises(FeedExistsError, match=f"feed {feed_id}"):
        store.add_feed("https://blog.example/feed")
    assert len(store.list_feeds()) == 1


def test_feed_title_defaults_to_url(store: Store, feed_id: int) -> None:
    assert store.get_feed(feed_id).title == "https://blog.example/feed"


def test_save_parsed_stores_entries(store: Store, feed_id: int) -> None:
    new, updated = store.save_parsed(
        feed_id, _result("v1"), _document(_entry("a", "First"), _entry("b", "Second"))
    )
    assert (new, updated) == (2, 0)
    feed = store.get_feed(feed_id)
    assert feed.title == "Example blog"
    assert feed.link == "https://blog.example/"
    assert feed.etag == "v1"
    assert (feed.unread, feed.total) == (2, 2)
    entry = store.list_entries(feed_id)[0]
    assert entry.author == "Ada"
    assert entry.published == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert entry.enclosures == (
        Enclosure("https://blog.example/a.mp3", "audio/mpeg", 42),
    )


def test_same_document_adds_nothing(store: Store, feed_id: int) -> None:
    document = _document(_entry("a", "First"), _entry("b", "Second"))
    store.save_parsed(feed_id, _result(), document)
    assert store.save_parsed(feed_id, _result(), document) == (0, 0)
    assert store.count_entries(feed_id) == 2


def test_changed_entry_keeps_state(store: Store, feed_id: int) -> None:
    store.save_parsed(feed_id, _result(), _document(_entry("a", "First")))
    entry = store.list_entries(feed_id)[0]
    store.set_read([entry.id], True)
    store.set_starred([entry.id], True)

    changed = _entry("a", "First, revised", body="<p>new body</p>")
    assert store.save_parsed(feed_id, _result(), _document(changed)) == (0, 1)

    after = store.get_entry(entry.id)
    assert after.title == "First, revised"
    assert after.content == "<p>new body</p>"
    assert after.read
    assert after.starred
    assert after.read_at == entry_read_at(store, entry.id)


def entry_read_at(store: Store, entry_id: int) -> datetime | None:
    return store.get_entry(entry_id).read_at


def test_flags_record_time(store: Store, feed_id: int) -> None:
    store.save_parsed(feed_id, _result(), _document(_entry("a", "First")))
    entry_id = store.list_entries(feed_id)[0].id
    assert store.set_read([entry_id], True) == 1
    assert store.set_read([entry_id], True) == 0
    entry = store.get_entry(entry_id)
    assert entry.read_at is not None
    assert entry.read_at.tzinfo is not None
    store.set_read([entry_id], False)
    assert store.get_entry(entry_id).read_at is None
    assert store.get_feed(feed_id).unread == 1


def test_entries_newest_first(store: Store, feed_id: int) -> None:
    store.save_parsed(
        feed_id,
        _result(),
        _document(_entry("old", "Old", day=1), _entry("new", "New", day=20)),
    )
    titles = [entry.title for entry in store.list_entries(feed_id)]
    assert titles == ["New", "Old"]


def test_undated_entries_keep_document_order(store: Store, feed_id: int) -> None:
    entries = [_entry(f"k{i}", f"Item {i}", day=None) for i in range(5)]
    store.save_parsed(feed_id, _result(), _document(*entries))
    titles = [entry.title for entry in store.list_entries(feed_id)]
    assert titles == [f"Item {i}" for i in range(5)]


def test_entry_filters_and_paging(store: Store, feed_id: int) -> None:
    entries = [_entry(f"k{i}", f"Item {i}", day=i + 1) for i in range(10)]
    store.save_parsed(feed_id, _result(), _document(*entries))
    listed = store.list_entries(feed_id)
    store.set_read([listed[0].id, listed[1].id], True)
    store.set_starred([listed[2].id], True)

    assert store.count_entries(feed_id, unread_only=True) == 8
    assert [e.id for e in store.list_entries(starred_only=True)] == [listed[2].id]
    page = store.list_entries(feed_id, limit=3, offset=3)
    assert [e.id for e in page] == [e.id for e in listed[3:6]]


def test_error_keeps_entries(store: Store, feed_id: int) -> None:
    store.save_parsed(feed_id, _result(), _document(_entry("a", "First")))
    store.record_error(feed_id, "https://blog.example/feed: HTTP 500")
    feed = store.get_feed(feed_id)
    assert feed.last_error == "https://blog.example/feed: HTTP 500"
    assert feed.total == 1
    store.record_not_modified(feed_id, _result())
    assert store.get_feed(feed_id).last_error is None


def test_permanent_redirect_moves_feed(store: Store, feed_id: int) -> None:
    moved = replace(_result(), url="https://new.example/feed", permanent_redirect=True)
    store.save_parsed(feed_id, moved, _document())
    assert store.get_feed(feed_id).url == "https://new.example/feed"


def test_remove_feed_deletes_entries(store: Store, feed_id: int) -> None:
    store.save_parsed(feed_id, _result(), _document(_entry("a", "First")))
    entry_id = store.list_entries(feed_id)[0].id
    store.remove_feed(feed_id)
    with pytest.raises(FeedNotFoundError):
        store.get_feed(feed_id)
    with pytest.raises(EntryNotFoundError):
        store.get_entry(entry_id)
    with pytest.raises(FeedNotFoundError, match="tidings feeds"):
        store.remove_feed(feed_id)


def test_markdown_cache_keyed_by_hash(store: Store, feed_id: int) -> None:
    store.save_parsed(feed_id, _result(), _document(_entry("a", "First")))
    entry_id = store.list_entries(feed_id)[0].id
    store.put_markdown(entry_id, "h1", "# one")
    assert store.get_markdown(entry_id, "h1") == "# one"
    assert store.get_markdown(entry_id, "h2") is None


def test_state_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Store(path) as first:
        feed_id = first.add_feed("https://blog.example/feed").id
        first.save_parsed(feed_id, _result(), _document(_entry("a", "First")))
        first.set_starred([first.list_entries()[0].id], True)
    with Store(path) as second:
        assert second.list_entries(starred_only=True)[0].title == "First"
