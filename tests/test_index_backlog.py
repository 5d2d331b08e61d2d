"""Search index backlog: saves that leave entries queued, and a refresh that
indexes them all by its end."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from reader.models import FetchResult, ParsedEntry, ParsedFeed
from reader.store import Store
from reader.update import refresh_feeds

WORDS = ("zebra", "quokka", "axolotl", "pangolin")


def parsed_feed(word: str, count: int) -> ParsedFeed:
    entries = tuple(
        ParsedEntry(
            key=f"{word}-{number}",
            title=f"Entry {number}",
            link=None,
            author=None,
            published=None,
            updated=None,
            content=f"<p>About the {word} &amp; friends, part {number}.</p>",
            summary="",
        )
        for number in range(count)
    )
    return ParsedFeed(title=word, link=None, entries=entries)


def rss(word: str, count: int) -> bytes:
    items = "".join(
        f"<item><guid>{word}-{number}</guid><title>Entry {number}</title>"
        f"<description>&lt;p&gt;The {word}, part {number}.&lt;/p&gt;</description>"
        "</item>"
        for number in range(count)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{word}</title>'
        f"<link>http://127.0.0.1/</link>{items}</channel></rss>"
    ).encode()


def indexed(path: Path, word: str) -> int:
    """Count the entries that the index itself matches, without catching up."""
    with sqlite3.connect(path) as db:
        return int(
            db.execute(
                "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ?", (word,)
            ).fetchone()[0]
        )


def queued(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM entries_fts_pending").fetchone()[0])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "cache.sqlite3") as cache:
        yield cache


def test_backlog_defers_index(store: Store) -> None:
    store.index_backlog = 5
    first = store.add_feed("http://127.0.0.1/first.xml")
    second = store.add_feed("http://127.0.0.1/second.xml")
    store.save_parsed(
        first.id, FetchResult(url=first.url, content=b""), parsed_feed("zebra", 3)
    )
    assert queued(store.path) == 3
    assert indexed(store.path, "zebra") == 0

    store.save_parsed(
        second.id, FetchResult(url=second.url, content=b""), parsed_feed("quokka", 3)
    )
    assert queued(store.path) == 0
    assert indexed(store.path, "zebra") == 3
    assert indexed(store.path, "quokka") == 3


def test_no_backlog_indexes_each_save(store: Store) -> None:
    feed = store.add_feed("http://127.0.0.1/feed.xml")
    store.save_parsed(
        feed.id, FetchResult(url=feed.url, content=b""), parsed_feed("zebra", 2)
    )
    assert queued(store.path) == 0
    assert indexed(store.path, "zebra") == 2


def test_backlog_caught_up_by_search(store: Store) -> None:
    store.index_backlog = 100
    feed = store.add_feed("http://127.0.0.1/feed.xml")
    store.save_parsed(
        feed.id, FetchResult(url=feed.url, content=b""), parsed_feed("axolotl", 4)
    )
    assert indexed(store.path, "axolotl") == 0
    assert store.search("axolotl").total == 4
    assert queued(store.path) == 0


@pytest.mark.parametrize("cpus", [1, 4])
async def test_refresh_ends_with_index_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cpus: int
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    # One CPU parses in a thread and stores through the writer thread; four
    # parse and store in worker processes.
    monkeypatch.setattr(os, "cpu_count", lambda: cpus)
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        with Store(tmp_path / "cache.sqlite3") as store:
            for word in WORDS:
                server.expect_request(f"/{word}").respond_with_data(
                    rss(word, 7), content_type="application/rss+xml"
                )
                store.add_feed(server.url_for(f"/{word}"))
            summary = await refresh_feeds(store)
    finally:
        server.clear()
        server.stop()
    assert [result.new for result in summary.results] == [7] * len(WORDS)
    path = tmp_path / "cache.sqlite3"
    assert queued(path) == 0
    for word in WORDS:
        assert indexed(path, word) == 7, word
