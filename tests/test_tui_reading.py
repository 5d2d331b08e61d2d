"""Reading keys and settings: Space, N, the command palette, date format,
the reading theme and automatic refresh."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Static

from reader.cli_tui import build_app, textual_theme_names
from reader.config import Settings, config_path, load_config
from reader.config_keys import BINDINGS
from reader.models import FetchResult
from reader.parse import parse_feed
from reader.store import Store
from reader.tui.app import TidingsApp
from reader.tui.article import ArticleView
from reader.tui.article_lines import Palette
from reader.tui.theme import TIDINGS_THEME
from reader.welcome import WELCOME_META_KEY
from tests.test_update import concurrency_probe, start_server

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


def header_text(app: TidingsApp) -> str:
    """Return the article header as plain text."""
    return str(app.query_one("#article-header", Static).content)


async def test_space_pages_then_opens_next_unread(store: Store) -> None:
    app = TidingsApp(store)
    # A short screen, so the first article needs more than one page.
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        article = app.query_one(ArticleView)
        article.focus()
        await pilot.pause()
        assert article.max_scroll_y > 0
        assert "Parsing config files without tears" in header_text(app)
        positions = []
        for _ in range(10):
            if "Parsing config" not in header_text(app):
                break
            positions.append(article.scroll_y)
            await pilot.press("space")
            await settle(pilot)
        # Space scrolled at least once before it moved on.
        assert len(positions) >= 2
        assert positions[0] == 0
        assert positions[1] > 0
        assert positions == sorted(positions)
        assert "Shell one-liners I keep retyping" in header_text(app)
        assert app.focused is article
        assert app.entry_list.cursor == 1


async def test_space_moves_on_to_next_feed(store: Store) -> None:
    lantern = store.list_feeds()[0].id
    entries = store.list_entries(lantern)
    store.set_read([entry.id for entry in entries[1:]], True)
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        app.query_one(ArticleView).focus()
        for _ in range(10):
            if "Lantern Dev Notes" not in header_text(app):
                break
            await pilot.press("space")
            await settle(pilot)
        assert "Markup" in header_text(app)
        current = app.feed_list.current_feed
        assert current is not None
        assert current.title.startswith("Markup")


async def test_capital_n_opens_previous_unread(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("G", "enter")
        await settle(pilot)
        assert app.entry_list.cursor == 3
        await pilot.press("N")
        await settle(pilot)
        assert app.entry_list.cursor == 2
        assert "A typed hook for the settings page" in header_text(app)


async def test_palette_lists_every_action(store: Store) -> None:
    app = TidingsApp(store, keymap={"feed.mark_all_read": "ctrl+x"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        commands = {
            command.title: command.help
            for command in app.get_system_commands(app.screen)
        }
        for binding_id, info in BINDINGS.items():
            # Keys of the help and search screens, the filter prompt and
            # dialogs work only while those are open.
            if info.scope not in ("help", "search", "filter", "confirm", "dialog"):
                assert info.description in commands, binding_id
        mark_all = commands["Mark every entry of the highlighted feed read"]
        assert mark_all == "Anywhere · ^x"


async def test_palette_runs_an_action(store: Store) -> None:
    lantern = store.list_feeds()[0].id
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"mark every entry")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert store.count_entries(lantern, unread_only=True) == 0
        assert app.status.message.startswith("Marked 4 entries read")


async def test_date_format_setting(store: Store) -> None:
    settings = Settings(date_format="%d.%m.%Y")
    app = TidingsApp(store, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = app.entry_list.render_line(0).text
        assert "05.03.2024  Parsing config files without tears" in row
    TidingsApp(store)  # Starting again with the defaults resets the format.
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "2024-03-05  Parsing" in app.entry_list.render_line(0).text


async def test_reading_theme_from_config(store: Store) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('theme = "tidings"\n')
    config = load_config(themes=textual_theme_names())
    assert config.problems == ()
    app = build_app(store, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "tidings"
        palette = Palette.from_theme(app.theme_variables, app.current_theme.dark)
        assert palette.code_background.lower() == "#16181b"
        assert app.theme_variables["background"].lower() == TIDINGS_THEME.background


async def test_auto_refresh_runs_and_shows_next(
    db_path: Path, httpserver_ipv4: HTTPServer
) -> None:
    httpserver_ipv4.expect_request("/fresh.xml").respond_with_data(
        (FIXTURES / "fresh.xml").read_bytes(), content_type="application/atom+xml"
    )
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        feed = store.add_feed(httpserver_ipv4.url_for("/fresh.xml"))
        settings = Settings(refresh_interval_minutes=30, refresh_concurrency=2)
        app = TidingsApp(store, settings=settings)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert re.fullmatch(r"Next refresh \d\d:\d\d", app.status.next_refresh)
            first = app.next_auto_refresh
            assert first is not None
            app.run_auto_refresh()
            await settle(pilot)
            assert store.count_entries(feed.id) == 2
            assert (
                app.status.refresh_state
                == "Refreshed 1 feed: 1 updated · 2 new entries"
            )
            second = app.next_auto_refresh
            assert second is not None
            assert second > first
            app.start_auto_refresh(0)
            assert app.status.next_refresh == ""
            assert app.next_auto_refresh is None


async def test_auto_refresh_off_by_default(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.status.next_refresh == ""
        assert app.next_auto_refresh is None


async def test_refresh_limits_from_settings(db_path: Path) -> None:
    server = start_server(threaded=True)
    try:
        handler, highest = concurrency_probe()
        with Store(db_path) as store:
            store.set_meta(WELCOME_META_KEY, "1")
            for number in range(6):
                path = f"/feed{number}"
                server.expect_request(path).respond_with_handler(handler)
                store.add_feed(server.url_for(path))
            settings = Settings(refresh_concurrency=16, refresh_per_host=2)
            app = TidingsApp(store, settings=settings)
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                await pilot.press("R")
                await settle(pilot)
                assert app.status.refresh_state.startswith("Refreshed 6 feeds")
        assert highest() == 2
    finally:
        server.clear()
        server.stop()
