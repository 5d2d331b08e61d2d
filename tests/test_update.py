"""refresh_feeds against real HTTP servers on 127.0.0.1 and a real cache."""

from __future__ import annotations

import gzip
import logging
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from reader import parse, parsepool
from reader.fetch import make_client
from reader.models import Entry, Feed, FeedNotFoundError, FeedRefreshed
from reader.store import Store
from reader.update import refresh_feeds, refresh_feeds_sync

ETAG = '"v1-7f3a"'
LAST_MODIFIED = "Wed, 03 Dec 2025 08:00:00 GMT"
HTML_PAGE = b"<!DOCTYPE html><html><head><title>Blog</title></head><body></body></html>"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def rss(title: str, items: list[tuple[str, str, str]]) -> bytes:
    """Return an RSS 2.0 document with (guid, title, body) items."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{title}</title><link>http://127.0.0.1/</link>",
        "<description>written for the refresh tests</description>",
    ]
    for guid, item_title, body in items:
        parts.append(
            f"<item><guid isPermaLink='false'>{guid}</guid>"
            f"<title>{item_title}</title><link>http://127.0.0.1/{guid}</link>"
            f"<description>&lt;p&gt;{body}&lt;/p&gt;</description>"
            "<pubDate>Mon, 01 Dec 2025 12:00:00 GMT</pubDate></item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode()


FEED = rss(
    "Refresh fixture",
    [("first", "First post", "Hello."), ("second", "Second post", "Again.")],
)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every request on 127.0.0.1 even where a proxy is configured."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def start_server(threaded: bool) -> HTTPServer:
    """Start a pytest-httpserver server on 127.0.0.1 with a free port."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=threaded)
    server.start()
    return server


@pytest.fixture(scope="module")
def module_server() -> Iterator[HTTPServer]:
    """Start one server per module; stopping one takes up to half a second."""
    server = start_server(threaded=False)
    yield server
    server.stop()


@pytest.fixture
def server(module_server: HTTPServer) -> Iterator[HTTPServer]:
    """Return the module's server with no expectations and an empty log."""
    module_server.clear()
    yield module_server
    module_server.clear()


@pytest.fixture(scope="module")
def threaded_server() -> Iterator[HTTPServer]:
    """Start a server that handles requests concurrently, one thread each."""
    server = start_server(threaded=True)
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """Return an empty cache under tmp_path."""
    with Store(db_path) as cache:
        yield cache


@pytest.fixture
def parse_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the URL of each parse_feed call made in this process."""
    calls: list[str] = []
    original = parse.parse_feed

    def counting_parse(content: bytes, url: str, **kwargs: Any) -> Any:
        calls.append(url)
        return original(content, url, **kwargs)

    monkeypatch.setattr(parse, "parse_feed", counting_parse)
    return calls


def serve(server: HTTPServer, path: str, body: bytes, **kwargs: Any) -> None:
    """Make ``path`` respond 200 with ``body`` to the next request only."""
    kwargs.setdefault("content_type", "application/rss+xml")
    server.expect_oneshot_request(path).respond_with_data(body, **kwargs)


def entries_by_key(store: Store, feed_id: int) -> dict[str, Entry]:
    """Return the feed's stored entries keyed by entry key."""
    return {entry.key: entry for entry in store.list_entries(feed_id)}


async def refresh_good_copy(server: HTTPServer, store: Store) -> Feed:
    """Subscribe to /feed, refresh it once with FEED, return the feed."""
    serve(server, "/feed", FEED)
    feed = store.add_feed(server.url_for("/feed"))
    summary = await refresh_feeds(store)
    assert summary.results[0].new == 2
    return store.get_feed(feed.id)


