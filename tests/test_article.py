"""The article pane driven by Pilot: numbered links, the clipboard, reader
mode, scrolling, long articles and untrusted titles."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual import events
from textual.pilot import Pilot

from reader.articles import entry_markdown
from reader.convert import markdown_to_text
from reader.models import FetchResult, ParsedEntry, ParsedFeed
from reader.parse import parse_feed
from reader.store import Store
from reader.textsafe import clean_line, stable_width
from reader.tui.app import TidingsApp
from reader.tui.article import ArticleBody, ArticleView
from reader.tui.entry_list import EntryList
from reader.tui.link_prompt import LinkPrompt
from reader.welcome import WELCOME_META_KEY

FIXTURES = Path(__file__).parent / "fixtures" / "tui"
SIZE = (120, 36)
FEED_URL = "https://reading.test/feed.xml"


class Browser:
    """Records the URLs the app requests the browser to open."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        return True


def add_feed(store: Store, parsed: ParsedFeed, url: str) -> int:
    """Store ``parsed`` as a subscribed feed and return its id."""
    feed = store.add_feed(url)
    store.save_parsed(feed.id, FetchResult(url=url, content=b""), parsed)
    return feed.id


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A cache with the Reading Room fixture feed, welcome feed off."""
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        content = (FIXTURES / "reading.xml").read_bytes()
        add_feed(store, parse_feed(content, FEED_URL), FEED_URL)
        yield store


async def settle(pilot: Pilot[None]) -> None:
    """Wait until workers (article loads and layouts) and messages are done."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_entry(pilot: Pilot[None], index: int) -> None:
    """Move the entry list to row ``index`` and open that entry."""
    app = pilot.app
    assert isinstance(app, TidingsApp)
    app.entry_list.cursor = index
    await pilot.press("enter")
    await settle(pilot)


def body_lines(app: TidingsApp) -> list[str]:
    """Return the laid-out lines of the article body as text."""
    return [strip.text for strip in app.query_one(ArticleBody).lines]


async def test_digit_opens_link(store: Store) -> None:
    browser = Browser()
    app = TidingsApp(store, open_in_browser=browser)
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(pilot, 0)
        assert [link.number for link in app.article.links] == [1, 2, 3, 4]
        assert isinstance(app.focused, EntryList)
        await pilot.press("1")
        await settle(pilot)
        assert browser.opened == ["https://reading.test/docs/budgets"]
        assert app.status.message == "Opened https://reading.test/docs/budgets"
        await pilot.press("2", "4")
        await settle(pilot)
        assert browser.opened[1:] == [
            "mailto:noor@reading.test",
            "https://reading.test/img/budget.png",
        ]


async def test_link_with_other_scheme_not_opened(store: Store) -> None:
    browser = Browser()
    app = TidingsApp(store, open_in_browser=browser)
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(pilot, 0)
        await pilot.press("tab", "3")
        await settle(pilot)
        assert browser.opened == []
        assert app.status.message == (
            "Not opening link 3: ftp://files.reading.test/budget.tar "
            "(only http, https and mailto links open)"
        )


async def test_two_digit_link_numbers(store: Store) -> None:
    browser = Browser()
    app = TidingsApp(store, open_in_browser=browser)
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(pilot, 1)
        assert len(app.article.links) == 12
        await pilot.press("1")
        assert isinstance(app.screen, LinkPrompt)
        assert app.screen.digits == "1"
        await pilot.press("2")
        await settle(pilot)
        assert not isinstance(app.screen, LinkPrompt)
        await pilot.press("1", "enter")
        await settle(pilot)
        await pilot.press("f", "9")
        await settle(pilot)
        assert browser.opened == [
            "https://hub.test/page/12",
            "https://hub.test/page/1",
            "https://hub.test/page/9",
        ]


