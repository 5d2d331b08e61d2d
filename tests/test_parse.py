"""Tests for reader.parse: feed bytes in, ParsedFeed values out."""

from __future__ import annotations

import gzip
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.models import ParsedEntry, ParsedFeed, ParseError
from reader.parse import parse_feed

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
FEED_URL = "http://127.0.0.1:8080/blog/feed.xml"
CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROLS_EXCEPT_NL_TAB = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def parse_fixture(name: str, url: str = FEED_URL, **kwargs: str) -> ParsedFeed:
    """Parse one file under tests/fixtures/feeds as if fetched from ``url``."""
    return parse_feed((FEEDS / name).read_bytes(), url, **kwargs)


def by_title(feed: ParsedFeed, title: str) -> ParsedEntry:
    """Return the entry with this title; fail the test if there is none."""
    matches = [entry for entry in feed.entries if entry.title == title]
    assert len(matches) == 1, [entry.title for entry in feed.entries]
    return matches[0]


# --- entry identity -------------------------------------------------------


@pytest.fixture
def identity_feed() -> ParsedFeed:
    return parse_fixture("rss_identity.xml")


def test_identity_all_items_kept(identity_feed: ParsedFeed) -> None:
    assert len(identity_feed.entries) == 11


def test_identity_keys_distinct_nonempty(identity_feed: ParsedFeed) -> None:
    keys = [entry.key for entry in identity_feed.entries]
    assert all(keys)
    assert len(set(keys)) == len(keys)


def test_identity_keys_stable_across_parses(identity_feed: ParsedFeed) -> None:
    again = parse_fixture("rss_identity.xml")
    assert [e.key for e in again.entries] == [e.key for e in identity_feed.entries]


def test_guid_is_key_and_link_is_link(identity_feed: ParsedFeed) -> None:
    entry = by_title(identity_feed, "Guid and link")
    assert entry.key == "https://blog.example.org/p/guid-and-link"
    assert entry.link == "https://blog.example.org/p/guid-and-link?utm=rss"


def test_missing_guid_falls_back_to_link(identity_feed: ParsedFeed) -> None:
    entry = by_title(identity_feed, "Link only")
    assert entry.key == "https://blog.example.org/p/link-only"
    assert entry.link == "https://blog.example.org/p/link-only"


def test_blank_guid_counts_as_missing(identity_feed: ParsedFeed) -> None:
    entry = by_title(identity_feed, "Blank guid")
    assert entry.key == "https://blog.example.org/p/blank-guid"
    assert entry.link == "https://blog.example.org/p/blank-guid"


def test_non_url_guid_is_key_not_link(identity_feed: ParsedFeed) -> None:
    entry = by_title(identity_feed, "Guid that is not a URL")
    assert entry.key == "entry-0042"
    assert entry.link is None


def test_no_guid_no_link_hash_key(identity_feed: ParsedFeed) -> None:
    entry = by_title(identity_feed, "Neither guid nor link")
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", entry.key)
    assert entry.link is None


def test_hash_key_depends_on_title() -> None:
    body = (FEEDS / "rss_identity.xml").read_bytes()
    renamed = body.replace(b"Neither guid nor link", b"Neither guid nor link!")
    keys = {e.key for e in parse_feed(body, FEED_URL).entries}
    renamed_keys = {e.key for e in parse_feed(renamed, FEED_URL).entries}
    assert len(keys - renamed_keys) == 1


def test_permalink_guid_used_as_link(identity_feed: ParsedFeed) -> None:
    entry = by_title(identity_feed, "Permalink guid without link")
    assert entry.link == "https://blog.example.org/p/permalink-guid"


def test_not_permalink_guid_not_link(identity_feed: ParsedFeed) -> None:
    entry = by_title(identity_feed, "URL guid marked as not a permalink")
    assert entry.key == "https://blog.example.org/p/not-a-permalink"
    assert entry.link is None