def closed_port() -> int:
    """Return a port on 127.0.0.1 that was bound and closed, so nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Successful refreshes


async def test_refresh_stores_entries(server: HTTPServer, store: Store) -> None:
    serve(server, "/feed", FEED, headers={"ETag": ETAG})
    feed = store.add_feed(server.url_for("/feed"))

    summary = await refresh_feeds(store)

    assert summary.results == (FeedRefreshed(feed.id, feed.url, new=2),)
    stored = store.get_feed(feed.id)
    assert stored.title == "Refresh fixture"
    assert stored.etag == ETAG
    assert stored.last_error is None
    assert stored.last_refreshed is not None
    entries = entries_by_key(store, feed.id)
    assert sorted(entries) == ["first", "second"]
    assert entries["first"].title == "First post"
    assert entries["first"].link == "http://127.0.0.1/first"
    assert "Hello." in entries["first"].content


async def test_refresh_304_sends_etag_and_skips_parse(
    server: HTTPServer, store: Store, parse_calls: list[str]
) -> None:
    serve(server, "/feed", FEED, headers={"ETag": ETAG})
    feed = store.add_feed(server.url_for("/feed"))
    await refresh_feeds(store)
    before = store.get_feed(feed.id)
    entries_before = store.list_entries(feed.id)
    server.expect_oneshot_request(
        "/feed", headers={"If-None-Match": ETAG}
    ).respond_with_data("", status=304, headers={"ETag": ETAG})

    summary = await refresh_feeds(store)

    request, response = server.log[-1]
    assert request.headers["If-None-Match"] == ETAG
    assert response.status_code == 304
    assert summary.results == (FeedRefreshed(feed.id, feed.url, not_modified=True),)
    assert parse_calls == [feed.url]
    after = store.get_feed(feed.id)
    assert store.list_entries(feed.id) == entries_before
    assert after.etag == ETAG
    assert after.title == before.title
    assert before.last_refreshed is not None
    assert after.last_refreshed is not None
    assert after.last_refreshed > before.last_refreshed


async def test_refresh_last_modified_round_trip(
    server: HTTPServer, store: Store
) -> None:
    serve(server, "/feed", FEED, headers={"Last-Modified": LAST_MODIFIED})
    feed = store.add_feed(server.url_for("/feed"))
    await refresh_feeds(store)
    server.expect_oneshot_request(
        "/feed", headers={"If-Modified-Since": LAST_MODIFIED}
    ).respond_with_data("", status=304)

    summary = await refresh_feeds(store)

    request, _ = server.log[-1]
    assert store.get_feed(feed.id).last_modified == LAST_MODIFIED
    assert request.headers["If-Modified-Since"] == LAST_MODIFIED
    assert "If-None-Match" not in request.headers
    assert summary.results[0].not_modified


async def test_refresh_same_body_skips_parse(
    server: HTTPServer, store: Store, parse_calls: list[str]
) -> None:
    serve(server, "/feed", FEED)
    feed = store.add_feed(server.url_for("/feed"))
    await refresh_feeds(store)
    before = store.get_feed(feed.id)
    entries_before = store.list_entries(feed.id)
    serve(server, "/feed", FEED)

    summary = await refresh_feeds(store)

    request, response = server.log[-1]
    assert "If-None-Match" not in request.headers
    assert response.status_code == 200
    assert summary.results == (FeedRefreshed(feed.id, feed.url, not_modified=True),)
    assert parse_calls == [feed.url]
    assert store.list_entries(feed.id) == entries_before
    after = store.get_feed(feed.id)
    assert before.last_refreshed is not None
    assert after.last_refreshed is not None
    assert after.last_refreshed > before.last_refreshed


async def test_refresh_changed_body_parses_again(
    server: HTTPServer, store: Store, parse_calls: list[str]
) -> None:
    feed = await refresh_good_copy(server, store)
    serve(server, "/feed", rss("Refresh fixture", [("third", "Third post", "New.")]))

    summary = await refresh_feeds(store)

    assert summary.results == (FeedRefreshed(feed.id, feed.url, new=1),)
    assert parse_calls == [feed.url, feed.url]
    assert sorted(entries_by_key(store, feed.id)) == ["first", "second", "third"]


async def test_refresh_decodes_gzip(server: HTTPServer, store: Store) -> None:
    serve(server, "/feed", gzip.compress(FEED), headers={"Content-Encoding": "gzip"})
    feed = store.add_feed(server.url_for("/feed"))

    summary = await refresh_feeds(store)

    assert summary.failed == ()
    assert sorted(entries_by_key(store, feed.id)) == ["first", "second"]


async def test_refresh_keeps_read_and_starred(server: HTTPServer, store: Store) -> None:
    feed = await refresh_good_copy(server, store)
    entries = entries_by_key(store, feed.id)
    store.set_read([entries["first"].id], True)
    store.set_starred([entries["second"].id], True)
    changed = rss(
        "Renamed fixture",
        [("first", "First post, edited", "Edited."), ("second", "Second!", "More.")],
    )
    serve(server, "/feed", changed)

    summary = await refresh_feeds(store)

    assert summary.results == (FeedRefreshed(feed.id, feed.url, updated=2),)
    after = entries_by_key(store, feed.id)
    assert after["first"].id == entries["first"].id
    assert after["second"].id == entries["second"].id
    assert after["first"].title == "First post, edited"
    assert "Edited." in after["first"].content
    assert after["first"].read is True
    assert after["first"].starred is False
    assert after["second"].starred is True
    assert after["second"].read is False
    assert store.get_feed(feed.id).title == "Renamed fixture"


# Redirects


async def test_refresh_301_updates_stored_url(server: HTTPServer, store: Store) -> None:
    new_url = server.url_for("/new")
    server.expect_oneshot_request("/old").respond_with_data(
        "", status=301, headers={"Location": new_url}
    )
    serve(server, "/new", FEED)
    feed = store.add_feed(server.url_for("/old"))

    summary = await refresh_feeds(store)

    assert summary.failed == ()
    assert store.get_feed(feed.id).url == new_url
    assert len(store.list_entries(feed.id)) == 2


async def test_refresh_302_keeps_stored_url(server: HTTPServer, store: Store) -> None:
    server.expect_oneshot_request("/old").respond_with_data(
        "", status=302, headers={"Location": server.url_for("/new")}
    )
    serve(server, "/new", FEED)
    feed = store.add_feed(server.url_for("/old"))

    summary = await refresh_feeds(store)

    assert summary.failed == ()
    assert store.get_feed(feed.id).url == server.url_for("/old")
    assert len(store.list_entries(feed.id)) == 2


# Failures keep the cached entries


@pytest.mark.parametrize(
    ("status", "phrase"), [(404, "Not Found"), (500, "Internal Server Error")]
)
async def test_refresh_http_error_keeps_entries(
    server: HTTPServer, store: Store, status: int, phrase: str
) -> None:
    feed = await refresh_good_copy(server, store)
    entries_before = store.list_entries(feed.id)
    server.expect_oneshot_request("/feed").respond_with_data("no", status=status)

    summary = await refresh_feeds(store)

    message = f"{feed.url}: HTTP {status} {phrase}"
    assert summary.failed == (FeedRefreshed(feed.id, feed.url, error=message),)
    assert store.get_feed(feed.id).last_error == message
    assert store.list_entries(feed.id) == entries_before


async def test_refresh_error_then_success_clears_error(
    server: HTTPServer, store: Store
) -> None:
    feed = await refresh_good_copy(server, store)
    server.expect_oneshot_request("/feed").respond_with_data("no", status=500)
    await refresh_feeds(store)
    serve(server, "/feed", FEED)

    summary = await refresh_feeds(store)

    assert summary.failed == ()
    assert store.get_feed(feed.id).last_error is None


async def test_refresh_html_page_keeps_entries(
    server: HTTPServer, store: Store
) -> None:
    feed = await refresh_good_copy(server, store)
    entries_before = store.list_entries(feed.id)
    serve(server, "/feed", HTML_PAGE, content_type="text/html; charset=utf-8")

    summary = await refresh_feeds(store)

    error = store.get_feed(feed.id).last_error
    assert error is not None
    assert error.startswith(feed.url)
    assert "HTML page" in error
    assert summary.results[0].error == error
    assert store.list_entries(feed.id) == entries_before
    assert store.body_hash(feed.id) is not None


async def test_refresh_size_cap_keeps_entries(server: HTTPServer, store: Store) -> None:
    feed = await refresh_good_copy(server, store)
    entries_before = store.list_entries(feed.id)
    serve(server, "/feed", FEED + b"<!--" + b"x" * 4000 + b"-->")

    summary = await refresh_feeds(store, max_bytes=len(FEED) + 100)

    limit = len(FEED) + 100
    message = f"{feed.url}: response is larger than the {limit} bytes limit"
    assert summary.results[0].error == message
    assert store.get_feed(feed.id).last_error == message
    assert store.list_entries(feed.id) == entries_before


async def test_refresh_timeout_keeps_entries(
    threaded_server: HTTPServer, store: Store
) -> None:
    threaded_server.clear()
    feed = await refresh_good_copy(threaded_server, store)
    entries_before = store.list_entries(feed.id)

    def answer_late(request: Request) -> Response:
        time.sleep(1.5)
        return Response(FEED, content_type="application/rss+xml")

    threaded_server.expect_oneshot_request("/feed").respond_with_handler(answer_late)

    async with make_client(timeout=0.3) as client:
        summary = await refresh_feeds(store, client=client)

    message = f"{feed.url}: timed out after 0.3 s waiting for the server"
    assert summary.results[0].error == message
    assert store.get_feed(feed.id).last_error == message
    assert store.list_entries(feed.id) == entries_before


async def test_refresh_network_failures_recorded(store: Store) -> None:
    port = closed_port()
    refused = store.add_feed(f"http://127.0.0.1:{port}/feed")
    unresolvable = store.add_feed("http://feeds.tidings-test.invalid/feed")

    summary = await refresh_feeds(store)

    assert len(summary.failed) == 2
    refused_error = store.get_feed(refused.id).last_error
    assert refused_error == f"{refused.url}: connection refused by 127.0.0.1:{port}"
    dns_error = store.get_feed(unresolvable.id).last_error
    assert dns_error is not None
    assert dns_error.startswith(
        f"{unresolvable.url}: DNS lookup failed for feeds.tidings-test.invalid"
    )


async def test_refresh_one_failure_spares_others(
    server: HTTPServer, store: Store
) -> None:
    serve(server, "/good", FEED)
    server.expect_oneshot_request("/broken").respond_with_data("no", status=500)
    serve(server, "/page", HTML_PAGE, content_type="text/html")
    good = store.add_feed(server.url_for("/good"))
    broken = store.add_feed(server.url_for("/broken"))
    page = store.add_feed(server.url_for("/page"))

    summary = await refresh_feeds(store)

    by_id = {result.feed_id: result for result in summary.results}
    assert by_id[good.id] == FeedRefreshed(good.id, good.url, new=2)
    assert by_id[broken.id].error == f"{broken.url}: HTTP 500 Internal Server Error"
    page_error = by_id[page.id].error
    assert page_error is not None
    assert "HTML page" in page_error
    assert len(store.list_entries(good.id)) == 2
    assert store.get_feed(good.id).last_error is None
    assert store.get_feed(page.id).last_error == page_error


async def test_refresh_internal_error_recorded(
    server: HTTPServer,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken_parse(content: bytes, url: str, **kwargs: Any) -> Any:
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(parse, "parse_feed", broken_parse)
    serve(server, "/feed", FEED)
    feed = store.add_feed(server.url_for("/feed"))

    with caplog.at_level(logging.ERROR, logger="reader.refresh_run"):
        summary = await refresh_feeds(store)

    message = "internal error: RuntimeError: parser exploded"
    assert summary.results == (FeedRefreshed(feed.id, feed.url, error=message),)
    assert store.get_feed(feed.id).last_error == message
    assert f"feed_id={feed.id}" in caplog.text
    assert "RuntimeError: parser exploded" in caplog.text


# Local files


async def test_refresh_local_path_and_file_url(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    other = tmp_path / "other feed.xml"
    other.write_bytes(rss("Other", [("only", "Only post", "Body.")]))
    by_path = store.add_feed(str(path))
    by_url = store.add_feed(other.as_uri())

    summary = await refresh_feeds(store)

    assert summary.failed == ()
    assert sorted(entries_by_key(store, by_path.id)) == ["first", "second"]
    assert sorted(entries_by_key(store, by_url.id)) == ["only"]
    assert store.get_feed(by_url.id).title == "Other"


async def test_refresh_missing_local_file(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "gone.xml"
    feed = store.add_feed(str(path))

    summary = await refresh_feeds(store)

    message = f"{path}: cannot read the file (No such file or directory)"
    assert summary.results[0].error == message
    assert store.get_feed(feed.id).last_error == message


def test_refresh_sync_wrapper(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    feed = store.add_feed(str(path))

    summary = refresh_feeds_sync(store, [feed.id], concurrency=2)

    assert summary.results == (FeedRefreshed(feed.id, str(path), new=2),)


# Selection, progress and limits


async def test_refresh_selected_feeds_only(tmp_path: Path, store: Store) -> None:
    feeds = []
    for name in ("a", "b", "c"):
        path = tmp_path / f"{name}.xml"
        path.write_bytes(rss(name, [(name, f"Post {name}", "Body.")]))
        feeds.append(store.add_feed(str(path)))

    summary = await refresh_feeds(store, [feeds[2].id, feeds[0].id, feeds[2].id])

    assert [result.feed_id for result in summary.results] == [feeds[2].id, feeds[0].id]
    assert store.get_feed(feeds[1].id).last_refreshed is None


async def test_refresh_unknown_feed_id(store: Store) -> None:
    with pytest.raises(FeedNotFoundError):
        await refresh_feeds(store, [42])


async def test_refresh_reports_progress(tmp_path: Path, store: Store) -> None:
    for name in ("a", "b", "c"):
        path = tmp_path / f"{name}.xml"
        path.write_bytes(rss(name, [(name, f"Post {name}", "Body.")]))
        store.add_feed(str(path))
    events: list[tuple[FeedRefreshed, int, int]] = []

    summary = await refresh_feeds(
        store,
        on_progress=lambda result, done, total: events.append((result, done, total)),
    )

    assert [(done, total) for _, done, total in events] == [(1, 3), (2, 3), (3, 3)]
    assert {result for result, _, _ in events} == set(summary.results)


def concurrency_probe() -> tuple[Callable[[Request], Response], Callable[[], int]]:
    """Return a handler that delays each response by 0.2 s, and a function
    that returns the highest number of requests it handled at once."""
    lock = threading.Lock()
    active = 0
    highest = 0

    def handler(request: Request) -> Response:
        nonlocal active, highest
        with lock:
            active += 1
            highest = max(highest, active)
        time.sleep(0.2)
        with lock:
            active -= 1
        return Response(FEED, content_type="application/rss+xml")

    return handler, lambda: highest


@pytest.mark.parametrize(
    ("concurrency", "per_host", "expected"), [(16, 2, 2), (3, 16, 3), (16, 16, 6)]
)
async def test_refresh_limits_requests_in_flight(
    threaded_server: HTTPServer,
    store: Store,
    concurrency: int,
    per_host: int,
    expected: int,
) -> None:
    threaded_server.clear()
    handler, highest = concurrency_probe()
    for number in range(6):
        threaded_server.expect_request(f"/feed{number}").respond_with_handler(handler)
        store.add_feed(threaded_server.url_for(f"/feed{number}"))

    summary = await refresh_feeds(store, concurrency=concurrency, per_host=per_host)

    assert summary.failed == ()
    assert highest() == expected
    assert store.count_entries() == 12
    threaded_server.clear()


async def test_refresh_fetches_while_parsing(
    threaded_server: HTTPServer, store: Store, db_path: Path
) -> None:
    # With one request in flight at a time, the second feed's request must
    # not wait until the first feed's 2,000 entries are parsed and stored.
    threaded_server.clear()
    big = rss("Big", [(f"p{n}", f"Post {n}", "Text " * 40) for n in range(2000)])
    stored_at_request: list[int] = []

    def handler(request: Request) -> Response:
        with sqlite3.connect(db_path) as db:
            count = db.execute("SELECT count(*) FROM entries").fetchone()[0]
        stored_at_request.append(count)
        return Response(big, content_type="application/rss+xml")

    for name in ("/one", "/two"):
        threaded_server.expect_request(name).respond_with_handler(handler)
        store.add_feed(threaded_server.url_for(name))

    summary = await refresh_feeds(store, concurrency=1)

    assert summary.failed == ()
    assert stored_at_request == [0, 0]
    assert store.count_entries() == 4000
    threaded_server.clear()


def test_refresh_rejects_zero_concurrency(store: Store) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        refresh_feeds_sync(store, concurrency=0)


async def test_refresh_parses_in_thread_without_processes(
    tmp_path: Path,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def no_processes() -> None:
        raise OSError("sem_open is not implemented")

    monkeypatch.setattr(parsepool, "_process_context", no_processes)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    for name in ("a", "b"):
        path = tmp_path / f"{name}.xml"
        path.write_bytes(rss(name, [(name, f"Post {name}", "Body.")]))
        store.add_feed(str(path))

    with caplog.at_level(logging.WARNING, logger="reader.parsepool"):
        summary = await refresh_feeds(store)

    assert summary.failed == ()
    assert store.count_entries() == 2
    assert "worker processes failed" in caplog.text
    assert "sem_open is not implemented" in caplog.text


STDIN_REFRESH = """
import asyncio, logging, os, sys
from datetime import timedelta
from functools import partial
from pathlib import Path
from reader.store import Store
from reader.update import refresh_feeds

