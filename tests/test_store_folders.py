"""Store: folders, user titles, bulk subscribe, mark-all-read and undo."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.models import FeedNotFoundError, FetchResult, ParsedEntry, ParsedFeed
from reader.schema import MIGRATIONS, SCHEMA_VERSION
from reader.store import Store
from reader.store_folders import (
    FolderNotFoundError,
    MarkedRead,
    NewFeed,
    normalize_folder,
)


def _entry(key: str) -> ParsedEntry:
    return ParsedEntry(
        key=key,
        title=f"Entry {key}",
        link=f"https://blog.example/{key}",
        author=None,
        published=datetime(2026, 3, 1, 12, tzinfo=UTC),
        updated=None,
        content="<p>x</p>",
        summary="",
    )


def _add_feed(store: Store, name: str, entries: int, folder: str | None) -> int:
    feed = store.add_feed(f"https://{name}.example/feed")
    document = ParsedFeed(
        title=f"{name} blog",
        link=None,
        entries=tuple(_entry(f"{name}-{n}") for n in range(entries)),
    )
    result = FetchResult(url=feed.url, content=b"...")
    store.save_parsed(feed.id, result, document)
    store.set_feed_folder(feed.id, folder)
    return feed.id


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "cache.sqlite3") as opened:
        yield opened


@pytest.fixture
def feeds(store: Store) -> dict[str, int]:
    """Three feeds: two in Tech (3 and 2 entries), one in no folder (4)."""
    return {
        "alpha": _add_feed(store, "alpha", 3, "Tech"),
        "beta": _add_feed(store, "beta", 2, "Tech"),
        "gamma": _add_feed(store, "gamma", 4, None),
    }


def _unread(store: Store, feed_id: int | None = None) -> int:
    return store.count_entries(feed_id, unread_only=True)


# Migration


def test_migration_from_v1_keeps_feeds(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    connection = sqlite3.connect(path)
    connection.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    connection.execute(
        "INSERT INTO feeds (url, title, added_at) VALUES (?, ?, ?)",
        ("https://old.example/feed", "Old feed", "2026-01-01T00:00:00+00:00"),
    )
    connection.commit()
    connection.close()

    with Store(path) as store:
        (feed,) = store.list_feeds()
        settings = store.get_feed_settings(feed.id)
        assert feed.title == "Old feed"
        assert settings.folder is None
        assert settings.user_title is None
        assert store.last_mark_all_read() == MarkedRead()
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == SCHEMA_VERSION


# Folders


def test_normalize_folder() -> None:
    assert normalize_folder(" Tech / Python ") == "Tech/Python"
    assert normalize_folder("a//b/") == "a/b"
    assert normalize_folder("") is None
    assert normalize_folder(" / ") is None
    assert normalize_folder(None) is None
    assert normalize_folder("bell\x07 folder") == "bell folder"


def test_set_feed_folder_and_clear(store: Store, feeds: dict[str, int]) -> None:
    stored = store.set_feed_folder(feeds["gamma"], "  News ")

    assert stored == "News"
    assert store.get_feed_settings(feeds["gamma"]).folder == "News"
    assert store.set_feed_folder(feeds["gamma"], "") is None
    assert store.get_feed_settings(feeds["gamma"]).folder is None


def test_set_feed_folder_unknown_feed(store: Store) -> None:
    with pytest.raises(FeedNotFoundError, match="feed 99 not found"):
        store.set_feed_folder(99, "Tech")


def test_list_folders_sums_counts(store: Store, feeds: dict[str, int]) -> None:
    store.set_read([store.list_entries(feeds["alpha"])[0].id], True)

    (tech,) = store.list_folders()

    assert tech.name == "Tech"
    assert tech.feeds == 2
    assert tech.unread == 4
    assert tech.total == 5


def test_list_folders_counts_empty_feeds(store: Store) -> None:
    feed = store.add_feed("https://empty.example/feed")
    store.set_feed_folder(feed.id, "zeta")
    _add_feed(store, "delta", 1, "Alpha")

    folders = store.list_folders()

    assert [(f.name, f.feeds, f.unread, f.total) for f in folders] == [
        ("Alpha", 1, 1, 1),
        ("zeta", 1, 0, 0),
    ]


def test_rename_folder_merges(store: Store, feeds: dict[str, int]) -> None:
    store.set_feed_folder(feeds["gamma"], "Code")

    moved = store.rename_folder("Tech", "Code")

    assert moved == 2
    assert [(f.name, f.feeds) for f in store.list_folders()] == [("Code", 3)]


def test_rename_folder_unknown(store: Store, feeds: dict[str, int]) -> None:
    with pytest.raises(FolderNotFoundError, match="folder 'Nope' not found"):
        store.rename_folder("Nope", "Other")


def test_feed_settings_all(store: Store, feeds: dict[str, int]) -> None:
    settings = store.feed_settings()

    assert set(settings) == set(feeds.values())
    assert settings[feeds["alpha"]].folder == "Tech"
    assert settings[feeds["alpha"]].document_title == "alpha blog"


# User titles


def test_rename_feed_overrides_document_title(
    store: Store, feeds: dict[str, int]
) -> None:
    stored = store.rename_feed(feeds["alpha"], "  My Alpha\x1b[31m ")

    assert stored == "My Alpha"
    feed = store.get_feed(feeds["alpha"])
    assert feed.title == "My Alpha"
    assert store.list_entries(feeds["alpha"])[0].feed_title == "My Alpha"


def test_rename_survives_refresh(store: Store, feeds: dict[str, int]) -> None:
    store.rename_feed(feeds["beta"], "Beta (mine)")
    document = ParsedFeed(title="beta blog, renamed upstream", link=None, entries=())

    store.save_parsed(
        feeds["beta"], FetchResult("https://beta.example/feed", b""), document
    )

    assert store.get_feed(feeds["beta"]).title == "Beta (mine)"
    settings = store.get_feed_settings(feeds["beta"])
    assert settings.document_title == "beta blog, renamed upstream"


def test_rename_feed_empty_restores(store: Store, feeds: dict[str, int]) -> None:
    store.rename_feed(feeds["alpha"], "Mine")

    assert store.rename_feed(feeds["alpha"], "") is None
    assert store.get_feed(feeds["alpha"]).title == "alpha blog"


def test_list_feeds_sorted_by_shown_title(store: Store, feeds: dict[str, int]) -> None:
    store.rename_feed(feeds["gamma"], "aardvark")

    titles = [feed.title for feed in store.list_feeds()]

    assert titles == ["aardvark", "alpha blog", "beta blog"]


# Bulk subscribe


def test_add_feeds_bulk(store: Store, feeds: dict[str, int]) -> None:
    results = store.add_feeds(
        [
            NewFeed("https://new.example/feed", "New", " Later / On ", "Mine"),
            NewFeed("https://alpha.example/feed", "Ignored", "Elsewhere"),
            NewFeed("https://new.example/feed", "Twice"),
        ]
    )

    new_id = results[0][0]
    assert results == [(new_id, True), (feeds["alpha"], False), (new_id, False)]
    settings = store.get_feed_settings(new_id)
    assert settings.folder == "Later/On"
    assert settings.user_title == "Mine"
    assert settings.document_title == "New"
    assert store.get_feed_settings(feeds["alpha"]).folder == "Tech"


def test_add_feeds_rolls_back_on_error(store: Store) -> None:
    def feeds() -> Iterator[NewFeed]:
        yield NewFeed("https://first.example/feed")
        raise RuntimeError("reading the file failed")

    with pytest.raises(RuntimeError):
        store.add_feeds(feeds())

    assert store.list_feeds() == []


# Mark all read and undo


def test_mark_all_read_feed(store: Store, feeds: dict[str, int]) -> None:
    marked = store.mark_all_read(feeds["alpha"])

    assert len(marked) == 3
    assert marked.feed_ids == (feeds["alpha"],)
    assert _unread(store, feeds["alpha"]) == 0
    assert _unread(store) == 6


def test_mark_all_read_folder(store: Store, feeds: dict[str, int]) -> None:
    marked = store.mark_all_read(folder=" Tech ")

    assert marked.feed_ids == (feeds["alpha"], feeds["beta"])
    assert len(marked.entry_ids) == 5
    assert _unread(store) == 4


def test_mark_all_read_everything(store: Store, feeds: dict[str, int]) -> None:
    marked = store.mark_all_read()

    assert len(marked) == 9
    assert _unread(store) == 0
    assert all(entry.read_at is not None for entry in store.list_entries())


def test_mark_all_read_scope_errors(store: Store, feeds: dict[str, int]) -> None:
    with pytest.raises(FeedNotFoundError):
        store.mark_all_read(99)
    with pytest.raises(FolderNotFoundError):
        store.mark_all_read(folder="Nope")
    with pytest.raises(ValueError, match="not both"):
        store.mark_all_read(feeds["alpha"], folder="Tech")


def test_undo_mark_all_restores_only_those(store: Store, feeds: dict[str, int]) -> None:
    already_read = store.list_entries(feeds["alpha"])[0].id
    store.set_read([already_read], True)
    marked = store.mark_all_read(folder="Tech")

    restored = store.undo_mark_all_read()

    assert restored == marked
    assert already_read not in restored.entry_ids
    assert _unread(store) == 8
    assert store.get_entry(already_read).read


def test_undo_twice_changes_nothing(store: Store, feeds: dict[str, int]) -> None:
    store.mark_all_read(feeds["beta"])
    store.undo_mark_all_read()

    assert store.undo_mark_all_read() == MarkedRead()
    assert _unread(store) == 9


def test_undo_skips_entries_marked_unread_since(
    store: Store, feeds: dict[str, int]
) -> None:
    marked = store.mark_all_read(feeds["gamma"])
    store.set_read([marked.entry_ids[0]], False)

    assert store.last_mark_all_read().entry_ids == marked.entry_ids[1:]
    restored = store.undo_mark_all_read()

    assert restored.entry_ids == marked.entry_ids[1:]
    assert _unread(store, feeds["gamma"]) == 4


def test_mark_all_without_unread_keeps_undo(
    store: Store, feeds: dict[str, int]
) -> None:
    first = store.mark_all_read(feeds["alpha"])

    assert store.mark_all_read(feeds["alpha"]) == MarkedRead()
    assert store.last_mark_all_read() == first


def test_new_mark_all_replaces_undo(store: Store, feeds: dict[str, int]) -> None:
    store.mark_all_read(feeds["alpha"])
    second = store.mark_all_read(feeds["beta"])

    assert store.undo_mark_all_read() == second
    assert _unread(store, feeds["alpha"]) == 0


def test_undo_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Store(path) as store:
        feed_id = _add_feed(store, "alpha", 2, None)
        store.mark_all_read(feed_id)

    with Store(path) as reopened:
        assert len(reopened.undo_mark_all_read()) == 2
        assert _unread(reopened) == 2


def test_removed_feed_leaves_no_undo(store: Store, feeds: dict[str, int]) -> None:
    store.mark_all_read(feeds["gamma"])
    store.remove_feed(feeds["gamma"])

    assert store.undo_mark_all_read() == MarkedRead()


def test_folder_includes_subfolders(store: Store) -> None:
    tech = store.add_feed("https://tech.test/feed")
    python = store.add_feed("https://python.test/feed")
    other = store.add_feed("https://technology.test/feed")
    store.set_feed_folder(tech.id, "Tech")
    store.set_feed_folder(python.id, "Tech/Python")
    store.set_feed_folder(other.id, "Technology")

    moved = store.rename_folder("Tech", "Code")

    assert moved == 2
    assert store.get_feed_settings(tech.id).folder == "Code"
    assert store.get_feed_settings(python.id).folder == "Code/Python"
    assert store.get_feed_settings(other.id).folder == "Technology"


def test_rename_parent_only_folder(store: Store) -> None:
    python = store.add_feed("https://python.test/feed")
    store.set_feed_folder(python.id, "Tech/Python")

    assert store.rename_folder("Tech", None) == 1
    assert store.get_feed_settings(python.id).folder == "Python"


def test_mark_all_read_parent_folder(store: Store, feeds: dict[str, int]) -> None:
    store.set_feed_folder(feeds["beta"], "Tech/Deep")
    store.set_feed_folder(feeds["alpha"], "Techno")

    marked = store.mark_all_read(folder="Tech")

    assert marked.feed_ids == (feeds["beta"],)
    assert _unread(store, feeds["beta"]) == 0
    assert _unread(store, feeds["alpha"]) == 3
