"""Property-based tests of the parser, the converter and the store.

Random and mutated feeds and HTML must never raise anything but
ParseError, never let a control character through, and never make the
store lose or duplicate an entry or a mark.

``TIDINGS_FUZZ_EXAMPLES`` sets the examples per test (200 by default; the
store test runs a fifth of that), for a longer run such as
``TIDINGS_FUZZ_EXAMPLES=20000 pytest tests/test_fuzz.py
--hypothesis-show-statistics``.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.convert import html_to_markdown, markdown_to_text
from reader.models import FetchResult, ParsedFeed, ParseError
from reader.parse import parse_feed
from reader.store import Store

EXAMPLES = int(os.environ.get("TIDINGS_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

FEED_FILES = sorted((Path(__file__).parent / "fixtures" / "feeds").glob("*"))
SEEDS = [path.read_bytes() for path in FEED_FILES]

# What must not reach the terminal: C0 controls but tab and newline, DEL,
# C1 controls (ESC and CSI included), and bidi embeddings, overrides and
# isolates. One-line fields must not hold tabs or newlines either.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
LINE_BREAK = re.compile(r"[\t\n]")
URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f]")

# Characters and fragments that have broken terminal or parser code before:
# escape sequences raw and as character references, bidi overrides, CDATA,
# entity references, and markup in text.
NASTY = [
    "\x1b[31m",
    "\x1b]52;c;cHduZWQ=\x07",
    "\x9b2J",
    "&#27;[2J",
    "&#x1b;",
    "&#155;",
    "&#x202e;",
    "\u202e",
    "\r",
    "\x00",
    "&amp;",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<![CDATA[<b>x</b>]]>",
    "&#x110000;",
    "&nosuch;",
    "<!-- c -->",
    "<b>",
    "</item>",
    "<title>",
    '"',
    "'",
    "\ufeff",
    "\udcff",
]

unicode_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40
)
nasty_text = st.lists(st.one_of(st.sampled_from(NASTY), unicode_text), max_size=6).map(
    "".join
)


def assert_clean_feed(feed: ParsedFeed) -> None:
    """Assert that no displayed field of ``feed`` contains a control character."""
    for one_line in [feed.title]:
        assert not CONTROL.search(one_line), repr(one_line)
        assert not LINE_BREAK.search(one_line), repr(one_line)
    if feed.link is not None:
        assert not URL_FORBIDDEN.search(feed.link), repr(feed.link)
    for entry in feed.entries:
        for one_line in (entry.title, entry.author or ""):
            assert not CONTROL.search(one_line), repr(one_line)
            assert not LINE_BREAK.search(one_line), repr(one_line)
        for block in (entry.content, entry.summary):
            assert not CONTROL.search(block), repr(block)
        for url in [entry.link or ""] + [e.url for e in entry.enclosures]:
            assert not URL_FORBIDDEN.search(url), repr(url)
        for enclosure in entry.enclosures:
            assert not CONTROL.search(enclosure.type or "")
        assert isinstance(entry.key, str)
        assert entry.key
    keys = [entry.key for entry in feed.entries]
    assert len(keys) == len(set(keys))


def parse_or_reject(content: bytes) -> ParsedFeed | None:
    """Parse ``content``, returning None for a ParseError; anything else
    raised fails the test."""
    try:
        return parse_feed(content, "https://fuzz.test/feed.xml")
    except ParseError:
        return None


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_parse(content: bytes) -> None:
    feed = parse_or_reject(content)
    if feed is not None:
        assert_clean_feed(feed)


@st.composite
def mutated_feed(draw: st.DrawFn) -> bytes:
    """Draw a fixture feed with a few byte-level and markup mutations."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["flip", "delete", "insert", "nasty", "repeat"]))
        if kind == "flip" and position < len(data):
            data[position] ^= draw(st.integers(1, 255))
        elif kind == "delete":
            del data[position : position + draw(st.integers(1, 64))]
        elif kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "nasty":
            data[position:position] = draw(nasty_text).encode("utf-8", "surrogatepass")
        elif kind == "repeat":
            end = min(len(data), position + draw(st.integers(1, 200)))
            data[position:position] = data[position:end] * draw(st.integers(2, 5))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@FUZZ
@given(mutated_feed())
def test_mutated_feeds_parse(content: bytes) -> None:
    feed = parse_or_reject(content)
    if feed is not None:
        assert_clean_feed(feed)


@st.composite
def generated_feed(draw: st.DrawFn) -> tuple[bytes, int]:
    """Draw an RSS or Atom document with hostile text in every field, and
    return it with its number of entries."""
    atom = draw(st.booleans())
    count = draw(st.integers(0, 5))
    fields = [
        (
            draw(nasty_text),
            draw(nasty_text),
            draw(st.sampled_from(["https://fuzz.test/", "javascript:x", ""]))
            + draw(st.text(max_size=10)),
            draw(nasty_text),
        )
        for _ in range(count)
    ]
    raw = draw(st.booleans())

    def text(value: str) -> str:
        return value if raw else escape(value)

    if atom:
        entries = "".join(
            f"<entry><id>{text(key)}</id><title type='html'>{text(title)}</title>"
            f"<link href='{escape(link, {chr(39): '&apos;'})}'/>"
            f"<content type='html'>{text(body)}</content></entry>"
            for title, body, link, key in fields
        )
        document = (
            "<?xml version='1.0' encoding='utf-8'?>"
            "<feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>{text(draw(nasty_text))}</title>{entries}</feed>"
        )
    else:
        entries = "".join(
            f"<item><guid>{text(key)}</guid><title>{text(title)}</title>"
            f"<link>{text(link)}</link><description>{text(body)}</description>"
            f"<author>{text(title)}</author>"
            f"<enclosure url='{escape(link, {chr(39): '&apos;'})}' "
            f"type='{escape(title, {chr(39): '&apos;'})}' length='12'/></item>"
            for title, body, link, key in fields
        )
        document = (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>{text(draw(nasty_text))}</title>{entries}</channel></rss>"
        )
    return document.encode("utf-8", "surrogatepass"), count


