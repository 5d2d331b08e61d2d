"""Polite refreshing against real HTTP servers on 127.0.0.1: status codes,
back-off, host pauses, intervals, limits and what the CLI shows of them."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from reader.cli import main
from reader.models import Feed
from reader.store import Store
from reader.update import RefreshLimits, refresh_feeds

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def rss(
    title: str = "Polite fixture", channel: str = "", namespaces: str = ""
) -> bytes:
    """Return an RSS 2.0 document with one item and extra channel markup."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" {namespaces}>'
        f"<channel><title>{title}</title><link>http://127.0.0.1/</link>"
        f"<description>written for the politeness tests</description>{channel}"
        "<item><guid>only</guid><title>Only post</title>"
        "<description>&lt;p&gt;Body.&lt;/p&gt;</description></item>"
        "</channel></rss>"
    ).encode()


FEED = rss()
SY = 'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"'


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every request on 127.0.0.1 even where a proxy is configured."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[HTTPServer, HTTPServer]]:
    """Start two servers on two ports of 127.0.0.1: two hosts to tidings."""
    pair = (HTTPServer(host="127.0.0.1", port=0), HTTPServer(host="127.0.0.1", port=0))
    for server in pair:
        server.start()
    yield pair
    for server in pair:
        server.stop()


@pytest.fixture
def server(servers: tuple[HTTPServer, HTTPServer]) -> Iterator[HTTPServer]:
    """Return the first server with no expectations and an empty log."""
    for each in servers:
        each.clear()
    yield servers[0]


@pytest.fixture
def other_server(
    servers: tuple[HTTPServer, HTTPServer], server: HTTPServer
) -> HTTPServer:
    """Return the second server, on another port."""
    return servers[1]


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """Return an empty cache under tmp_path."""
    with Store(db_path) as cache:
        yield cache


def serve(server: HTTPServer, path: str, body: bytes = FEED, **kwargs: object) -> None:
    """Make the server respond to the next request for ``path`` with ``body``."""
    kwargs.setdefault("content_type", "application/rss+xml")
    server.expect_oneshot_request(path).respond_with_data(body, **kwargs)


def requests_to(server: HTTPServer, path: str) -> int:
    """Return how many requests ``server`` logged for ``path``."""
    return sum(1 for request, _ in server.log if request.path == path)


def close_to(moment: datetime | None, expected: datetime, seconds: float = 5) -> bool:
    """Return whether ``moment`` is within ``seconds`` of ``expected``."""
    return moment is not None and abs((moment - expected).total_seconds()) < seconds


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the tidings command line; return status, stdout and stderr."""
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def feed_json(capsys: pytest.CaptureFixture[str], feed_id: int) -> dict:
    """Return ``tidings feeds --json``'s object for the feed."""
    status, out, _ = cli(capsys, "feeds", "--json")
    assert status == 0
    return next(item for item in json.loads(out) if item["id"] == feed_id)


# Redirects


@pytest.mark.parametrize(
    ("status", "moves"), [(301, True), (308, True), (302, False), (307, False)]
)
async def test_redirect_status_decides_stored_url(
    server: HTTPServer, store: Store, status: int, moves: bool
) -> None:
    new_url = server.url_for("/new")
    server.expect_oneshot_request("/old").respond_with_data(
        "", status=status, headers={"Location": new_url}
    )
    serve(server, "/new")
    feed = store.add_feed(server.url_for("/old"))

    summary = await refresh_feeds(store)

    assert summary.failed == ()
    assert store.get_feed(feed.id).url == (new_url if moves else feed.url)
    assert store.count_entries(feed.id) == 1


async def test_redirect_limit_is_an_error(server: HTTPServer, store: Store) -> None:
    for hop in range(3):
        server.expect_request(f"/hop{hop}").respond_with_data(
            "", status=302, headers={"Location": server.url_for(f"/hop{hop + 1}")}
        )
    serve(server, "/hop3")
    feed = store.add_feed(server.url_for("/hop0"))

    summary = await refresh_feeds(store, max_redirects=2)

    message = f"{feed.url}: too many redirects (more than 2)"
    assert summary.results[0].error == message
    assert store.get_feed(feed.id).last_error == message
    assert requests_to(server, "/hop3") == 0


# Conditional GET


