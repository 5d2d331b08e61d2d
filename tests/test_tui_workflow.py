"""The footer per pane, Ctrl+C, dialog keys, n across folded folders, and
the config's retention in refreshes started from the TUI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Footer, Input, Markdown, Static

from reader.cli_tui import build_app
from reader.config import LoadedConfig, Settings
from reader.listing import EntryScope
from reader.store import Store
from reader.tui.app import TidingsApp
from reader.tui.dialogs import ConfirmScreen, TextPrompt
from reader.tui.feed_list import FeedList
from reader.tui.help import HelpScreen
from reader.welcome import WELCOME_META_KEY
from tests.test_tui import settle
from tests.test_tui_folders import load_fixture

SIZE = (140, 36)


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


def footer_keys(app: TidingsApp) -> list[tuple[str, str]]:
    """Return (key, label) of each key the footer shows, palette excluded."""
    footer = app.screen.query_one(Footer)
    return [
        (key.key_display, key.description)  # type: ignore[attr-defined]
        for key in footer.children
        if not key.has_class("-command-palette")
    ]


# Footer


async def test_footer_follows_focused_pane(store: Store) -> None:
    keymap = {
        "entry.toggle_read": "x",
        "feed.add": "ctrl+n",
        "article.reader_mode": "V",
    }
    app = TidingsApp(store, keymap=keymap)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.feed_list.focus()
        await settle(pilot)
        assert footer_keys(app) == [
            ("?", "Help"),
            ("q", "Quit"),
            ("⏎", "Open"),
            ("r", "Refresh"),
            ("^n", "Add feed"),
            ("space", "Fold"),
            ("e", "Rename"),
            ("M", "Move"),
            ("D", "Remove"),
            ("A", "All read"),
        ]

        app.entry_list.focus()
        await settle(pilot)
        assert footer_keys(app) == [
            ("?", "Help"),
            ("q", "Quit"),
            ("⏎", "Open"),
            ("x", "Read/unread"),
            ("s", "Star"),
            ("S", "Sort"),
            ("n", "Next unread"),
            ("U", "Unread only"),
            ("/", "Filter"),
            ("o", "Browser"),
        ]

        app.article.focus()
        await settle(pilot)
        assert footer_keys(app) == [
            ("?", "Help"),
            ("q", "Quit"),
            ("j", "Scroll"),
            ("space", "Read on"),
            ("b", "Back"),
            ("f", "Open link #"),
            ("y", "Copy link"),
            ("V", "Reader mode"),
            ("o", "Browser"),
            ("n", "Next unread"),
        ]


async def test_footer_keys_still_work(store: Store) -> None:
    app = TidingsApp(store, keymap={"entry.toggle_read": "x"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.entry_list.focus()
        row = app.entry_list.current_row
        assert row is not None
        assert not row.read
        # Keys missing from the footer, such as R, keep working.
        await pilot.press("x")
        await settle(pilot)
        assert store.get_entry(row.id).read
        await pilot.press("m")
        await settle(pilot)
        assert store.get_entry(row.id).read


# Ctrl+C


def record_exits(app: TidingsApp) -> list[object]:
    """Make ``app.exit`` record each call before it exits."""
    calls: list[object] = []
    original = app.exit

    def recorded(*args: Any, **kwargs: Any) -> None:
        calls.append(args)
        original(*args, **kwargs)

    app.exit = recorded  # type: ignore[method-assign]
    return calls


async def test_ctrl_c_quits(store: Store) -> None:
    app = TidingsApp(store)
    exits = record_exits(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert exits
    assert app.return_code == 0


async def test_ctrl_c_quits_from_help(store: Store) -> None:
    app = TidingsApp(store)
    exits = record_exits(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert exits
    assert app.return_code == 0


async def test_ctrl_c_copies_selected_text(store: Store) -> None:
    app = TidingsApp(store)
    exits = record_exits(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        header = app.query_one("#article-header", Static)
        header.text_select_all()
        await pilot.pause()
        selected = app.screen.get_selected_text()
        assert selected
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not exits
        assert app.clipboard == selected


async def test_ctrl_c_in_prompt(store: Store) -> None:
    app = TidingsApp(store)
    exits = record_exits(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"https://x.test/feed")
        prompt_input = app.screen.query_one(Input)
        prompt_input.select_all()
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not exits
        assert app.clipboard == "https://x.test/feed"
        await pilot.press("end")
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert exits


# Dialog keys


async def test_dialog_keys_remapped(store: Store) -> None:
    reading = store.list_feeds()[2]
    keymap = {"confirm.yes": "j", "confirm.no": "k", "dialog.cancel": "ctrl+g"}
    app = TidingsApp(store, keymap=keymap)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        feeds.focus()
        feeds.cursor = feeds.feed_index(reading.id) or 0
        await settle(pilot)

        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        hint = app.screen.query_one("#confirm-keys", Static)
        assert str(hint.content) == "j: yes · k: no"
        await pilot.press("y", "n")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("k")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert len(store.list_feeds()) == 3

        await pilot.press("D")
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert [feed.id for feed in store.list_feeds()].count(reading.id) == 0

        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert not isinstance(app.screen, TextPrompt)

        await pilot.press("question_mark")
        await settle(pilot)
        text = app.screen.query_one("#help-text", Markdown).source
        assert "## Yes/no questions" in text
        assert "| j | Yes | confirm.yes |" in text
        assert "| k | No | confirm.no |" in text
        assert "| ^g | Cancel | dialog.cancel |" in text


async def test_confirm_hint_names_default_keys(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.feed_list.focus()
        await pilot.press("D")
        await settle(pilot)
        hint = app.screen.query_one("#confirm-keys", Static)
        assert str(hint.content) == "y or ⏎: yes · n or esc: no"
        await pilot.press("escape")
        await settle(pilot)
        assert len(store.list_feeds()) == 3


# n and N across folded folders


async def test_next_unread_unfolds_folder(store: Store) -> None:
    _lantern, markup, reading = (feed.id for feed in store.list_feeds())
    store.set_feed_folder(reading, "Zed")
    store.mark_all_read(markup)
    first_reading = store.list_rows(EntryScope(feed_id=reading), limit=1)[0]
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        feeds.focus()
        feeds.cursor = [row.key for row in feeds.rows].index("folder:Zed")
        await pilot.press("space")
        await settle(pilot)
        assert "Zed" in feeds.collapsed
        assert f"feed:{reading}" not in [row.key for row in feeds.rows]
        feeds.cursor = feeds.feed_index(markup) or 0
        await settle(pilot)
        app.entry_list.focus()

        await pilot.press("n")
        await settle(pilot)

        assert "Zed" not in feeds.collapsed
        assert feeds.current_feed is not None
        assert feeds.current_feed.id == reading
        assert app.article.entry is not None
        assert app.article.entry.id == first_reading.id
        assert store.get_entry(first_reading.id).read


async def test_previous_unread_unfolds_nested_folders(store: Store) -> None:
    lantern, markup, reading = (feed.id for feed in store.list_feeds())
    store.mark_all_read(reading)
    store.mark_all_read(markup)
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        feeds.focus()
        for folder in ("folder:Dev/Python", "folder:Dev"):
            feeds.cursor = [row.key for row in feeds.rows].index(folder)
            await pilot.press("space")
        await settle(pilot)
        assert feeds.collapsed == {"Dev", "Dev/Python"}
        feeds.cursor = feeds.feed_index(reading) or 0
        await settle(pilot)
        app.entry_list.focus()

        await pilot.press("N")
        await settle(pilot)

        assert feeds.collapsed == set()
        assert feeds.current_feed is not None
        assert feeds.current_feed.id == lantern
        assert feeds.current_row is not None
        assert feeds.current_row.key == f"feed:{lantern}"
        assert app.article.entry is not None
        assert app.article.entry.feed_id == lantern


# Retention from the config


def aging_feed(*items: tuple[str, datetime]) -> bytes:
    """Return an RSS document with one item per (guid, date)."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>Item {guid}</title>"
        f"<pubDate>{format_datetime(date, usegmt=True)}</pubDate></item>"
        for guid, date in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Aging</title>'
        f"{body}</channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("keep_retention", "kept"),
    [(False, ["Item c", "Item d"]), (True, ["Item b", "Item c", "Item d"])],
)
async def test_tui_refresh_applies_config_retention(
    db_path: Path, tmp_path: Path, keep_retention: bool, kept: list[str]
) -> None:
    now = datetime.now(UTC)
    path = tmp_path / "aging.xml"
    ages = {"a": 200, "b": 60, "c": 10}
    path.write_bytes(
        aging_feed(*((g, now - timedelta(days=d)) for g, d in ages.items()))
    )
    config = LoadedConfig(tmp_path / "config.toml", Settings(retention_days=30))
    # The store opens with the command line's default of 90 days, as
    # ``tidings`` without --keep-days opens it.
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        feed = store.add_feed(str(path))
        app = build_app(store, config, keep_retention=keep_retention)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("R")
            await settle(pilot)
            assert store.get_feed(feed.id).total == 3
            store.mark_all_read(feed.id)
            path.write_bytes(aging_feed(("d", now)))
            await pilot.press("R")
            await settle(pilot)
            while app.refreshing:
                await pilot.pause(0.05)
            await settle(pilot)
            titles = sorted(entry.title for entry in store.list_entries(feed.id))
            assert titles == kept
