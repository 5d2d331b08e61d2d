"""When a failing feed is tried again, and since when a feed is gone.

A feed that failed twice or more backs off: its ``next_refresh`` is when a
refresh that keeps to the schedule fetches it again. A host that responded
429 or 503 is paused as a whole, until the time its Retry-After requested.
A feed whose server responded 410 Gone is not fetched again unless forced.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from reader.models import Feed
from reader.tui.formatting import feed_error, local_date

TIME_FORMAT = "%H:%M"
"""strftime pattern of a time of day in the feed list and the status line."""


def local_moment(moment: datetime, now: datetime) -> str:
    """Return ``moment`` as a local time of day ("14:05"), with the date in
    the configured date format before it unless it is on the day of ``now``."""
    local = moment.astimezone()
    time_of_day = local.strftime(TIME_FORMAT)
    if local.date() == now.astimezone().date():
        return time_of_day
    return f"{local_date(moment)} {time_of_day}"


def next_try(
    feed: Feed, now: datetime, paused_until: datetime | None
) -> datetime | None:
    """Return when a refresh that keeps to the schedule tries a failing feed
    again, if that is after ``now``: the later of the feed's back-off and
    its host's pause (``paused_until``). None for a feed that did not fail."""
    if feed.last_error is None or feed.gone:
        return None
    waits = [
        moment
        for moment in (feed.next_refresh, paused_until)
        if moment is not None and moment > now
    ]
    return max(waits, default=None)


def schedule_note(
    feed: Feed, now: datetime, paused_until: datetime | None = None
) -> str | None:
    """Describe a failing feed's schedule: "gone since 2026-12-01" for a feed
    removed by its server (410), "retry 14:05" for one backing off, else None.
    """
    if feed.gone_since is not None:
        return f"gone since {local_date(feed.gone_since)}"
    retry = next_try(feed, now, paused_until)
    if retry is None:
        return None
    return f"retry {local_moment(retry, now)}"


def error_line(
    feed: Feed, now: datetime, paused_until: datetime | None = None
) -> str | None:
    """Return the second line of a failing feed's row: its last error, then
    its schedule note. None for a feed whose last refresh worked."""
    error = feed_error(feed)
    if error is None:
        return None
    note = schedule_note(feed, now, paused_until)
    return error if note is None else f"{note} · {error}"


def host_pause_until(
    feed: Feed, pauses: Mapping[str, tuple[datetime, str]]
) -> datetime | None:
    """Return the end of the pause the feed's host requested, if any.
    ``pauses`` maps host to (until, reason), as ``Store.host_pauses`` does."""
    if not pauses:
        return None
    # Imported here: reader.hosts loads httpx, which the reader needs only
    # once it refreshes, and only then can a host be paused.
    from reader.hosts import host_key

    pause = pauses.get(host_key(feed.url) or "")
    return None if pause is None else pause[0]
