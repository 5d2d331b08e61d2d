"""The Textual app driven by Pilot over a cache filled from our own feeds."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Markdown, Static
from werkzeug import Request, Response

from reader.models import FetchResult, ParsedEntry, ParsedFeed
from reader.parse import parse_feed
from reader.store import Store
from reader.tui.app import TidingsApp
from reader.tui.article import ArticleBody, ArticleView
from reader.tui.entry_list import EntryList
from reader.tui.feed_list import FeedList
from reader.tui.help import HelpScreen
from reader.tui.paging import PAGE_SIZE
from reader.welcome import WELCOME_META_KEY

FIXTURES = Path(__file__).parent / "fixtures" / "tui"
SIZE = (120, 36)


def load_fixture(store: Store, name: str, url: str | None = None) -> int:
    """Subscribe to a fixture feed, store its entries and return the feed id."""
    path = FIXTURES / name
    content = path.read_bytes()
    url = url or str(path)
    feed = store.add_feed(url)
    parsed = parse_feed(content, url)
    store.save_parsed(feed.id, FetchResult(url=url, content=content), parsed)
    return feed.id


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A cache with the Lantern and markup fixture feeds, welcome feed off."""
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        load_fixture(store, "lantern.xml")
        load_fixture(store, "markup.xml")
        yield store


