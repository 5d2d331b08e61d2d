"""Batches of parsed feeds stored by one writer (reader.store_batch)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from reader.entry_values import prepare_entries
from reader.models import FetchResult, StoreError
from reader.parsepool import parse_document, prepare_document, write_batch
from reader.search import search_text
from reader.store import Store
from reader.store_batch import FeedToStore, save_batch


def rss(title: str, items: list[tuple[str, str, str]]) -> bytes:
    """Return an RSS 2.0 document with (guid, title, body) items."""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{name}</title>"
        f"<description><![CDATA[{body}]]></description></item>"
        for guid, name, body in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://127.0.0.1/</link>{entries}</channel></rss>"
    ).encode()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "cache.sqlite3") as cache:
        yield cache


def job(store: Store, url: str, document: bytes) -> FeedToStore:
    feed = store.find_feed(url) or store.add_feed(url)
    rows = prepare_document(document, url, "application/rss+xml")
    result = FetchResult(url=url, content=None, etag='"v1"')
    return FeedToStore(feed, result, rows, "0" * 64)


def test_batch_stores_every_feed(store: Store) -> None:
    jobs = [
        job(
            store,
            "http://127.0.0.1/tide.xml",
            rss("Tide", [("t1", "Ebb", "<p>Low</p>")]),
        ),
        job(
            store,
            "http://127.0.0.1/wind.xml",
            rss("Wind", [("w1", "Gust", "<p>Gale</p>"), ("w2", "Calm", "")]),
        ),
    ]
    assert save_batch(store, jobs) == [(1, 0), (2, 0)]
    titles = [feed.title for feed in store.list_feeds()]
    assert titles == ["Tide", "Wind"]
    assert [feed.etag for feed in store.list_feeds()] == ['"v1"', '"v1"']
    # The search index finds the batch's entries once it catches up.
    store.update_search_index()
    assert [row.title for row in store.search("gale").rows] == ["Gust"]


def test_failed_feed_rolls_back_alone(store: Store) -> None:
    good = job(store, "http://127.0.0.1/tide.xml", rss("Tide", [("t1", "Ebb", "x")]))
    removed = job(
        store, "http://127.0.0.1/gone.xml", rss("Gone", [("g1", "Lost", "y")])
    )
    store.remove_feed(removed.feed.id)
    # The removed feed's entries break the foreign key, so only its
    # savepoint rolls back.
    outcomes = save_batch(store, [removed, good])
    assert isinstance(outcomes[0], sqlite3.IntegrityError)
    assert outcomes[1] == (1, 0)
    assert [entry.title for entry in store.list_entries()] == ["Ebb"]


def test_unwritable_cache_fails_batch(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Store(path) as store:
        jobs = [job(store, "http://127.0.0.1/tide.xml", rss("Tide", [("t1", "E", "")]))]
    with Store(path) as holder:
        holder._db.execute("BEGIN IMMEDIATE")  # another writer keeps the lock
        try:
            with Store(path) as store:
                store._db.execute("PRAGMA busy_timeout = 50")
                with pytest.raises(StoreError):
                    save_batch(store, jobs)
        finally:
            holder._db.rollback()
    with Store(path) as store:
        assert store.count_entries() == 0


def test_write_batch_reuses_connection(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Store(path) as store:
        first = job(store, "http://127.0.0.1/tide.xml", rss("Tide", [("t1", "E", "")]))
        second = replace(
            job(store, "http://127.0.0.1/tide.xml", rss("Tide", [("t2", "F", "")])),
            body_hash="1" * 64,
        )
    assert write_batch(path, [first], None) == [(1, 0)]
    assert write_batch(path, [second], None) == [(1, 0)]
    with Store(path) as store:
        assert store.count_entries() == 2
        assert store.body_hash(first.feed.id) == "1" * 64


def test_prepared_text_matches_body() -> None:
    body = "<p>Caf&eacute; <b>bold</b> &amp; <script>x()</script>done</p>"
    document = parse_document(
        rss("Tide", [("t1", "Ebb", body)]), "http://127.0.0.1/t.xml", None
    )
    prepared = prepare_entries(document[0].entries)
    assert prepared.texts == (search_text(document[0].entries[0].content),)
    # The fingerprint is second to last and the sort date last.
    assert len(prepared.values[0][-2]) == 64