def test_repeated_guids_get_counters(identity_feed: ParsedFeed) -> None:
    first = by_title(identity_feed, "Repeated guid, first")
    second = by_title(identity_feed, "Repeated guid, second")
    third = by_title(identity_feed, "Repeated guid, third")
    assert first.key == "repeated"
    assert second.key == "repeated#2"
    assert third.key == "repeated#3"
    assert third.link == "https://blog.example.org/p/repeat-3"


def test_javascript_link_dropped(identity_feed: ParsedFeed) -> None:
    assert by_title(identity_feed, "Script link").link is None


def test_guid_unchanged_by_feed_url() -> None:
    moved = parse_fixture("rss_identity.xml", url="https://mirror.example.net/x.rss")
    keys = [entry.key for entry in moved.entries]
    assert "entry-0042" in keys
    assert by_title(moved, "Guid that is not a URL").link is None


# --- titles ---------------------------------------------------------------


@pytest.fixture
def titles_feed() -> ParsedFeed:
    return parse_fixture("atom_titles.xml")


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (0, "Generics: List<T> & Map<K, V>"),
        (1, "Using sed & awk together"),
        (2, "Naïve “fixes” — 3 > 2"),
        (3, "Fish & Chips’ “Friday”"),  # noqa: RUF001
        (4, "Markup in XHTML titles"),
        (5, "Line one and line two"),
    ],
)
def test_atom_title_types(titles_feed: ParsedFeed, index: int, expected: str) -> None:
    assert titles_feed.entries[index].title == expected


def test_titles_have_no_entities_or_tags(titles_feed: ParsedFeed) -> None:
    for entry in titles_feed.entries:
        assert not re.search(r"&(?:#\d+|#x[0-9a-f]+|\w+);", entry.title), entry.title
        assert not re.search(r"</?(?:code|b|i|em|div|p)\b", entry.title), entry.title


def test_html_feed_title_is_plain(titles_feed: ParsedFeed) -> None:
    assert titles_feed.title == "Notes & Sketches"


def test_untitled_uses_summary_words(titles_feed: ParsedFeed) -> None:
    expected = "A short note with no title, written to check that…"
    assert titles_feed.entries[6].title == expected


def test_untitled_without_text_uses_link(titles_feed: ParsedFeed) -> None:
    entry = titles_feed.entries[7]
    assert entry.title == "https://notes.example.org/untitled-with-link"


def test_untitled_placeholder(titles_feed: ParsedFeed) -> None:
    assert titles_feed.entries[8].title == "(untitled)"


def test_author_falls_back_to_feed(titles_feed: ParsedFeed) -> None:
    assert titles_feed.entries[1].author == "Entry Author"
    assert titles_feed.entries[0].author == "Feed Author"


def test_feed_title_falls_back_to_host() -> None:
    body = b'<rss version="2.0"><channel><item><title>x</title></item></channel></rss>'
    feed = parse_feed(body, "https://news.example.com/rss")
    assert feed.title == "news.example.com"


# --- dates ----------------------------------------------------------------

EXPECTED_DATES = {
    "negative-offset": ("2024-06-01T05:10:00+00:00", None),
    "quarter-offset": ("2024-06-01T06:15:00+00:00", None),
    "cest": ("2024-08-20T07:30:00+00:00", None),
    "cet": ("2024-12-10T08:30:00+00:00", None),
    "bst": ("2024-08-21T17:00:00+00:00", None),
    "edt": ("2024-08-23T00:00:00+00:00", None),
    "pdt": ("2024-08-23T00:00:00+00:00", None),
    "jst": ("2024-08-23T00:00:00+00:00", None),
    "gmt": ("2024-08-24T00:00:00+00:00", None),
    "dc-date": (None, "2024-08-24T22:00:00+00:00"),
    "dc-date-only": (None, "2024-08-26T00:00:00+00:00"),
    "garbage": (None, None),
    "unknown-zone": (None, None),
    "no-date": (None, None),
}

# POSIX TZ strings, so the test needs no tz database; the value is the
# expected time.timezone (seconds west of UTC) once the zone is active.
LOCAL_ZONES = {"UTC0": 0, "PST8PDT,M3.2.0,M11.1.0": 8 * 3600, "IST-5:30": -19800}