async def test_weak_etag_sent_back_exactly(server: HTTPServer, store: Store) -> None:
    etag = 'W/"67a-1f;gzip"'
    serve(
        server,
        "/feed",
        headers={"ETag": etag, "Last-Modified": "Mon, 01 Dec 2025 08:00:00 GMT"},
    )
    feed = store.add_feed(server.url_for("/feed"))
    await refresh_feeds(store)
    server.expect_oneshot_request("/feed").respond_with_data("", status=304)

    summary = await refresh_feeds(store)

    request = server.log[-1][0]
    assert request.headers["If-None-Match"] == etag
    assert request.headers["If-Modified-Since"] == "Mon, 01 Dec 2025 08:00:00 GMT"
    assert summary.results[0].not_modified
    assert store.get_feed(feed.id).etag == etag


# 410 Gone


async def test_gone_feed_is_marked_and_skipped(
    server: HTTPServer, store: Store
) -> None:
    server.expect_oneshot_request("/gone").respond_with_data("", status=410)
    feed = store.add_feed(server.url_for("/gone"))

    first = await refresh_feeds(store)
    second = await refresh_feeds(store)

    gone = store.get_feed(feed.id)
    assert gone.gone
    assert close_to(gone.gone_since, datetime.now(UTC))
    assert first.results[0].error == (
        f"{feed.url}: HTTP 410 Gone; the feed was removed, so tidings stops "
        "refreshing it (unsubscribe with 'tidings remove')"
    )
    assert gone.last_error == first.results[0].error
    skipped = second.results[0].skipped
    assert skipped is not None
    assert skipped.startswith("gone: the server responded 410 Gone on ")
    assert requests_to(server, "/gone") == 1


async def test_forced_refresh_revives_gone_feed(
    server: HTTPServer, store: Store
) -> None:
    server.expect_oneshot_request("/back").respond_with_data("", status=410)
    feed = store.add_feed(server.url_for("/back"))
    await refresh_feeds(store)
    serve(server, "/back")

    summary = await refresh_feeds(store, force=True)

    revived = store.get_feed(feed.id)
    assert summary.results[0].new == 1
    assert not revived.gone
    assert revived.failures == 0
    assert revived.last_error is None


