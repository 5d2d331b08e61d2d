"""Older formats, xhtml content and byte-level faults through parse_feed."""

from __future__ import annotations

import codecs
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.models import Enclosure, ParsedFeed
from reader.parse import parse_feed

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
FEED_URL = "https://quay.example.org/feeds/main.xml"
MOJIBAKE = re.compile("[\ufffdÃĂ]|â€")


def parse_fixture(name: str) -> ParsedFeed:
    """Parse one file under tests/fixtures/feeds as if fetched from FEED_URL."""
    return parse_feed((FEEDS / name).read_bytes(), FEED_URL)


# --- Atom 0.3 -------------------------------------------------------------


@pytest.fixture
def atom03() -> ParsedFeed:
    return parse_fixture("atom03.xml")


def test_atom03_feed_fields(atom03: ParsedFeed) -> None:
    assert atom03.title == "Lighthouse Keeper (Atom 0.3)"
    assert atom03.link == "http://keeper.example.com/"
    assert atom03.warnings == ()


def test_atom03_issued_and_modified(atom03: ParsedFeed) -> None:
    entry = atom03.entries[0]
    assert entry.key == "tag:keeper.example.com,2005:lamp"
    assert entry.title == "Lamp & lens cleaned"
    assert entry.link == "http://keeper.example.com/2005/lamp"
    assert entry.published == datetime(2005, 3, 1, 1, 0, tzinfo=UTC)
    assert entry.updated == datetime(2005, 3, 1, 9, 0, tzinfo=UTC)
    assert entry.author == "Old Keeper"


def test_atom03_escaped_html_content(atom03: ParsedFeed) -> None:
    assert atom03.entries[0].content == "<p>The <b>lens</b> shines.</p>"


def test_atom03_created_is_published(atom03: ParsedFeed) -> None:
    entry = atom03.entries[1]
    assert entry.published == datetime(2005, 2, 27, 6, 0, tzinfo=UTC)
    assert entry.updated is None


def test_atom03_inline_xhtml_content(atom03: ParsedFeed) -> None:
    content = atom03.entries[1].content
    assert "<p>Wind <em>north-east</em>, 5 &lt; 6.</p>" in content


def test_atom03_base64_text_content(atom03: ParsedFeed) -> None:
    assert atom03.entries[2].content == "<p>Fair weather &lt; storm</p>"


# --- Atom 1.0 xhtml constructs ----------------------------------------------


@pytest.fixture
def xhtml() -> ParsedFeed:
    return parse_fixture("atom_xhtml.xml")


def test_xhtml_feed_title_is_text(xhtml: ParsedFeed) -> None:
    assert xhtml.title == "Quay Reports"


def test_xhtml_entry_title_is_text(xhtml: ParsedFeed) -> None:
    assert xhtml.entries[0].title == "Cranes & crane<T>"


def test_xhtml_content_kept_as_html(xhtml: ParsedFeed) -> None:
    content = xhtml.entries[0].content
    assert content.startswith("<p>Cranes loaded ")
    assert "<pre><code>lift(weight &lt; limit)</code></pre>" in content
    assert "<div" not in content


def test_xhtml_content_links_absolute(xhtml: ParsedFeed) -> None:
    content = xhtml.entries[0].content
    assert 'href="https://quay.example.org/ships/7"' in content
    assert 'src="https://quay.example.org/feeds/img/crane.jpg"' in content
    assert xhtml.entries[0].link == "https://quay.example.org/reports/cranes"


def test_xhtml_summary_and_offset_date(xhtml: ParsedFeed) -> None:
    entry = xhtml.entries[0]
    assert entry.summary == "<p>Short <em>summary</em>.</p>"
    assert entry.updated == datetime(2024, 8, 30, 11, 15, tzinfo=UTC)


def test_text_title_and_content_literal(xhtml: ParsedFeed) -> None:
    entry = xhtml.entries[1]
    assert entry.title == "Text content <raw>"
    assert entry.content == "<p>Tonnage: 5 &lt; 7 &amp;&amp; 9 &gt; 8</p>"


# --- RSS 0.91 and 0.92 ------------------------------------------------------


def test_rss091_latin1_with_doctype() -> None:
    feed = parse_fixture("rss091.xml")
    first, second = feed.entries
    assert feed.title == "Ferry Timetable"
    assert feed.link == "http://ferry.example.com/"
    assert first.title == "Morning ferry to Skærgård"
    assert first.key == "http://ferry.example.com/d/0700"
    assert first.content == "Departs at 07:00 &mdash; <b>on time</b>."
    assert second.link == "http://ferry.example.com/d/1900"
    assert second.content == ""


