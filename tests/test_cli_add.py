"""``tidings add`` over HTTP: one request per document, whatever it finds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.cli import main
from reader.store import Store
from tests.routes import Route, RouteServer

RSS_HEADERS = {
    "Content-Type": "application/rss+xml",
    "ETag": '"v1"',
    "Cache-Control": "max-age=600",
}
HTML_HEADERS = {"Content-Type": "text/html; charset=utf-8"}


def rss(title: str) -> bytes:
    """Return an RSS 2.0 document with two items."""
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        "<link>https://harbor.example.org/</link><ttl>90</ttl>"
        "<item><guid>h-1</guid><title>Low tide</title></item>"
        "<item><guid>h-2</guid><title>High tide</title></item>"
        "</channel></rss>"
    ).encode()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(list(args))
    return status, capsys.readouterr().out


def test_add_feed_fetches_once(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = RouteServer()
    server.routes["/harbor.xml"] = Route(rss("Harbor Log"), RSS_HEADERS)
    with server.running():
        status, out = run(capsys, "add", server.url("/harbor.xml"))
    assert status == 0
    assert out == "Added feed 1: Harbor Log (2 entries)\n"
    assert server.paths() == ["/harbor.xml"]


def test_add_feed_stores_fetch_state(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = RouteServer()
    server.routes["/harbor.xml"] = Route(rss("Harbor Log"), RSS_HEADERS)
    with server.running():
        assert run(capsys, "add", server.url("/harbor.xml"))[0] == 0
        # The stored ETag makes the next refresh conditional.
        assert run(capsys, "refresh", "--force", "1")[0] == 0
    assert server.requests[1][1].get("If-None-Match") == '"v1"'
    with Store(db_path) as store:
        (feed,) = store.list_feeds()
        titles = [entry.title for entry in store.list_entries(feed.id)]
    assert feed.last_refreshed is not None
    assert feed.last_error is None
    assert sorted(titles) == ["High tide", "Low tide"]
    status, out = run(capsys, "feeds", "--json")
    assert status == 0
    (listed,) = json.loads(out)
    assert listed["update_interval"] == 90 * 60
    assert listed["next_refresh"] is not None


def test_add_page_fetches_probed_feed_once(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = RouteServer()
    server.routes["/blog/"] = Route(
        b"<!DOCTYPE html><html><p>Hi</p></html>", HTML_HEADERS
    )
    server.routes["/blog/feed.xml"] = Route(rss("Harbor Log"), RSS_HEADERS)
    with server.running():
        status, out = run(capsys, "add", server.url("/blog/"))
    assert status == 0
    assert out == "Added feed 1: Harbor Log (2 entries)\n"
    assert server.paths().count("/blog/feed.xml") == 1
    assert server.paths().count("/blog/") == 1


def test_add_page_link_fetches_feed_once(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = RouteServer()
    head = '<link rel="alternate" type="application/rss+xml" href="/harbor.xml">'
    page = f"<!DOCTYPE html><html><head>{head}</head><body></body></html>"
    server.routes["/"] = Route(page.encode(), HTML_HEADERS)
    server.routes["/harbor.xml"] = Route(rss("Harbor Log"), RSS_HEADERS)
    with server.running():
        status, out = run(capsys, "add", server.url("/"))
    assert status == 0
    assert out == "Added feed 1: Harbor Log (2 entries)\n"
    assert server.paths() == ["/", "/harbor.xml"]


def test_add_without_scheme_rejected(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = RouteServer()
    server.routes["/harbor.xml"] = Route(rss("Harbor Log"), RSS_HEADERS)
    with server.running():
        bare = server.url("/harbor.xml").removeprefix("http://")
        status = main(["add", bare])
    err = capsys.readouterr().err
    assert status == 2
    assert f"invalid feed URL '{bare}': it has no scheme" in err
    assert f"use http://{bare} or https://{bare}" in err
    assert server.paths() == []
    with Store(db_path) as store:
        assert store.list_feeds() == []


def test_add_failed_fetch_says_how_to_remove(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = RouteServer()
    with server.running():
        status = main(["add", server.url("/missing.xml")])
    captured = capsys.readouterr()
    assert status == 1
    assert captured.out == f"Added feed 1: {server.url('/missing.xml')}\n"
    assert "404" in captured.err
    assert "feed 1 stays subscribed" in captured.err
    assert "tidings remove 1" in captured.err
    with Store(db_path) as store:
        assert [feed.id for feed in store.list_feeds()] == [1]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            b"hello world\n",
            "is not an RSS, Atom or JSON Feed document: it is plain text",
        ),
        (b"", "is empty, not an RSS, Atom or JSON Feed document"),
        (b"<!DOCTYPE html><html><p>hi</p></html>", "is an HTML page, not an RSS"),
        (b'<?xml version="1.0"?><note>x</note>', "is XML but not an RSS, Atom"),
        (b'{"title": "x"}', "is a JSON document but not a JSON Feed"),
    ],
)
def test_add_local_non_feed_rejected(
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    reason: str,
) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(content)

    status = main(["add", str(path)])

    err = capsys.readouterr().err
    assert status == 2
    assert f"{path} {reason}" in err
    assert err.rstrip().endswith("; nothing was added")
    assert "<unknown>" not in err
    with Store(db_path) as store:
        assert store.list_feeds() == []


def test_add_local_malformed_xml_position(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.xml"
    path.write_bytes(b'<?xml version="1.0"?>\n<notes>\n  <to>x</too>\n</notes>\n')

    status = main(["add", str(path)])

    err = capsys.readouterr().err
    assert status == 2
    assert f"{path}:3:10: not an RSS, Atom or JSON Feed document" in err
    assert "it is not well-formed XML (mismatched tag)" in err
    assert "<unknown>" not in err
