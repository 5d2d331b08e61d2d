"""Entry lists sorted by title: paging from either end, and the sort key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from reader.config import Settings
from reader.listing import EntryScope
from reader.models import FetchResult, ParsedEntry, ParsedFeed
from reader.store import Store
from reader.tui.app import TidingsApp
from reader.tui.entry_list import EntryList
from reader.tui.feed_list import FeedList
from reader.tui.help import HelpScreen
from reader.tui.paging import PAGE_SIZE, EntryPages
from reader.welcome import WELCOME_META_KEY
from tests.test_tui import settle

SIZE = (120, 36)
START = datetime(2024, 3, 1, tzinfo=UTC)
# Titles equal but for ASCII case, exactly equal titles, and titles that
# sort apart under BINARY ("Zulu" < "apple") and together under NOCASE.
WORDS = ["Zulu", "apple", "Apple", "mango", "MANGO", "mango", "kiwi", "Älpler"]
FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def titled_feed(title: str, count: int, prefix: str) -> ParsedFeed:
    """Return ``count`` entries whose titles repeat ``WORDS``, newest first."""
    entries = tuple(
        ParsedEntry(
            key=f"{prefix}-{number}",
            title=f"{WORDS[number % len(WORDS)]} {number % 3}",
            link=None,
            author=None,
            published=START + timedelta(minutes=number),
            updated=None,
            content="<p>body</p>",
            summary="",
        )
        for number in range(count, 0, -1)
    )
    return ParsedFeed(title=title, link=None, entries=entries)


def add_feed(store: Store, url: str, feed: ParsedFeed) -> int:
    feed_id = store.add_feed(url).id
    store.save_parsed(feed_id, FetchResult(url=url, content=b""), feed)
    return feed_id


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """Two feeds of 430 and 170 entries with many equal titles; a third of
    the entries read and a fifth starred."""
    with Store(db_path, retention=None) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        add_feed(store, "https://big.test/feed", titled_feed("Big", 430, "b"))
        add_feed(store, "https://small.test/feed", titled_feed("Small", 170, "s"))
        rows = store.list_rows(EntryScope(), limit=1_000)
        store.set_read([row.id for row in rows[::3]], True)
        store.set_starred([row.id for row in rows[::5]], True)
        yield store


def expected_ids(store: Store, scope: EntryScope) -> list[int]:
    """Return the ids of ``scope`` sorted in Python as title order sorts."""
    rows = store.list_rows(replace(scope, order="date"), limit=10_000)
    return [
        row.id for row in sorted(rows, key=lambda r: (r.title.translate(FOLD), r.id))
    ]


SCOPES = {
    "all": EntryScope(order="title"),
    "unread": EntryScope(unread_only=True, order="title"),
    "starred": EntryScope(starred_only=True, order="title"),
    "feed": EntryScope(feed_id=1, order="title"),
    "feed unread only": EntryScope(feed_id=1, unread_only=True, order="title"),
    "all unread only": EntryScope(unread_only=True, order="title"),
    "starred unread only": EntryScope(
        starred_only=True, unread_only=True, order="title"
    ),
}


@pytest.mark.parametrize("name", SCOPES)
def test_pages_forward_in_title_order(store: Store, name: str) -> None:
    scope = SCOPES[name]
    pages = EntryPages(store, scope)
    expected = expected_ids(store, scope)
    assert len(pages) == len(expected)
    assert [pages.get(i).id for i in range(len(pages))] == expected  # type: ignore[union-attr]


@pytest.mark.parametrize("name", SCOPES)
def test_pages_from_end_in_title_order(store: Store, name: str) -> None:
    scope = SCOPES[name]
    pages = EntryPages(store, scope)
    expected = expected_ids(store, scope)
    backward = [pages.get(i).id for i in range(len(pages) - 1, -1, -1)]  # type: ignore[union-attr]
    assert backward == expected[::-1]
    # Home after End: the first page is read again by OFFSET from the start.
    fresh = EntryPages(store, scope)
    assert fresh.get(len(fresh) - 1).id == expected[-1]  # type: ignore[union-attr]
    assert fresh.get(0).id == expected[0]  # type: ignore[union-attr]
    assert fresh.get(PAGE_SIZE // 2).id == expected[PAGE_SIZE // 2]  # type: ignore[union-attr]


def test_locate_entry_in_either_order(store: Store) -> None:
    target = expected_ids(store, SCOPES["all"])[321]
    by_title = EntryPages(store, SCOPES["all"])
    by_date = EntryPages(store, EntryScope())
    assert by_title.locate_entry(target) == 321
    date_index = by_date.locate_entry(target)
    assert date_index is not None
    assert by_date.get(date_index).id == target  # type: ignore[union-attr]
    unread = EntryPages(store, SCOPES["unread"])
    read_row = store.list_rows(EntryScope(), limit=1)[0]
    assert read_row.read
    assert unread.locate_entry(read_row.id) is None


def test_next_unread_in_title_order(store: Store) -> None:
    scope = SCOPES["feed"]
    pages = EntryPages(store, scope)
    expected = expected_ids(store, scope)
    rows = {row.id: row for row in store.list_rows(scope, limit=1_000)}
    unread = [i for i, entry_id in enumerate(expected) if not rows[entry_id].read]
    far = EntryPages(store, scope)
    assert far.next_unread(250, 1) == min(i for i in unread if i >= 250)
    assert pages.next_unread(0, 1) == unread[0]
    assert pages.next_unread(len(pages) - 1, -1) == unread[-1]


# The sort key in the app


async def highlight(pilot: Pilot[Any], key: str) -> None:
    """Move the feed list's cursor to the row with ``key``."""
    feeds = pilot.app.query_one(FeedList)
    index = next(i for i, row in enumerate(feeds.rows) if row.key == key)
    feeds.cursor = index
    await settle(pilot)


