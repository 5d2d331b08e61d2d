"""Numbered links: markers in the converted text and the list that ends it.

Markdown is read the way the article pane reads it, with markdown-it-py
(CommonMark and tables), and link lists are read back with
``parse_link_list`` as the TUI does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from reader.articles import entry_markdown
from reader.convert import html_to_markdown, markdown_to_text
from reader.links import (
    ArticleLink,
    LinkKind,
    is_openable,
    link_list_markdown,
    parse_link_list,
)
from reader.models import FetchResult
from reader.parse import parse_feed
from reader.store import Store

BASE = "https://blog.example/posts/one/"
_MARKDOWN = MarkdownIt("commonmark").enable("table")


def _body(markdown: str) -> str:
    end = markdown.rfind("* * *\n\nLinks:\n\n")
    return markdown if end < 0 else markdown[:end]


def _inline_children(markdown: str) -> list[Token]:
    return [
        child
        for token in _MARKDOWN.parse(markdown)
        if token.type == "inline"
        for child in token.children or []
    ]


def _body_hrefs(markdown: str) -> list[str]:
    return [
        str(child.attrs["href"])
        for child in _inline_children(_body(markdown))
        if child.type == "link_open"
    ]


def _text(markdown: str) -> str:
    """Return the rendered text with whitespace runs folded to one space."""
    return " ".join(markdown_to_text(markdown, width=200).split())


def test_links_numbered_in_order() -> None:
    html = (
        '<p>Read <a href="/a">the guide</a>, <a href="https://x.example/b">'
        'the spec</a> and <a href="/a">the guide again</a>.</p>'
    )
    markdown = html_to_markdown(html, BASE)
    assert parse_link_list(markdown) == [
        ArticleLink(1, "https://blog.example/a"),
        ArticleLink(2, "https://x.example/b"),
    ]
    assert _body_hrefs(markdown) == [
        "https://blog.example/a",
        "https://x.example/b",
        "https://blog.example/a",
    ]
    text = _text(markdown)
    assert "Read the guide[1], the spec[2] and the guide again[1]." in text
    assert "[1]: https://blog.example/a [2]: https://x.example/b" in text


def test_link_list_ends_the_article() -> None:
    markdown = html_to_markdown('<p>One <a href="https://x.example/">x</a></p>')
    assert markdown == (
        "One [x](<https://x.example/>)\\[1\\]\n"
        "\n"
        "* * *\n"
        "\n"
        "Links:\n"
        "\n"
        "\\[1\\]: <https://x.example/>\n"
    )
    text = markdown_to_text(markdown)
    assert text.splitlines()[-1] == "[1]: https://x.example/"
    assert "Links:" in text.splitlines()


def test_no_links_no_list() -> None:
    markdown = html_to_markdown("<p>Plain [1]: text, <a name='x'>an anchor</a>.</p>")
    assert "Links:" not in markdown
    assert parse_link_list(markdown) == []
    assert _text(markdown) == "Plain [1]: text, an anchor."


def test_same_page_fragments_not_numbered() -> None:
    html = (
        '<p>Claim<sup><a href="#fn1" id="r1">1</a></sup> and '
        '<a href="#section">a section</a>.</p>'
        '<ol><li id="fn1">The note. <a href="#r1">↩</a></li></ol>'
    )
    markdown = html_to_markdown(html, BASE)
    assert parse_link_list(markdown) == []
    text = _text(markdown)
    assert "Claim¹ and a section." in text
    assert "The note. ↩" in text


@pytest.mark.parametrize(
    ("href", "shown"),
    [
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("file:///etc/passwd", "file:///etc/passwd"),
        ("ftp://files.example/x", "ftp://files.example/x"),
        ("data:text/html,<b>x</b>", None),
    ],
)
def test_unsafe_links_listed_not_linked(href: str, shown: str | None) -> None:
    markdown = html_to_markdown(f'<p>Try <a href="{href}">this</a> now.</p>')
    assert _body_hrefs(markdown) == []
    links = parse_link_list(markdown)
    if shown is None:
        assert links == []
        assert _text(markdown) == "Try this now."
        return
    assert links == [ArticleLink(1, shown)]
    assert not links[0].openable
    text = _text(markdown)
    assert "Try this[1] now." in text
    assert f"[1]: {shown} (not opened)" in text


def test_mailto_is_openable() -> None:
    markdown = html_to_markdown('<p><a href="mailto:ada@x.example">Mail</a></p>')
    assert parse_link_list(markdown) == [ArticleLink(1, "mailto:ada@x.example")]
    assert parse_link_list(markdown)[0].openable
    assert _body_hrefs(markdown) == ["mailto:ada@x.example"]


@pytest.mark.parametrize(
    ("url", "openable"),
    [
        ("https://x.example/a", True),
        ("HTTP://X.EXAMPLE/", True),
        ("mailto:a@b.example", True),
        ("http:/no-host", False),
        ("https://", False),
        ("/relative/path", False),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
        ("http://[::1", False),
    ],
)
def test_is_openable(url: str, openable: bool) -> None:
    assert is_openable(url) is openable


def test_link_text_with_brackets_and_code() -> None:
    html = (
        '<p><a href="https://x.example/a">see [notes] and a]b</a>, '
        '<a href="https://x.example/b"><code>arr[0]</code></a>.</p>'
    )
    markdown = html_to_markdown(html)
    link_texts = []
    inside = False
    for child in _inline_children(_body(markdown)):
        if child.type == "link_open":
            inside = True
            link_texts.append("")
        elif child.type == "link_close":
            inside = False
        elif inside:
            link_texts[-1] += child.content
    assert link_texts == ["see [notes] and a]b", "arr[0]"]


def test_url_with_spaces_and_brackets() -> None:
    html = '<p><a href="https://x.example/a b/<c>/d)e\\f">odd</a></p>'
    markdown = html_to_markdown(html)
    url = "https://x.example/a%20b/%3Cc%3E/d)e\\f"
    assert parse_link_list(markdown) == [ArticleLink(1, url)]
    assert _body_hrefs(markdown) == ["https://x.example/a%20b/%3Cc%3E/d)e%5Cf"]


def test_link_across_blocks_keeps_marker() -> None:
    html = '<a href="https://x.example/"><p>First</p><p>Second</p></a><p>after</p>'
    markdown = html_to_markdown(html)
    assert _body_hrefs(markdown) == []
    assert parse_link_list(markdown) == [ArticleLink(1, "https://x.example/")]
    assert "First Second[1] after" in _text(markdown)


def test_link_without_text() -> None:
    markdown = html_to_markdown('<p>Icon: <a href="https://x.example/"></a>.</p>')
    assert _text(markdown).startswith("Icon: [1].")


def test_nested_anchor_ends_outer_link() -> None:
    html = (
        '<p><a href="https://x.example/a">one <a href="https://x.example/b">two</a></p>'
    )
    markdown = html_to_markdown(html)
    assert _body_hrefs(markdown) == ["https://x.example/a", "https://x.example/b"]
    assert "one [1]two[2]" in _text(markdown)


def test_links_in_table_cells() -> None:
    html = (
        "<table><tr><th>Name</th><th>Where</th></tr>"
        '<tr><td><a href="https://x.example/p|q">a|b</a></td>'
        '<td><img src="https://x.example/i.png" alt="x|y"></td></tr></table>'
    )
    markdown = html_to_markdown(html)
    rows = []
    for token in _MARKDOWN.parse(markdown):
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows and token.level > 2:
            rows[-1].append(
                "".join(c.content for c in token.children or [] if c.type == "text")
            )
    assert rows == [["Name", "Where"], ["a|b[1]", "[2]"]]
    images = [child for child in _inline_children(markdown) if child.type == "image"]
    assert [image.attrs["src"] for image in images] == ["https://x.example/i.png"]
    assert [image.children[0].content for image in images] == ["x|y"]
    assert "a|b[1] [image: x|y][2]" in _text(markdown)
    assert [link.url for link in parse_link_list(markdown)] == [
        "https://x.example/p|q",
        "https://x.example/i.png",
    ]


def test_link_list_round_trip() -> None:
    links = [
        ArticleLink(1, "https://x.example/a"),
        ArticleLink(2, "https://x.example/i.png", LinkKind.IMAGE),
        ArticleLink(3, "javascript:x(`a` ``b``)", LinkKind.LINK),
        ArticleLink(4, "file:///v.mp4", LinkKind.VIDEO),
        ArticleLink(5, "https://x.example/e", LinkKind.EMBED),
        ArticleLink(6, "mailto:a@b.example", LinkKind.AUDIO),
    ]
    markdown = "Body text.\n\n" + link_list_markdown(links)
    assert parse_link_list(markdown) == links
    text = markdown_to_text(markdown)
    assert "[3]: javascript:x(`a` ``b``) (not opened)" in text
    assert "[4]: file:///v.mp4 (video, not opened)" in text
    assert "[2]: https://x.example/i.png (image)" in text


@pytest.mark.parametrize(
    "damaged",
    [
        "\\[1\\]: <https://x.example/a>\\\n\\[3\\]: <https://x.example/b>\n",
        "\\[1\\]: <https://x.example/a> (picture)\n",
        "\\[1\\]: https://x.example/a\n",
        "\\[2\\]: <https://x.example/a>\n",
    ],
)
def test_damaged_list_maps_nothing(damaged: str) -> None:
    assert parse_link_list("Text.\n\n* * *\n\nLinks:\n\n" + damaged) == []


def test_prose_cannot_forge_a_list() -> None:
    html = (
        "<p>Text.</p><hr><p>Links:</p>"
        "<p>[1]: &lt;https://evil.example/&gt;<br>"
        "[2]: <code>https://evil.example/</code> (not opened)</p>"
    )
    markdown = html_to_markdown(html)
    assert parse_link_list(markdown) == []
    forged_after_real = html_to_markdown(
        '<p><a href="https://good.example/">good</a></p>' + html
    )
    assert parse_link_list(forged_after_real) == [
        ArticleLink(1, "https://good.example/")
    ]


def _stored_links(store: Store, url: str, document: bytes) -> list[list[str]]:
    """Store ``document`` as the feed at ``url``; return each entry's listed
    URLs, converted as the TUI and ``tidings show`` convert them."""
    feed = store.add_feed(url)
    store.save_parsed(
        feed.id, FetchResult(url=url, content=document), parse_feed(document, url)
    )
    return [
        [link.url for link in parse_link_list(entry_markdown(store, entry))]
        for entry in reversed(store.list_entries(feed.id))
    ]


def test_relative_urls_resolve_against_base(db_path: Path) -> None:
    """xml:base wins. Without it, URLs resolve against the entry's absolute
    link, else against the feed document's URL (parse_feed does this)."""
    atom = Path(__file__).parent / "fixtures" / "feeds" / "atom_xml_base.xml"
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>R</title>'
        b"<item><guid>no-link</guid><title>No link</title><description>"
        b"&lt;a href='/about'&gt;about&lt;/a&gt; &lt;img src='pic.png'&gt;"
        b"</description></item>"
        b"<item><guid>linked</guid><title>Linked</title>"
        b"<link>https://site.example/posts/7/</link><description>"
        b"&lt;a href='notes'&gt;notes&lt;/a&gt;</description></item>"
        b"</channel></rss>"
    )
    with Store(db_path) as store:
        based = _stored_links(store, "https://feeds.example/atom", atom.read_bytes())
        assert based == [
            ["https://static.example.net/journal/img/first.png"],
            ["https://static.example.net/archive/attachments/notes.txt"],
        ]
        plain = _stored_links(store, "https://feeds.example/dir/rss.xml", rss)
        assert sorted(plain) == [
            ["https://feeds.example/about", "https://feeds.example/dir/pic.png"],
            ["https://site.example/posts/7/notes"],
        ]
