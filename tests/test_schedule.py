"""The refresh schedule's rules, host keys, the schema migration that stores
them, and the buffered SAX driver that makes parsing faster."""

from __future__ import annotations

import io
import sqlite3
import xml.sax
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import feedparser.api
import pytest

from reader import saxdriver
from reader.hosts import host_key
from reader.models import Feed
from reader.schedule import backoff, declared_interval, next_after_failure, skip_reason
from reader.schema import MIGRATIONS, SCHEMA_VERSION
from reader.store import Store

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
FEED = Feed(id=1, url="https://example.org/feed", title="Example")
SY = 'xmlns:syn="http://purl.org/rss/1.0/modules/syndication/"'
FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def channel(markup: str, namespaces: str = "", items: str = "") -> bytes:
    """Return an RSS document with ``markup`` in its channel."""
    return (
        f'<rss version="2.0" {namespaces}><channel><title>t</title>{markup}'
        f"{items}</channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("document", "seconds"),
    [
        (channel("<ttl>45</ttl>"), 45 * 60),
        (channel("<ttl> 10 </ttl>"), 600),
        (channel("<ttl>0</ttl>"), None),
        (channel("<syn:updatePeriod>weekly</syn:updatePeriod>", SY), 7 * 86400),
        (
            channel(
                "<syn:updatePeriod>hourly</syn:updatePeriod>"
                "<syn:updateFrequency>2</syn:updateFrequency>",
                SY,
            ),
            1800,
        ),
        (channel("<syn:updatePeriod>sometimes</syn:updatePeriod>", SY), None),
        (channel("<sy:updatePeriod>daily</sy:updatePeriod>"), None),
        (
            channel("<ttl>60</ttl><syn:updatePeriod>daily</syn:updatePeriod>", SY),
            86400,
        ),
        (
            channel(
                "",
                items="<item><description>&lt;ttl&gt;</description>"
                "<ttl>60</ttl></item>",
            ),
            None,
        ),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title></feed>", None),
    ],
)
def test_declared_interval(document: bytes, seconds: int | None) -> None:
    assert declared_interval(document) == seconds


@pytest.mark.parametrize(
    ("failures", "minutes"),
    [(0, 0), (1, 0), (2, 15), (3, 30), (4, 60), (8, 960), (9, 1440), (50, 1440)],
)
def test_backoff_doubles_up_to_a_day(failures: int, minutes: int) -> None:
    assert backoff(failures) == timedelta(minutes=minutes)


def test_failure_waits_at_least_the_interval() -> None:
    feed = replace(FEED, failures=1, update_interval=timedelta(hours=2))
    assert next_after_failure(NOW, feed) == NOW + timedelta(hours=2)
    assert next_after_failure(NOW, FEED) is None


def test_skip_reasons() -> None:
    later = NOW + timedelta(minutes=30)
    assert skip_reason(FEED, NOW, force=False) is None
    assert skip_reason(replace(FEED, next_refresh=NOW), NOW, force=False) is None
    not_due = skip_reason(replace(FEED, next_refresh=later), NOW, force=False)
    assert not_due == ("not due until 2026-01-05 12:30 UTC; --force refreshes it now")
    failing = replace(FEED, next_refresh=later, failures=3)
    assert skip_reason(failing, NOW, force=False) == (
        "next try 2026-01-05 12:30 UTC; --force refreshes it now"
    )
    gone = replace(FEED, gone_since=NOW - timedelta(days=1))
    assert skip_reason(gone, NOW, force=False) == (
        "gone: the server responded 410 Gone on 2026-01-04 12:00 UTC; "
        "--force tries again"
    )
    assert skip_reason(gone, NOW, force=True) is None


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://example.org/feed", "example.org:443"),
        ("http://Example.ORG/feed", "example.org:80"),
        ("http://127.0.0.1:8080/feed", "127.0.0.1:8080"),
        ("http://[::1]:8080/feed", "::1:8080"),
        ("/srv/feeds/local.xml", None),
        ("file:///srv/feeds/local.xml", None),
        ("http://example.org:99999/feed", None),
    ],
)
def test_host_key(url: str, key: str | None) -> None:
    assert host_key(url) == key


def test_migration_from_first_schema(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0])
        db.execute(
            "INSERT INTO feeds (url, added_at, last_error) "
            "VALUES ('https://example.org/feed', '2025-01-01T00:00:00+00:00', 'boom')"
        )
        db.execute("PRAGMA user_version = 1")
    db.close()

    with Store(path) as store:
        (feed,) = store.list_feeds()
    with sqlite3.connect(path) as db:
        version = db.execute("PRAGMA user_version").fetchone()[0]
    db.close()

    assert version == SCHEMA_VERSION
    assert feed.last_error == "boom"
    assert feed.failures == 0
    assert feed.next_refresh is None
    assert feed.gone_since is None
    assert feed.update_interval is None
    assert feed.interval_override is None


def test_buffered_driver_parses_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feedparser.api, "PREFERRED_XML_PARSERS", ["drv_libxml2"])
    documents = [path.read_bytes() for path in sorted(FEEDS.glob("*.*"))]
    options = {"sanitize_html": False, "resolve_relative_uris": False}
    plain = [feedparser.parse(io.BytesIO(doc), **options) for doc in documents]

    saxdriver.install()
    buffered = [feedparser.parse(io.BytesIO(doc), **options) for doc in documents]

    assert feedparser.api.PREFERRED_XML_PARSERS == ["reader.saxdriver"]
    reader = xml.sax.make_parser(feedparser.api.PREFERRED_XML_PARSERS)
    assert isinstance(reader, saxdriver.BufferedExpatParser)
    assert len(documents) >= 10
    for before, after in zip(plain, buffered, strict=True):
        assert after.entries == before.entries
        assert after.feed == before.feed
        assert after.get("bozo") == before.get("bozo")
