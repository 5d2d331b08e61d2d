"""Virtual feeds, the / filter, the search screen and large lists in the TUI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from reader.listing import EntryScope
from reader.models import FetchResult, ParsedEntry, ParsedFeed
from reader.store import Store
from reader.tui.app import TidingsApp
from reader.tui.entry_list import EntryList
from reader.tui.feed_list import FeedList
from reader.tui.search_screen import SearchScreen
from reader.welcome import WELCOME_META_KEY
from tests.test_cache_damage import PAGE_SIZE, build_cache, damage_pages
from tests.test_tui import load_fixture, row_text

SIZE = (120, 36)


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """The Lantern (4 entries) and markup (2 entries) fixture feeds."""
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        load_fixture(store, "lantern.xml")
        load_fixture(store, "markup.xml")
        yield store


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def header_text(app: TidingsApp) -> str:
    return str(app.query_one("#article-header", Static).content)


async def highlight(pilot: Pilot[Any], key: str) -> None:
    """Move the feed list's cursor to the row with ``key``."""
    feeds = pilot.app.query_one(FeedList)
    index = next(i for i, row in enumerate(feeds.rows) if row.key == key)
    feeds.focus()
    feeds.cursor = index
    await settle(pilot)


async def test_virtual_feeds_come_first(store: Store) -> None:
    store.save_search("Config posts", "config")
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        keys = [row.key for row in feeds.rows]
        assert keys == ["all", "unread", "starred", "search:1", "feed:1", "feed:2"]
        assert feeds.row_text(0).split() == ["≡", "All", "6"]
        assert feeds.row_text(1).split() == ["●", "Unread", "6"]
        assert feeds.row_text(2).split() == ["★", "Starred"]
        assert feeds.row_text(3).split() == ["⌕", "Config", "posts"]
        assert feeds.current_feed is not None
        assert feeds.current_feed.title == "Lantern Dev Notes"


