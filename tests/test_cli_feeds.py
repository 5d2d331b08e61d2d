"""``tidings add`` discovery and the stored feed values the CLI prints.

Every feed is served by a real HTTP server on 127.0.0.1, and every value is
read back through ``tidings entries --json`` or ``tidings show --header``.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.cli import main
from tests.routes import Route, RouteServer

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml"}
JSON_FEED = {"Content-Type": "application/feed+json"}
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def json_output(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    status, out, err = run(capsys, *args, "--json")
    assert status == 0, err
    return json.loads(out)


def rss(title: str, items: str) -> bytes:
    """Return an RSS 2.0 document with the given item elements."""
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://127.0.0.1/</link>{items}</channel></rss>"
    ).encode()


def page(links: str) -> bytes:
    return f"<!DOCTYPE html><html><head>{links}</head><body></body></html>".encode()


def feed_link(kind: str, href: str, title: str) -> str:
    """Return a link tag announcing a feed of type application/``kind``."""
    media_type = f"application/{kind}"
    return f'<link rel="alternate" type="{media_type}" href="{href}" title="{title}">'


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every request on 127.0.0.1 even where a proxy is configured."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(scope="module")
def module_server() -> Iterator[RouteServer]:
    """Start one server per module; stopping one takes up to half a second."""
    with RouteServer().running() as routes:
        yield routes


@pytest.fixture
def server(module_server: RouteServer, db_path: Path) -> RouteServer:
    """Return the module's server with a blog page listing three feeds."""
    links = (
        feed_link("rss+xml", "posts.xml", "Posts")
        + feed_link("atom+xml", "/blog/comments.atom", "Comments")
        + feed_link("feed+json", "feed.json", "Posts as JSON")
    )
    module_server.routes = {
        "/blog/": Route(page(links), HTML),
        "/single/": Route(page(feed_link("rss+xml", "/single/rss", "Only")), HTML),
        "/single/rss": Route(rss("Single", "<item><guid>s1</guid></item>"), RSS),
        "/blog/posts.xml": Route(
            rss("Blog posts", "<item><guid>b1</guid></item>"), RSS
        ),
        "/blog/comments.atom": Route(b"", RSS, 404),
        "/blog/feed.json": Route((FEEDS / "jsonfeed_11.json").read_bytes(), JSON_FEED),
        "/empty/": Route(page(""), HTML),
    }
    module_server.requests.clear()
    return module_server


# --- discovery ------------------------------------------------------------------


def test_add_page_with_one_feed(server: RouteServer, capsys) -> None:
    status, out, _ = run(capsys, "add", server.url("/single/"))
    assert status == 0
    assert out == "Added feed 1: Single (1 entry)\n"
    (feed,) = json_output(capsys, "feeds")
    assert feed["url"] == server.url("/single/rss")


def test_add_page_with_several_lists_them(server: RouteServer, capsys) -> None:
    url = server.url("/blog/")
    status, out, err = run(capsys, "add", url)
    assert status == 2
    assert out.splitlines() == [
        f"{url} lists 3 feeds:",
        f"  1. Posts (RSS)  <{server.url('/blog/posts.xml')}>",
        f"  2. Comments (Atom)  <{server.url('/blog/comments.atom')}>",
        f"  3. Posts as JSON (JSON Feed)  <{server.url('/blog/feed.json')}>",
    ]
    assert err == f"tidings: choose one and run: tidings add {url} --pick N\n"
    assert json_output(capsys, "feeds") == []


def test_add_pick_chooses_feed(server: RouteServer, capsys) -> None:
    status, out, _ = run(capsys, "add", server.url("/blog/"), "--pick", "3")
    assert status == 0
    assert out == "Added feed 1: Harbor Log & Notes (9 entries)\n"
    (feed,) = json_output(capsys, "feeds")
    assert feed["url"] == server.url("/blog/feed.json")


@pytest.mark.parametrize("pick", ["0", "4", "-1"])
def test_add_pick_out_of_range(server: RouteServer, capsys, pick: str) -> None:
    status, out, err = run(capsys, "add", server.url("/blog/"), "--pick", pick)
    assert status == 2
    assert out == ""
    assert f"invalid --pick {pick}" in err
    assert json_output(capsys, "feeds") == []


def test_add_pick_needs_web_url(server: RouteServer, capsys) -> None:
    path = str(FEEDS / "rss092.xml")
    status, _, err = run(capsys, "add", path, "--pick", "1")
    assert status == 2
    assert "invalid --pick 1" in err


def test_add_page_without_feeds(server: RouteServer, capsys) -> None:
    url = server.url("/empty/")
    status, out, err = run(capsys, "add", url)
    assert status == 2
    assert out == ""
    assert err.startswith(f"tidings: {url} is an HTML page that announces no feed")
    assert json_output(capsys, "feeds") == []


def test_add_picked_feed_that_fails(server: RouteServer, capsys) -> None:
    status, out, err = run(capsys, "add", server.url("/blog/"), "--pick", "2")
    assert status == 1
    assert out == f"Added feed 1: {server.url('/blog/comments.atom')}\n"
    assert "HTTP 404 Not Found" in err


def test_add_while_server_down(db_path: Path, capsys) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/feed.xml"
    status, out, err = run(capsys, "add", url)
    assert status == 1
    assert out == f"Added feed 1: {url}\n"
    assert "connection refused" in err
    (feed,) = json_output(capsys, "feeds")
    assert feed["url"] == url
    assert "connection refused" in feed["last_error"]


