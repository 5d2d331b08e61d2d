"""Feed dates in the forms real feeds write, converted to UTC.

The table runs through ``parse_date`` itself, through an RSS feed served on
127.0.0.1 and stored by ``tidings add``, and through a JSON Feed, so each
form is checked where feedparser is involved and where it is not.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest

from reader.cli import main
from reader.dates import UnknownZoneError, parse_date, to_utc
from reader.parse import parse_feed
from tests.routes import Route, RouteServer

# (raw date, the UTC instant it names)
DATES = [
    # RFC 822 and 2822
    ("Tue, 05 Mar 2024 14:03:00 GMT", "2024-03-05T14:03:00Z"),
    ("Tue, 05 Mar 2024 14:03:00 +0100", "2024-03-05T13:03:00Z"),
    ("Tue, 05 Mar 2024 14:03:00 +01:00", "2024-03-05T13:03:00Z"),
    ("5 Mar 2024 14:03:00 -0530", "2024-03-05T19:33:00Z"),
    ("Tue, 05 Mar 2024 14:03:00 -0500 (EST)", "2024-03-05T19:03:00Z"),
    ("Tue, 05 Mar 2024 14:03:00 GMT+0100", "2024-03-05T13:03:00Z"),
    ("Tue, 05 Mar 2024 14:03:00 +0000 GMT", "2024-03-05T14:03:00Z"),
    ("Tue,05 Mar 2024 14:03:00 Z", "2024-03-05T14:03:00Z"),
    ("Tue, 05 March 2024 14:03:00 GMT", "2024-03-05T14:03:00Z"),
    # two-digit years: 00-49 are 2000-2049 and 50-99 are 1950-1999
    ("Tue, 05 Mar 24 14:03:00 GMT", "2024-03-05T14:03:00Z"),
    ("Fri, 05 Mar 99 14:03:00 GMT", "1999-03-05T14:03:00Z"),
    ("Fri, 05 Mar 49 14:03:00 GMT", "2049-03-05T14:03:00Z"),
    # RFC 850
    ("Tuesday, 05-Mar-24 14:03:00 GMT", "2024-03-05T14:03:00Z"),
    ("Tuesday, 05-Mar-24 14:03:00 UT", "2024-03-05T14:03:00Z"),
    ("Tuesday, 05-Mar-24 14:03:00 EST", "2024-03-05T19:03:00Z"),
    ("Tuesday, 05-Mar-2024 14:03:00 GMT", "2024-03-05T14:03:00Z"),
    # asctime, and the output of date(1)
    ("Tue Mar  5 14:03:00 2024", "2024-03-05T14:03:00Z"),
    ("Tue Mar 5 14:03:00 UTC 2024", "2024-03-05T14:03:00Z"),
    ("Tue Mar 5 14:03:00 PST 2024", "2024-03-05T22:03:00Z"),
    # named zones, in any case, read as the fixed offset they name
    ("Tue, 05 Mar 2024 14:03:00 EST", "2024-03-05T19:03:00Z"),
    ("Tue, 05 Mar 2024 14:03:00 EDT", "2024-03-05T18:03:00Z"),
    ("Tue, 05 Mar 2024 14:03:00 PDT", "2024-03-05T21:03:00Z"),
    ("Thu, 18 Jul 2024 06:45:00 PST", "2024-07-18T14:45:00Z"),
    ("Mon, 15 Jul 2024 19:20:00 CEST", "2024-07-15T17:20:00Z"),
    ("Tue, 05 Mar 2024 14:03:00 jst", "2024-03-05T05:03:00Z"),
    # missing seconds, missing zone, missing time
    ("Tue, 05 Mar 2024 14:03 EST", "2024-03-05T19:03:00Z"),
    ("Tue, 05 Mar 2024 14:03:00", "2024-03-05T14:03:00Z"),
    ("05 Mar 2024", "2024-03-05T00:00:00Z"),
    # 12-hour clocks and month-first dates
    ("Tue, 05 Mar 2024 2:03:00 PM EST", "2024-03-05T19:03:00Z"),
    ("Tuesday, March 5, 2024 2:03 PM", "2024-03-05T14:03:00Z"),
    ("Tuesday 5th March 2024 at 2:03pm", "2024-03-05T14:03:00Z"),
    ("Tue, 5 Mar 2024 12:30 AM", "2024-03-05T00:30:00Z"),
    ("March 5, 2024", "2024-03-05T00:00:00Z"),
    ("Sept 5, 2024", "2024-09-05T00:00:00Z"),
    ("Mon, 5 March 2024 2:03 p.m. EST", "2024-03-05T19:03:00Z"),
    # ISO 8601 and RFC 3339
    ("2024-03-05T14:03:00Z", "2024-03-05T14:03:00Z"),
    ("2024-03-05T14:03:00+01:00", "2024-03-05T13:03:00Z"),
    ("2024-03-05T14:03:00+0100", "2024-03-05T13:03:00Z"),
    ("2024-03-05T14:03:00-05", "2024-03-05T19:03:00Z"),
    ("2024-03-05T14:03:00,5+01:00", "2024-03-05T13:03:00Z"),
    ("2024-03-05T14:03:00.123456789Z", "2024-03-05T14:03:00Z"),
    ("2024-03-05T14:03+01:00", "2024-03-05T13:03:00Z"),
    ("2024-03-05 14:03:00", "2024-03-05T14:03:00Z"),
    ("2024-03-05 14:03:00 +0100", "2024-03-05T13:03:00Z"),
    ("2024-07-15 19:20:00 CEST", "2024-07-15T17:20:00Z"),
    ("20240305T140300Z", "2024-03-05T14:03:00Z"),
    ("20240305T140300+0100", "2024-03-05T13:03:00Z"),
    ("2024-03-05", "2024-03-05T00:00:00Z"),
    ("2024-03-05T24:00:00Z", "2024-03-06T00:00:00Z"),
    ("2024-W10-2", "2024-03-05T00:00:00Z"),
    # year first with other separators
    ("2024/03/05 14:03", "2024-03-05T14:03:00Z"),
    ("2024.3.5", "2024-03-05T00:00:00Z"),
    # crossing a day, month and year boundary
    ("Tue, 05 Mar 2024 23:30:00 -0800", "2024-03-06T07:30:00Z"),
    ("2025-01-01T01:00:00+02:00", "2024-12-31T23:00:00Z"),
]

# Values that name no date at all.
INVALID = [
    "",
    "garbage",
    "the day after the storm",
    "Tue, 31 Feb 2024 14:03:00 GMT",
    "Tue, 05 Mar 2024 25:03:00 GMT",
    "Tue, 05 Mar 2024 14:03:00 +2400",
    "Mar 2024",
    "13:00 PM 5 Mar 2024",
    "2024-13-05T14:03:00Z",
    "2024/03/32",
    "0000-00-00 00:00:00",
    "14:03",
    "T14:03:00Z",
    "--03-05",
    "24",
]


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(("raw", "expected"), DATES)
def test_parse_date_table(raw: str, expected: str) -> None:
    moment = parse_date(raw)
    assert moment is not None
    assert moment.tzinfo is UTC
    assert iso(moment) == expected


@pytest.mark.parametrize("raw", INVALID)
def test_parse_date_invalid(raw: str) -> None:
    assert parse_date(raw) is None


def test_rss_invalid_dates_left_empty() -> None:
    # feedparser turns some of these into a date in another month or year.
    feed = parse_feed(rss_with_dates(INVALID), "http://127.0.0.1/dates.xml")
    assert [entry.published for entry in feed.entries] == [None] * len(INVALID)


def test_fraction_kept_after_comma() -> None:
    moment = parse_date("2024-03-05T14:03:00,25+01:00")
    assert moment == datetime(2024, 3, 5, 13, 3, 0, 250000, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw", ["Tue, 05 Mar 2024 14:03:00 XYZT", "5 Mar 2024 1:00 IST"]
)
def test_unknown_zone_raises(raw: str) -> None:
    with pytest.raises(UnknownZoneError, match="unknown time zone"):
        parse_date(raw)


def test_feedparser_tuple_used_for_other_forms() -> None:
    # feedparser reads the Perforce form, which has no month name.
    raw = "Fri, 2006/09/15 08:19:53 EDT"
    assert parse_date(raw) is None
    feed = parse_feed(rss_with_dates([raw]), "http://127.0.0.1/dates.xml")
    assert iso(feed.entries[0].published) == "2006-09-15T12:19:53Z"


def test_to_utc_without_raw_uses_tuple() -> None:
    parsed = time.strptime("2024-03-05 14:03:00", "%Y-%m-%d %H:%M:%S")
    assert iso(to_utc(None, parsed)) == "2024-03-05T14:03:00Z"


def rss_with_dates(dates: list[str]) -> bytes:
    """Return an RSS 2.0 document with one item per date, keyed by position."""
    items = "".join(
        f"<item><guid>d{number}</guid><title>Date {number}</title>"
        f"<pubDate>{escape(raw)}</pubDate></item>"
        for number, raw in enumerate(dates)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Dates</title>'
        f"<link>http://127.0.0.1/</link>{items}</channel></rss>"
    ).encode()


@pytest.fixture
def served_dates(db_path: Path) -> Iterator[str]:
    """Serve the table as an RSS feed and return its URL."""
    server = RouteServer()
    body = rss_with_dates([raw for raw, _ in DATES])
    server.routes["/dates.xml"] = Route(body, {"Content-Type": "application/rss+xml"})
    with server.running():
        yield server.url("/dates.xml")


def test_rss_dates_stored_in_utc(
    served_dates: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["add", served_dates]) == 0
    capsys.readouterr()
    assert main(["entries", "--json"]) == 0
    stored = {e["key"]: e["published"] for e in json.loads(capsys.readouterr().out)}
    for number, (raw, expected) in enumerate(DATES):
        assert stored[f"d{number}"] == expected, raw


@pytest.mark.parametrize("zone", ["UTC0", "PST8PDT,M3.2.0,M11.1.0", "IST-5:30"])
def test_rss_dates_ignore_local_zone(
    zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        feed = parse_feed(rss_with_dates([raw for raw, _ in DATES]), "http://x/")
    finally:
        monkeypatch.undo()
        time.tzset()
    assert [iso(e.published) for e in feed.entries] == [
        expected for _, expected in DATES
    ]


def test_json_feed_dates_in_utc() -> None:
    items = [
        {"id": str(number), "content_text": "x", "date_published": raw}
        for number, (raw, _) in enumerate(DATES)
    ]
    document = {"version": "https://jsonfeed.org/version/1.1", "items": items}
    feed = parse_feed(json.dumps(document).encode(), "http://127.0.0.1/feed.json")
    assert [iso(e.published) for e in feed.entries] == [
        expected for _, expected in DATES
    ]
    assert feed.warnings == ()
