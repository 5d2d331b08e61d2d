"""Refreshing from the TUI against a real HTTP server on 127.0.0.1: the r and
R keys, progress, the summary, and feeds that back off or are gone."""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from textual.pilot import Pilot
from werkzeug import Request, Response

from reader.models import FeedRefreshed, RefreshSummary
from reader.store import Store
from reader.tui.app import TidingsApp
from reader.tui.feed_list import FeedList
from reader.tui.feed_schedule import local_moment
from reader.tui.refresh import FULL_COLLECTION_FACTOR
from reader.tui.refresh_progress import RefreshTally, first_failure, summary_text
from reader.welcome import WELCOME_META_KEY
from tests.test_tui import settle

FIXTURES = Path(__file__).parent / "fixtures" / "tui"
SIZE = (120, 36)
ATOM = "application/atom+xml"


def atom_feed(title: str, entries: int) -> bytes:
    """Return an Atom feed named ``title`` with ``entries`` entries."""
    items = "".join(
        f"<entry><title>Post {number}</title><id>tag:{title},{number}</id>"
        f"<published>2024-04-{number % 28 + 1:02d}T12:00:00Z</published>"
        f"<content type='html'>&lt;p&gt;Body {number}&lt;/p&gt;</content></entry>"
        for number in range(entries)
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?>"
        f"<feed xmlns='http://www.w3.org/2005/Atom'><title>{title}</title>"
        f"<id>tag:{title}</id><updated>2024-04-09T12:00:00Z</updated>{items}</feed>"
    ).encode()


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """An empty cache with the welcome feed turned off."""
    with Store(db_path) as store:
        store.set_meta(WELCOME_META_KEY, "1")
        yield store


async def press_in_feeds(pilot: Pilot[None], key: str) -> None:
    """Move the focus to the feed list, press ``key`` and wait for the run."""
    app = pilot.app
    assert isinstance(app, TidingsApp)
    app.feed_list.focus()
    await pilot.press(key)
    await settle(pilot)


def row_of(app: TidingsApp, feed_id: int) -> str:
    """Return the text of a feed's row, one line per line."""
    feeds = app.query_one(FeedList)
    index = feeds.feed_index(feed_id)
    assert index is not None
    return feeds.row_text(index)


def requested_paths(server: HTTPServer) -> list[str]:
    """Return the paths the server received, in order."""
    return [request.path for request, _response in server.log]


async def test_r_forces_feed_backing_off(
    store: Store, httpserver_ipv4: HTTPServer
) -> None:
    httpserver_ipv4.expect_request("/fresh.xml").respond_with_data(
        (FIXTURES / "fresh.xml").read_bytes(), content_type=ATOM
    )
    feed = store.add_feed(httpserver_ipv4.url_for("/fresh.xml"))
    later = datetime.now(UTC) + timedelta(hours=1)
    store.record_failure(feed.id, "HTTP 500 Internal Server Error", later)
    store.record_failure(feed.id, "HTTP 500 Internal Server Error", later)
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_in_feeds(pilot, "R")
        assert requested_paths(httpserver_ipv4) == []
        assert app.status.refresh_state == "Refreshed 1 feed: 1 skipped · 0 new entries"
        await press_in_feeds(pilot, "r")
        assert requested_paths(httpserver_ipv4) == ["/fresh.xml"]
        assert app.status.refresh_state == "Refreshed 1 feed: 1 updated · 2 new entries"
        assert row_of(app, feed.id).split() == ["Fresh", "Builds", "2"]


async def test_retry_time_after_503(store: Store, httpserver_ipv4: HTTPServer) -> None:
    httpserver_ipv4.expect_request("/busy.xml").respond_with_data(
        "busy", status=503, headers={"Retry-After": "3600"}
    )
    feed = store.add_feed(httpserver_ipv4.url_for("/busy.xml"))
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_in_feeds(pilot, "r")
        now = datetime.now(UTC)
        (until, _reason), *_ = store.host_pauses(now).values()
        assert timedelta(minutes=59) < until - now <= timedelta(hours=1)
        retry = f"retry {local_moment(until, now)}"
        error_line = row_of(app, feed.id).splitlines()[1]
        # After 23:00 the retry time carries tomorrow's date, and the row
        # truncates the error that follows it.
        assert error_line.startswith(f"  {retry} · HTT")
        assert app.status.message.startswith("✗ ")
        assert "· HTTP 503 Service Unavailable; " in app.status.message
        assert app.status.message.endswith(f" · {retry}")
        assert app.status.refresh_state.startswith(
            "Refreshed 1 feed: 1 failed · 0 new entries ("
        )