@pytest.fixture(params=sorted(LOCAL_ZONES))
def local_zone(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Run the test with the process-wide local time zone set to the param."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def test_dates_utc_in_any_local_zone(local_zone: str) -> None:
    assert time.timezone == LOCAL_ZONES[local_zone]
    feed = parse_fixture("rss_dates.xml")
    for entry in feed.entries:
        published, updated = EXPECTED_DATES[entry.key]
        assert iso(entry.published) == published, entry.key
        assert iso(entry.updated) == updated, entry.key


def test_dates_are_aware_utc() -> None:
    feed = parse_fixture("rss_dates.xml")
    dates = [e.published or e.updated for e in feed.entries]
    assert all(d.tzinfo is UTC for d in dates if d is not None)


def test_cest_is_two_hours_before_utc() -> None:
    entry = next(e for e in parse_fixture("rss_dates.xml").entries if e.key == "cest")
    assert entry.published == datetime(2024, 8, 20, 7, 30, tzinfo=UTC)


def test_unknown_zone_reported_as_warning() -> None:
    feed = parse_fixture("rss_dates.xml")
    assert any("QQT" in warning for warning in feed.warnings)


# --- links and enclosures -------------------------------------------------


@pytest.fixture
def relative_feed() -> ParsedFeed:
    return parse_fixture("rss_relative.xml")


def test_relative_feed_link(relative_feed: ParsedFeed) -> None:
    assert relative_feed.link == "http://127.0.0.1:8080/"


def test_relative_entry_links(relative_feed: ParsedFeed) -> None:
    root_relative, path_relative = relative_feed.entries
    assert root_relative.link == "http://127.0.0.1:8080/site/notes/one"
    assert path_relative.link == "http://127.0.0.1:8080/blog/notes/two"


def test_relative_uris_in_body(relative_feed: ParsedFeed) -> None:
    body = relative_feed.entries[0].content
    assert 'src="http://127.0.0.1:8080/blog/pics/one.png"' in body
    assert 'href="http://127.0.0.1:8080/contact"' in body


def test_relative_enclosure_url(relative_feed: ParsedFeed) -> None:
    enclosures = relative_feed.entries[1].enclosures
    assert [e.url for e in enclosures] == ["http://127.0.0.1:8080/audio/two.ogg"]
    assert enclosures[0].length == 2048


def test_relative_links_from_local_file() -> None:
    feed = parse_fixture("rss_relative.xml", url="/srv/feeds/local.xml")
    assert feed.link is None
    assert [e.link for e in feed.entries] == [None, None]


@pytest.fixture
def based_feed() -> ParsedFeed:
    return parse_fixture("atom_xml_base.xml")


def test_xml_base_feed_link(based_feed: ParsedFeed) -> None:
    assert based_feed.link == "https://static.example.net/journal/"


def test_xml_base_entry_link(based_feed: ParsedFeed) -> None:
    first, second = based_feed.entries
    assert first.link == "https://static.example.net/journal/2024/first.html"
    assert second.link == "https://static.example.net/archive/second.html"


def test_xml_base_enclosure_and_body(based_feed: ParsedFeed) -> None:
    first, second = based_feed.entries
    assert [e.url for e in first.enclosures] == [
        "https://static.example.net/journal/media/first.mp3"
    ]
    assert 'src="https://static.example.net/journal/img/first.png"' in first.content
    expected = 'href="https://static.example.net/archive/attachments/notes.txt"'
    assert expected in second.content


@pytest.fixture
def media_feed() -> ParsedFeed:
    return parse_fixture("rss_media.xml")


def test_duplicate_media_listed_once(media_feed: ParsedFeed) -> None:
    (enclosure,) = media_feed.entries[0].enclosures
    assert enclosure.url == "https://files.example.com/one.mp3"
    assert enclosure.type == "audio/mpeg"
    assert enclosure.length == 31337


def test_two_enclosures_in_order(media_feed: ParsedFeed) -> None:
    enclosures = media_feed.entries[1].enclosures
    assert [e.url for e in enclosures] == [
        "https://files.example.com/two.mp3",
        "https://files.example.com/two.opus",
    ]
    assert [e.length for e in enclosures] == [1000, None]


def test_media_content_only(media_feed: ParsedFeed) -> None:
    entry = media_feed.entries[2]
    assert [e.url for e in entry.enclosures] == ["https://files.example.com/three.webm"]
    assert "Described only by media:description." in entry.content


def test_thumbnail_not_an_enclosure(media_feed: ParsedFeed) -> None:
    urls = [e.url for entry in media_feed.entries for e in entry.enclosures]
    assert "https://files.example.com/one.jpg" not in urls


# --- content --------------------------------------------------------------


@pytest.fixture
def content_feed() -> ParsedFeed:
    return parse_fixture("atom_content.xml")


def test_plain_text_content_escaped(content_feed: ParsedFeed) -> None:
    assert content_feed.entries[0].content == (
        "<p>Compare a &lt; b &amp;&amp; c &gt; d.<br>Still the first paragraph.</p>"
        "<p>Second paragraph.</p>"
    )


def test_content_preferred_over_summary(content_feed: ParsedFeed) -> None:
    entry = content_feed.entries[1]
    assert entry.content.startswith("<p>The full article.</p>")
    assert entry.summary == "<p>Teaser only.</p>"


def test_scripts_removed_from_content(content_feed: ParsedFeed) -> None:
    content = content_feed.entries[1].content
    assert "alert" not in content
    assert "javascript:" not in content


# --- formats and encodings ------------------------------------------------


def test_rss10_entries() -> None:
    feed = parse_fixture("rss10.rdf")
    assert feed.title == "Resource Description Digest"
    assert [e.key for e in feed.entries] == [
        "https://rdf.example.org/item/1",
        "https://rdf.example.org/item/2?a=1&b=2",
    ]
    assert feed.entries[1].link == "https://rdf.example.org/item/2?a=1&b=2"


def test_rss10_dc_dates() -> None:
    first, second = parse_fixture("rss10.rdf").entries
    assert first.published is None
    assert first.updated == datetime(2024, 2, 1, 1, 15, tzinfo=UTC)
    assert second.updated == datetime(2024, 2, 2, tzinfo=UTC)


def test_rss10_bodies_and_creator() -> None:
    first, second = parse_fixture("rss10.rdf").entries
    assert first.content == "<p>First <strong>body</strong></p>"
    assert first.author == "Rdf Writer"
    assert second.content == "Second body"


def test_zero_entries() -> None:
    feed = parse_fixture("rss_empty.xml")
    assert feed.title == "Nothing Yet"
    assert feed.link == "https://empty.example.org/"
    assert feed.entries == ()
    assert feed.warnings == ()


def test_cp1252_declared_utf8_text() -> None:
    feed = parse_fixture("rss_declared_utf8_is_cp1252.xml")
    (entry,) = feed.entries
    assert feed.title == "Café Chronicle"
    assert entry.title == "It’s “naïve” – résumé day"  # noqa: RUF001
    assert entry.content == "Crêpe sucrée for 4€ … à bientôt."


def test_cp1252_declared_utf8_warns() -> None:
    feed = parse_fixture("rss_declared_utf8_is_cp1252.xml")
    assert any("windows-1252" in warning for warning in feed.warnings)
    for text in (feed.title, feed.entries[0].title, feed.entries[0].content):
        assert not re.search("[\ufffdÃ]|â€", text), text


def test_control_bytes_stripped() -> None:
    feed = parse_fixture("rss_control_bytes.xml")
    first, second = feed.entries
    assert feed.title == "Escape Hatch"
    assert first.title == "Status report blinking ok"
    assert second.title == "RewriteZZZZZZZ kept"
    for entry in feed.entries:
        assert not CONTROLS.search(entry.title), entry.title
        assert not CONTROLS_EXCEPT_NL_TAB.search(entry.content), entry.content
    assert "owned" not in first.title
    assert "52;" not in first.content


def test_control_bytes_feed_still_read() -> None:
    feed = parse_fixture("rss_control_bytes.xml")
    assert len(feed.entries) == 2
    assert any("not well-formed" in warning for warning in feed.warnings)


def test_charset_from_content_type() -> None:
    body = (
        '<rss version="2.0"><channel><title>Привет</title>'
        "<item><guid>1</guid><title>Новости</title></item></channel></rss>"
    ).encode("koi8-r")
    feed = parse_feed(body, FEED_URL, content_type="application/xml; charset=koi8-r")
    assert feed.title == "Привет"
    assert feed.entries[0].title == "Новости"


def test_feed_served_as_text_html() -> None:
    feed = parse_fixture("rss_empty.xml", content_type="text/html; charset=utf-8")
    assert feed.title == "Nothing Yet"
    assert any("text/html" in warning for warning in feed.warnings)


# --- documents that are not feeds -----------------------------------------


def test_html_page_rejected() -> None:
    with pytest.raises(ParseError) as error:
        parse_fixture("page.html", url="http://127.0.0.1:8080/")
    message = str(error.value)
    assert "http://127.0.0.1:8080/" in message
    assert "HTML page" in message
    assert "feed URL" in message


def test_html_content_type_rejected() -> None:
    with pytest.raises(ParseError, match="HTML page"):
        parse_feed(b"<body><p>hello</p></body>", FEED_URL, content_type="text/html")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty body"),
        (b" \r\n\t", "empty body"),
        (gzip.compress(b"<rss version='2.0'/>"), "gzip-compressed"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "JSON Feed"),
        (b"<?xml version='1.0'?><config><a>1</a></config>", "root element <config>"),
        (b"just some words, no markup", "not well-formed XML"),
    ],
)
def test_non_feed_rejected(content: bytes, expected: str) -> None:
    with pytest.raises(ParseError, match=re.escape(expected)) as error:
        parse_feed(content, FEED_URL)
    assert FEED_URL in str(error.value)


