"""Text and JSON shapes of feeds and entries for the command line.

Stored text was cleaned when it was parsed; it is cleaned again here because
stdout may be a terminal and the cache may come from an older tidings.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from reader.models import Entry, Feed
from reader.schedule import format_time
from reader.textsafe import clean_line


def iso_utc(moment: datetime | None) -> str | None:
    """Format an aware datetime as ISO 8601 UTC with a Z suffix."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def feed_json(feed: Feed) -> dict[str, Any]:
    """Return the JSON object ``tidings feeds --json`` prints for a feed."""
    return {
        "id": feed.id,
        "url": feed.url,
        "title": feed.title,
        "link": feed.link,
        "unread": feed.unread,
        "total": feed.total,
        "last_refreshed": iso_utc(feed.last_refreshed),
        "last_error": feed.last_error,
        **schedule_json(feed),
    }


def schedule_json(feed: Feed) -> dict[str, Any]:
    """Return the refresh schedule fields of a feed's JSON object.

    Intervals are in seconds; ``next_refresh`` is null when the feed is due.
    """
    return {
        "next_refresh": iso_utc(feed.next_refresh),
        "failures": feed.failures,
        "gone": feed.gone,
        "gone_since": iso_utc(feed.gone_since),
        "update_interval": _seconds(feed.update_interval),
        "interval_override": _seconds(feed.interval_override),
    }


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds())


def entry_json(entry: Entry) -> dict[str, Any]:
    """Return the JSON object ``tidings entries --json`` prints for an entry."""
    return {
        "id": entry.id,
        "feed_id": entry.feed_id,
        "title": entry.title,
        "link": entry.link,
        "author": entry.author,
        "published": iso_utc(entry.date),
        "read": entry.read,
        "starred": entry.starred,
        "enclosures": [
            {"url": e.url, "type": e.type, "length": e.length} for e in entry.enclosures
        ],
    }


def format_feed_row(feed: Feed) -> str:
    """Format a feed as one line: id, unread/total, title, URL, error, and
    when the next refresh or try is due if that lies ahead."""
    row = f"{feed.id:>4}  {feed.unread:>5}/{feed.total:<5}  {clean_line(feed.title)}"
    row += f"  <{clean_line(feed.url)}>"
    if feed.last_error:
        row += f"  [error: {clean_line(feed.last_error)}]"
    if feed.gone_since:
        row += f"  [gone since {format_time(feed.gone_since)}]"
    elif feed.next_refresh and feed.next_refresh > datetime.now(UTC):
        label = "next try" if feed.failures else "next refresh"
        row += f"  [{label} {format_time(feed.next_refresh)}]"
    return row


def format_entry_row(entry: Entry) -> str:
    """Format an entry as one line: id, date, flags (N unread, * starred), title."""
    date = entry.date.strftime("%Y-%m-%d") if entry.date else "----------"
    flags = ("N" if not entry.read else " ") + ("*" if entry.starred else " ")
    return f"{entry.id:>6}  {date}  {flags}  {clean_line(entry.title)}"


def entry_header(entry: Entry) -> str:
    """Return the header lines ``tidings show --header`` prints."""
    lines = [
        f"Title: {clean_line(entry.title)}",
        f"Feed: {clean_line(entry.feed_title)}",
    ]
    if entry.author:
        lines.append(f"Author: {clean_line(entry.author)}")
    if entry.date:
        lines.append(f"Date: {iso_utc(entry.date)}")
    if entry.link:
        lines.append(f"Link: {clean_line(entry.link)}")
    return "\n".join(lines) + "\n"