logging.basicConfig(level=logging.WARNING)
os.cpu_count = lambda: 4
folder = Path(sys.argv[1])
with Store(folder / "cache.sqlite3") as store:
    for name in ("a", "b"):
        store.add_feed(str(folder / f"{name}.xml"))
    summary = asyncio.run(refresh_feeds(store))
    print([result.new for result in summary.results])
"""


def test_refresh_survives_broken_parser_pool(tmp_path: Path) -> None:
    # A script read from stdin cannot be imported again by a worker process,
    # so every worker dies on start and the pool reports itself broken.
    for name in ("a", "b"):
        path = tmp_path / f"{name}.xml"
        path.write_bytes(rss(name, [(name, "Post", "Body."), (f"{name}2", "Two", "")]))
    repository = Path(__file__).resolve().parents[1]

    completed = subprocess.run(
        [sys.executable, "-", str(tmp_path)],
        input=STDIN_REFRESH,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(repository)},
        timeout=60,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[2, 2]"
    assert "worker processes failed, using threads" in completed.stderr
    assert "BrokenProcessPool" in completed.stderr


CAPTURED_STDERR_REFRESH = """
import asyncio, io, logging, os, sys
from datetime import timedelta
from functools import partial
from pathlib import Path
from reader.store import Store
from reader.update import refresh_feeds


