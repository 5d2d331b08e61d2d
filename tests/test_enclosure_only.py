"""Entries that are only an enclosure: no id, link, title, date or text.

Some podcast feeds publish such items. Each needs its own key, made from its
enclosure URLs, so a new episode at the top of the feed is stored as a new
entry instead of overwriting the episode that was first before. Its title
is the enclosure's file name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reader.cli import main
from tests.routes import Route, RouteServer

JSON_FEED = {"Content-Type": "application/feed+json"}
RSS = {"Content-Type": "application/rss+xml"}


def json_feed(*files: str) -> bytes:
    """Return a JSON Feed with one attachment-only item per file name."""
    items = [
        {"attachments": [{"url": f"https://cast.example.net/ep/{name}"}]}
        for name in files
    ]
    document = {"version": "https://jsonfeed.org/version/1.1", "items": items}
    return json.dumps(document).encode()


def rss_feed(*files: str) -> bytes:
    """Return an RSS feed with one enclosure-only item per file name."""
    items = "".join(
        f'<item><enclosure url="https://cast.example.net/ep/{name}" '
        'type="audio/mpeg" length="100"/></item>'
        for name in files
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Cast</title>'
        f"{items}</channel></rss>"
    ).encode()


@pytest.fixture
def server(db_path: Path) -> Iterator[RouteServer]:
    with RouteServer().running() as routes:
        yield routes


def stored(capsys: pytest.CaptureFixture[str]) -> dict[str, dict]:
    """Return the stored entries by title, read with ``tidings entries``."""
    capsys.readouterr()
    assert main(["entries", "--json"]) == 0
    return {e["title"]: e for e in json.loads(capsys.readouterr().out)}


def check_new_episode_added(
    server: RouteServer,
    capsys: pytest.CaptureFixture[str],
    make_feed: Callable[..., bytes],
    headers: dict[str, str],
) -> None:
    server.routes["/cast"] = Route(make_feed("one.mp3", "two.mp3"), headers)
    assert main(["add", server.url("/cast")]) == 0
    before = stored(capsys)
    assert sorted(before) == ["one.mp3", "two.mp3"]
    assert before["one.mp3"]["key"] != before["two.mp3"]["key"]

    server.routes["/cast"] = Route(
        make_feed("three.mp3", "one.mp3", "two.mp3"), headers
    )
    assert main(["refresh"]) == 0
    after = stored(capsys)
    assert sorted(after) == ["one.mp3", "three.mp3", "two.mp3"]
    assert after["one.mp3"]["key"] == before["one.mp3"]["key"]
    assert after["two.mp3"]["key"] == before["two.mp3"]["key"]
    assert after["one.mp3"]["id"] == before["one.mp3"]["id"]
    assert after["three.mp3"]["enclosures"][0]["url"].endswith("/ep/three.mp3")


def test_json_new_episode_is_new_entry(
    server: RouteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    check_new_episode_added(server, capsys, json_feed, JSON_FEED)


def test_rss_new_episode_is_new_entry(
    server: RouteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    check_new_episode_added(server, capsys, rss_feed, RSS)
