"""First-use fixes: the footer at small sizes, the feed pane's width,
feed errors, ``q`` on pushed screens, titles of added files, status
messages that end with their context, plurals, the help table and the
rename prompt."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from textual.pilot import Pilot
from textual.widgets import Footer, Input
from textual.widgets._markdown import MarkdownTableContent

from reader.store import Store
from reader.tui.app import TidingsApp
from reader.tui.help import HelpScreen
from reader.tui.search_screen import SearchScreen
from reader.welcome import WELCOME_META_KEY
from tests.test_tui import FIXTURES, load_fixture, settle


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A cache with the Lantern and markup fixture feeds, welcome feed off."""
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        load_fixture(store, "lantern.xml")
        load_fixture(store, "markup.xml")
        yield store


def visible_footer_text(app: TidingsApp) -> str:
    """Return the footer's keys that fit on the screen, as ``key label``."""
    footer = app.screen.query_one(Footer)
    width = app.size.width
    shown = [
        f"{key.key_display} {key.description}"  # type: ignore[attr-defined]
        for key in footer.children
        if key.region.width and key.region.right <= width
    ]
    return "  ".join(shown)


# Footer and layout


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_footer_shows_help_in_every_pane(
    store: Store, size: tuple[int, int]
) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for pane in (app.feed_list, app.entry_list, app.article):
            pane.focus()
            await settle(pilot)
            text = visible_footer_text(app)
            assert "? Help" in text, (pane.id, text)
            assert "q Quit" in text, (pane.id, text)


@pytest.mark.parametrize(
    ("columns", "feeds_width"), [(60, 22), (80, 22), (120, 33), (200, 44)]
)
async def test_feed_pane_width_follows_terminal(
    store: Store, columns: int, feeds_width: int
) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=(columns, 30)) as pilot:
        await settle(pilot)
        assert app.feed_list.size.width + 2 == feeds_width
        assert app.entry_list.outer_size.width == columns - feeds_width


# Feed errors

LONG_ERROR = (
    "TLS handshake failed: certificate verify failed: unable to get local "
    "issuer certificate for host feeds.example.test while following the "
    "redirect from the old address, so the cached entries are all there is"
)