@pytest.mark.parametrize(
    "content",
    [
        b'<rss version="2.0"><channel><title>x</title>'
        b"<item><title>a &#x110000; b</title></item></channel></rss>",
        b'<?xml version="1.0" encoding="\x94x"?>'
        b'<rss version="2.0"><channel><title>x</title></channel></rss>',
    ],
)
def test_feedparser_crash_is_parse_error(content: bytes) -> None:
    with pytest.raises(ParseError, match="could not be parsed") as error:
        parse_feed(content, FEED_URL)
    assert FEED_URL in str(error.value)


def test_invalid_xml_base_ignored() -> None:
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b'<entry xml:base="http://[::1"><id>1</id><title>a</title>'
        b'<link href="p/1"/></entry></feed>'
    )
    (entry,) = parse_feed(body, FEED_URL).entries
    assert entry.title == "a"
    assert entry.key
    assert entry.link in (None, "http://127.0.0.1:8080/blog/p/1")


def test_body_never_opened_as_path(tmp_path: Path) -> None:
    feed_file = tmp_path / "elsewhere.xml"
    feed_file.write_bytes((FEEDS / "rss_empty.xml").read_bytes())
    with pytest.raises(ParseError):
        parse_feed(str(feed_file).encode(), FEED_URL)


# --- the real seed feed ---------------------------------------------------


@pytest.mark.seed
def test_seed_feed(seed_feed_path: Path) -> None:
    body = seed_feed_path.read_bytes()
    atom = "{http://www.w3.org/2005/Atom}"
    ids = [e.findtext(f"{atom}id") for e in ET.fromstring(body).iter(f"{atom}entry")]

    feed = parse_feed(body, "https://www.honeybadger.io/blog/feed.xml")

    assert feed.title == "Honeybadger Developer Blog"
    assert len(feed.entries) == 11
    assert [entry.key for entry in feed.entries] == ids
    assert any("\N{RIGHT SINGLE QUOTATION MARK}" in e.title for e in feed.entries)
    for entry in feed.entries:
        assert not re.search(r"&(?:#\d+|#x[0-9a-fA-F]+|\w+);", entry.title)
        assert entry.link is not None
        assert entry.link.startswith("https://")
        assert entry.published is not None
        assert entry.published.tzinfo is UTC
        assert entry.content
