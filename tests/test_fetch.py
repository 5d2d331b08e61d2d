"""fetch_feed against real HTTP servers on 127.0.0.1, and local files."""

from __future__ import annotations

import asyncio
import gzip
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from reader import __version__
from reader.fetch import (
    USER_AGENT,
    fetch_feed,
    is_local,
    make_client,
    normalize_feed_url,
)
from reader.models import FetchError, InvalidFeedURLError

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Fetch fixture</title>
<link>http://127.0.0.1/</link><description>bytes for fetch tests</description>
<item><title>One</title><guid>one</guid><link>http://127.0.0.1/one</link></item>
</channel></rss>
"""
ETAG = 'W/"5e1f-a0b1;x=1"'
LAST_MODIFIED = "Tue, 02 Dec 2025 10:20:30 GMT"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every request on 127.0.0.1 even where a proxy is configured."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(scope="module")
def module_server() -> Iterator[HTTPServer]:
    """Start one server per module; stopping one takes up to half a second."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(module_server: HTTPServer) -> Iterator[HTTPServer]:
    """Return the module's server with no expectations and an empty log."""
    module_server.clear()
    yield module_server
    module_server.clear()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """Return a client made by make_client, closed after the test."""
    async with make_client(concurrency=4) as http:
        yield http


class RawServer:
    """A TCP server on 127.0.0.1 that runs a coroutine for each connection.

    For what pytest-httpserver cannot do: stall, trickle bytes or send
    something that is not HTTP.
    """

    def __init__(self, respond: Callable[[asyncio.StreamWriter], Awaitable[None]]):
        self._respond = respond
        self._tasks: set[asyncio.Task[None]] = set()
        self.url = ""

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/feed"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await reader.readuntil(b"\r\n\r\n")
            await self._respond(writer)
        finally:
            writer.close()


async def stall(writer: asyncio.StreamWriter) -> None:
    """Send nothing until the server shuts down."""
    await asyncio.Event().wait()


async def trickle(writer: asyncio.StreamWriter) -> None:
    """Promise 10,000 bytes and send one every 50 ms."""
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n")
    while True:
        writer.write(b"x")
        await writer.drain()
        await asyncio.sleep(0.05)


async def garbage(writer: asyncio.StreamWriter) -> None:
    """Send bytes that are not an HTTP response."""
    writer.write(b"this is not http\r\n\r\n")
    await writer.drain()


