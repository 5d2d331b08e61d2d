"""The cache's refresh schedule: failures, gone feeds, intervals, host pauses.

``ScheduleStore`` is a mixin of ``Store``. Its methods record what one
refresh learned about when a feed may be fetched again; ``reader.schedule``
decides the times.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from reader.models import FeedNotFoundError, FetchResult

# Appended to the feed columns that Store reads, in this order.
SCHEDULE_COLUMNS = """
    f.gone_since, f.failures, f.next_refresh, f.declared_interval, f.max_age,
    f.interval_override
"""

# No feed or server can push its next refresh further than this: a ttl of a
# year is more likely a mistake than a wish, and the user would never learn.
MAX_UPDATE_INTERVAL = timedelta(days=1)


def _text(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _seconds(value: int | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=value)


def schedule_fields(row: Sequence[Any]) -> dict[str, Any]:
    """Return the Feed fields read by ``SCHEDULE_COLUMNS``, by name."""
    gone_since, failures, next_refresh, declared, max_age, override = row
    requested = [seconds for seconds in (declared, max_age) if seconds]
    update_interval = None
    if requested:
        longest = timedelta(seconds=max(requested))
        update_interval = min(longest, MAX_UPDATE_INTERVAL)
    return {
        "gone_since": _moment(gone_since),
        "failures": failures,
        "next_refresh": _moment(next_refresh),
        "update_interval": update_interval,
        "interval_override": _seconds(override),
    }


@dataclass(frozen=True, slots=True)
class UnchangedFeed:
    """A feed whose refresh found nothing new: a 304 or the same body."""

    feed_id: int
    result: FetchResult
    next_refresh: datetime | None
    max_age: int | None
    """Cache-Control max-age in force: a 304 without one keeps the stored one."""


class ScheduleStore:
    """Refresh schedule methods of ``Store``."""

    def record_success(
        self,
        feed_id: int,
        next_refresh: datetime | None,
        max_age: int | None,
        declared_interval: int | None,
    ) -> None:
        """Record a refresh that parsed and stored the feed's document."""
        with self._transaction() as db:
            db.execute(
                "UPDATE feeds SET failures = 0, gone_since = NULL, "
                "next_refresh = ?, max_age = ?, declared_interval = ? WHERE id = ?",
                (_text(next_refresh), max_age, declared_interval, feed_id),
            )

    def record_unchanged(self, feeds: Sequence[UnchangedFeed], now: datetime) -> None:
        """Record refreshes that found nothing new, all in one transaction."""
        with self._transaction() as db:
            for feed in feeds:
                result = feed.result
                db.execute(
                    "UPDATE feeds SET last_refreshed = ?, last_error = NULL, "
                    "etag = coalesce(?, etag), "
                    "last_modified = coalesce(?, last_modified), failures = 0, "
                    "gone_since = NULL, next_refresh = ?, max_age = ? WHERE id = ?",
                    (
                        _text(now),
                        result.etag,
                        result.last_modified,
                        _text(feed.next_refresh),
                        feed.max_age,
                        feed.feed_id,
                    ),
                )
                if result.permanent_redirect:
                    self._move_feed(db, feed.feed_id, result.url)

    def record_failure(
        self, feed_id: int, message: str, next_refresh: datetime | None
    ) -> None:
        """Record a failed refresh and when the next try is due."""
        with self._transaction() as db:
            db.execute(
                "UPDATE feeds SET last_refreshed = ?, last_error = ?, "
                "failures = failures + 1, next_refresh = ? WHERE id = ?",
                (_text(datetime.now(UTC)), message, _text(next_refresh), feed_id),
            )

    def record_gone(self, feed_id: int, message: str) -> None:
        """Mark the feed removed by its server (410 Gone)."""
        now = _text(datetime.now(UTC))
        with self._transaction() as db:
            db.execute(
                "UPDATE feeds SET last_refreshed = ?, last_error = ?, "
                "failures = failures + 1, gone_since = coalesce(gone_since, ?), "
                "next_refresh = NULL WHERE id = ?",
                (now, message, now, feed_id),
            )

    def set_interval_override(
        self, feed_id: int, interval: timedelta | None, next_refresh: datetime | None
    ) -> None:
        """Store the user's refresh interval (None: the feed's own again)."""
        seconds = None if interval is None else round(interval.total_seconds())
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE feeds SET interval_override = ?, next_refresh = ? WHERE id = ?",
                (seconds, _text(next_refresh), feed_id),
            )
        if cursor.rowcount == 0:
            raise FeedNotFoundError(
                f"feed {feed_id} not found; list feeds with 'tidings feeds'"
            )

    def stored_intervals(self) -> dict[int, tuple[int | None, int | None]]:
        """Return feed id -> (interval its document declared, max-age of its
        last response), in seconds, for the feeds that have either."""
        rows = self._db.execute(
            "SELECT id, declared_interval, max_age FROM feeds "
            "WHERE declared_interval IS NOT NULL OR max_age IS NOT NULL"
        )
        return {feed_id: (declared, max_age) for feed_id, declared, max_age in rows}

    # Hosts

    def host_pauses(self, now: datetime) -> dict[str, tuple[datetime, str]]:
        """Return the hosts paused beyond ``now``: host -> (until, reason)."""
        rows = self._db.execute(
            "SELECT host, until, reason FROM host_pauses WHERE until > ?",
            (_text(now),),
        )
        return {
            host: (datetime.fromisoformat(until), reason)
            for host, until, reason in rows
        }

    def pause_host(self, host: str, until: datetime, reason: str) -> None:
        """Send no request to ``host`` before ``until``; keep the later pause."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO host_pauses (host, until, reason) VALUES (?, ?, ?) "
                "ON CONFLICT (host) DO UPDATE SET until = excluded.until, "
                "reason = excluded.reason WHERE excluded.until > until",
                (host, _text(until), reason),
            )
            db.execute(
                "DELETE FROM host_pauses WHERE until <= ?", (_text(datetime.now(UTC)),)
            )

    if TYPE_CHECKING:
        _db: sqlite3.Connection

        def _transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

        def _move_feed(
            self, db: sqlite3.Connection, feed_id: int, url: str
        ) -> None: ...
