"""Feed management from the TUI: add, rename, move, remove, mark all read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from textual.pilot import Pilot
from textual.widgets import Input, Static

from reader.models import FetchResult
from reader.parse import parse_feed
from reader.store import Store
from reader.tui.app import TidingsApp
from reader.tui.dialogs import ChoiceScreen, ConfirmScreen, TextPrompt
from reader.tui.feed_list import FeedList
from reader.welcome import WELCOME_META_KEY

FIXTURES = Path(__file__).parent / "fixtures" / "tui"
SIZE = (120, 36)


def load_fixture(store: Store, name: str) -> int:
    """Subscribe to a fixture feed, store its entries and return the feed id."""
    path = FIXTURES / name
    content = path.read_bytes()
    feed = store.add_feed(str(path))
    parsed = parse_feed(content, str(path))
    store.save_parsed(feed.id, FetchResult(url=str(path), content=content), parsed)
    return feed.id


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A cache with the Lantern (4 unread) and markup (2 unread) feeds."""
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        load_fixture(store, "lantern.xml")
        load_fixture(store, "markup.xml")
        yield store


async def settle(pilot: Pilot[None]) -> None:
    """Wait until workers and messages are done."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Replace the dialog's input text with ``text`` and press Enter."""
    field = pilot.app.screen.query_one(Input)
    field.value = text
    await pilot.press("enter")
    await settle(pilot)


def feed_titles(app: TidingsApp) -> list[str]:
    """Return the titles of the listed feeds, in order."""
    return [feed.title for feed in app.query_one(FeedList).feeds]


async def test_add_local_feed_file(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, str(FIXTURES / "reading.xml"))
        assert not isinstance(app.screen, TextPrompt)
        assert "Reading Room" in feed_titles(app)
        current = app.feed_list.current_feed
        assert current is not None
        assert current.title == "Reading Room"
        assert current.total == 3
        assert app.status.refresh_state == "Refreshed 1 feed: 1 updated · 3 new entries"