async def test_all_lists_every_feed(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await highlight(pilot, "all")
        entries = app.query_one(EntryList)
        assert entries.item_count() == 6
        rows = [row_text(entries, row) for row in range(6)]
        assert sum("Lantern Dev Notes" in row for row in rows) == 4
        assert sum("Markup [reverse]T" in row for row in rows) == 2
        assert app.status.message == "All feeds: 6 unread of 6"
        assert entries.border_title == "Entries · All"


async def test_starred_and_unread_follow_marks(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s", "j", "m")
        await settle(pilot)
        feeds = app.query_one(FeedList)
        assert feeds.row_text(2).split() == ["★", "Starred", "1"]
        assert feeds.row_text(1).split() == ["●", "Unread", "5"]
        await highlight(pilot, "starred")
        entries = app.query_one(EntryList)
        assert entries.item_count() == 1
        assert "Parsing config files without tears" in row_text(entries, 0)
        await highlight(pilot, "unread")
        assert entries.item_count() == 5


async def test_saved_search_lists_matches(store: Store) -> None:
    store.save_search("Config posts", "config")
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await highlight(pilot, "search:1")
        entries = app.query_one(EntryList)
        assert entries.item_count() >= 1
        assert "Parsing config files without tears" in row_text(entries, 0)
        assert app.status.message.startswith("Saved search Config posts: ")


async def test_slash_filters_entries(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entries = app.query_one(EntryList)
        await pilot.press("slash", *"shel")
        await pilot.pause(0.3)
        assert entries.item_count() == 1
        assert "Shell one-liners I keep retyping" in row_text(entries, 0)
        assert app.status.message == "1 entry matches"
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is entries
        assert entries.border_subtitle == "/shel"
        await pilot.press("enter")
        await settle(pilot)
        assert "Shell one-liners I keep retyping" in header_text(app)
        await pilot.press("slash", "escape")
        await settle(pilot)
        assert entries.item_count() == 4
        assert entries.border_subtitle is None


async def test_slash_filters_feeds(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("shift+tab", "slash", *"trap")
        await settle(pilot)
        feeds = app.query_one(FeedList)
        assert [row.key for row in feeds.rows] == ["feed:2"]
        assert feeds.current_feed is not None
        assert "Alarm" in row_text(app.query_one(EntryList), 0)
        await pilot.press("escape")
        await settle(pilot)
        assert len(feeds.rows) == 5
        assert feeds.current_row is not None
        assert feeds.current_row.key == "feed:2"


async def test_search_screen_opens_result(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f", *"retyp")
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert screen.summary == "1 matching entry"
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, SearchScreen)
        entries = app.query_one(EntryList)
        assert entries.item_count() == 1
        assert entries.border_title == "Entries · Search: retyp"
        assert "Shell one-liners I keep retyping" in header_text(app)


async def test_search_screen_saves_search(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f", *"config", "ctrl+s")
        await pilot.pause(0.3)
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.summary.startswith("Saved search 'config'")
        await pilot.press("escape")
        await settle(pilot)
        feeds = app.query_one(FeedList)
        assert [row.key for row in feeds.rows][3] == "search:1"
        assert [saved.query for saved in store.list_saved_searches()] == ["config"]


async def test_search_screen_without_words(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f", "minus", "x")
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        assert screen.summary == "Type words to search every cached entry."
        assert screen.query_one("#search-input", Input).value == "-x"


def big_feed(count: int) -> ParsedFeed:
    start = datetime(2021, 1, 1, tzinfo=UTC)
    entries = tuple(
        ParsedEntry(
            key=f"big-{number}",
            title=f"Big post {number}",
            link=None,
            author=None,
            published=start + timedelta(minutes=number),
            updated=None,
            content="<p>body</p>",
            summary="",
        )
        for number in range(count, 0, -1)
    )
    return ParsedFeed(title="Big", link=None, entries=entries)


async def test_n_finds_far_unread_in_few_queries(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        feed = store.add_feed("https://big.test/feed")
        store.save_parsed(
            feed.id, FetchResult(url=feed.url, content=b""), big_feed(6_000)
        )
        scope = EntryScope(feed_id=feed.id)
        store.mark_all_read(feed.id)
        far = store.list_rows(scope, limit=1, offset=4_321)[0]
        near = store.list_rows(scope, limit=1, offset=10)[0]
        store.set_read([far.id, near.id], False)
        app = TidingsApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            entries = app.query_one(EntryList)
            entries.cursor = 20
            await settle(pilot)
            calls: list[object] = []
            original = store.list_rows

            def counted(*args: Any, **kwargs: Any) -> Any:
                calls.append(args)
                return original(*args, **kwargs)

            monkeypatch.setattr(store, "list_rows", counted)
            await pilot.press("n")
            await settle(pilot)
            assert entries.cursor == 4_321
            assert "Big post 1679" in header_text(app)
            assert len(calls) <= 4
            calls.clear()
            await pilot.press("p")
            await settle(pilot)
            assert entries.cursor == 10
            assert len(calls) <= 4
            assert store.count_rows(EntryScope(feed.id, unread_only=True)) == 0


async def test_many_feeds_draw_only_visible_rows(db_path: Path) -> None:
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        for number in range(1_200):
            store.add_feed(f"https://feeds.test/{number:04d}")
        app = TidingsApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            feeds = app.query_one(FeedList)
            assert len(feeds.rows) == 1_203
            drawn: list[int] = []
            original = feeds.render_item_line

            def counted(index: int, line: int, width: int) -> Any:
                drawn.append(index)
                return original(index, line, width)

            feeds.render_item_line = counted  # type: ignore[method-assign]
            feeds.focus()
            await pilot.press("G")
            await settle(pilot)
            assert feeds.current_feed is not None
            assert feeds.current_feed.url == "https://feeds.test/1199"
            assert 0 < len(set(drawn)) < 100
            assert feeds.row_text(feeds.cursor).strip() == "https://feeds.test/1199"


async def test_damaged_cache_stops_after_first_screen(db_path: Path) -> None:
    build_cache(db_path)
    pages = db_path.stat().st_size // PAGE_SIZE
    damage_pages(db_path, pages // 2, 4)
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        app = TidingsApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.query_one(EntryList).item_count() == 600
            await app.workers.wait_for_complete()
            await pilot.pause()
    assert app.return_code == 2


async def test_healthy_cache_keeps_running(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running
        assert app.return_code is None