def status_message_lines(app: TidingsApp) -> list[str]:
    """Return the lines the message part of the status line shows."""
    part = app.query_one("#status-message")
    return [part.render_line(y).text.strip() for y in range(part.size.height)]


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_long_feed_error_readable_in_status(
    store: Store, size: tuple[int, int]
) -> None:
    failing = store.add_feed("failing.xml")
    retry_at = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    store.record_failure(failing.id, LONG_ERROR, retry_at)
    app = TidingsApp(store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.status.show_refresh("Refreshed 3 feeds: 2 new entries, 1 failed")
        app.feed_list.focus()
        index = app.feed_list.feed_index(failing.id)
        assert index is not None
        app.feed_list.cursor = index
        await settle(pilot)
        lines = status_message_lines(app)
        shown = " ".join(" ".join(lines).split())
        assert len(lines) > 1
        assert LONG_ERROR in shown
        assert "· retry 2030-01-0" in shown
        assert app.status.refresh_state.startswith("Refreshed 3 feeds")

        lantern = store.find_feed(str(FIXTURES / "lantern.xml"))
        assert lantern is not None
        app.feed_list.cursor = app.feed_list.feed_index(lantern.id)
        await settle(pilot)
        assert status_message_lines(app) == ["Lantern Dev Notes: 4 unread of 4"]
        assert app.status.size.height == 1


async def test_message_unsqueezed_by_later_summary(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.status.show("Generated journal 1: 28 unread of 28")
        await settle(pilot)
        assert status_message_lines(app) == ["Generated journal 1: 28 unread of 28"]

        summary = "Refreshed 160 feeds: 159 updated, 1 failed · 6453 new entries"
        app.status.show_refresh(summary, failed=True)
        await settle(pilot)
        # Too long to share a line: the message takes a line of its own.
        assert status_message_lines(app) == ["Generated journal 1: 28 unread of 28"]
        assert app.status.refresh_state == summary

        app.status.show_refresh("Refreshed 1 feed")
        await settle(pilot)
        assert status_message_lines(app) == ["Generated journal 1: 28 unread of 28"]
        assert app.status.size.height == 1


# q on the search screen


def screen_footer_keys(app: TidingsApp) -> list[str]:
    """Return ``key label`` of each key the current screen's footer shows."""
    footer = app.screen.query_one(Footer)
    return [
        f"{key.key_display} {key.description}"  # type: ignore[attr-defined]
        for key in footer.children
        if not key.has_class("-command-palette")
    ]


async def test_q_closes_search_screen(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        # In the prompt, q is a letter of the query, so the footer omits it.
        assert "q Back" not in screen_footer_keys(app)
        assert "esc Back" in screen_footer_keys(app)
        await pilot.press("q", "backspace", *"config", "enter")
        await settle(pilot)
        assert app.is_running
        assert app.screen.query_one("#search-input", Input).value == "config"
        assert app.screen.results.has_focus
        assert "q Back" in screen_footer_keys(app)
        assert "esc Back" in screen_footer_keys(app)

        await pilot.press("q")
        await settle(pilot)
        assert app.is_running
        assert not isinstance(app.screen, SearchScreen)
        assert app.entry_list.has_focus or app.feed_list.has_focus

        await pilot.press("ctrl+f")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running
        assert not isinstance(app.screen, SearchScreen)


async def test_pane_keys_off_on_search_screen(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await settle(pilot)
        await pilot.press(*"config", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        keys = screen_footer_keys(app)
        assert "n Next unread" not in keys
        assert "r Refresh" not in keys
        assert "? Help" in keys
        starred_before = store.entry_totals()

        await pilot.press("s", "m", "n")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert store.entry_totals() == starred_before


# Adding feeds


async def add_feed(pilot: Pilot[Any], text: str) -> None:
    """Press ``a``, type ``text`` into the prompt and wait for the add."""
    await pilot.press("a")
    await settle(pilot)
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await settle(pilot)


async def test_added_file_named_by_title(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "room.xml"
    path.write_bytes((FIXTURES / "reading.xml").read_bytes())
    app = TidingsApp(store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await add_feed(pilot, str(path))
        await settle(pilot)
        current = app.feed_list.current_feed
        assert current is not None
        assert current.title == "Reading Room"
        assert str(app.entry_list.border_title) == "Entries · Reading Room"
        assert app.status.message.startswith("Reading Room: 3 unread of 3")
        assert str(tmp_path) not in app.status.message


def paths_requested(server: HTTPServer) -> list[str]:
    """Return the path of every request the server handled, in order."""
    return [request.path for request, _response in server.log]


async def test_add_url_fetches_feed_once(
    store: Store, httpserver_ipv4: HTTPServer
) -> None:
    httpserver_ipv4.expect_request("/fresh.xml").respond_with_data(
        (FIXTURES / "fresh.xml").read_bytes(), content_type="application/xml"
    )
    url = httpserver_ipv4.url_for("/fresh.xml")
    app = TidingsApp(store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await add_feed(pilot, url)
        added = store.find_feed(url)
        assert added is not None
        feed = store.get_feed(added.id)
        assert paths_requested(httpserver_ipv4) == ["/fresh.xml"]
        assert feed.total > 0
        assert feed.last_error is None
        assert app.status.message == f"Added {feed.title} ({feed.total} entries)"
        assert str(app.entry_list.border_title) == f"Entries · {feed.title}"
        assert app.entry_list.item_count() == feed.total


PAGE = """<html><head><title>Two feeds</title>
<link rel="alternate" type="application/atom+xml" title="Builds" href="/fresh.xml">
<link rel="alternate" type="application/rss+xml" title="Room" href="/reading.xml">
</head><body>hello</body></html>"""


async def test_add_page_fetches_choice_once(
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
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await add_feed(pilot, httpserver_ipv4.url_for("/"))
        # The page announces its feeds, so none is fetched before the choice.
        assert paths_requested(httpserver_ipv4) == ["/"]
        await pilot.press("down", "enter")
        await settle(pilot)
        assert paths_requested(httpserver_ipv4) == ["/", "/reading.xml"]
        added = store.find_feed(httpserver_ipv4.url_for("/reading.xml"))
        assert added is not None
        assert store.get_feed(added.id).total == 3
        assert app.status.message.startswith("Reading Room: 3 unread of 3")
        assert str(app.entry_list.border_title) == "Entries · Reading Room"


# Status messages and plurals


async def test_filter_count_ends_with_filter(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"shel")
        await pilot.pause(0.3)
        await settle(pilot)
        assert app.status.message == "1 entry matches"
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        await pilot.press(*"t")
        await pilot.pause(0.3)
        await settle(pilot)
        assert app.status.message.endswith("entries match")

        await pilot.press("escape")
        await settle(pilot)
        assert app.status.message == "Lantern Dev Notes: 4 unread of 4"
        await pilot.press("question_mark")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.status.message == "Lantern Dev Notes: 4 unread of 4"


async def test_search_results_replace_feed_error(store: Store) -> None:
    failing = store.add_feed("failing.xml")
    store.record_failure(failing.id, "HTTP 500 Internal Server Error", None)
    app = TidingsApp(store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.feed_list.focus()
        app.feed_list.cursor = app.feed_list.feed_index(failing.id)
        await settle(pilot)
        assert "HTTP 500" in app.status.message
        await pilot.press("ctrl+f", *"retyping", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.summary == "1 matching entry"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, SearchScreen)
        assert app.status.message == "Search 'retyping': 1 result listed"
        assert str(app.entry_list.border_title) == "Entries · Search: retyping"


# Help table and rename prompt


async def test_help_tables_have_no_row_rules(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        tables = list(app.screen.query(MarkdownTableContent))
        assert len(tables) == len(app.key_sections()) + 1
        for table in tables:
            # One line per key row plus the header, nothing between them.
            assert table.size.height == len(table.rows) + 1
            assert table.styles.keyline[0] == "none"


async def test_rename_prompt_prefilled_and_selected(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        feed_id = store.list_feeds()[0].id
        app.feed_list.focus()
        await pilot.press("e")
        await settle(pilot)
        field = app.screen.query_one(Input)
        assert field.value == "Lantern Dev Notes"
        assert field.selected_text == "Lantern Dev Notes"

        # Enter on the unchanged title pins nothing.
        await pilot.press("enter")
        await settle(pilot)
        assert store.get_feed_settings(feed_id).user_title is None

        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*"Lamp")
        assert app.screen.query_one(Input).value == "Lamp"
        await pilot.press("enter")
        await settle(pilot)
        assert store.get_feed_settings(feed_id).user_title == "Lamp"
        assert app.status.message == "Renamed to Lamp"
