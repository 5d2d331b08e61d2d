"""Compression faults and request headers, through fetch and refresh.

Every response comes from a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from reader.fetch import fetch_feed, make_client
from reader.models import FetchError
from reader.store import Store
from reader.update import refresh_feeds
from tests.routes import Route, RouteServer

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Packed Harbour</title>
<link>http://127.0.0.1/</link><description>compression fixture</description>
<item><guid>packed-1</guid><title>Crates unpacked</title>
<pubDate>Wed, 05 Jun 2024 12:00:00 +0200</pubDate>
<description>Every crate opened.</description></item>
</channel></rss>
"""
OTHER = FEED.replace(b"Packed Harbour", b"Plain Harbour").replace(
    b"packed-1", b"plain-1"
)
RSS = {"Content-Type": "application/rss+xml"}
GZIP = {**RSS, "Content-Encoding": "gzip"}
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")

VARIANTS = {
    "/honest.xml": Route(gzip.compress(FEED), GZIP),
    "/no-header.xml": Route(gzip.compress(FEED), RSS),
    "/plain-labelled.xml": Route(FEED, GZIP),
    "/truncated.xml": Route(gzip.compress(FEED)[:-8], GZIP),
    "/truncated-no-header.xml": Route(gzip.compress(FEED)[:60], RSS),
    "/twice.xml": Route(gzip.compress(gzip.compress(FEED)), GZIP),
    "/bomb.xml": Route(gzip.compress(bytes(16 * 1024 * 1024)), RSS),
    "/other.xml": Route(OTHER, RSS),
}


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
def server(module_server: RouteServer) -> RouteServer:
    """Return the module's server serving every variant, with an empty log."""
    module_server.routes = dict(VARIANTS)
    module_server.requests.clear()
    return module_server


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(concurrency=4) as http:
        yield http


@pytest.mark.parametrize(
    "path", ["/honest.xml", "/no-header.xml", "/plain-labelled.xml", "/twice.xml"]
)
async def test_fetch_returns_document(
    server: RouteServer, client: httpx.AsyncClient, path: str
) -> None:
    result = await fetch_feed(client, server.url(path))
    assert result.content == FEED


async def test_fetch_sends_supported_codings(
    server: RouteServer, client: httpx.AsyncClient
) -> None:
    await fetch_feed(client, server.url("/honest.xml"))
    _, headers = server.requests[0]
    assert headers["Accept-Encoding"] == "gzip, deflate"


async def test_fetch_accepts_json_feed(
    server: RouteServer, client: httpx.AsyncClient
) -> None:
    await fetch_feed(client, server.url("/honest.xml"))
    _, headers = server.requests[0]
    media_types = [part.split(";")[0] for part in headers["Accept"].split(", ")]
    assert "application/feed+json" in media_types
    assert "application/json" in media_types
    assert media_types[0] == "application/atom+xml"


@pytest.mark.parametrize("path", ["/truncated.xml", "/truncated-no-header.xml"])
async def test_fetch_truncated_gzip_error(
    server: RouteServer, client: httpx.AsyncClient, path: str
) -> None:
    url = server.url(path)
    with pytest.raises(FetchError) as caught:
        await fetch_feed(client, url)
    message = str(caught.value)
    assert message.startswith(f"{url}: the gzip body is truncated")
    assert "cut short" in message


async def test_fetch_headerless_bomb_capped(
    server: RouteServer, client: httpx.AsyncClient
) -> None:
    url = server.url("/bomb.xml")
    with pytest.raises(FetchError) as caught:
        await fetch_feed(client, url, max_bytes=1024 * 1024)
    assert str(caught.value) == f"{url}: response is larger than the 1 MiB limit"
    assert len(VARIANTS["/bomb.xml"].body) < 100_000


async def test_refresh_all_variants(server: RouteServer, db_path: Path) -> None:
    paths = [
        "/honest.xml",
        "/no-header.xml",
        "/plain-labelled.xml",
        "/truncated.xml",
        "/other.xml",
    ]
    with Store(db_path) as store:
        ids = {path: store.add_feed(server.url(path)).id for path in paths}
        summary = await refresh_feeds(store)

        failed = {result.url for result in summary.failed}
        assert failed == {server.url("/truncated.xml")}
        for path in ("/honest.xml", "/no-header.xml", "/plain-labelled.xml"):
            feed = store.get_feed(ids[path])
            (entry,) = store.list_entries(ids[path])
            assert feed.last_error is None, path
            assert feed.title == "Packed Harbour", path
            assert entry.title == "Crates unpacked", path
            assert entry.published == datetime(2024, 6, 5, 10, 0, tzinfo=UTC), path
        assert store.get_feed(ids["/other.xml"]).last_error is None
        assert [e.key for e in store.list_entries(ids["/other.xml"])] == ["plain-1"]
        truncated = store.get_feed(ids["/truncated.xml"])
        assert truncated.last_error is not None
        assert "gzip body is truncated" in truncated.last_error


async def test_truncated_refresh_keeps_cache(
    server: RouteServer, db_path: Path
) -> None:
    server.routes["/later.xml"] = Route(gzip.compress(FEED), GZIP)
    with Store(db_path) as store:
        feed = store.add_feed(server.url("/later.xml"))
        first = await refresh_feeds(store)
        server.routes["/later.xml"] = Route(gzip.compress(FEED)[:-8], GZIP)
        second = await refresh_feeds(store)

        assert first.failed == ()
        assert len(second.failed) == 1
        stored = store.get_feed(feed.id)
        assert stored.last_error is not None
        assert "truncated" in stored.last_error
        assert [e.key for e in store.list_entries(feed.id)] == ["packed-1"]
