"""When a feed is due: intervals, failure back-off and host pauses.

A feed is due unless its stored ``next_refresh`` lies ahead. After a
successful refresh, that time is the refresh time plus the feed's interval:
the user's override, else the longest of what the feed (RSS ``<ttl>``,
``sy:updatePeriod``) and its server (Cache-Control max-age) requested. A
feed that requests no interval is due at every refresh, and conditional
GET keeps that cheap for the server.

One failure changes nothing. From the second failure in a row, the feed
waits 15 minutes, then 30, doubling up to a day. A server that responds with
429 or 503 pauses its whole host for its Retry-After, or five minutes without
one, at most a day.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from reader.models import Feed
from reader.store_schedule import MAX_UPDATE_INTERVAL

BACKOFF_START = timedelta(minutes=15)
MAX_BACKOFF = timedelta(days=1)
DEFAULT_HOST_PAUSE = timedelta(minutes=5)
MAX_HOST_PAUSE = timedelta(days=1)

_SY_PERIODS = {
    b"hourly": 3600,
    b"daily": 86400,
    b"weekly": 7 * 86400,
    b"monthly": 30 * 86400,
    b"yearly": 365 * 86400,
}
_SY_NAMESPACE = re.compile(
    rb"""xmlns:([\w.-]+)\s*=\s*["']http://purl\.org/rss/1\.0/modules/syndication/?["']"""
)
_TTL = re.compile(rb"<ttl>\s*(\d{1,9})\s*</ttl>")
# Channel elements come before the first item in practice, and an item's
# body may quote "<ttl>" in an article about RSS.
_FIRST_ITEM = re.compile(rb"<(?:\w+:)?(?:item|entry)[\s>]")


def declared_interval(document: bytes) -> int | None:
    """Return the refresh interval a feed document declares, in seconds.

    Reads RSS ``<ttl>`` (minutes) and ``sy:updatePeriod`` divided by
    ``sy:updateFrequency`` from the channel, before the first item, and
    returns the longer one, or None when neither is there.
    """
    first_item = _FIRST_ITEM.search(document)
    head = document[: first_item.start()] if first_item else document
    found = []
    ttl = _TTL.search(head)
    if ttl and int(ttl[1]) > 0:
        found.append(int(ttl[1]) * 60)
    period = _sy_period(head)
    if period:
        found.append(period)
    return max(found, default=None)


def _sy_period(head: bytes) -> int | None:
    namespace = _SY_NAMESPACE.search(head)
    if namespace is None:
        return None
    prefix = re.escape(namespace[1])
    period = re.search(rb"<" + prefix + rb":updatePeriod>\s*(\w+)\s*<", head)
    if period is None or period[1].lower() not in _SY_PERIODS:
        return None
    frequency = re.search(rb"<" + prefix + rb":updateFrequency>\s*(\d{1,6})\s*<", head)
    times = int(frequency[1]) if frequency and int(frequency[1]) > 0 else 1
    return _SY_PERIODS[period[1].lower()] // times


def interval(feed: Feed) -> timedelta | None:
    """Return the time between the feed's scheduled refreshes, if any."""
    return feed.interval_override or feed.update_interval


def next_after_success(
    now: datetime, feed: Feed, declared: int | None, max_age_seconds: int | None
) -> datetime | None:
    """Return when a feed refreshed at ``now`` is due again, or None."""
    if feed.interval_override:
        return now + feed.interval_override
    requested = max(declared or 0, max_age_seconds or 0)
    if not requested:
        return None
    return now + min(timedelta(seconds=requested), MAX_UPDATE_INTERVAL)


def backoff(failures: int) -> timedelta:
    """Return the wait after ``failures`` failed refreshes in a row."""
    if failures < 2:
        return timedelta(0)
    # Capping the exponent keeps the arithmetic small for a long-dead feed.
    return min(BACKOFF_START * (1 << min(failures - 2, 20)), MAX_BACKOFF)


def next_after_failure(now: datetime, feed: Feed) -> datetime | None:
    """Return when the next try of a feed that failed at ``now`` is due."""
    wait = max(backoff(feed.failures + 1), interval(feed) or timedelta(0))
    return now + wait if wait else None


def host_pause(retry_after: float | None) -> timedelta:
    """Return how long to leave a host alone after a 429 or 503."""
    if retry_after is None:
        return DEFAULT_HOST_PAUSE
    return min(timedelta(seconds=retry_after), MAX_HOST_PAUSE)


def skip_reason(feed: Feed, now: datetime, force: bool) -> str | None:
    """Return why a refresh at ``now`` leaves the feed alone, or None."""
    if force:
        return None
    if feed.gone_since is not None:
        return (
            f"gone: the server responded 410 Gone on {format_time(feed.gone_since)}; "
            "--force tries again"
        )
    if feed.next_refresh is not None and feed.next_refresh > now:
        label = "next try" if feed.failures else "not due until"
        return f"{label} {format_time(feed.next_refresh)}; --force refreshes it now"
    return None


def format_time(moment: datetime) -> str:
    """Format a time for messages, in UTC to the minute."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
