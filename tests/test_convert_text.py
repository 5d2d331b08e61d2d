"""Plain text output: ``tidings show --format text`` and reader mode.

Code lines print exactly as the code, with nothing added before them, and
list markers start at the left margin. html2text separates closing
emphasis from the punctuation after it ("**Bold** :"); the converter
removes that space where the HTML had none.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.articles import entry_markdown
from reader.cli import main
from reader.convert import html_to_markdown, markdown_to_text
from reader.parse import parse_feed
from reader.store import Store
from reader.tui.app import TidingsApp
from reader.tui.article import ArticleBody
from reader.welcome import WELCOME_META_KEY
from tests.test_article import add_feed, body_lines, open_entry, settle

FEED_URL = "https://workshop.example.org/feed.xml"
ARTICLE = """
<p><strong>Warning</strong>: the <em>old</em>, slow path; <b>see</b>? <i>end</i>.</p>
<p>Spaced <b>French</b> : stays spaced.</p>
<ul><li>plant <b>beans</b>, then
<ul><li>water</li></ul></li><li>wait</li></ul>
<ol><li>first</li><li>second</li></ol>
<pre><code class="language-python">def grow(days):
    return days * 2</code></pre>
<blockquote><p>Quoted line</p></blockquote>
"""


def article_feed() -> bytes:
    """Return an RSS document whose one entry has ``ARTICLE`` as its body."""
    body = ARTICLE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Workshop</title>'
        "<item><guid>w-1</guid><title>Notes</title><link>https://workshop.example.org/1"
        f"</link><description>{body}</description></item></channel></rss>"
    ).encode()


def test_emphasis_before_punctuation_unspaced() -> None:
    markdown = html_to_markdown(ARTICLE)
    assert "**Warning**: the _old_, slow path; **see**? _end_." in markdown
    assert "**French** : stays spaced." in markdown


def test_text_punctuation_follows_emphasis() -> None:
    text = markdown_to_text(html_to_markdown(ARTICLE), width=80)
    assert "Warning: the old, slow path; see? end." in text.splitlines()
    assert "plant beans, then" in text


def test_text_code_lines_unindented() -> None:
    lines = markdown_to_text(html_to_markdown(ARTICLE), width=80).splitlines()
    start = lines.index("def grow(days):")
    assert lines[start + 1] == "    return days * 2"
    assert lines[start - 1] == ""
    assert lines[start + 2] == ""


def test_text_list_markers_at_margin() -> None:
    lines = markdown_to_text(html_to_markdown(ARTICLE), width=80).splitlines()
    assert "• plant beans, then" in lines
    assert "  • water" in lines
    assert "• wait" in lines
    assert "1. first" in lines
    assert "2. second" in lines


def test_text_long_code_line_continues() -> None:
    code = "total=" + "1+" * 40 + "1"
    lines = markdown_to_text(f"```python\n{code}\n```\n", width=40).splitlines()
    assert lines[0] == code[:40]
    assert lines[1].startswith("↪ ")
    assert "".join([lines[0], *(line[2:] for line in lines[1:])]) == code


def test_text_wide_ordered_list_aligned() -> None:
    items = "".join(f"{number}. item\n" for number in range(8, 12))
    lines = markdown_to_text(items, width=40).splitlines()
    assert lines == [" 8. item", " 9. item", "10. item", "11. item"]


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        add_feed(store, parse_feed(article_feed(), FEED_URL), FEED_URL)
        yield store


def test_show_text_matches_layout(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "72")
    (entry,) = store.list_entries(limit=1)
    assert main(["show", str(entry.id), "--format", "text"]) == 0
    shown = capsys.readouterr().out
    assert shown == markdown_to_text(entry_markdown(store, entry), 72)
    assert "def grow(days):\n    return days * 2\n" in shown


async def test_reader_mode_equals_show_text(store: Store) -> None:
    app = TidingsApp(store)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_entry(pilot, 0)
        await pilot.press("v")
        await settle(pilot)
        body = app.query_one(ArticleBody)
        entry = app.article.entry
        assert entry is not None
        expected = markdown_to_text(entry_markdown(store, entry), body.size.width)
        shown = "\n".join(line.rstrip() for line in body_lines(app)) + "\n"
        assert shown == expected
        assert "def grow(days):" in shown.splitlines()
