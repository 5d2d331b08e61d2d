"""JSON Feed 1.0 and 1.1 documents through parse_feed."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.models import Enclosure, ParsedEntry, ParsedFeed, ParseError
from reader.parse import parse_feed

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
FEED_URL = "https://harbor.example.net/harbor/feed.json"


def parse_json(name: str, content_type: str | None = "application/feed+json"):
    """Parse a JSON Feed fixture as if fetched from FEED_URL."""
    return parse_feed((FEEDS / name).read_bytes(), FEED_URL, content_type=content_type)


def entry_with_key(feed: ParsedFeed, key: str) -> ParsedEntry:
    """Return the entry with this key; fail the test if there is none."""
    matches = [entry for entry in feed.entries if entry.key == key]
    assert len(matches) == 1, [entry.key for entry in feed.entries]
    return matches[0]


@pytest.fixture
def harbor() -> ParsedFeed:
    return parse_json("jsonfeed_11.json")


def test_feed_title_and_link(harbor: ParsedFeed) -> None:
    assert harbor.title == "Harbor Log & Notes"
    assert harbor.link == "https://harbor.example.net/harbor/"


def test_every_object_item_kept(harbor: ParsedFeed) -> None:
    assert len(harbor.entries) == 9


def test_keys_in_document_order(harbor: ParsedFeed) -> None:
    keys = [entry.key for entry in harbor.entries]
    assert keys[:5] == [
        "tide-1",
        "2",
        "https://harbor.example.net/ep/3",
        "https://harbor.example.net/posts/no-id",
        "https://elsewhere.example.org/article",
    ]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", keys[5])
    assert keys[6:] == ["https://harbor.example.net/posts/blank-id", "tide-1#2", "tz"]


def test_keys_stable_across_parses(harbor: ParsedFeed) -> None:
    again = parse_json("jsonfeed_11.json")
    assert [e.key for e in again.entries] == [e.key for e in harbor.entries]


def test_html_content_sanitized_and_absolute(harbor: ParsedFeed) -> None:
    entry = entry_with_key(harbor, "tide-1")
    assert entry.title == "Tide tables, revisited"
    assert entry.link == "https://harbor.example.net/harbor/posts/tide-tables"
    assert 'href="https://harbor.example.net/charts/"' in entry.content
    assert 'src="https://harbor.example.net/harbor/img/tide.png"' in entry.content
    assert "script" not in entry.content
    assert "steal" not in entry.content


def test_summary_is_escaped_text(harbor: ParsedFeed) -> None:
    entry = entry_with_key(harbor, "tide-1")
    assert entry.summary == "<p>Short &lt;b&gt;plain&lt;/b&gt; summary</p>"


def test_dates_converted_to_utc(harbor: ParsedFeed) -> None:
    entry = entry_with_key(harbor, "tide-1")
    assert entry.published == datetime(2024, 5, 2, 7, 15, tzinfo=UTC)
    assert entry.updated == datetime(2024, 5, 3, 18, 0, tzinfo=UTC)
    assert entry.published.tzinfo is UTC


def test_date_only_is_midnight_utc(harbor: ParsedFeed) -> None:
    assert entry_with_key(harbor, "2").published == datetime(2024, 5, 4, tzinfo=UTC)


def test_modified_only_has_no_published(harbor: ParsedFeed) -> None:
    entry = entry_with_key(harbor, "https://harbor.example.net/ep/3")
    assert entry.published is None
    assert entry.updated == datetime(2024, 5, 5, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize("zone", ["UTC0", "PST8PDT,M3.2.0,M11.1.0", "IST-5:30"])
def test_dates_ignore_local_zone(zone: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        feed = parse_json("jsonfeed_11.json")
    finally:
        monkeypatch.undo()
        time.tzset()
    dates = {entry.key: entry.published for entry in feed.entries}
    assert dates["tide-1"] == datetime(2024, 5, 2, 7, 15, tzinfo=UTC)
    assert dates["2"] == datetime(2024, 5, 4, tzinfo=UTC)
    assert dates["tz"] == datetime(2024, 5, 11, 8, 0, tzinfo=UTC)


def test_named_zone_date_converted(harbor: ParsedFeed) -> None:
    entry = entry_with_key(harbor, "tz")
    assert entry.published == datetime(2024, 5, 11, 8, 0, tzinfo=UTC)


def test_invalid_date_missing_and_warned(harbor: ParsedFeed) -> None:
    entry = entry_with_key(harbor, "https://harbor.example.net/posts/no-id")
    assert entry.published is None
    assert entry.updated is None
    assert any("yesterday-ish" in warning for warning in harbor.warnings)


def test_content_text_stays_literal(harbor: ParsedFeed) -> None:
    entry = entry_with_key(harbor, "2")
    assert entry.content == (
        "<p>Ropes &amp; knots: a note without a title.<br>"
        "Use Vec&lt;T&gt; here, not Box&lt;dyn T&gt;.</p>"
        "<p>Second paragraph.</p>"
    )


def test_untitled_item_gets_first_words(harbor: ParsedFeed) -> None:
    entry = entry_with_key(harbor, "2")
    assert entry.title == "Ropes & knots: a note without a title. Use Vec<T>…"


def test_numeric_id_becomes_string(harbor: ParsedFeed) -> None:
    assert entry_with_key(harbor, "2").link == "https://harbor.example.net/notes/2"


def test_attachments_become_enclosures(harbor: ParsedFeed) -> None:
    entry = entry_with_key(harbor, "https://harbor.example.net/ep/3")
    assert entry.enclosures == (
        Enclosure("https://harbor.example.net/media/ep3.mp3", "audio/mpeg", 4823115),
        Enclosure("https://cdn.example.net/ep3.m4a", "audio/mp4", None),
        Enclosure("https://cdn.example.net/ep3.jpg", "image/jpeg", None),
    )


def test_item_without_url_has_no_link(harbor: ParsedFeed) -> None:
    assert entry_with_key(harbor, "https://harbor.example.net/ep/3").link is None
    assert entry_with_key(harbor, "tide-1#2").link is None


def test_external_url_is_link_and_key(harbor: ParsedFeed) -> None:
    entry = entry_with_key(harbor, "https://elsewhere.example.org/article")
    assert entry.link == "https://elsewhere.example.org/article"
    assert entry.title == "Neither id nor url"


def test_blank_id_falls_back_to_url(harbor: ParsedFeed) -> None:
    entry = entry_with_key(harbor, "https://harbor.example.net/posts/blank-id")
    assert entry.title == "Blank id"


def test_repeated_id_keeps_both(harbor: ParsedFeed) -> None:
    first = entry_with_key(harbor, "tide-1")
    second = entry_with_key(harbor, "tide-1#2")
    assert first.title == "Tide tables, revisited"
    assert second.title == "Second item reusing tide-1"


def test_summary_only_item_body(harbor: ParsedFeed) -> None:
    entry = entry_with_key(harbor, "https://harbor.example.net/posts/no-id")
    assert entry.content == "<p>Only a summary here.</p>"


def test_item_authors_then_feed_authors(harbor: ParsedFeed) -> None:
    assert entry_with_key(harbor, "tide-1").author == "Mara Quay, Ivo Dock"
    assert entry_with_key(harbor, "2").author == "Feed Keeper"


def test_lone_surrogate_removed(harbor: ParsedFeed) -> None:
    entry = entry_with_key(harbor, "tz")
    assert entry.title == "Zone names"
    assert "\ud800" not in entry.title


def test_non_object_item_skipped_with_warning(harbor: ParsedFeed) -> None:
    assert "item 9 is not a JSON object, so it was skipped" in harbor.warnings


def test_version_1_author_object() -> None:
    feed = parse_json("jsonfeed_10.json")
    first, second = feed.entries
    assert feed.title == "Old Style Journal"
    assert first.author == "Journal Writer"
    assert second.author == "Guest Writer"
    assert first.published == datetime(2023, 11, 20, 8, 0, tzinfo=UTC)
    assert first.enclosures == (
        Enclosure("https://journal.example.com/j-1.ogg", "audio/ogg", 2048),
    )
    assert second.content == "<p>Plain body.</p>"
    assert feed.warnings == ()


@pytest.mark.parametrize(
    "content_type", [None, "application/json", "application/feed+json; charset=utf-8"]
)
def test_detected_with_any_content_type(content_type: str | None) -> None:
    feed = parse_json("jsonfeed_10.json", content_type=content_type)
    assert [entry.key for entry in feed.entries] == ["j-1", "j-2"]


def test_utf16_json_feed() -> None:
    text = (FEEDS / "jsonfeed_10.json").read_text("utf-8").replace("First", "Prvé")
    feed = parse_feed(text.encode("utf-16"), FEED_URL, content_type="application/json")
    assert feed.entries[0].title == "Prvé entry"


def test_windows_1252_bytes_in_json_feed() -> None:
    body = (FEEDS / "jsonfeed_10.json").read_bytes()
    body = body.replace(b"First entry", b"Caf\xe9 \x93menu\x94")
    feed = parse_feed(body, FEED_URL)
    assert feed.entries[0].title == "Café “menu”"
    assert any("windows-1252" in warning for warning in feed.warnings)


def test_unknown_version_warns() -> None:
    document = {"version": "https://jsonfeed.org/version/2", "title": "t", "items": []}
    feed = parse_feed(json.dumps(document).encode(), FEED_URL)
    assert feed.entries == ()
    assert any("version/2" in warning for warning in feed.warnings)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"title": "x", "items": [', "is not valid JSON"),
        (b"[1, 2]", "JSON list, not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "not a JSON Feed"),
        (b'{"version": "1.1", "items": []}', "not a JSON Feed"),
        (b"[" * 100_000 + b"]" * 100_000, "is not valid JSON"),
    ],
)
def test_invalid_json_feed_rejected(body: bytes, expected: str) -> None:
    with pytest.raises(ParseError, match=re.escape(expected)) as error:
        parse_feed(body, FEED_URL, content_type="application/feed+json")
    assert FEED_URL in str(error.value)


def test_xml_served_as_json_still_xml() -> None:
    body = b'<rss version="2.0"><channel><title>Mislabelled</title></channel></rss>'
    feed = parse_feed(body, FEED_URL, content_type="application/json")
    assert feed.title == "Mislabelled"