async def test_retry_time_after_failures(
    store: Store, httpserver_ipv4: HTTPServer
) -> None:
    httpserver_ipv4.expect_request("/down.xml").respond_with_data("down", status=500)
    feed = store.add_feed(httpserver_ipv4.url_for("/down.xml"))
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_in_feeds(pilot, "r")
        # One failure is tried again on the next refresh; two back off.
        assert len(row_of(app, feed.id).splitlines()[1].split(" · ")) == 1
        await press_in_feeds(pilot, "r")
        stored = store.get_feed(feed.id)
        assert stored.failures == 2
        assert stored.next_refresh is not None
        retry = f"retry {local_moment(stored.next_refresh, datetime.now(UTC))}"
        assert row_of(app, feed.id).splitlines()[1].startswith(f"  {retry} · HTTP 500")
        await press_in_feeds(pilot, "R")
        assert requested_paths(httpserver_ipv4) == ["/down.xml", "/down.xml"]
        assert app.status.refresh_state == "Refreshed 1 feed: 1 skipped · 0 new entries"


async def test_gone_feed_shows_since_when(
    store: Store, httpserver_ipv4: HTTPServer
) -> None:
    httpserver_ipv4.expect_request("/gone.xml").respond_with_data("", status=410)
    feed = store.add_feed(httpserver_ipv4.url_for("/gone.xml"))
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_in_feeds(pilot, "r")
        gone_since = store.get_feed(feed.id).gone_since
        assert gone_since is not None
        since = f"gone since {gone_since.astimezone().strftime('%Y-%m-%d')}"
        assert row_of(app, feed.id).splitlines()[1].startswith(f"  {since} · ")
        assert re.search(f"HTTP 410 Gone; .* · {since}$", app.status.message)
        await press_in_feeds(pilot, "R")
        assert requested_paths(httpserver_ipv4) == ["/gone.xml"]
        assert app.status.refresh_state == "Refreshed 1 feed: 1 skipped · 0 new entries"


async def test_summary_counts_each_outcome(
    store: Store, httpserver_ipv4: HTTPServer
) -> None:
    bodies = iter([atom_feed("Changing", 1), atom_feed("Changing", 2)])
    httpserver_ipv4.expect_request("/changing.xml").respond_with_handler(
        lambda _request: Response(next(bodies), content_type=ATOM)
    )
    httpserver_ipv4.expect_request(
        "/same.xml", headers={"If-None-Match": '"v1"'}
    ).respond_with_data("", status=304)
    httpserver_ipv4.expect_request("/same.xml").respond_with_data(
        atom_feed("Same", 1), content_type=ATOM, headers={"ETag": '"v1"'}
    )
    httpserver_ipv4.expect_request("/later.xml").respond_with_data(
        atom_feed("Later", 1), content_type=ATOM
    )
    httpserver_ipv4.expect_request("/missing.xml").respond_with_data("", status=404)
    ids = {
        name: store.add_feed(httpserver_ipv4.url_for(f"/{name}.xml")).id
        for name in ("changing", "same", "later", "missing")
    }
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_in_feeds(pilot, "R")
        assert app.status.refresh_state.startswith(
            "Refreshed 4 feeds: 3 updated, 1 failed · 3 new entries ("
        )
        later = datetime.now(UTC) + timedelta(hours=2)
        store.record_success(ids["later"], later, None, None)
        app.reload_feeds(None)
        await press_in_feeds(pilot, "R")
        assert app.status.refresh_state == (
            "Refreshed 4 feeds: 1 updated, 1 unchanged, 1 skipped, 1 failed"
            f" · 1 new entry ({httpserver_ipv4.url_for('/missing.xml')}:"
            " HTTP 404 Not Found)"
        )
        assert row_of(app, ids["missing"]).startswith("✗ ")
        assert not row_of(app, ids["same"]).startswith("✗ ")
    assert requested_paths(httpserver_ipv4).count("/later.xml") == 1


