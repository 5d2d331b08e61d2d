"""Values passed between layers: feeds, entries, fetch results and errors.

Every value is a frozen dataclass, so the UI and the CLI never see a
``sqlite3.Row`` or a feedparser dict. Timestamps are aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Enclosure:
    """An attachment of an entry: audio, video, image or a file."""

    url: str
    """Absolute URL of the attachment."""
    type: str | None = None
    """MIME type as the feed declared it, if any."""
    length: int | None = None
    """Size in bytes as the feed declared it, if any."""


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One entry as read from a feed document, before it is stored."""

    key: str
    """Identity within the feed: guid/id, else link, else a hash of title and date."""
    title: str
    """Plain-text title, cleaned of markup and control characters."""
    link: str | None
    """Absolute http(s) URL of the entry's page, if any."""
    author: str | None
    published: datetime | None
    """Publication time (UTC), if the feed gave one that parses."""
    updated: datetime | None
    """Last update time (UTC), if the feed gave one that parses."""
    content: str
    """Body HTML (full content if given, else the summary)."""
    summary: str
    """Summary as HTML; a plain-text summary is escaped into paragraphs."""
    enclosures: tuple[Enclosure, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed document after parsing."""

    title: str
    link: str | None
    """The site the feed belongs to (absolute URL), if any."""
    entries: tuple[ParsedEntry, ...]
    warnings: tuple[str, ...] = ()
    """Problems feedparser tolerated (its ``bozo`` flag), for the log."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of one fetch of a feed URL."""

    url: str
    """Final URL after redirects."""
    content: bytes | None
    """Body bytes, or None when the server responded 304 Not Modified."""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    permanent_redirect: bool = False
    """True when a 301 or 308 redirect led to ``url``."""
    max_age: int | None = None
    """Cache-Control max-age of the response in seconds, if it had one."""

    @property
    def not_modified(self) -> bool:
        """Whether the server answered 304 Not Modified."""
        return self.content is None


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscribed feed as stored in the cache."""

    id: int
    url: str
    """URL (or local file path) the feed is fetched from."""
    title: str
    """Title from the feed document, or the URL before the first refresh."""
    link: str | None = None
    """The site the feed belongs to."""
    etag: str | None = None
    last_modified: str | None = None
    last_refreshed: datetime | None = None
    """Time of the last refresh attempt, successful or not."""
    last_error: str | None = None
    """Error message of the last refresh, or None if it succeeded."""
    unread: int = 0
    total: int = 0
    gone_since: datetime | None = None
    """When the server responded 410 Gone; a scheduled refresh skips the feed."""
    failures: int = 0
    """Consecutive failed refreshes. From the second one on the feed backs off."""
    next_refresh: datetime | None = None
    """Earliest time a scheduled refresh fetches the feed, or None when it is
    due. For a failing feed this is when the next try is due."""
    update_interval: timedelta | None = None
    """Time between refreshes that the feed (RSS ttl, sy:updatePeriod) or its
    server (Cache-Control max-age) requested, if any."""
    interval_override: timedelta | None = None
    """Time between refreshes set by the user; it replaces update_interval."""

    @property
    def gone(self) -> bool:
        """Whether the server reported the feed removed (HTTP 410 Gone)."""
        return self.gone_since is not None


@dataclass(frozen=True, slots=True)
class Entry:
    """A stored entry with its read and starred state."""

    id: int
    feed_id: int
    key: str
    """Identity within the feed; see ``ParsedEntry.key``."""
    title: str
    link: str | None
    author: str | None
    published: datetime | None
    updated: datetime | None
    content: str
    summary: str
    first_seen: datetime
    """When tidings first stored this entry; the sort date of undated entries."""
    read: bool = False
    read_at: datetime | None = None
    starred: bool = False
    starred_at: datetime | None = None
    enclosures: tuple[Enclosure, ...] = ()
    feed_title: str = ""

    @property
    def date(self) -> datetime | None:
        """Return the date to show: published, else updated."""
        return self.published or self.updated


@dataclass(frozen=True, slots=True)
class FeedRefreshed:
    """Outcome of refreshing one feed, reported as a progress event."""

    feed_id: int
    url: str
    new: int = 0
    updated: int = 0
    not_modified: bool = False
    error: str | None = None
    skipped: str | None = None
    """Reason the feed was not fetched (not due, gone, host paused), or None."""


@dataclass(frozen=True)
class RefreshSummary:
    """Outcome of one refresh run over several feeds."""

    results: tuple[FeedRefreshed, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> tuple[FeedRefreshed, ...]:
        """Return the results that carry an error."""
        return tuple(r for r in self.results if r.error is not None)

    @property
    def skipped(self) -> tuple[FeedRefreshed, ...]:
        """Return the results of feeds that were not fetched."""
        return tuple(r for r in self.results if r.skipped is not None)


class TidingsError(Exception):
    """Base class of every error tidings raises on purpose."""


class FeedNotFoundError(TidingsError, LookupError):
    """No feed has the requested id."""


class EntryNotFoundError(TidingsError, LookupError):
    """No entry has the requested id."""


class FeedExistsError(TidingsError, ValueError):
    """A feed with this URL is already subscribed."""


class InvalidFeedURLError(TidingsError, ValueError):
    """A URL or path cannot be subscribed to."""


class UsageError(TidingsError, ValueError):
    """A command-line argument is invalid."""


class FetchError(TidingsError):
    """A feed could not be fetched (network, HTTP status, size, local file)."""


class FeedGoneError(FetchError):
    """The server responded 410 Gone: the feed was removed for good."""


class ServerBusyError(FetchError):
    """The server responded 429 Too Many Requests or 503 Service Unavailable."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        """Seconds the server requested to wait (its Retry-After), or None."""


class ParseError(TidingsError, ValueError):
    """A document is not a feed tidings can read."""


class StoreError(TidingsError):
    """The cache cannot be opened or written."""