async def settle(pilot: Pilot[None]) -> None:
    """Wait until workers (article loads, refreshes) and messages are done."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def row_text(entry_list: EntryList, row: int) -> str:
    """Return the text of one visible row of the entry list."""
    return entry_list.render_line(row).text


def header_text(app: TidingsApp) -> str:
    """Return the article header as plain text."""
    return str(app.query_one("#article-header", Static).content)


def body_text(app: TidingsApp) -> str:
    """Return the laid-out lines of the article body as text."""
    return "\n".join(strip.text for strip in app.query_one(ArticleBody).lines)


def body_words(app: TidingsApp) -> str:
    """Return the article body's words joined by single spaces, so phrases
    match wherever the layout wrapped them."""
    return " ".join(body_text(app).split())


def feed_row_text(app: TidingsApp, index: int) -> str:
    """Return the text of the row of the ``index``-th subscribed feed."""
    feeds = app.query_one(FeedList)
    row = feeds.feed_index(feeds.feeds[index].id)
    assert row is not None
    return feeds.row_text(row)


async def test_opens_with_feeds_and_unread_counts(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        feeds = app.query_one(FeedList)
        assert [feed.unread for feed in feeds.feeds] == [4, 2]
        assert "Lantern Dev Notes" in feed_row_text(app, 0)
        assert feed_row_text(app, 0).rstrip().endswith("4")
        assert feed_row_text(app, 1).rstrip().endswith("2")
        entries = app.query_one(EntryList)
        assert entries.has_focus
        assert "2024-03-05  Parsing config files without tears" in row_text(entries, 0)
        assert "●" in row_text(entries, 0)
        assert app.status.message == "Lantern Dev Notes: 4 unread of 4"


async def test_j_and_k_move_the_cursor(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entries = app.query_one(EntryList)
        await pilot.press("j", "j", "down", "k")
        assert entries.cursor == 2
        assert entries.current_entry is not None
        assert entries.current_entry.title == "A typed hook for the settings page"
        await pilot.press("G")
        assert entries.cursor == 3
        await pilot.press("g")
        assert entries.cursor == 0


async def test_enter_opens_entry_and_marks_read(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entry = app.query_one(EntryList).current_entry
        assert entry is not None
        await pilot.press("enter")
        await settle(pilot)
        assert "Parsing config files without tears" in header_text(app)
        assert "Lantern Dev Notes · by Ada Lantern · 2024-03-05" in header_text(app)
        assert "https://lantern.test/posts/config" in header_text(app)
        assert "checks them before anything else starts" in body_words(app)
        assert "def load_settings(path: str)" in body_text(app)
        assert store.get_entry(entry.id).read is True
        assert app.query_one(FeedList).feeds[0].unread == 3
        assert feed_row_text(app, 0).rstrip().endswith("3")
        assert "●" not in row_text(app.query_one(EntryList), 0)


async def test_opened_body_is_cached_as_markdown(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entry = app.query_one(EntryList).current_entry
        assert entry is not None
        await pilot.press("enter")
        await settle(pilot)
    from reader.articles import markdown_key

    cached = store.get_markdown(entry.id, markdown_key(store, entry)[1])
    assert cached is not None
    assert "```py\n" in cached


async def test_s_toggles_starred(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entries = app.query_one(EntryList)
        await pilot.press("j", "s")
        entry = entries.current_entry
        assert entry is not None
        assert store.get_entry(entry.id).starred is True
        assert "★" in row_text(entries, 1)
        assert app.status.message == "Starred"
        await pilot.press("s")
        assert store.get_entry(entry.id).starred is False
        assert "★" not in row_text(entries, 1)


async def test_m_toggles_read(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entries = app.query_one(EntryList)
        entry = entries.current_entry
        assert entry is not None
        await pilot.press("m")
        assert store.get_entry(entry.id).read is True
        assert app.query_one(FeedList).feeds[0].unread == 3
        await pilot.press("m")
        assert store.get_entry(entry.id).read is False
        assert app.query_one(FeedList).feeds[0].unread == 4


async def test_n_jumps_to_next_unread(store: Store) -> None:
    second = store.list_entries(store.list_feeds()[0].id)[1]
    store.set_read([second.id], True)
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entries = app.query_one(EntryList)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert entries.cursor == 2
        assert "A typed hook for the settings page" in header_text(app)
        await pilot.press("g", "m", "G", "p")
        await settle(pilot)
        assert entries.cursor == 0
        assert "Parsing config files without tears" in header_text(app)


async def test_n_moves_on_to_next_feed(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(4):
            await pilot.press("n")
            await settle(pilot)
        assert app.query_one(FeedList).feeds[0].unread == 0
        await pilot.press("n")
        await settle(pilot)
        feeds = app.query_one(FeedList)
        assert feeds.current_feed is not None
        assert feeds.current_feed.id == feeds.feeds[1].id
        assert "Alarm" in header_text(app)
        await pilot.press("n", "n")
        await settle(pilot)
        assert app.status.message == "No more unread entries"


async def test_tab_cycles_the_panes(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.focused is app.query_one(EntryList)
        await pilot.press("tab")
        assert app.focused is app.query_one(ArticleView)
        await pilot.press("tab")
        assert app.focused is app.query_one(FeedList)
        await pilot.press("shift+tab")
        assert app.focused is app.query_one(ArticleView)


async def test_feed_list_switches_entries(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("shift+tab", "j")
        await settle(pilot)
        entries = app.query_one(EntryList)
        assert entries.current_entry is not None
        assert entries.current_entry.title == "[bold red]Alarm[/] in the title"
        await pilot.press("enter")
        assert app.focused is entries


async def test_click_selects_an_entry(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.click(EntryList, offset=(10, 2))
        await settle(pilot)
        entries = app.query_one(EntryList)
        assert entries.cursor == 1
        assert "Shell one-liners I keep retyping" in header_text(app)


async def test_markup_in_feed_text_shows_literally(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Markup [reverse]Trap[/] We" in feed_row_text(app, 1)
        await pilot.press("shift+tab", "j")
        await settle(pilot)
        entries = app.query_one(EntryList)
        assert "[bold red]Alarm[/] in the title" in row_text(entries, 0)
        assert "[link=file:///etc/passwd]Click me[/link]" in row_text(entries, 1)
        title = Content.from_markup(entries.border_title or "").plain
        assert title == "Entries · Markup [reverse]Trap[/] Weekly"
        assert app.status.message == "Markup [reverse]Trap[/] Weekly: 2 unread of 2"
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert "[bold red]Alarm[/] in the title" in header_text(app)
        assert "[bold]square brackets[/bold]" in body_words(app)
        assert "[link=file:///etc/passwd]a fake link[/link]" in body_words(app)


async def test_o_opens_only_http_links(store: Store) -> None:
    opened: list[str] = []

    def record(url: str) -> bool:
        opened.append(url)
        return True

    app = TidingsApp(store, open_in_browser=record)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opened == ["https://lantern.test/posts/config"]
        app.open_link("file:///etc/passwd")
        await settle(pilot)
        assert opened == ["https://lantern.test/posts/config"]
        assert "Not opening a non-http(s) link" in app.status.message


async def test_clicked_body_link_opens(store: Store) -> None:
    opened: list[str] = []
    app = TidingsApp(store, open_in_browser=lambda url: opened.append(url) or True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("shift+tab", "j", "enter", "enter")
        await settle(pilot)
        body = app.query_one(ArticleBody)
        lines = [strip.text for strip in body.lines]
        row = next(i for i, line in enumerate(lines) if "a safe page" in line)
        column = lines[row].index("a safe page")
        local = lines[row].index("local file")
        await pilot.click(ArticleBody, offset=(local + 2, row))
        await settle(pilot)
        assert opened == []
        await pilot.click(ArticleBody, offset=(column + 2, row))
        await settle(pilot)
        assert opened == ["https://traps.test/safe"]


async def test_help_lists_every_key(store: Store) -> None:
    app = TidingsApp(store, keymap={"entry.toggle_starred": "x"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one(Markdown).source
        for _heading, bindings in app.key_sections():
            for binding in bindings:
                assert binding.id in text  # type: ignore[union-attr]
        assert "| j, ↓ | Down | entry.cursor_down |" in text
        assert "| x | Star | entry.toggle_starred |" in text
        assert "| ? | Help | app.help |" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("x")
        entry = app.query_one(EntryList).current_entry
        assert entry is not None
        assert store.get_entry(entry.id).starred is True


async def test_refresh_from_local_server(
    db_path: Path, httpserver_ipv4: HTTPServer
) -> None:
    httpserver_ipv4.expect_request("/fresh.xml").respond_with_data(
        (FIXTURES / "fresh.xml").read_bytes(), content_type="application/atom+xml"
    )
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        feed = store.add_feed(httpserver_ipv4.url_for("/fresh.xml"))
        app = TidingsApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.query_one(EntryList).current_entry is None
            await pilot.press("r")
            await settle(pilot)
            entries = app.query_one(EntryList)
            assert "Build 42 is green" in row_text(entries, 0)
            assert "Build 41 is red" in row_text(entries, 1)
            assert (
                app.status.refresh_state
                == "Refreshed 1 feed: 1 updated · 2 new entries"
            )
            assert app.query_one(FeedList).feeds[0].title == "Fresh Builds"
            assert app.query_one(FeedList).feeds[0].unread == 2
        assert store.count_entries(feed.id) == 2


async def test_keys_work_while_refresh_runs(
    db_path: Path, httpserver_ipv4: HTTPServer
) -> None:
    body = (FIXTURES / "lantern.xml").read_bytes()

    def slow_feed(_request: Request) -> Response:
        time.sleep(1.0)
        return Response(body, content_type="application/atom+xml")

    httpserver_ipv4.expect_request("/slow.xml").respond_with_handler(slow_feed)
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        load_fixture(store, "lantern.xml", url=httpserver_ipv4.url_for("/slow.xml"))
        app = TidingsApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("r")
            started = time.perf_counter()
            await pilot.press("j", "s")
            elapsed = time.perf_counter() - started
            assert app.refreshing is True
            assert app.status.refresh_state == "Refreshing 0/1 feeds"
            assert elapsed < 0.9
            assert app.query_one(EntryList).cursor == 1
            await pilot.press("r")
            assert app.status.message.startswith("A refresh is already running")
            await settle(pilot)
            assert (
                app.status.refresh_state
                == "Refreshed 1 feed: 1 updated · 0 new entries"
            )
            entry = app.query_one(EntryList).current_entry
            assert entry is not None
            assert store.get_entry(entry.id).starred is True


async def test_failed_refresh_shows_error_in_feed_list(
    db_path: Path, httpserver_ipv4: HTTPServer
) -> None:
    httpserver_ipv4.expect_request("/failed_feed.xml").respond_with_data(
        "no such feed", status=404
    )
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        store.add_feed(httpserver_ipv4.url_for("/failed_feed.xml"))
        load_fixture(store, "lantern.xml")
        app = TidingsApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            failed_feed = app.query_one(FeedList).feeds[0]
            row = feed_row_text(app, 0)
            assert failed_feed.last_error is not None
            assert "404" in failed_feed.last_error
            assert row.startswith("✗ ")
            assert row.splitlines()[1].strip() == "HTTP 404 Not Found"
            status = app.status.refresh_state
            assert status.startswith("Refreshed 1 feed: 1 failed · 0 new entries (")
            assert status.endswith("failed_feed.xml: HTTP 404 Not Found)")
            await pilot.press("shift+tab", "j", "k")
            await settle(pilot)
            assert app.status.message.endswith("0 unread of 0 · HTTP 404 Not Found")
            assert app.status.message.startswith("✗ ")


async def test_refresh_all_reports_each_feed(
    db_path: Path, httpserver_ipv4: HTTPServer
) -> None:
    httpserver_ipv4.expect_request("/failed_feed.xml").respond_with_data(
        "no such feed", status=404
    )
    httpserver_ipv4.expect_request("/fresh.xml").respond_with_data(
        (FIXTURES / "fresh.xml").read_bytes(), content_type="application/atom+xml"
    )
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        store.add_feed(httpserver_ipv4.url_for("/failed_feed.xml"))
        store.add_feed(httpserver_ipv4.url_for("/fresh.xml"))
        app = TidingsApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("R")
            await settle(pilot)
            feeds = app.query_one(FeedList).feeds
            assert feeds[0].title == "Fresh Builds"
            assert feeds[0].unread == 2
            assert feeds[0].last_error is None
            assert feeds[1].last_error is not None
            assert "404" in feeds[1].last_error
            status = app.status.refresh_state
            assert status.startswith(
                "Refreshed 2 feeds: 1 updated, 1 failed · 2 new entries ("
            )


async def test_offline_reading_needs_no_network(db_path: Path) -> None:
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        # Nothing listens on port 9 (discard); no test request goes there.
        load_fixture(store, "lantern.xml", url="http://127.0.0.1:9/lantern.xml")
        app = TidingsApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("j", "enter")
            await settle(pilot)
            assert "Shell one-liners I keep retyping" in header_text(app)
            assert "xargs -0 wc -l" in body_text(app)


async def test_first_run_opens_welcome_feed(db_path: Path) -> None:
    with Store(db_path) as store:
        app = TidingsApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            feeds = app.query_one(FeedList).feeds
            assert len(feeds) == 1
            first = store.list_entries(feeds[0].id)[0]
            assert first.title in header_text(app)
            assert store.get_entry(first.id).read is True


def large_feed(count: int) -> ParsedFeed:
    """Return a parsed feed of ``count`` dated entries, newest first."""
    start = datetime(2020, 1, 1, 12, tzinfo=UTC)
    entries = tuple(
        ParsedEntry(
            key=f"post-{number}",
            title=f"Post number {number}",
            link=f"https://big.test/{number}",
            author=None,
            published=start + timedelta(hours=number),
            updated=None,
            content=f"<p>Body of post {number}.</p>",
            summary="",
        )
        for number in range(count, 0, -1)
    )
    return ParsedFeed(title="Big Feed", link=None, entries=entries)


async def test_large_feed_reads_only_visible_pages(db_path: Path) -> None:
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        feed = store.add_feed("https://big.test/feed.xml")
        result = FetchResult(url=feed.url, content=b"")
        store.save_parsed(feed.id, result, large_feed(5_000))
        app = TidingsApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            entries = app.query_one(EntryList)
            pages = entries.pages
            assert pages is not None
            assert len(pages) == 5_000
            assert len(pages._pages) == 1
            assert "Post number 5000" in row_text(entries, 0)
            started = time.perf_counter()
            await pilot.press("G")
            await pilot.pause()
            elapsed = time.perf_counter() - started
            assert entries.cursor == 4_999
            assert entries.current_entry is not None
            assert entries.current_entry.title == "Post number 1"
            assert len(pages._pages) == 2
            assert entries.scroll_offset.y > 4_999 - PAGE_SIZE
            print(f"G on 5,000 entries took {elapsed * 1000:.1f} ms")


async def test_failed_mark_keeps_app_running(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entry = app.query_one(EntryList).current_entry
        assert entry is not None
        # A read-only connection makes every write fail inside SQLite.
        store._db.execute("PRAGMA query_only = ON")
        await pilot.press("s")
        await settle(pilot)
        assert app.is_running
        assert "cache" in app.status.message
        store._db.execute("PRAGMA query_only = OFF")
        assert not store.get_entry(entry.id).starred
