"""Folders in the feed list, the unread-only toggle and folder mark-all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from reader.models import FetchResult
from reader.parse import parse_feed
from reader.store import Store
from reader.tui.app import TidingsApp
from reader.tui.feed_list import FeedList
from reader.welcome import WELCOME_META_KEY

FIXTURES = Path(__file__).parent / "fixtures" / "tui"
SIZE = (120, 36)


def load_fixture(store: Store, name: str, folder: str | None) -> int:
    """Subscribe to a fixture feed in ``folder`` and return the feed id."""
    path = FIXTURES / name
    content = path.read_bytes()
    feed = store.add_feed(str(path))
    parsed = parse_feed(content, str(path))
    store.save_parsed(feed.id, FetchResult(url=str(path), content=content), parsed)
    store.set_feed_folder(feed.id, folder)
    return feed.id


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """Lantern (4 unread) in Dev/Python, markup (2) in Dev, reading (3) in
    no folder."""
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        load_fixture(store, "lantern.xml", "Dev/Python")
        load_fixture(store, "markup.xml", "Dev")
        load_fixture(store, "reading.xml", None)
        yield store


async def settle(pilot: Pilot[None]) -> None:
    """Wait until workers and messages are done."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def row_texts(app: TidingsApp) -> list[str]:
    """Return every row of the feed list as stripped text."""
    feeds = app.query_one(FeedList)
    return [feeds.row_text(index).rstrip() for index in range(len(feeds.rows))]


def move_to(app: TidingsApp, key: str) -> None:
    """Put the feed list cursor on the row with ``key``."""
    feeds = app.query_one(FeedList)
    index = next(i for i, row in enumerate(feeds.rows) if row.key == key)
    feeds.focus()
    feeds.cursor = index


async def test_folders_with_summed_unread(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keys = [row.key for row in app.query_one(FeedList).rows]
        assert keys[:3] == ["all", "unread", "starred"]
        assert keys[3:] == [
            "folder:Dev",
            "folder:Dev/Python",
            f"feed:{store.list_feeds()[0].id}",
            f"feed:{store.list_feeds()[1].id}",
            f"feed:{store.list_feeds()[2].id}",
        ]
        dev = app.query_one(FeedList).rows[3]
        assert dev.count == 6
        assert "▾ Dev" in row_texts(app)[3]
        assert row_texts(app)[3].endswith("6")
        assert "  ▾ Python" in row_texts(app)[4]
        assert row_texts(app)[4].endswith("4")
        assert "    Lantern Dev Notes" in row_texts(app)[5]


async def test_space_folds_folder(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        move_to(app, "folder:Dev")
        await pilot.press("space")
        keys = [row.key for row in app.query_one(FeedList).rows]
        assert keys[3] == "folder:Dev"
        assert len(keys) == 5
        assert "▸ Dev" in row_texts(app)[3]
        assert row_texts(app)[3].endswith("6")
        await pilot.press("l")
        assert len(app.query_one(FeedList).rows) == 8
        move_to(app, f"feed:{store.list_feeds()[0].id}")
        await pilot.press("h")
        current = app.query_one(FeedList).current_row
        assert current is not None
        assert current.key == "folder:Dev/Python"
        await pilot.press("h")
        assert len(app.query_one(FeedList).rows) == 7


async def test_folder_lists_its_entries(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        move_to(app, "folder:Dev")
        await settle(pilot)
        assert app.entry_list.item_count() == 6
        assert app.status.message == "Folder Dev: 6 unread of 6"
        move_to(app, "folder:Dev/Python")
        await settle(pilot)
        assert app.entry_list.item_count() == 4


async def test_mark_folder_read_and_undo(store: Store) -> None:
    lantern, markup, reading = (feed.id for feed in store.list_feeds())
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        move_to(app, "folder:Dev")
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        assert store.count_entries(lantern, unread_only=True) == 0
        assert store.count_entries(markup, unread_only=True) == 0
        assert store.count_entries(reading, unread_only=True) == 3
        assert app.status.message.startswith("Marked 6 entries read in folder Dev")
        assert app.query_one(FeedList).rows[3].count == 0
        await pilot.press("u")
        await settle(pilot)
        assert store.count_entries(lantern, unread_only=True) == 4
        assert app.query_one(FeedList).rows[3].count == 6


async def test_rename_folder_row(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        move_to(app, "folder:Dev")
        await pilot.press("e")
        pilot.app.screen.query_one(Input).value = "Code"
        await pilot.press("enter")
        await settle(pilot)
        folders = {settings.folder for settings in store.feed_settings().values()}
        assert folders == {"Code", "Code/Python", None}
        current = app.query_one(FeedList).current_row
        assert current is not None
        assert current.key == "folder:Code"


async def test_unread_only_toggle(store: Store) -> None:
    lantern = store.list_feeds()[0].id
    first = store.list_entries(lantern)[0]
    store.set_read([first.id], True)
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.show_feed(store.get_feed(lantern))
        await settle(pilot)
        assert app.entry_list.item_count() == 4
        await pilot.press("U")
        await settle(pilot)
        assert app.entry_list.item_count() == 3
        assert "unread only" in str(app.entry_list.border_title)
        move_to(app, "folder:Dev")
        await settle(pilot)
        assert app.entry_list.item_count() == 5
        await pilot.press("U")
        await settle(pilot)
        assert app.entry_list.item_count() == 6