def test_add_subscribed_url_sends_nothing(server: RouteServer, capsys) -> None:
    url = server.url("/single/rss")
    assert run(capsys, "add", url)[0] == 0
    server.requests.clear()
    status, _, err = run(capsys, "add", url)
    assert status == 2
    assert "already subscribed as feed 1" in err
    assert server.requests == []


# --- stored values ----------------------------------------------------------------


def test_json_feed_entries_json(server: RouteServer, capsys) -> None:
    assert run(capsys, "add", server.url("/blog/feed.json"))[0] == 0
    entries = {entry["key"]: entry for entry in json_output(capsys, "entries")}
    assert len(entries) == 9

    episode = entries["https://harbor.example.net/ep/3"]
    assert episode["title"] == "Episode 3: Fog horns"
    assert episode["link"] is None
    assert episode["published"] == "2024-05-05T10:30:00Z"
    assert episode["enclosures"] == [
        {"url": server.url("/media/ep3.mp3"), "type": "audio/mpeg", "length": 4823115},
        {"url": "https://cdn.example.net/ep3.m4a", "type": "audio/mp4", "length": None},
        {
            "url": "https://cdn.example.net/ep3.jpg",
            "type": "image/jpeg",
            "length": None,
        },
    ]
    note = entries["2"]
    assert note["title"] == "Ropes & knots: a note without a title. Use Vec<T>…"
    assert note["link"] == "https://harbor.example.net/notes/2"
    assert note["published"] == "2024-05-04T00:00:00Z"


def test_json_feed_text_body_literal(server: RouteServer, capsys) -> None:
    assert run(capsys, "add", server.url("/blog/feed.json"))[0] == 0
    entry = next(e for e in json_output(capsys, "entries") if e["key"] == "2")
    status, out, _ = run(capsys, "show", str(entry["id"]), "--format", "text")
    assert status == 0
    assert "Use Vec<T> here, not Box<dyn T>." in out


def test_show_header_lists_enclosures(server: RouteServer, capsys) -> None:
    assert run(capsys, "add", server.url("/blog/feed.json"))[0] == 0
    entries = json_output(capsys, "entries")
    episode = next(e for e in entries if e["key"] == "https://harbor.example.net/ep/3")
    status, out, _ = run(capsys, "show", str(episode["id"]), "--header")
    assert status == 0
    enclosure_lines = [line for line in out.splitlines() if line.startswith("Encl")]
    assert enclosure_lines == [
        f"Enclosure: {server.url('/media/ep3.mp3')} (audio/mpeg, 4.6 MiB)",
        "Enclosure: https://cdn.example.net/ep3.m4a (audio/mp4)",
        "Enclosure: https://cdn.example.net/ep3.jpg (image/jpeg)",
    ]


def test_repeated_guid_stored_twice(server: RouteServer, capsys) -> None:
    items = (
        "<item><guid>same</guid><title>First copy</title></item>"
        "<item><guid>same</guid><title>Second copy</title></item>"
    )
    server.routes["/dupes.xml"] = Route(rss("Dupes", items), RSS)
    assert run(capsys, "add", server.url("/dupes.xml"))[0] == 0
    assert run(capsys, "refresh")[0] == 0
    entries = json_output(capsys, "entries")
    assert sorted((e["key"], e["title"]) for e in entries) == [
        ("same", "First copy"),
        ("same#2", "Second copy"),
    ]


def test_unparseable_date_sorts_by_first_seen(server: RouteServer, capsys) -> None:
    items = (
        "<item><guid>old</guid><title>Dated</title>"
        "<pubDate>Tue, 03 Mar 2020 10:00:00 +0000</pubDate></item>"
        "<item><guid>bad</guid><title>Bad date</title>"
        "<pubDate>the day after the storm</pubDate></item>"
        "<item><guid>zone</guid><title>Unknown zone</title>"
        "<pubDate>Tue, 03 Mar 2020 10:00:00 XYZT</pubDate></item>"
    )
    server.routes["/dates.xml"] = Route(rss("Dates", items), RSS)
    before = time.time()
    assert run(capsys, "add", server.url("/dates.xml"))[0] == 0
    first = json_output(capsys, "entries")

    assert [e["key"] for e in first] == ["bad", "zone", "old"]
    assert first[2]["published"] == "2020-03-03T10:00:00Z"
    for entry in first[:2]:
        assert entry["published"] is None
        seen = datetime.strptime(entry["first_seen"], "%Y-%m-%dT%H:%M:%SZ")
        assert abs(seen.replace(tzinfo=UTC).timestamp() - before) < 60

    server.routes["/dates.xml"] = Route(rss("Dates", items + "<!-- changed -->"), RSS)
    assert run(capsys, "refresh")[0] == 0
    assert json_output(capsys, "entries") == first


def test_relative_urls_use_final_url(server: RouteServer, capsys) -> None:
    items = (
        "<item><guid>r1</guid><title>Moved</title><link>posts/one</link>"
        '<enclosure url="../media/one.ogg" type="audio/ogg" length="10"/></item>'
    )
    server.routes["/old.xml"] = Route(b"", {"Location": "/new/dir/feed.xml"}, 302)
    server.routes["/new/dir/feed.xml"] = Route(rss("Moved", items), RSS)
    assert run(capsys, "add", server.url("/old.xml"))[0] == 0
    (entry,) = json_output(capsys, "entries")
    assert entry["link"] == server.url("/new/dir/posts/one")
    assert entry["enclosures"] == [
        {"url": server.url("/new/media/one.ogg"), "type": "audio/ogg", "length": 10}
    ]
