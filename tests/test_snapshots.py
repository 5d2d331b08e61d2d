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
