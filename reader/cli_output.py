"""Text and JSON shapes of feeds and entries for the command line.

Stored text was cleaned when it was parsed; it is cleaned again here because
stdout may be a terminal and the cache may come from an older tidings.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from reader.models import Enclosure, Entry, Feed
from reader.schedule import format_time
from reader.textsafe import clean_line


def iso_utc(moment: datetime | None) -> str | None:
    """Format an aware datetime as ISO 8601 UTC with a Z suffix."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def plural(count: int, singular: str, plural_form: str) -> str:
    """Return "1 entry" or "2 entries": the count with the right noun."""
    return f"{count} {singular if count == 1 else plural_form}"


def strip_url_prefix(message: str, url: str) -> str:
    """Drop the URL an error message starts with, for a line that shows the
    message beside the URL: "URL: reason" becomes "reason", and "URL is an
    HTML page" becomes "the response is an HTML page" ("the file" for a
    local path)."""
    if message.startswith(f"{url}: "):
        return message[len(url) + 2 :]
    if message.startswith(f"{url} "):
        subject = "the response" if "://" in url else "the file"
        return subject + message[len(url) :]
    return message


def error_text(feed: Feed) -> str:
    """Return the feed's last error without the URL it usually starts with."""
    return strip_url_prefix(clean_line(feed.last_error or ""), clean_line(feed.url))


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
        "key": entry.key,
        "title": entry.title,
        "link": entry.link,
        "author": entry.author,
        "published": iso_utc(entry.date),
        "first_seen": iso_utc(entry.first_seen),
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
        row += f"  [error: {error_text(feed)}]"
    if feed.gone_since:
        row += f"  [gone since {format_time(feed.gone_since)}]"
    elif feed.next_refresh and feed.next_refresh > datetime.now(UTC):
        label = "next try" if feed.failures else "next refresh"
        row += f"  [{label} {format_time(feed.next_refresh)}]"
    return row


FEED_HEADER = f"{'ID':>4}  UNREAD/TOTAL TITLE  <URL>  [STATUS]"
"""Column names above ``format_feed_row`` lines."""
ENTRY_HEADER = f"{'ID':>6}  {'DATE':<10}  N*  TITLE"
"""Column names above ``format_entry_row`` lines: N marks unread entries and
* starred ones."""
FOLDER_HEADER = "UNREAD/TOTAL FOLDER (FEEDS)"
"""Column names above the lines of ``tidings folders``."""


def print_header(header: str) -> None:
    """Print column names when stdout is a terminal.

    Piped output stays one row per line, so scripts that read it keep working.
    """
    if sys.stdout.isatty():
        print(header)


def format_entry_row(entry: Entry) -> str:
    """Format an entry as one line: id, date, flags (N unread, * starred), title."""
    date = entry.date.strftime("%Y-%m-%d") if entry.date else "----------"
    unread_flag = " " if entry.read else "N"
    starred_flag = "*" if entry.starred else " "
    flags = unread_flag + starred_flag
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
    lines.extend(f"Enclosure: {format_enclosure(e)}" for e in entry.enclosures)
    return "\n".join(lines) + "\n"


def format_enclosure(enclosure: Enclosure) -> str:
    """Format an enclosure as its URL followed by its type and size, if known."""
    details = [clean_line(enclosure.type or "")]
    if enclosure.length is not None:
        details.append(format_size(enclosure.length))
    known = ", ".join(detail for detail in details if detail)
    url = clean_line(enclosure.url)
    return f"{url} ({known})" if known else url


def format_size(size: int) -> str:
    """Format a size in bytes with binary units: "512 B", "30.6 KiB", "1.2 GiB"."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            break
    return f"{value:.1f} {unit}"
