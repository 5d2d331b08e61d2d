"""Relative URLs in entry bodies: which base they resolve against.

An entry's xml:base wins. Without one, a body resolves against the entry's
link when the feed gives that link as an absolute URL, because aggregated
feeds carry posts from other sites. Otherwise the feed's URL is the base.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.cli import main
from reader.models import ParsedFeed
from reader.parse import parse_feed
from reader.store import Store
from tests.support import StaticServer

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
FEED_URL = "http://127.0.0.1:8080/planet/feed.xml"


def parse_fixture(name: str, url: str = FEED_URL) -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), url)


@pytest.fixture
def planet() -> ParsedFeed:
    return parse_fixture("rss_item_link_base.xml")


def test_body_resolves_against_absolute_item_link(planet: ParsedFeed) -> None:
    body = planet.entries[0].content
    assert 'src="https://ana.example.com/2024/08/tomatoes/photos/vine.jpg"' in body
    assert 'href="https://ana.example.com/notes/"' in body
    assert 'href="https://ana.example.com/about"' in body


def test_enclosure_resolves_against_item_link(planet: ParsedFeed) -> None:
    (enclosure,) = planet.entries[0].enclosures
    assert (
        enclosure.url
        == "https://ana.example.com/2024/08/tomatoes/audio/walkthrough.mp3"
    )


def test_relative_item_link_leaves_feed_url_base(planet: ParsedFeed) -> None:
    entry = planet.entries[1]
    assert entry.link == "http://127.0.0.1:8080/planet/posts/two"
    assert 'src="http://127.0.0.1:8080/planet/img/two.png"' in entry.content


def test_item_xml_base_wins_over_item_link(planet: ParsedFeed) -> None:
    entry = planet.entries[2]
    assert entry.link == "https://ben.example.com/beans"
    assert 'src="https://mirror.example.net/beans/pods.png"' in entry.content


def test_atom_body_resolves_against_entry_link() -> None:
    feed = parse_fixture("atom_entry_link_base.xml")
    assert (
        'src="https://cleo.example.com/essays/soil/figure-1.svg"'
        in feed.entries[0].content
    )


def test_atom_content_xml_base_wins() -> None:
    feed = parse_fixture("atom_entry_link_base.xml")
    assert 'src="https://static.example.net/rain/chart.png"' in feed.entries[1].content


def test_shown_markdown_uses_item_link_base(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = (FEEDS / "rss_item_link_base.xml").read_bytes()
    server = StaticServer({"/planet/feed.xml": (body, "application/rss+xml")})
    try:
        assert main(["add", server.url("/planet/feed.xml")]) == 0
    finally:
        server.stop()
    store = Store(db_path)
    try:
        (entry,) = [e for e in store.list_entries(limit=10) if e.key == "planet-1"]
    finally:
        store.close()
    capsys.readouterr()
    assert main(["show", str(entry.id)]) == 0
    markdown = capsys.readouterr().out
    assert "<https://ana.example.com/2024/08/tomatoes/photos/vine.jpg>" in markdown
    assert "<https://ana.example.com/notes/>" in markdown
    assert "127.0.0.1" not in markdown
