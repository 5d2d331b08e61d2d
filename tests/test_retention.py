"""Retention: which entries a refresh prunes, tombstones, compaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

import reader.store
from reader.cli import main
from reader.listing import EntryScope
from reader.models import FetchResult, ParsedEntry, ParsedFeed
from reader.retention import DEFAULT_RETENTION, TOMBSTONE_LIFETIME
from reader.store import Store
from tests.routes import Route, RouteServer

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def entry(key: str, age_days: int) -> ParsedEntry:
    return ParsedEntry(
        key=key,
        title=f"Entry {key}",
        link=None,
        author=None,
        published=NOW - timedelta(days=age_days),
        updated=None,
        content=f"<p>words of {key}</p>",
        summary="",
    )


def save(store: Store, feed_id: int, *entries: ParsedEntry) -> tuple[int, int]:
    result = FetchResult(url="https://r.test/feed", content=b"")
    return store.save_parsed(feed_id, result, ParsedFeed("Kept", None, entries))


def keys(store: Store, feed_id: int) -> set[str]:
    return {entry.key for entry in store.list_entries(feed_id)}


def ids_by_key(store: Store, feed_id: int) -> dict[str, int]:
    return {entry.key: entry.id for entry in store.list_entries(feed_id)}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The store's clock; append to move it."""
    moments = [NOW]
    monkeypatch.setattr(reader.store, "utc_now", lambda: moments[-1])
    return moments


@pytest.fixture
def store(tmp_path: Path, clock: list[datetime]):
    with Store(tmp_path / "cache.sqlite3") as opened:
        yield opened


@pytest.fixture
def feed_id(store: Store) -> int:
    feed_id = store.add_feed("https://r.test/feed").id
    save(
        store,
        feed_id,
        entry("old-read", 200),
        entry("old-unread", 200),
        entry("old-starred", 200),
        entry("recent-read", 10),
        entry("old-listed", 200),
    )
    ids = ids_by_key(store, feed_id)
    store.set_read([ids["old-read"], ids["old-starred"], ids["recent-read"]], True)
    store.set_read([ids["old-listed"]], True)
    store.set_starred([ids["old-starred"]], True)
    return feed_id


def test_default_is_ninety_days() -> None:
    assert timedelta(days=90) == DEFAULT_RETENTION


def test_refresh_prunes_only_old_read_unlisted(store: Store, feed_id: int) -> None:
    save(store, feed_id, entry("old-listed", 200), entry("new", 0))
    assert keys(store, feed_id) == {
        "old-unread",
        "old-starred",
        "recent-read",
        "old-listed",
        "new",
    }
    feed = store.get_feed(feed_id)
    assert (feed.total, feed.unread) == (5, 2)
    assert store.search("words").total == 5


def test_pruned_entry_does_not_return(store: Store, feed_id: int) -> None:
    save(store, feed_id, entry("new", 0))
    assert "old-read" not in keys(store, feed_id)
    new, _ = save(store, feed_id, entry("old-read", 200), entry("new", 0))
    assert new == 0
    assert "old-read" not in keys(store, feed_id)


def test_tombstone_expires(store: Store, feed_id: int, clock: list[datetime]) -> None:
    save(store, feed_id, entry("new", 0))
    clock.append(NOW + TOMBSTONE_LIFETIME + timedelta(days=1))
    save(store, feed_id, entry("new", 0))
    new, _ = save(store, feed_id, entry("old-read", 200))
    assert new == 1
    assert store.count_rows(EntryScope(feed_id, unread_only=True)) >= 1


def test_retention_none_keeps_all(tmp_path: Path, clock: list[datetime]) -> None:
    with Store(tmp_path / "all.sqlite3", retention=None) as store:
        feed_id = store.add_feed("https://r.test/feed").id
        save(store, feed_id, entry("a", 400), entry("b", 400))
        store.mark_all_read()
        save(store, feed_id, entry("c", 0))
        assert keys(store, feed_id) == {"a", "b", "c"}