def listed_titles(entries: EntryList) -> list[str]:
    assert entries.pages is not None
    return [entries.pages.get(i).title for i in range(entries.item_count())]  # type: ignore[union-attr]


async def test_sort_key_switches_order(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entries = app.query_one(EntryList)
        entries.focus()
        entries.cursor = 7
        await settle(pilot)
        kept = entries.current_row
        assert kept is not None
        assert entries.border_title == "Entries · Big"

        await pilot.press("S")
        await settle(pilot)

        assert app.sort_order == "title"
        assert entries.scope == EntryScope(feed_id=1, order="title")
        assert entries.border_title == "Entries · Big · by title"
        assert app.status.message == "Sorted by title, A to Z"
        assert entries.current_row is not None
        assert entries.current_row.id == kept.id
        titles = listed_titles(entries)
        assert titles == sorted(titles, key=lambda t: t.translate(FOLD))
        assert titles[0].lower() == "apple 0"
        assert titles[-1] == "Älpler 2"

        await pilot.press("G")
        await settle(pilot)
        assert entries.cursor == 429
        assert entries.current_row is not None
        assert entries.current_row.title == "Älpler 2"
        await pilot.press("pageup")
        await settle(pilot)
        assert entries.cursor < 429
        assert entries.current_row.title == titles[entries.cursor]
        await pilot.press("g")
        await settle(pilot)
        assert entries.cursor == 0
        assert entries.current_row.title == titles[0]

        await pilot.press("S")
        await settle(pilot)
        assert app.sort_order == "date"
        assert app.status.message == "Sorted by date, newest first"
        assert entries.current_row.title == titles[0]
        dates = [entries.pages.get(i).date for i in range(10)]  # type: ignore[union-attr]
        assert dates == sorted(dates, reverse=True)


async def test_title_order_in_virtual_feeds(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        entries = app.query_one(EntryList)
        for key, scope in (
            ("all", SCOPES["all"]),
            ("unread", SCOPES["unread"]),
            ("starred", SCOPES["starred"]),
        ):
            await highlight(pilot, key)
            assert entries.scope == scope
            assert entries.item_count() == len(expected_ids(store, scope))
            expected = [row_title(store, i) for i in expected_ids(store, scope)]
            assert listed_titles(entries) == expected

        await highlight(pilot, "feed:2")
        await pilot.press("U")
        await settle(pilot)
        scope = EntryScope(feed_id=2, unread_only=True, order="title")
        assert entries.scope == scope
        assert entries.border_title == "Entries · Small · by title · unread only"
        expected = [row_title(store, i) for i in expected_ids(store, scope)]
        assert listed_titles(entries) == expected


def row_title(store: Store, entry_id: int) -> str:
    return store.get_entry(entry_id).title


async def test_sort_keeps_filter(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entries = app.query_one(EntryList)
        entries.set_filter("mango")
        await settle(pilot)
        filtered = entries.item_count()
        assert 0 < filtered < 430
        await pilot.press("S")
        await settle(pilot)
        assert entries.filter_text == "mango"
        assert entries.item_count() == filtered
        titles = listed_titles(entries)
        assert {title.split()[0].lower() for title in titles} == {"mango"}
        assert titles == sorted(titles, key=lambda t: t.translate(FOLD))


async def test_config_starts_in_title_order(store: Store) -> None:
    app = TidingsApp(
        store, settings=Settings(entry_sort="title"), keymap={"entry.sort": "t"}
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entries = app.query_one(EntryList)
        assert entries.scope == EntryScope(feed_id=1, order="title")
        assert entries.border_title == "Entries · Big · by title"
        await pilot.press("S")
        await settle(pilot)
        assert app.sort_order == "title"
        await pilot.press("t")
        await settle(pilot)
        assert app.sort_order == "date"
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        help_text = app.screen.query_one("#help-text").source  # type: ignore[attr-defined]
        assert "| t | Sort | entry.sort |" in help_text


async def test_end_of_big_title_list_reads_one_page(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(db_path, retention=None) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        add_feed(store, "https://huge.test/feed", titled_feed("Huge", 6_000, "h"))
        app = TidingsApp(store, settings=Settings(entry_sort="title"))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            entries = app.query_one(EntryList)
            entries.focus()
            calls: list[dict[str, Any]] = []
            original = store.list_rows

            def counted(*args: Any, **kwargs: Any) -> Any:
                calls.append(kwargs)
                return original(*args, **kwargs)

            monkeypatch.setattr(store, "list_rows", counted)
            await pilot.press("G")
            await settle(pilot)
            assert entries.cursor == 5_999
            assert entries.current_row is not None
            assert entries.current_row.title == "Älpler 2"
            assert len(calls) == 1
            assert calls[0]["backward"] is True
            calls.clear()
            for _ in range(3):
                await pilot.press("pageup")
            await settle(pilot)
            # Pages next to a loaded one are read by key, with no OFFSET.
            assert all(call.get("after") is not None for call in calls)