class Capture(io.StringIO):
    def fileno(self):
        return -1


def main():
    logging.basicConfig(level=logging.DEBUG, stream=sys.stdout)
    os.cpu_count = lambda: 4
    sys.stderr = Capture()
    folder = Path(sys.argv[1])
    with Store(folder / "cache.sqlite3") as store:
        for name in ("a", "b"):
            store.add_feed(str(folder / f"{name}.xml"))
        summary = asyncio.run(refresh_feeds(store))
    print("new", [result.new for result in summary.results])


if __name__ == "__main__":
    main()
"""


def test_refresh_uses_processes_with_captured_stderr(tmp_path: Path) -> None:
    # Textual replaces sys.stderr with an object whose fileno() returns -1
    # while an app runs; the parser processes must start all the same.
    for name in ("a", "b"):
        path = tmp_path / f"{name}.xml"
        path.write_bytes(rss(name, [(name, "Post", "Body.")]))
    script = tmp_path / "refresh_captured.py"
    script.write_text(CAPTURED_STDERR_REFRESH)
    repository = Path(__file__).resolve().parents[1]

    completed = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(repository)},
        timeout=60,
    )

    assert completed.returncode == 0, completed.stderr
    assert "new [1, 1]" in completed.stdout
    assert "parser pool started processes=2" in completed.stdout
    assert "worker processes failed" not in completed.stdout


async def test_refresh_stores_in_worker_processes(
    threaded_server: HTTPServer,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Worker processes parse and store through their own connections; a
    # parse error there reaches this process as that feed's error.
    threaded_server.clear()
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    threaded_server.expect_request("/good").respond_with_data(
        FEED,
        content_type="application/rss+xml",
        headers={"Cache-Control": "max-age=900"},
    )
    threaded_server.expect_request("/page").respond_with_data(
        HTML_PAGE, content_type="text/html"
    )
    good = store.add_feed(threaded_server.url_for("/good"))
    page = store.add_feed(threaded_server.url_for("/page"))

    with caplog.at_level(logging.DEBUG, logger="reader.parsepool"):
        summary = await refresh_feeds(store)

    assert "parser pool started processes=2" in caplog.text
    assert "worker processes failed" not in caplog.text
    by_id = {result.feed_id: result for result in summary.results}
    assert by_id[good.id] == FeedRefreshed(good.id, good.url, new=2)
    error = by_id[page.id].error
    assert error is not None
    assert "HTML page" in error
    stored = store.get_feed(good.id)
    assert stored.title == "Refresh fixture"
    assert stored.next_refresh is not None
    assert stored.update_interval == timedelta(minutes=15)
    assert store.get_feed(page.id).last_error == error
    assert store.count_entries(good.id) == 2
    threaded_server.clear()


async def test_parser_workers_run_niced() -> None:
    async def no_fallback() -> int:
        raise AssertionError("the job should run in a worker process")

    parser = parsepool.Parser(2, niceness=7)
    try:
        worker_niceness = await parser.run(partial(os.nice, 0), no_fallback)
    finally:
        parser.close()

    assert worker_niceness == min(os.nice(0) + 7, 19)


# Workers import the main module again, so the script keeps its work under
# the __main__ guard.
KILLED_PARENT = """
import os, time
from reader import parsepool

if __name__ == "__main__":
    parser = parsepool.Parser(2, niceness=0)
    pool = parser._get_pool()
    print(pool.submit(os.getpid).result(), flush=True)
    time.sleep(60)
"""


def process_alive(pid: int) -> bool:
    """Return whether ``pid`` runs and is not a zombie (Linux /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_workers_end_with_killed_parent(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(KILLED_PARENT)
    repository = Path(__file__).resolve().parents[1]
    parent = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(repository)},
    )
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    assert process_alive(worker)

    parent.kill()
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while process_alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)

    assert not process_alive(worker)