def test_rss092_untitled_item_with_enclosure() -> None:
    feed = parse_fixture("rss092.xml")
    untitled, night = feed.entries
    assert untitled.title == "A show with no title and no link, as RSS…"
    assert untitled.link is None
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", untitled.key)
    assert untitled.enclosures == (
        Enclosure("http://radio.example.com/shows/dawn.mp3", "audio/mpeg", 7340032),
    )
    assert night.content == "<p>Quiet <i>waves</i>.</p>"


# --- encodings --------------------------------------------------------------

TITLE = "Zoë’s “Quay” Notes"  # noqa: RUF001
ENTRY_TITLE = "Ärger — naïve 日本 café"
CONTENT = "<p>Price: 5 € and ½ ¢</p>"
TEMPLATE = (
    '<?xml version="1.0" encoding="{encoding}"?>\n'
    f'<rss version="2.0"><channel><title>{TITLE}</title>\n'
    "<link>https://quay.example.org/</link>\n"
    f"<item><guid>e-1</guid><title>{ENTRY_TITLE}</title>\n"
    "<description>&lt;p&gt;Price: 5 € and ½ ¢&lt;/p&gt;</description></item>\n"
    "</channel></rss>\n"
)


def assert_text_right(feed: ParsedFeed) -> None:
    """Check that the feed and entry text came through undamaged."""
    (entry,) = feed.entries
    assert feed.title == TITLE
    assert entry.title == ENTRY_TITLE
    assert entry.content == CONTENT


def encoded(encoding: str, codec: str, bom: bytes = b"") -> bytes:
    """Return TEMPLATE declaring ``encoding``, encoded with ``codec``."""
    return bom + TEMPLATE.format(encoding=encoding).encode(codec)


@pytest.mark.parametrize(
    "body",
    [
        encoded("utf-8", "utf-8", codecs.BOM_UTF8),
        encoded("utf-16", "utf-16-le", codecs.BOM_UTF16_LE),
        encoded("utf-16", "utf-16-be", codecs.BOM_UTF16_BE),
        encoded("utf-16", "utf-16"),
        encoded("utf-8", "utf-16-le", codecs.BOM_UTF16_LE),
        encoded("us-ascii", "utf-8"),
        encoded("windows-1252", "utf-8"),
    ],
    ids=[
        "utf-8 BOM",
        "utf-16-le BOM",
        "utf-16-be BOM",
        "utf-16 native",
        "utf-16 declared utf-8",
        "utf-8 declared us-ascii",
        "utf-8 declared windows-1252",
    ],
)
def test_encoding_read_right(body: bytes) -> None:
    assert_text_right(parse_feed(body, FEED_URL))


@pytest.mark.parametrize(
    ("prefix", "codec"),
    [
        (b"", "utf-8"),
        (codecs.BOM_UTF8, "utf-8"),
        (b"", "utf-16"),
    ],
)
def test_whitespace_before_declaration(prefix: bytes, codec: str) -> None:
    text = "\r\n  \t" + TEMPLATE.format(encoding=codec)
    feed = parse_feed(prefix + text.encode(codec), FEED_URL)
    assert_text_right(feed)
    assert "whitespace before the XML declaration was removed" in feed.warnings
    assert not any("SAXParseException" in warning for warning in feed.warnings)


def test_stray_windows_1252_byte_in_utf8() -> None:
    body = TEMPLATE.format(encoding="utf-8").encode("utf-8")
    body = body.replace("café".encode(), b"caf\xe9 \x93ok\x94")
    feed = parse_feed(body, FEED_URL)
    (entry,) = feed.entries
    assert feed.title == TITLE
    assert entry.title == "Ärger — naïve 日本 café “ok”"
    assert entry.content == CONTENT
    assert any("3 bytes are not UTF-8" in warning for warning in feed.warnings)


def test_stray_byte_in_undeclared_document() -> None:
    text = TEMPLATE.format(encoding="utf-8").split("\n", 1)[1]
    body = text.encode("utf-8").replace("café".encode(), b"caf\xe9")
    (entry,) = parse_feed(body, FEED_URL).entries
    assert entry.title == ENTRY_TITLE