def closed_port() -> int:
    """Return a port on 127.0.0.1 that was bound and closed, so nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Successful fetches


async def test_fetch_returns_body_and_validators(
    server: HTTPServer, client: httpx.AsyncClient
) -> None:
    server.expect_request("/feed").respond_with_data(
        FEED,
        content_type="application/rss+xml; charset=utf-8",
        headers={"ETag": ETAG, "Last-Modified": LAST_MODIFIED},
    )
    url = server.url_for("/feed")

    result = await fetch_feed(client, url)

    assert result.content == FEED
    assert result.url == url
    assert result.etag == ETAG
    assert result.last_modified == LAST_MODIFIED
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.permanent_redirect is False
    assert result.not_modified is False


async def test_fetch_sends_user_agent(
    server: HTTPServer, client: httpx.AsyncClient
) -> None:
    server.expect_request("/feed").respond_with_data(FEED)

    await fetch_feed(client, server.url_for("/feed"))

    request, _ = server.log[0]
    assert request.headers["User-Agent"] == USER_AGENT
    assert request.headers["User-Agent"].startswith(f"tidings/{__version__} ")
    assert "application/atom+xml" in request.headers["Accept"]


async def test_fetch_sends_validators_exactly(
    server: HTTPServer, client: httpx.AsyncClient
) -> None:
    server.expect_request(
        "/feed",
        headers={"If-None-Match": ETAG, "If-Modified-Since": LAST_MODIFIED},
    ).respond_with_data("", status=304, headers={"ETag": ETAG})

    result = await fetch_feed(
        client, server.url_for("/feed"), etag=ETAG, last_modified=LAST_MODIFIED
    )

    request, response = server.log[0]
    assert response.status_code == 304
    assert request.headers["If-None-Match"] == ETAG
    assert request.headers["If-Modified-Since"] == LAST_MODIFIED
    assert result.not_modified
    assert result.content is None
    assert result.etag == ETAG


@pytest.mark.parametrize(
    "etag",
    [
        '"\u00e9t\u00e9"',  # Latin-1 bytes on the wire
        '"\u00c3\u00a9"',  # UTF-8 bytes of "é", as werkzeug writes Latin-1
    ],
)
async def test_fetch_round_trips_non_ascii_etag(
    server: HTTPServer, client: httpx.AsyncClient, etag: str
) -> None:
    server.expect_oneshot_request("/feed").respond_with_data(
        FEED, headers={"ETag": etag}
    )
    server.expect_oneshot_request(
        "/feed", headers={"If-None-Match": etag}
    ).respond_with_data("", status=304)
    url = server.url_for("/feed")

    first = await fetch_feed(client, url)
    second = await fetch_feed(client, url, etag=first.etag)

    request, _ = server.log[1]
    assert first.etag == etag
    assert request.headers["If-None-Match"] == etag
    assert second.not_modified


async def test_fetch_without_validators_sends_none(
    server: HTTPServer, client: httpx.AsyncClient
) -> None:
    server.expect_request("/feed").respond_with_data(FEED)

    await fetch_feed(client, server.url_for("/feed"))

    request, _ = server.log[0]
    assert "If-None-Match" not in request.headers
    assert "If-Modified-Since" not in request.headers


async def test_fetch_decodes_gzip(
    server: HTTPServer, client: httpx.AsyncClient
) -> None:
    server.expect_request("/feed").respond_with_data(
        gzip.compress(FEED),
        content_type="application/rss+xml",
        headers={"Content-Encoding": "gzip"},
    )

    result = await fetch_feed(client, server.url_for("/feed"))

    request, _ = server.log[0]
    assert "gzip" in request.headers["Accept-Encoding"]
    assert result.content == FEED


# Redirects


def redirect(server: HTTPServer, path: str, status: int, target: str) -> None:
    """Make ``path`` respond with ``status`` and a Location of ``target``."""
    server.expect_request(path).respond_with_data(
        "", status=status, headers={"Location": server.url_for(target)}
    )


@pytest.mark.parametrize(
    ("statuses", "permanent"),
    [
        ((301,), True),
        ((308,), True),
        ((301, 308), True),
        ((302,), False),
        ((307,), False),
        ((301, 302), False),
        ((302, 301), False),
    ],
)
async def test_fetch_redirect_permanence(
    server: HTTPServer,
    client: httpx.AsyncClient,
    statuses: tuple[int, ...],
    permanent: bool,
) -> None:
    for hop, status in enumerate(statuses):
        redirect(server, f"/hop{hop}", status, f"/hop{hop + 1}")
    server.expect_request(f"/hop{len(statuses)}").respond_with_data(FEED)

    result = await fetch_feed(client, server.url_for("/hop0"))

    assert result.content == FEED
    assert result.url == server.url_for(f"/hop{len(statuses)}")
    assert result.permanent_redirect is permanent


async def test_fetch_redirect_loop_fails(
    server: HTTPServer, client: httpx.AsyncClient
) -> None:
    redirect(server, "/a", 302, "/b")
    redirect(server, "/b", 302, "/a")
    url = server.url_for("/a")

    with pytest.raises(FetchError) as caught:
        await fetch_feed(client, url)

    assert str(caught.value) == f"{url}: too many redirects (more than 10)"


async def test_fetch_rejects_redirect_to_file(
    server: HTTPServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_bytes(FEED)
    server.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": secret.as_uri()}
    )
    url = server.url_for("/feed")

    with pytest.raises(FetchError) as caught:
        await fetch_feed(client, url)

    assert str(caught.value).startswith(f"{url}: invalid or unsupported URL")


# HTTP errors


@pytest.mark.parametrize(
    ("status", "phrase"),
    [(404, "Not Found"), (500, "Internal Server Error"), (403, "Forbidden")],
)
async def test_fetch_http_error_names_status(
    server: HTTPServer, client: httpx.AsyncClient, status: int, phrase: str
) -> None:
    server.expect_request("/feed").respond_with_data("nope", status=status)
    url = server.url_for("/feed")

    with pytest.raises(FetchError) as caught:
        await fetch_feed(client, url)

    assert str(caught.value) == f"{url}: HTTP {status} {phrase}"


async def test_fetch_error_after_redirect_names_target(
    server: HTTPServer, client: httpx.AsyncClient
) -> None:
    redirect(server, "/old", 301, "/gone")
    server.expect_request("/gone").respond_with_data("", status=410)
    url = server.url_for("/old")

    with pytest.raises(FetchError) as caught:
        await fetch_feed(client, url)

    message = str(caught.value)
    assert message.startswith(f"{url}: HTTP 410 Gone (redirected to ")
    assert server.url_for("/gone") in message
    assert "unsubscribe" in message


async def test_fetch_503_reports_retry_after(
    server: HTTPServer, client: httpx.AsyncClient
) -> None:
    server.expect_request("/feed").respond_with_data(
        "busy", status=503, headers={"Retry-After": "120"}
    )
    url = server.url_for("/feed")

    with pytest.raises(FetchError) as caught:
        await fetch_feed(client, url)

    assert str(caught.value) == (
        f"{url}: HTTP 503 Service Unavailable; the server asks to retry after 120 s"
    )


async def test_fetch_ignores_server_reason_phrase(
    server: HTTPServer, client: httpx.AsyncClient
) -> None:
    response = Response("nope", status="404 \x1b[31mPWNED")
    server.expect_request("/feed").respond_with_response(response)
    url = server.url_for("/feed")

    with pytest.raises(FetchError) as caught:
        await fetch_feed(client, url)

    assert str(caught.value) == f"{url}: HTTP 404 Not Found"


# Size cap


async def test_fetch_rejects_declared_size_over_cap(
    server: HTTPServer, client: httpx.AsyncClient
) -> None:
    server.expect_request("/feed").respond_with_data(b"x" * 5000)
    url = server.url_for("/feed")

    with pytest.raises(FetchError) as caught:
        await fetch_feed(client, url, max_bytes=1000)

    assert str(caught.value) == f"{url}: response is larger than the 1000 bytes limit"


async def test_fetch_caps_streamed_body(
    server: HTTPServer, client: httpx.AsyncClient
) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 1000

    # A generator body has no Content-Length, so only the streaming count
    # can stop it.
    server.expect_request("/feed").respond_with_response(Response(chunks()))
    url = server.url_for("/feed")

    with pytest.raises(FetchError) as caught:
        await fetch_feed(client, url, max_bytes=20_000)

    _, response = server.log[0]
    assert "Content-Length" not in response.headers
    assert str(caught.value) == f"{url}: response is larger than the 20000 bytes limit"


async def test_fetch_caps_decoded_gzip_size(
    server: HTTPServer, client: httpx.AsyncClient
) -> None:
    bomb = gzip.compress(bytes(8 * 1024 * 1024))
    server.expect_request("/feed").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"}
    )
    url = server.url_for("/feed")

    with pytest.raises(FetchError) as caught:
        await fetch_feed(client, url, max_bytes=1024 * 1024)

    assert len(bomb) < 1024 * 1024
    assert str(caught.value) == f"{url}: response is larger than the 1 MiB limit"


async def test_fetch_accepts_body_at_cap(
    server: HTTPServer, client: httpx.AsyncClient
) -> None:
    server.expect_request("/feed").respond_with_data(b"x" * 1000)

    result = await fetch_feed(client, server.url_for("/feed"), max_bytes=1000)

    assert result.content == b"x" * 1000


# Network failures


async def test_fetch_dns_failure() -> None:
    url = "http://feeds.tidings-test.invalid/feed"
    async with make_client() as http:
        with pytest.raises(FetchError) as caught:
            await fetch_feed(http, url)

    message = str(caught.value)
    assert message.startswith(
        f"{url}: DNS lookup failed for feeds.tidings-test.invalid ("
    )


async def test_fetch_connection_refused(client: httpx.AsyncClient) -> None:
    port = closed_port()
    url = f"http://127.0.0.1:{port}/feed"

    with pytest.raises(FetchError) as caught:
        await fetch_feed(client, url)

    assert str(caught.value) == f"{url}: connection refused by 127.0.0.1:{port}"


async def test_fetch_read_timeout() -> None:
    async with RawServer(stall) as raw, make_client(timeout=0.3) as http:
        with pytest.raises(FetchError) as caught:
            await fetch_feed(http, raw.url)

    assert str(caught.value) == (
        f"{raw.url}: timed out after 0.3 s waiting for the server"
    )


async def test_fetch_total_timeout_stops_trickle() -> None:
    async with RawServer(trickle) as raw, make_client(timeout=5) as http:
        with pytest.raises(FetchError) as caught:
            await fetch_feed(http, raw.url, total_timeout=0.5)

    assert str(caught.value) == f"{raw.url}: timed out after 0.5 s"


async def test_fetch_invalid_http_response() -> None:
    async with RawServer(garbage) as raw, make_client() as http:
        with pytest.raises(FetchError) as caught:
            await fetch_feed(http, raw.url)

    assert str(caught.value).startswith(f"{raw.url}: invalid HTTP response: ")


async def test_fetch_rejects_other_schemes(client: httpx.AsyncClient) -> None:
    with pytest.raises(FetchError) as caught:
        await fetch_feed(client, "ftp://127.0.0.1/feed")

    assert str(caught.value) == (
        "ftp://127.0.0.1/feed: not an http(s) URL or an absolute file path"
    )


# Local files


async def test_fetch_reads_local_path(
    tmp_path: Path, client: httpx.AsyncClient
) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)

    result = await fetch_feed(client, str(path))

    assert result.content == FEED
    assert result.url == str(path)
    assert result.permanent_redirect is False


async def test_fetch_reads_file_url(tmp_path: Path, client: httpx.AsyncClient) -> None:
    path = tmp_path / "a feed.xml"
    path.write_bytes(FEED)
    url = path.as_uri()

    result = await fetch_feed(client, url)

    assert "%20" in url
    assert result.content == FEED
    assert result.url == url


@pytest.mark.parametrize(
    ("name", "reason"),
    [("missing.xml", "No such file or directory"), ("", "Is a directory")],
)
async def test_fetch_unreadable_local_file(
    tmp_path: Path, client: httpx.AsyncClient, name: str, reason: str
) -> None:
    path = str(tmp_path / name) if name else str(tmp_path)

    with pytest.raises(FetchError) as caught:
        await fetch_feed(client, path)

    assert str(caught.value) == f"{path}: cannot read the file ({reason})"


async def test_fetch_caps_local_file(tmp_path: Path, client: httpx.AsyncClient) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(b"x" * 2000)

    with pytest.raises(FetchError) as caught:
        await fetch_feed(client, str(path), max_bytes=1000)

    assert str(caught.value) == f"{path}: response is larger than the 1000 bytes limit"


async def test_fetch_rejects_remote_file_url(client: httpx.AsyncClient) -> None:
    with pytest.raises(FetchError) as caught:
        await fetch_feed(client, "file://elsewhere/feed.xml")

    assert "file URLs on another host are not supported" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("/srv/feeds/a.xml", True),
        ("file:///srv/feeds/a.xml", True),
        ("FILE:///srv/feeds/a.xml", True),
        ("https://example.org/feed", False),
        ("http://127.0.0.1:8000/feed", False),
        ("feeds/a.xml", False),
    ],
)
def test_is_local(url: str, local: bool) -> None:
    assert is_local(url) is local


# Normalising what the user typed


def test_normalize_keeps_http_urls() -> None:
    assert normalize_feed_url("https://example.org/feed") == "https://example.org/feed"
    assert normalize_feed_url(" http://127.0.0.1:8000/f ") == "http://127.0.0.1:8000/f"
    assert (
        normalize_feed_url("HTTPS://example.org/a?b=c") == "https://example.org/a?b=c"
    )


def test_normalize_adds_https_to_bare_host() -> None:
    assert normalize_feed_url("example.org/feed") == "https://example.org/feed"
    assert normalize_feed_url("localhost:8080/feed") == "https://localhost:8080/feed"


def test_normalize_makes_paths_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    monkeypatch.chdir(tmp_path)

    assert normalize_feed_url("feed.xml") == str(path)
    assert normalize_feed_url("./feed.xml") == str(path)
    assert normalize_feed_url(str(path)) == str(path)
    assert normalize_feed_url(path.as_uri()) == str(path)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "it is empty"),
        ("ftp://example.org/feed", "the scheme 'ftp' is not supported"),
        ("javascript:alert(1)", "the scheme 'javascript' is not supported"),
        ("mailto:someone@example.org", "the scheme 'mailto' is not supported"),
        ("http:///feed", "it has no host name"),
        ("http://exa mple.org/", "it contains whitespace"),
        ("example.org/a feed", "it contains whitespace"),
        ("http://example.org:http/", "the port is invalid"),
        ("./missing.xml", "no such file"),
        (".", "it is a directory"),
        ("bad\x00name.xml", "control characters"),
        ("http://example.org/\x1b[31m", "control characters"),
        ("missing.xml", "neither an existing file nor a URL"),
        ("feedhost", "neither an existing file nor a URL"),
        ("file://elsewhere/feed.xml", "file URLs on another host"),
    ],
)
def test_normalize_rejects_invalid(
    text: str, reason: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    with pytest.raises(InvalidFeedURLError) as caught:
        normalize_feed_url(text)

    message = str(caught.value)
    assert message.startswith(f"invalid feed URL {text!r}: ")
    assert reason in message
    assert "give an http(s) URL" in message
