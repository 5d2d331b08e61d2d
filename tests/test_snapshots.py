"""Screenshots of key screens compared with the accepted SVGs in __snapshots__.

Regenerate after an intended change with ``pytest tests/test_snapshots.py
--snapshot-update`` and look at every changed SVG before committing it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from reader.models import FetchResult
from reader.parse import parse_feed
from reader.store import Store
from reader.tui.app import TidingsApp
from reader.welcome import WELCOME_META_KEY

FIXTURES = Path(__file__).parent / "fixtures" / "tui"
# Stored feed URLs are relative names, so the screenshot does not depend on
# where the repository is checked out.
FEED_NAMES = ("lantern.xml", "markup.xml")
READING_SIZE = (120, 60)


@pytest.fixture
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Show local times in UTC, so dates and times render alike everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A cache with two fixture feeds whose entries all have fixed dates."""
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        for name in FEED_NAMES:
            content = (FIXTURES / name).read_bytes()
            feed = store.add_feed(name)
            parsed = parse_feed(content, name)
            store.save_parsed(feed.id, FetchResult(url=name, content=content), parsed)
        yield store


async def open_first_entry(pilot: Pilot[Any]) -> None:
    """Open the newest entry and wait until its body is rendered."""
    await pilot.pause()
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_main_screen_with_code(
    snap_compare: Any, store: Store, utc_clock: None
) -> None:
    """Feeds with unread counts, the entry list with one entry read, and that
    entry's article with Python and YAML code highlighted."""
    app = TidingsApp(store)
    assert snap_compare(app, terminal_size=(120, 36), run_before=open_first_entry)


@pytest.fixture
def reading_store(db_path: Path) -> Iterator[Store]:
    """A cache with only the Reading Room feed: code, a table and links."""
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        content = (FIXTURES / "reading.xml").read_bytes()
        feed = store.add_feed("reading.xml")
        parsed = parse_feed(content, "https://reading.test/feed.xml")
        result = FetchResult(url="reading.xml", content=content)
        store.save_parsed(feed.id, result, parsed)
        yield store


async def open_and_focus_article(pilot: Pilot[Any]) -> None:
    """Open the newest entry, move the focus to the article and wait until
    the whole article is laid out."""
    await open_first_entry(pilot)
    await pilot.press("tab")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_article_with_code_table_and_links(
    snap_compare: Any, reading_store: Store, utc_clock: None
) -> None:
    """Link markers in the text, a table with a pipe in a cell, Python code
    highlighted, an image placeholder and the numbered link list."""
    app = TidingsApp(reading_store)
    assert snap_compare(
        app, terminal_size=READING_SIZE, run_before=open_and_focus_article
    )


def test_reader_mode_with_link_prompt(
    snap_compare: Any, reading_store: Store, utc_clock: None
) -> None:
    """The same article as plain text, with the prompt for a link number."""

    async def reader_mode_prompt(pilot: Pilot[Any]) -> None:
        await open_and_focus_article(pilot)
        await pilot.press("v")
        await pilot.app.workers.wait_for_complete()
        await pilot.press("f")
        await pilot.pause()

    app = TidingsApp(reading_store)
    assert snap_compare(app, terminal_size=READING_SIZE, run_before=reader_mode_prompt)


@pytest.fixture
def failing_store(store: Store, db_path: Path) -> Store:
    """The two fixture feeds, one feed backing off after two failures and
    one feed gone, with fixed times."""
    busy = store.add_feed("busy.xml")
    retry_at = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    for _ in range(2):
        store.record_failure(
            busy.id, "busy.xml: HTTP 503 Service Unavailable", retry_at
        )
    gone = store.add_feed("gone.xml")
    store.record_gone(gone.id, "gone.xml: HTTP 410 Gone")
    # No Store method sets the time a feed went away, so the test does.
    with sqlite3.connect(db_path) as db:
        db.execute(
            "UPDATE feeds SET gone_since = ? WHERE id = ?",
            ("2026-11-30T08:00:00.000000+00:00", gone.id),
        )
    db.close()
    return store


def test_feeds_backing_off_and_gone(
    snap_compare: Any, failing_store: Store, utc_clock: None
) -> None:
    """A feed backing off shows its next try, and a gone feed the date it
    went away. The status line describes the highlighted gone feed."""

    async def highlight_gone_feed(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, TidingsApp)
        await pilot.pause()
        gone = failing_store.find_feed("gone.xml")
        assert gone is not None
        app.feed_list.focus()
        index = app.feed_list.feed_index(gone.id)
        assert index is not None
        app.feed_list.cursor = index
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    app = TidingsApp(failing_store)
    assert snap_compare(app, terminal_size=(120, 36), run_before=highlight_gone_feed)
