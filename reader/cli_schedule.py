"""``tidings feed-interval``: show or set how often a feed is refreshed."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta

from reader.models import Feed, UsageError
from reader.schedule import format_time, interval
from reader.store import Store, utc_now
from reader.textsafe import clean_line

# A year: longer would more likely be a typo than a wish.
MAX_OVERRIDE_MINUTES = 365 * 24 * 60


def configure_feed_interval(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``tidings feed-interval``."""
    parser.add_argument("feed_id", type=int, metavar="FEED_ID")
    parser.add_argument(
        "minutes",
        nargs="?",
        metavar="MINUTES",
        help="minutes between scheduled refreshes, or 'auto' for what the feed "
        "and its server ask for; without it, print the current schedule",
    )


def run_feed_interval(store: Store, args: argparse.Namespace) -> int:
    """Print the feed's schedule, after setting its interval if given."""
    feed = store.get_feed(args.feed_id)
    if args.minutes is not None:
        override = _parse_minutes(args.minutes)
        store.set_interval_override(feed.id, override, _next_refresh(feed, override))
        feed = store.get_feed(feed.id)
    print(describe_schedule(feed))
    return 0


def _parse_minutes(text: str) -> timedelta | None:
    if text.strip().lower() == "auto":
        return None
    try:
        minutes = int(text)
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= MAX_OVERRIDE_MINUTES:
        raise UsageError(
            f"invalid MINUTES {text!r}; use a whole number from 1 to "
            f"{MAX_OVERRIDE_MINUTES}, or 'auto'"
        )
    return timedelta(minutes=minutes)


def _next_refresh(feed: Feed, override: timedelta | None) -> datetime | None:
    """Return the feed's next refresh under a new interval."""
    if feed.failures or feed.last_refreshed is None:
        return feed.next_refresh  # A failing feed keeps its back-off.
    every = override or feed.update_interval
    if every is None:
        return None
    due = feed.last_refreshed + every
    return due if due > utc_now() else None


def describe_schedule(feed: Feed) -> str:
    """Return one line on how often the feed is refreshed and when next."""
    every = interval(feed)
    if feed.interval_override:
        cadence = f"every {_duration(feed.interval_override)} (set by you)"
    elif every:
        cadence = f"every {_duration(every)} (requested by the feed or its server)"
    else:
        cadence = "at every refresh (the feed asks for no interval)"
    text = f"Feed {feed.id} ({clean_line(feed.title)}): refreshed {cadence}"
    if feed.gone_since:
        text += f"; gone since {format_time(feed.gone_since)} (HTTP 410)"
    elif feed.next_refresh and feed.next_refresh > utc_now():
        label = "next try" if feed.failures else "next refresh"
        text += f"; {label} {format_time(feed.next_refresh)}"
    else:
        text += "; due now"
    return text


def _duration(value: timedelta) -> str:
    seconds = round(value.total_seconds())
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{round(seconds / 60)} minutes"