async def test_progress_shows_done_of_total(
    store: Store, httpserver_ipv4: HTTPServer
) -> None:
    release = threading.Event()

    def held(_request: Request) -> Response:
        release.wait(10)
        return Response(atom_feed("Held", 1), content_type=ATOM)

    httpserver_ipv4.expect_request("/2-held.xml").respond_with_handler(held)
    httpserver_ipv4.expect_request("/1-quick.xml").respond_with_data(
        atom_feed("Quick", 2), content_type=ATOM
    )
    # The server handles one request at a time, and feeds not yet fetched
    # are titled and refreshed by URL, so the quick feed goes first.
    quick = store.add_feed(httpserver_ipv4.url_for("/1-quick.xml"))
    store.add_feed(httpserver_ipv4.url_for("/2-held.xml"))
    app = TidingsApp(store)
    thresholds = gc.get_threshold()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.feed_list.focus()
        await pilot.press("R")
        try:
            for _ in range(100):
                if app.status.refresh_state == "Refreshing 1/2 feeds":
                    break
                await pilot.pause(0.05)
            assert app.status.refresh_state == "Refreshing 1/2 feeds"
            assert app.refreshing is True
            # The finished feed's row shows its entries during the run.
            assert row_of(app, quick.id).rstrip().endswith(" 2")
            assert gc.get_threshold()[2] == thresholds[2] * FULL_COLLECTION_FACTOR
        finally:
            release.set()
        await settle(pilot)
        assert gc.get_threshold() == thresholds
        assert (
            app.status.refresh_state == "Refreshed 2 feeds: 2 updated · 3 new entries"
        )


async def test_r_on_folder_refreshes_its_feeds(
    store: Store, httpserver_ipv4: HTTPServer
) -> None:
    for name in ("a", "b", "c"):
        httpserver_ipv4.expect_request(f"/{name}.xml").respond_with_data(
            atom_feed(name.upper(), 1), content_type=ATOM
        )
    feeds = {
        name: store.add_feed(httpserver_ipv4.url_for(f"/{name}.xml")) for name in "abc"
    }
    store.set_feed_folder(feeds["a"].id, "Tech")
    store.set_feed_folder(feeds["b"].id, "Tech/Python")
    # Not due for a day: r on the folder refreshes it all the same.
    store.record_success(
        feeds["b"].id, datetime.now(UTC) + timedelta(days=1), None, None
    )
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.feed_list.show_folder("Tech")
        await press_in_feeds(pilot, "r")
        assert sorted(requested_paths(httpserver_ipv4)) == ["/a.xml", "/b.xml"]
        assert (
            app.status.refresh_state == "Refreshed 2 feeds: 2 updated · 2 new entries"
        )


def test_tally_counts_and_pads_progress() -> None:
    tally = RefreshTally(total=12)
    assert tally.progress_text() == "Refreshing  0/12 feeds"
    tally.add(FeedRefreshed(1, "u1", new=3), 1, 12)
    tally.add(FeedRefreshed(2, "u2", not_modified=True), 2, 12)
    tally.add(FeedRefreshed(3, "u3", error="HTTP 404 Not Found"), 3, 12)
    assert tally.progress_text() == "Refreshing  3/12 feeds, 1 failed"
    assert [result.feed_id for result in tally.take_pending()] == [1, 2, 3]
    assert tally.take_pending() == []
    tally.add(FeedRefreshed(4, "u4", skipped="not due"), 4, 12)
    assert tally.new_entries == 3
    assert tally.failed == 1


def test_summary_text_leaves_out_missing_outcomes() -> None:
    results = [FeedRefreshed(1, "u1", new=1), FeedRefreshed(2, "u2", skipped="gone")]
    assert (
        summary_text(results) == "Refreshed 2 feeds: 1 updated, 1 skipped · 1 new entry"
    )
    assert summary_text([]) == "Refreshed 0 feeds"


async def test_r_on_all_keeps_schedule(
    store: Store, httpserver_ipv4: HTTPServer
) -> None:
    for name in ("due", "later"):
        httpserver_ipv4.expect_request(f"/{name}.xml").respond_with_data(
            atom_feed(name.title(), 1), content_type=ATOM
        )
    store.add_feed(httpserver_ipv4.url_for("/due.xml"))
    later = store.add_feed(httpserver_ipv4.url_for("/later.xml"))
    store.record_success(later.id, datetime.now(UTC) + timedelta(hours=1), None, None)
    app = TidingsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.feed_list.cursor = 0
        assert app.feed_list.current_row is not None
        assert app.feed_list.current_row.key == "all"
        await press_in_feeds(pilot, "r")
        assert requested_paths(httpserver_ipv4) == ["/due.xml"]
        assert app.status.refresh_state == (
            "Refreshed 2 feeds: 1 updated, 1 skipped · 1 new entry"
        )


def test_first_failure_counts_the_others() -> None:
    failed = [
        FeedRefreshed(n, f"http://127.0.0.1/{n}.xml", error="HTTP 404 Not Found")
        for n in range(3)
    ]
    summary = RefreshSummary(results=tuple(failed))
    text = first_failure("Lantern", "HTTP 404 Not Found", summary)
    assert text == " (Lantern: HTTP 404 Not Found; 2 more failed)"
    alone = RefreshSummary(results=tuple(failed[:1]))
    assert first_failure("Lantern", "HTTP 404", alone) == " (Lantern: HTTP 404)"
