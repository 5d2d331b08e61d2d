"""Screenshots of key screens compared with the accepted SVGs in __snapshots__.

Regenerate after an intended change with ``pytest tests/test_snapshots.py
--snapshot-update`` and look at every changed SVG before committing it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
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
