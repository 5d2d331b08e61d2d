"""Relative URLs in JSON Feed item bodies: which base they resolve against.

An item whose ``url`` is an absolute http(s) URL is the base for its body
and attachments, as an RSS item's absolute link is. Otherwise the URL the
feed was fetched from is the base.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.cli import main
from reader.models import ParsedEntry, ParsedFeed
from reader.parse import parse_feed
from reader.store import Store
from tests.support import StaticServer

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
FEED_URL = "http://127.0.0.1:8080/digest/feed.json"


@pytest.fixture
def digest() -> ParsedFeed:
    body = (FEEDS / "jsonfeed_item_base.json").read_bytes()
    return parse_feed(body, FEED_URL, content_type="application/feed+json")


def entry(feed: ParsedFeed, key: str) -> ParsedEntry:
    (match,) = [e for e in feed.entries if e.key == key]
    return match


def test_body_resolves_against_absolute_item_url(digest: ParsedFeed) -> None:
    body = entry(digest, "kelp-1").content
    assert 'src="https://dana.example.com/2024/09/kelp/photos/canopy.jpg"' in body
    assert 'href="https://dana.example.com/notes/"' in body
    assert 'href="https://dana.example.com/2024/09/harvest"' in body
    assert "127.0.0.1" not in body


def test_attachment_resolves_against_item_url(digest: ParsedFeed) -> None:
    (enclosure,) = entry(digest, "kelp-1").enclosures
    assert enclosure.url == "https://dana.example.com/2024/09/kelp/audio/paddle.mp3"


def test_relative_item_url_leaves_feed_base(digest: ParsedFeed) -> None:
    item = entry(digest, "kelp-2")
    assert item.link == "http://127.0.0.1:8080/digest/posts/two"
    assert 'src="http://127.0.0.1:8080/digest/img/two.png"' in item.content


def test_missing_item_url_leaves_feed_base(digest: ParsedFeed) -> None:
    item = entry(digest, "kelp-3")
    assert item.link is None
    assert 'href="http://127.0.0.1:8080/digest/three.html"' in item.content
    (enclosure,) = item.enclosures
    assert enclosure.url == "http://127.0.0.1:8080/digest/media/three.ogg"


def test_non_http_item_url_leaves_feed_base(digest: ParsedFeed) -> None:
    item = entry(digest, "kelp-4")
    assert item.link is None
    assert 'src="http://127.0.0.1:8080/digest/four.png"' in item.content


def test_content_text_is_not_resolved(digest: ParsedFeed) -> None:
    body = entry(digest, "kelp-5").content
    assert body == "<p>See photos/plain.jpg for the picture.</p>"


def test_shown_markdown_uses_item_url_base(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = (FEEDS / "jsonfeed_item_base.json").read_bytes()
    server = StaticServer({"/digest/feed.json": (body, "application/feed+json")})
    try:
        assert main(["add", server.url("/digest/feed.json")]) == 0
    finally:
        server.stop()
    store = Store(db_path)
    try:
        (stored,) = [e for e in store.list_entries(limit=10) if e.key == "kelp-1"]
    finally:
        store.close()
    capsys.readouterr()
    assert main(["show", str(stored.id)]) == 0
    markdown = capsys.readouterr().out
    assert "<https://dana.example.com/2024/09/kelp/photos/canopy.jpg>" in markdown
    assert "<https://dana.example.com/notes/>" in markdown
    assert "<https://dana.example.com/2024/09/harvest>" in markdown
    assert "127.0.0.1" not in markdown