@FUZZ
@given(generated_feed())
def test_generated_feeds_parse(document: tuple[bytes, int]) -> None:
    content, _count = document
    feed = parse_or_reject(content)
    if feed is not None:
        assert_clean_feed(feed)


TAGS = [
    "p", "div", "span", "b", "i", "em", "strong", "a", "ul", "ol", "li", "pre",
    "code", "blockquote", "table", "tr", "td", "th", "h1", "h3", "img", "br",
    "script", "style", "kbd", "sup", "dl", "dt", "dd", "hr", "template", "svg",
]  # fmt: skip
ATTRIBUTES = [
    "",
    " href='https://fuzz.test/a'",
    " href='javascript:alert(1)'",
    " href='/relative path'",
    " href='file:///etc/passwd'",
    " src='data:image/png;base64,AAAA'",
    " class='language-python'",
    " class='lang-\x1b[31m'",
    " title='\x9b\u202e'",
]


@st.composite
def html_fragment(draw: st.DrawFn, depth: int = 0) -> str:
    """Draw HTML of random tags, attributes, text and broken markup."""
    parts = []
    for _ in range(draw(st.integers(0, 5))):
        choice = draw(st.integers(0, 3 if depth < 6 else 1))
        if choice == 0:
            parts.append(draw(nasty_text))
        elif choice == 1:
            parts.append(draw(st.sampled_from([*NASTY, "<", ">", "&", "`", "*", "_"])))
        else:
            tag = draw(st.sampled_from(TAGS))
            attribute = draw(st.sampled_from(ATTRIBUTES))
            inner = draw(html_fragment(depth + 1))
            closing = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}"]))
            parts.append(f"<{tag}{attribute}>{inner}{closing}")
    return "".join(parts)


@FUZZ
@given(html_fragment(), st.sampled_from([None, "https://fuzz.test/post/"]))
def test_html_converts_cleanly(html: str, base_url: str | None) -> None:
    markdown = html_to_markdown(html, base_url)
    assert not CONTROL.search(markdown), repr(markdown)
    assert markdown == "" or markdown.endswith("\n")
    text = markdown_to_text(markdown, width=60)
    assert not CONTROL.search(text), repr(text)


KEYS = [f"k{n}" for n in range(8)]


def rss(items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><guid>{key}</guid><title>{escape(title)}</title>"
        f"<description>{escape(title)}</description></item>"
        for key, title in items
    )
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>S</title>"
        f"{entries}</channel></rss>"
    ).encode("utf-8", "surrogatepass")


step = st.one_of(
    st.tuples(
        st.just("refresh"),
        st.lists(st.tuples(st.sampled_from(KEYS), nasty_text), max_size=6),
    ),
    st.tuples(st.sampled_from(["read", "unread", "star", "unstar"]), st.integers(0, 7)),
)


@settings(
    max_examples=max(20, EXAMPLES // 5),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(step, min_size=1, max_size=12))
def test_store_state_stays_consistent(
    steps: list[tuple[str, object]],
) -> None:
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "c.db") as store:
        feed = store.add_feed("https://fuzz.test/feed.xml")
        seen: set[str] = set()
        read: set[str] = set()
        starred: set[str] = set()
        for action, argument in steps:
            if action == "refresh":
                assert isinstance(argument, list)
                content = rss(argument)
                parsed = parse_or_reject(content)
                if parsed is None:
                    continue
                result = FetchResult(feed.url, content)
                store.save_parsed(feed.id, result, parsed)
                seen |= {entry.key for entry in parsed.entries}
            else:
                assert isinstance(argument, int)
                _apply_mark(store, action, argument, read, starred)
            entries = store.list_entries(feed.id)
            keys = [entry.key for entry in entries]
            assert len(keys) == len(set(keys))
            assert set(keys) == seen
            assert {e.key for e in entries if e.read} == read
            assert {e.key for e in entries if e.starred} == starred
            assert store.count_entries(feed.id) == len(seen)
            for entry in entries:
                assert not CONTROL.search(entry.title)


def _apply_mark(
    store: Store, action: str, index: int, read: set[str], starred: set[str]
) -> None:
    entries = store.list_entries()
    if not entries:
        return
    entry = entries[index % len(entries)]
    if action in ("read", "unread"):
        store.set_read([entry.id], action == "read")
        (read.add if action == "read" else read.discard)(entry.key)
    else:
        store.set_starred([entry.id], action == "star")
        (starred.add if action == "star" else starred.discard)(entry.key)


def test_overflowing_dates_ignored() -> None:
    # Found by test_mutated_feeds_parse: a duplicated run of digits made
    # email.utils raise OverflowError, which escaped parse_feed.
    dates = [
        "Tue, 10 Dec 2024 09:3030303030:00 CET",
        "0001-01-01 00:30 CEST",
        "9999-12-31 23:30 EST",
    ]
    items = "".join(
        f"<item><guid>d{n}</guid><title>T{n}</title><pubDate>{date}</pubDate></item>"
        for n, date in enumerate(dates)
    )
    content = f"<rss version='2.0'><channel><title>D</title>{items}</channel></rss>"

    feed = parse_feed(content.encode(), "https://fuzz.test/feed.xml")

    assert [entry.key for entry in feed.entries] == ["d0", "d1", "d2"]
    assert [entry.published for entry in feed.entries] == [None, None, None]