def test_cli_says_feed_is_gone(
    server: HTTPServer, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.expect_oneshot_request("/gone").respond_with_data("", status=410)
    url = server.url_for("/gone")
    assert cli(capsys, "add", "--no-refresh", url)[0] == 0
    assert cli(capsys, "refresh")[0] == 1

    status, out, err = cli(capsys, "refresh", "1")

    assert status == 0
    assert "Refreshed 0 feeds; skipped 1" in out
    assert "tidings: feed 1 skipped: gone: the server responded 410 Gone on " in err
    assert "--force tries again" in err
    item = feed_json(capsys, 1)
    assert item["gone"] is True
    assert item["gone_since"].endswith("Z")
    _, listing, _ = cli(capsys, "feeds")
    assert "[gone since " in listing
    assert requests_to(server, "/gone") == 1


# 429 and 503: pausing the host


async def test_429_pauses_host_for_retry_after(
    server: HTTPServer, other_server: HTTPServer, store: Store
) -> None:
    server.expect_oneshot_request("/a").respond_with_data(
        "", status=429, headers={"Retry-After": "120"}
    )
    serve(server, "/b")
    serve(other_server, "/c")
    limited = store.add_feed(server.url_for("/a"))
    same_host = store.add_feed(server.url_for("/b"))
    other_host = store.add_feed(other_server.url_for("/c"))

    summary = await refresh_feeds(store, per_host=1)

    results = {result.feed_id: result for result in summary.results}
    error = results[limited.id].error
    assert error == (
        f"{limited.url}: HTTP 429 Too Many Requests; the server asks to retry "
        "after 120 s"
    )
    deferred = results[same_host.id].skipped
    assert deferred is not None
    port = server.port
    assert deferred.startswith(f"127.0.0.1:{port} requested a pause until ")
    assert deferred.endswith("(HTTP 429 Too Many Requests)")
    assert results[other_host.id].new == 1
    assert requests_to(server, "/b") == 0
    pauses = store.host_pauses(datetime.now(UTC))
    until, reason = pauses[f"127.0.0.1:{port}"]
    assert close_to(until, datetime.now(UTC) + timedelta(seconds=120))
    assert reason == "HTTP 429 Too Many Requests"


async def test_host_pause_holds_across_runs_and_force(
    server: HTTPServer, store: Store
) -> None:
    server.expect_oneshot_request("/a").respond_with_data(
        "", status=429, headers={"Retry-After": "600"}
    )
    feed = store.add_feed(server.url_for("/a"))
    await refresh_feeds(store)
    serve(server, "/a")

    again = await refresh_feeds(store, force=True)

    skipped = again.results[0].skipped
    assert skipped is not None
    assert "requested a pause until" in skipped
    assert requests_to(server, "/a") == 1
    assert store.get_feed(feed.id).failures == 1


async def test_503_retry_after_http_date(server: HTTPServer, store: Store) -> None:
    until = (datetime.now(UTC) + timedelta(minutes=30)).replace(microsecond=0)
    server.expect_oneshot_request("/feed").respond_with_data(
        "", status=503, headers={"Retry-After": format_datetime(until, usegmt=True)}
    )
    store.add_feed(server.url_for("/feed"))

    summary = await refresh_feeds(store)

    error = summary.results[0].error
    assert error is not None
    assert "HTTP 503 Service Unavailable; the server asks to retry after" in error
    paused_until, reason = store.host_pauses(datetime.now(UTC))[
        f"127.0.0.1:{server.port}"
    ]
    assert close_to(paused_until, until)
    assert reason == "HTTP 503 Service Unavailable"


async def test_429_without_retry_after_pauses_five_minutes(
    server: HTTPServer, store: Store
) -> None:
    server.expect_oneshot_request("/feed").respond_with_data("", status=429)
    store.add_feed(server.url_for("/feed"))

    await refresh_feeds(store)

    until, _ = store.host_pauses(datetime.now(UTC))[f"127.0.0.1:{server.port}"]
    assert close_to(until, datetime.now(UTC) + timedelta(minutes=5))


# Failures back off per feed


async def fail_times(server: HTTPServer, store: Store, feed: Feed, times: int) -> None:
    """Make ``times`` forced refreshes of the feed fail with HTTP 500."""
    for _ in range(times):
        server.expect_oneshot_request("/flaky").respond_with_data("", status=500)
        await refresh_feeds(store, [feed.id])


async def test_failures_back_off_exponentially(
    server: HTTPServer, store: Store
) -> None:
    feed = store.add_feed(server.url_for("/flaky"))
    expected = {1: None, 2: 15, 3: 30, 4: 60}

    for failures, minutes in expected.items():
        await fail_times(server, store, feed, 1)
        failing = store.get_feed(feed.id)
        assert failing.failures == failures
        if minutes is None:
            assert failing.next_refresh is None
        else:
            due = datetime.now(UTC) + timedelta(minutes=minutes)
            assert close_to(failing.next_refresh, due), failures


async def test_backing_off_feed_skipped_until_due(
    server: HTTPServer, store: Store
) -> None:
    feed = store.add_feed(server.url_for("/flaky"))
    await fail_times(server, store, feed, 2)
    serve(server, "/flaky")

    scheduled = await refresh_feeds(store)

    skipped = scheduled.results[0].skipped
    assert skipped is not None
    assert skipped.startswith("next try ")
    assert requests_to(server, "/flaky") == 2

    forced = await refresh_feeds(store, force=True)

    recovered = store.get_feed(feed.id)
    assert forced.results[0].new == 1
    assert recovered.failures == 0
    assert recovered.next_refresh is None


def test_cli_shows_next_try(
    server: HTTPServer, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(2):
        server.expect_oneshot_request("/flaky").respond_with_data("", status=500)
    assert cli(capsys, "add", "--no-refresh", server.url_for("/flaky"))[0] == 0
    assert cli(capsys, "refresh")[0] == 1
    assert cli(capsys, "refresh")[0] == 1

    item = feed_json(capsys, 1)
    _, listing, _ = cli(capsys, "feeds")

    next_try = datetime.fromisoformat(item["next_refresh"].replace("Z", "+00:00"))
    assert close_to(next_try, datetime.now(UTC) + timedelta(minutes=15), 60)
    assert item["failures"] == 2
    assert "[next try " in listing
    assert "[error: " in listing


# Update intervals


@pytest.mark.parametrize(
    ("channel", "namespaces", "headers", "seconds"),
    [
        ("<ttl>90</ttl>", "", {}, 90 * 60),
        ("<sy:updatePeriod>hourly</sy:updatePeriod>", SY, {}, 3600),
        (
            "<sy:updatePeriod>daily</sy:updatePeriod>"
            "<sy:updateFrequency>4</sy:updateFrequency>",
            SY,
            {},
            6 * 3600,
        ),
        ("", "", {"Cache-Control": "public, max-age=600"}, 600),
        ("<ttl>5</ttl>", "", {"Cache-Control": "max-age=1200"}, 1200),
        ("<ttl>5000</ttl>", "", {}, 24 * 3600),
        ("", "", {"Cache-Control": "no-cache, max-age=600"}, None),
    ],
)
async def test_interval_from_feed_and_server(
    server: HTTPServer,
    store: Store,
    channel: str,
    namespaces: str,
    headers: dict[str, str],
    seconds: int | None,
) -> None:
    serve(server, "/feed", rss(channel=channel, namespaces=namespaces), headers=headers)
    feed = store.add_feed(server.url_for("/feed"))

    await refresh_feeds(store)

    scheduled = store.get_feed(feed.id)
    if seconds is None:
        assert scheduled.next_refresh is None
        assert scheduled.update_interval is None
    else:
        assert scheduled.update_interval == timedelta(seconds=seconds)
        due = datetime.now(UTC) + timedelta(seconds=seconds)
        assert close_to(scheduled.next_refresh, due)


async def test_not_due_feed_skipped_unless_forced(
    server: HTTPServer, store: Store
) -> None:
    serve(server, "/feed", rss(channel="<ttl>60</ttl>"))
    feed = store.add_feed(server.url_for("/feed"))
    await refresh_feeds(store)

    scheduled = await refresh_feeds(store)
    named = await refresh_feeds(store, [feed.id], force=False)
    server.expect_oneshot_request("/feed").respond_with_data("", status=304)
    forced = await refresh_feeds(store, force=True)

    for summary in (scheduled, named):
        skipped = summary.results[0].skipped
        assert skipped is not None
        assert skipped.startswith("not due until ")
    assert forced.results[0].not_modified
    assert requests_to(server, "/feed") == 2


async def test_named_feeds_forced_by_default(server: HTTPServer, store: Store) -> None:
    # The TUI's "r" refreshes the highlighted feed with refresh_feeds(store,
    # [id]): a key pressed on purpose fetches even a feed that is not due.
    serve(server, "/feed", rss(channel="<ttl>60</ttl>"))
    feed = store.add_feed(server.url_for("/feed"))
    await refresh_feeds(store)
    server.expect_oneshot_request("/feed").respond_with_data("", status=304)

    summary = await refresh_feeds(store, [feed.id])

    assert summary.results[0].not_modified
    assert requests_to(server, "/feed") == 2


async def test_unchanged_feed_keeps_its_interval(
    server: HTTPServer, store: Store
) -> None:
    serve(server, "/feed", rss(channel="<ttl>30</ttl>"), headers={"ETag": '"a"'})
    feed = store.add_feed(server.url_for("/feed"))
    await refresh_feeds(store)
    server.expect_oneshot_request("/feed").respond_with_data("", status=304)

    await refresh_feeds(store, force=True)

    unchanged = store.get_feed(feed.id)
    assert unchanged.update_interval == timedelta(minutes=30)
    assert close_to(unchanged.next_refresh, datetime.now(UTC) + timedelta(minutes=30))


def test_cli_feed_interval_override(
    server: HTTPServer, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(server, "/feed", rss(channel="<ttl>30</ttl>"))
    assert cli(capsys, "add", "--no-refresh", server.url_for("/feed"))[0] == 0
    assert cli(capsys, "refresh", "1")[0] == 0

    status, out, _ = cli(capsys, "feed-interval", "1", "240")
    item = feed_json(capsys, 1)
    refresh_status, refresh_out, _ = cli(capsys, "refresh")

    assert status == 0
    assert out.startswith("Feed 1 (Polite fixture): refreshed every 240 minutes (set")
    assert item["interval_override"] == 240 * 60
    assert item["update_interval"] == 30 * 60
    due = datetime.fromisoformat(item["next_refresh"].replace("Z", "+00:00"))
    assert close_to(due, datetime.now(UTC) + timedelta(hours=4), 60)
    assert refresh_status == 0
    assert "skipped 1 not due" in refresh_out
    assert requests_to(server, "/feed") == 1

    status, out, _ = cli(capsys, "feed-interval", "1", "auto")
    assert status == 0
    assert "every 30 minutes (requested by the feed or its server)" in out
    assert feed_json(capsys, 1)["interval_override"] is None


def test_cli_feed_interval_rejects_invalid(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(capsys, "add", "--no-refresh", "http://127.0.0.1:9/feed")[0] == 0
    for value in ("0", "-5", "soon", "600000"):
        status, _, err = cli(capsys, "feed-interval", "1", value)
        assert status == 2, value
        assert f"invalid MINUTES {value!r}" in err, value


def test_cli_force_refreshes_not_due_feed(
    server: HTTPServer, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(server, "/feed", rss(channel="<ttl>60</ttl>"), headers={"ETag": '"v1"'})
    assert cli(capsys, "add", "--no-refresh", server.url_for("/feed"))[0] == 0
    assert cli(capsys, "refresh", "1")[0] == 0
    server.expect_oneshot_request("/feed").respond_with_data("", status=304)

    status, out, _ = cli(capsys, "refresh", "--force")

    assert status == 0
    assert out.startswith("[1/1] same   ")
    assert requests_to(server, "/feed") == 2


# Limits


def test_default_limits() -> None:
    limits = RefreshLimits()
    assert limits.concurrency == 32
    assert limits.per_host == 4
    assert limits.max_bytes == 20 * 1024 * 1024


async def test_hosts_differ_by_port(
    server: HTTPServer, other_server: HTTPServer, store: Store
) -> None:
    serve(server, "/a")
    serve(other_server, "/a")
    store.add_feed(server.url_for("/a"))
    store.add_feed(other_server.url_for("/a"))

    summary = await refresh_feeds(store, per_host=1)

    assert summary.failed == ()
    assert summary.skipped == ()
    assert store.count_entries() == 2


async def test_connect_timeout_recorded(store: Store) -> None:
    # A listening socket whose backlog is full lets new connections hang,
    # because the kernel drops their SYN until the backlog has room.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        feed = store.add_feed(f"http://127.0.0.1:{port}/feed")

        summary = await refresh_feeds(store, connect_timeout=0.3)
    finally:
        for sock in (*fillers, listener):
            sock.close()

    message = f"{feed.url}: timed out after 0.3 s while connecting"
    assert summary.results[0].error == message
    assert store.get_feed(feed.id).last_error == message


@pytest.mark.parametrize(
    "limits",
    [
        {"concurrency": 0},
        {"per_host": 0},
        {"max_bytes": 0},
        {"max_redirects": -1},
        {"connect_timeout": 0},
        {"total_timeout": -1.0},
    ],
)
async def test_invalid_limits_rejected(store: Store, limits: dict) -> None:
    with pytest.raises(ValueError):
        await refresh_feeds(store, **limits)


def test_cli_rejects_invalid_limits(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for option, value in (
        ("--per-host", "0"),
        ("--timeout", "0"),
        ("--max-size", "-1"),
    ):
        status, _, err = cli(capsys, "refresh", option, value)
        assert status == 2, option
        assert f"invalid {option}" in err, option


def test_cli_max_size_limit(
    server: HTTPServer, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(server, "/big", FEED + b"<!--" + b"x" * 200_000 + b"-->")
    assert cli(capsys, "add", "--no-refresh", server.url_for("/big"))[0] == 0

    status, _, err = cli(capsys, "refresh", "--max-size", "0.1")

    assert status == 1
    limit = round(0.1 * 2**20)
    assert f"response is larger than the {limit} bytes limit" in err


async def test_304_keeps_stored_max_age(server: HTTPServer, store: Store) -> None:
    serve(server, "/feed", headers={"ETag": '"a"', "Cache-Control": "max-age=600"})
    feed = store.add_feed(server.url_for("/feed"))
    await refresh_feeds(store)
    server.expect_oneshot_request("/feed").respond_with_data("", status=304)

    summary = await refresh_feeds(store, force=True)

    unchanged = store.get_feed(feed.id)
    assert summary.results[0].not_modified
    assert unchanged.update_interval == timedelta(seconds=600)
    assert close_to(unchanged.next_refresh, datetime.now(UTC) + timedelta(seconds=600))


async def test_same_body_without_cache_control_is_due(
    server: HTTPServer, store: Store
) -> None:
    # A full response replaces the stored headers, so a body that did not
    # change but lost its Cache-Control makes the feed due at every refresh.
    serve(server, "/feed", headers={"Cache-Control": "max-age=600"})
    feed = store.add_feed(server.url_for("/feed"))
    await refresh_feeds(store)
    serve(server, "/feed")

    summary = await refresh_feeds(store, force=True)

    unchanged = store.get_feed(feed.id)
    assert summary.results[0].not_modified
    assert unchanged.update_interval is None
    assert unchanged.next_refresh is None