def test_windows_1252_declared_utf8_via_header() -> None:
    text = "<rss version='2.0'><channel><title>Crème “brûlée”</title></channel></rss>"
    body = text.encode("cp1252")
    feed = parse_feed(body, FEED_URL, content_type="application/rss+xml; charset=utf-8")
    assert feed.title == "Crème “brûlée”"
    assert not MOJIBAKE.search(feed.title)


def test_other_declared_charset_left_alone() -> None:
    text = (
        '<?xml version="1.0" encoding="iso-8859-15"?><rss version="2.0"><channel>'
        "<title>Šárka</title><item><guid>1</guid><title>5 € žlutá Œuvre</title>"
        "</item></channel></rss>"
    )
    feed = parse_feed(text.encode("iso-8859-15"), FEED_URL)
    assert feed.title == "Šárka"
    assert feed.entries[0].title == "5 € žlutá Œuvre"
    assert feed.warnings == ()


def test_bare_ampersands_and_html_entities() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Salt & Pepper&nbsp;Weekly</title><link>https://sp.example.org/</link>
<item><guid isPermaLink="false">sp-1</guid>
<title>Fish & Chips &eacute;t&eacute; &mdash; &hellip; &copy; &amp; more</title>
<link>https://sp.example.org/p?a=1&b=2</link>
<dc:creator>Jos&eacute;</dc:creator><dc:date>2024-05-01T10:00:00+02:00</dc:date>
<content:encoded><![CDATA[<p>Full&nbsp;body &amp; more</p>]]></content:encoded>
</item></channel></rss>"""
    feed = parse_feed(body, FEED_URL)
    (entry,) = feed.entries
    assert feed.title == "Salt & Pepper Weekly"
    assert entry.title == "Fish & Chips été — … © & more"
    assert entry.link == "https://sp.example.org/p?a=1&b=2"
    assert entry.author == "José"
    assert entry.updated == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert entry.content == "<p>Full&nbsp;body &amp; more</p>"
    assert feed.warnings, "the loose parse must be reported as a warning"


def test_declared_utf8_text_stays_correct() -> None:
    feed = parse_feed(TEMPLATE.format(encoding="utf-8").encode(), FEED_URL)
    assert_text_right(feed)
    assert feed.warnings == ()
    for text in (feed.title, feed.entries[0].title, feed.entries[0].content):
        assert not MOJIBAKE.search(text), text


# --- enclosures -------------------------------------------------------------


def test_media_group_and_atom_enclosure_links() -> None:
    rss_body = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>M</title>
<item><guid>group</guid><title>Group</title><media:group>
 <media:content url="/v/low.mp4" type="video/mp4" fileSize="1000" medium="video"/>
 <media:content url="/v/high.mp4" type="video/mp4" fileSize="5000"/>
 <media:thumbnail url="/v/thumb.jpg"/>
</media:group></item>
<item><guid>image</guid><title>Image</title>
<media:content url="https://img.example.com/pic.jpg" medium="image"/>
<enclosure url="https://img.example.com/pic.jpg" type="image/jpeg" length="77"/>
</item></channel></rss>"""
    group, image = parse_feed(rss_body, FEED_URL).entries
    assert group.enclosures == (
        Enclosure("https://quay.example.org/v/low.mp4", "video/mp4", 1000),
        Enclosure("https://quay.example.org/v/high.mp4", "video/mp4", 5000),
    )
    assert image.enclosures == (
        Enclosure("https://img.example.com/pic.jpg", "image/jpeg", 77),
    )


def test_atom_enclosure_links_once() -> None:
    atom_body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<entry><id>a1</id><title>Pod</title>
<link rel="enclosure" href="ep1.mp3" type="audio/mpeg" length="123"/>
<link rel="enclosure" href="ep1.mp3" type="audio/mpeg"/>
<link rel="alternate" href="/p/1"/></entry></feed>"""
    (entry,) = parse_feed(atom_body, FEED_URL).entries
    assert entry.link == "https://quay.example.org/p/1"
    assert entry.enclosures == (
        Enclosure("https://quay.example.org/feeds/ep1.mp3", "audio/mpeg", 123),
    )


def test_invisible_title_falls_back_to_body() -> None:
    document = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        b"<title>Blank titles</title><item><title>&#160;&#8203;</title>"
        b"<link>http://127.0.0.1/a</link>"
        b"<description>Body words stand in for the title.</description>"
        b"</item></channel></rss>"
    )
    entry = parse_feed(document, "http://127.0.0.1/feed.xml").entries[0]
    assert entry.title == "Body words stand in for the title."