async def test_link_prompt_edits_and_cancels(store: Store) -> None:
    browser = Browser()
    app = TidingsApp(store, open_in_browser=browser)
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(pilot, 1)
        await pilot.press("f")
        assert isinstance(app.screen, LinkPrompt)
        await pilot.press("0", "1", "backspace", "escape")
        await settle(pilot)
        assert not isinstance(app.screen, LinkPrompt)
        await pilot.press("f", "1", "5")
        prompt = app.screen
        assert isinstance(prompt, LinkPrompt)
        assert "No link with that number; type 1 to 12." in str(
            prompt.query_one("#link-prompt").render()
        )
        await pilot.press("1", "1")
        await settle(pilot)
        assert browser.opened == ["https://hub.test/page/11"]


async def test_no_links_and_no_entry_link(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(pilot, 2)
        await pilot.press("1")
        assert app.status.message == "This article has no links"
        await pilot.press("f")
        assert not isinstance(app.screen, LinkPrompt)
        await pilot.press("y")
        assert app.status.message == "This entry has no link to copy"
        assert app.clipboard == ""


async def test_y_copies_entry_link(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(pilot, 0)
        await pilot.press("tab", "y")
        assert app.clipboard == "https://reading.test/posts/retries"
        assert app.status.message == "Copied https://reading.test/posts/retries"


async def test_reader_mode_matches_show_text(store: Store, db_path: Path) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(pilot, 0)
        entry = app.article.entry
        assert entry is not None
        styled = body_lines(app)
        await pilot.press("v")
        await settle(pilot)
        body = app.query_one(ArticleBody)
        assert body.reader_mode
        width = body.size.width
        markdown = entry_markdown(store, entry)
        plain = "\n".join(line.rstrip() for line in body_lines(app)) + "\n"
        assert plain == markdown_to_text(markdown, width)
        assert {segment.style for strip in body.lines for segment in strip} <= {None}
        await pilot.press("v")
        await settle(pilot)
        assert body_lines(app) == styled
    environment = {**os.environ, "COLUMNS": str(width), "TIDINGS_DB": str(db_path)}
    shown = subprocess.run(
        [sys.executable, "-m", "reader", "show", str(entry.id), "--format", "text"],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    ).stdout
    assert shown == plain
    assert "[1]: https://reading.test/docs/budgets" in shown
    assert "ratio    retries per request, such as 0.1|0.2" in shown.splitlines()


def long_entry(sections: int) -> ParsedEntry:
    """Return an entry whose body has ``sections`` headed sections with prose,
    a table and code, about 1 KB each."""
    parts = []
    for number in range(1, sections + 1):
        words = " ".join(f"word{(number * 7 + k) % 89}" for k in range(60))
        parts.append(
            f"<h2>Section {number}</h2><p>{words}</p>"
            f"<table><tr><th>n</th><th>double</th></tr><tr><td>{number}</td>"
            f"<td>{number * 2}</td></tr></table>"
            f"<pre><code class='language-python'>def f{number}(x):\n"
            f"    return x * {number}\n</code></pre>"
        )
    return ParsedEntry(
        key=f"long-{sections}",
        title=f"Long article of {sections} sections",
        link=f"https://long.test/{sections}",
        author=None,
        published=None,
        updated=None,
        content="".join(parts),
        summary="",
    )


async def test_article_scroll_keys(db_path: Path) -> None:
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        parsed = ParsedFeed("Long", None, (long_entry(40),))
        add_feed(store, parsed, "https://long.test/feed.xml")
        app = TidingsApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await open_entry(pilot, 0)
            article = app.query_one(ArticleView)
            await pilot.press("tab")
            assert app.focused is article
            await pilot.press("j", "j", "j")
            await settle(pilot)
            assert article.scroll_y == 3
            await pilot.press("k")
            await settle(pilot)
            assert article.scroll_y == 2
            await pilot.press("space")
            await settle(pilot)
            page = article.scrollable_content_region.height
            assert article.scroll_y == 2 + page
            await pilot.press("b")
            await settle(pilot)
            assert article.scroll_y == 2
            await pilot.press("G")
            await settle(pilot)
            assert article.scroll_y == article.max_scroll_y > 100
            await pilot.press("g")
            await settle(pilot)
            assert article.scroll_y == 0


async def test_long_article_keeps_keys_working(db_path: Path) -> None:
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        parsed = ParsedFeed("Long", None, (long_entry(850),))
        feed_id = add_feed(store, parsed, "https://long.test/feed.xml")
        entry = store.list_entries(feed_id)[0]
        markdown = entry_markdown(store, entry)
        assert len(entry.content) > 500_000
        app = TidingsApp(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            body = app.query_one(ArticleBody)
            app.article.show_entry(entry, markdown)
            # The first paint needs no worker: the top is laid out already.
            assert "Section 1" in "\n".join(body_lines(app))
            assert not body.complete
            # Pilot.press waits for the process to go idle, which the layout
            # thread prevents, so the keys are posted as a terminal sends them.
            for key in ("s", "tab", "j"):
                app.post_message(events.Key(key, key if len(key) == 1 else None))
            while app.article.scroll_y < 1 and not body.complete:
                await asyncio.sleep(0.005)
            assert not body.complete, "the layout ended before the keys ran"
            assert store.get_entry(entry.id).starred
            assert app.status.message == "Starred"
            assert app.focused is app.article
            assert app.article.scroll_y == 1
            await settle(pilot)
            assert body.complete
            text = "\n".join(body_lines(app))
            assert "Section 850" in text
            assert "return x * 850" in text
            assert len(body.lines) > 10_000


def titled_entries(titles: list[str]) -> ParsedFeed:
    """Return a feed with one entry per title, newest first."""
    entries = tuple(
        ParsedEntry(
            key=f"t{number}",
            title=title,
            link=f"https://titles.test/{number}",
            author="\u202eredro\u202c Author",
            published=None,
            updated=None,
            content=f"<p>Body {number}</p>",
            summary="",
        )
        for number, title in enumerate(titles)
    )
    return ParsedFeed("Wide \U0001f469\u200d\U0001f4bb Titles", None, entries)


WIDE_TITLES = [
    "日本語のタイトルがとても長くて列の幅を超えてしまう場合の表示について考える記事",
    "Family \U0001f468\u200d\U0001f469\u200d\U0001f467 and "
    + "\U0001f469\u200d\U0001f4bb " * 30,
    "Love \u2764\ufe0f and thumbs \U0001f44d\U0001f3fd, keycap 1\ufe0f\u20e3 " * 4,
    "שלום עולם — חדשות מהעולם הגדול " * 3,
    "Invoice \u202efdp.exe and \u202bunterminated embedding " * 3,
    "Soft\xadhyphen\xadated words " * 6,
]


@pytest.mark.parametrize("width", [80, 101, 120])
async def test_wide_titles_keep_columns(db_path: Path, width: int) -> None:
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        add_feed(store, titled_entries(WIDE_TITLES), "https://titles.test/feed.xml")
        app = TidingsApp(store)
        async with app.run_test(size=(width, 30)) as pilot:
            await settle(pilot)
            entries = app.query_one(EntryList)
            row_width = entries.scrollable_content_region.width
            rows = [entries.render_line(y).text for y in range(len(WIDE_TITLES))]
            for row, title in zip(rows, WIDE_TITLES, strict=True):
                assert cell_len(row) == row_width, row
                assert re.fullmatch(r"\d{4}-\d\d-\d\d  ", row[5:17]), row
                shown = row[17:].rstrip().removesuffix("…").rstrip()
                for character in "\u202a\u202b\u202c\u202d\u202e\ufe0f\xad":
                    assert character not in row
                assert not shown.endswith("\u200d")
                assert stable_width(clean_line(title)).startswith(shown), row
            assert "\u202e" not in str(
                app.article.query_one("#article-header").render()
            )