async def test_add_existing_feed_rejected(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await type_text(pilot, str(FIXTURES / "markup.xml"))
        assert len(store.list_feeds()) == 2
        assert app.status.message.startswith("Already subscribed: Markup")


async def test_add_invalid_url_shows_error(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await type_text(pilot, "ftp://example.invalid/feed")
        assert len(store.list_feeds()) == 2
        assert "ftp://example.invalid/feed" in app.status.message


PAGE = """<html><head><title>Two feeds</title>
<link rel="alternate" type="application/atom+xml" title="Builds" href="/fresh.xml">
<link rel="alternate" type="application/rss+xml" title="Room" href="/reading.xml">
</head><body>hello</body></html>"""


async def test_add_page_asks_which_feed(
    store: Store, httpserver_ipv4: HTTPServer
) -> None:
    httpserver_ipv4.expect_request("/").respond_with_data(
        PAGE, content_type="text/html"
    )
    for name in ("fresh.xml", "reading.xml"):
        httpserver_ipv4.expect_request(f"/{name}").respond_with_data(
            (FIXTURES / name).read_bytes(), content_type="application/xml"
        )
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await type_text(pilot, httpserver_ipv4.url_for("/"))
        assert isinstance(app.screen, ChoiceScreen)
        assert len(app.screen.choices) == 2
        assert "Builds" in app.screen.choices[0]
        await pilot.press("down", "enter")
        await settle(pilot)
        added = store.find_feed(httpserver_ipv4.url_for("/reading.xml"))
        assert added is not None
        assert store.get_feed(added.id).title == "Reading Room"
        assert store.find_feed(httpserver_ipv4.url_for("/fresh.xml")) is None


async def test_add_unreachable_keeps_feed_with_error(store: Store) -> None:
    # Nothing listens on port 9 of the loopback address, so the fetch fails.
    url = "http://127.0.0.1:9/feed.xml"
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await type_text(pilot, url)
        added = store.find_feed(url)
        assert added is not None
        assert store.get_feed(added.id).last_error
        assert app.status.message.startswith("Added, but the fetch failed")


async def test_rename_feed_and_reset(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        feed_id = store.list_feeds()[0].id
        await pilot.press("e")
        await type_text(pilot, "Zebra Notes")
        assert store.get_feed_settings(feed_id).user_title == "Zebra Notes"
        assert feed_titles(app)[-1] == "Zebra Notes"
        current = app.feed_list.current_feed
        assert current is not None
        assert current.id == feed_id
        assert app.status.message == "Renamed to Zebra Notes"
        await pilot.press("e")
        assert app.screen.query_one(Input).value == "Zebra Notes"
        await type_text(pilot, "")
        assert store.get_feed_settings(feed_id).user_title is None
        assert store.get_feed(feed_id).title == "Lantern Dev Notes"


async def test_move_feed_to_folder(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        feed_id = store.list_feeds()[0].id
        await pilot.press("M")
        await type_text(pilot, "Tech / Python")
        assert store.get_feed_settings(feed_id).folder == "Tech/Python"
        assert app.status.message == "Moved Lantern Dev Notes to folder Tech/Python"
        await pilot.press("M")
        hint = str(app.screen.query(Static).last().content)
        assert "Folders: Tech/Python" in hint
        await type_text(pilot, "")
        assert store.get_feed_settings(feed_id).folder is None


async def test_remove_names_starred_count(store: Store) -> None:
    feed_id = store.list_feeds()[0].id
    entries = store.list_entries(feed_id)
    store.set_starred([entries[0].id, entries[1].id], True)
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("D")
        assert isinstance(app.screen, ConfirmScreen)
        details = str(app.screen.query_one("#confirm-details", Static).content)
        assert details == (
            "This deletes its 4 entries from the cache, including 2 starred entries."
        )
        await pilot.press("n")
        await settle(pilot)
        assert len(store.list_feeds()) == 2
        await pilot.press("D", "y")
        await settle(pilot)
        assert feed_id not in [feed.id for feed in store.list_feeds()]
        assert feed_titles(app) == ["Markup [reverse]Trap[/] Weekly"]
        assert app.entry_list.pages is not None
        assert app.entry_list.pages.feed_id != feed_id


async def test_remove_last_feed_shows_hint(db_path: Path) -> None:
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        load_fixture(store, "fresh.xml")
        app = TidingsApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("D")
            details = str(app.screen.query_one("#confirm-details", Static).content)
            assert details.endswith("none of them is starred.")
            await pilot.press("enter")
            await settle(pilot)
            assert store.list_feeds() == []
            assert app.entry_list.current_entry is None


async def test_mark_all_read_and_undo(store: Store) -> None:
    lantern, markup = (feed.id for feed in store.list_feeds())
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        assert store.count_entries(lantern, unread_only=True) == 0
        assert store.count_entries(markup, unread_only=True) == 2
        assert app.feed_list.feeds[0].unread == 0
        current = app.entry_list.current_entry
        assert current is not None
        assert current.read
        assert app.status.message.startswith("Marked 4 entries read in Lantern")
        await pilot.press("A")
        assert app.status.message == "No unread entries in Lantern Dev Notes"
        await pilot.press("u")
        await settle(pilot)
        assert store.count_entries(lantern, unread_only=True) == 4
        assert app.feed_list.feeds[0].unread == 4
        current = app.entry_list.current_entry
        assert current is not None
        assert not current.read
        assert app.status.message == "Marked 4 entries unread again"
        await pilot.press("u")
        assert app.status.message == "Nothing to undo"


async def test_dialog_escape_changes_nothing(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("a", "e", "M"):
            await pilot.press(key)
            assert isinstance(app.screen, TextPrompt)
            await pilot.press("escape")
            assert not isinstance(app.screen, TextPrompt)
        assert feed_titles(app) == [
            "Lantern Dev Notes",
            "Markup [reverse]Trap[/] Weekly",
        ]
        assert all(
            settings.folder is None and settings.user_title is None
            for settings in store.feed_settings().values()
        )


async def test_rename_of_removed_feed_shows_error(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        feed_id = store.list_feeds()[0].id
        await pilot.press("e")
        # Another tidings process removes the feed while the dialog is open.
        store.remove_feed(feed_id)
        await type_text(pilot, "Gone")
        assert f"feed {feed_id} not found" in app.status.message
        assert len(store.list_feeds()) == 1