def test_shorter_retention(tmp_path: Path, clock: list[datetime]) -> None:
    with Store(tmp_path / "short.sqlite3", retention=timedelta(days=7)) as store:
        feed_id = store.add_feed("https://r.test/feed").id
        save(store, feed_id, entry("a", 8), entry("b", 6))
        store.mark_all_read()
        save(store, feed_id, entry("c", 0))
        assert keys(store, feed_id) == {"b", "c"}


def test_vacuum_shrinks_file(tmp_path: Path, clock: list[datetime]) -> None:
    with Store(tmp_path / "big.sqlite3", retention=None) as store:
        feed_id = store.add_feed("https://r.test/feed").id
        big = [
            ParsedEntry(f"k{n}", f"T{n}", None, None, NOW, None, "<p>x</p>" * 500, "")
            for n in range(300)
        ]
        save(store, feed_id, *big)
        store.remove_feed(feed_id)
        report = store.vacuum()
        assert report.after < report.before / 4
        assert store.search("x").total == 0


# --- over HTTP, through the CLI ---------------------------------------------

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
RSS_TYPE = {"Content-Type": "application/rss+xml"}


def rss(*items: tuple[str, int], body: str = "") -> bytes:
    """Return an RSS document of (guid, age in days) items, each with
    ``body`` after its own words."""
    now = datetime.now(UTC)
    text = "".join(
        f"<item><guid>{guid}</guid><title>Item {guid}</title>"
        f"<pubDate>{format_datetime(now - timedelta(days=age))}</pubDate>"
        f"<description>words of {guid} {body}</description></item>"
        for guid, age in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Served</title>'
        f"{text}</channel></rss>"
    ).encode()


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status = main(list(args))
    output = capsys.readouterr().out
    assert status == 0, args
    return output


def listed_titles(capsys: pytest.CaptureFixture[str]) -> list[str]:
    entries = json.loads(cli(capsys, "entries", "--json"))
    return sorted(entry["title"] for entry in entries)


def file_size(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


@pytest.fixture
def served(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RouteServer]:
    """A server on 127.0.0.1, reached without any proxy."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    with RouteServer().running() as server:
        yield server


def test_pruned_entry_stays_gone_over_http(
    served: RouteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    first = rss(("old", 200), ("listed", 200), ("new", 1))
    served.routes["/feed.xml"] = Route(first, RSS_TYPE)
    cli(capsys, "add", served.url("/feed.xml"))
    entries = json.loads(cli(capsys, "entries", "--json"))
    old = [str(entry["id"]) for entry in entries if entry["title"] != "Item new"]
    cli(capsys, "mark", *old, "--read")

    served.routes["/feed.xml"] = Route(rss(("listed", 200), ("new", 1)), RSS_TYPE)
    served.requests.clear()
    cli(capsys, "refresh", "--force")
    assert served.paths() == ["/feed.xml"]
    assert listed_titles(capsys) == ["Item listed", "Item new"]

    served.routes["/feed.xml"] = Route(first, RSS_TYPE)
    served.requests.clear()
    cli(capsys, "refresh", "--force")
    assert served.paths() == ["/feed.xml"]
    assert listed_titles(capsys) == ["Item listed", "Item new"]
    assert json.loads(cli(capsys, "search", "old", "--json")) == []


def test_vacuum_after_pruning_shrinks_file(
    served: RouteServer, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filler = "<p>" + "lorem ipsum dolor sit amet " * 400 + "</p>"
    old = [(f"old{n}", 200) for n in range(200)]
    served.routes["/feed.xml"] = Route(rss(*old, body=filler), RSS_TYPE)
    cli(capsys, "add", served.url("/feed.xml"))
    ids = [str(entry["id"]) for entry in json.loads(cli(capsys, "entries", "--json"))]
    cli(capsys, "mark", *ids, "--read")
    served.routes["/feed.xml"] = Route(rss(("new", 1)), RSS_TYPE)
    cli(capsys, "refresh", "--force")
    assert listed_titles(capsys) == ["Item new"]

    before = file_size(db_path)
    output = cli(capsys, "vacuum")
    after = file_size(db_path)
    assert after < before / 4
    assert output.startswith(f"Compacted {db_path}: ")
    assert json.loads(cli(capsys, "search", "lorem", "--json")) == []
