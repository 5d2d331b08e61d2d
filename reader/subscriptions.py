"""Import subscription files into the cache, and export it as OPML.

``read_subscription_file`` reads a file that starts with ``<`` as OPML,
and any other as a plain URL list or a newsboat ``urls`` file.
``import_subscriptions`` subscribes to every valid feed in one
transaction, without fetching anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reader.models import InvalidFeedURLError
from reader.opml import parse_opml, write_opml
from reader.store import Store
from reader.store_folders import NewFeed
from reader.subscription_list import (
    ImportFileError,
    Skipped,
    Subscription,
    SubscriptionList,
)
from reader.textsafe import clean_line
from reader.url_lists import parse_url_lines

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class ImportedFeed:
    """A feed an import added or found already subscribed."""

    line: int
    feed_id: int
    url: str
    """The URL as stored, after normalization."""


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The outcome of one import, line by line."""

    format: str
    added: tuple[ImportedFeed, ...] = ()
    present: tuple[ImportedFeed, ...] = ()
    """Feeds already subscribed (or listed twice); they are left unchanged."""
    skipped: tuple[Skipped, ...] = ()
    invalid: tuple[Skipped, ...] = ()


def parse_subscriptions(data: bytes) -> SubscriptionList:
    """Parse an OPML document, a newsboat urls file or a list of URLs.

    Raises ImportFileError for malformed or unsafe OPML and for text that
    is not UTF-8.
    """
    body = data.removeprefix(_BOM).lstrip()
    if body.startswith(b"<"):
        return parse_opml(data)
    if b"\x00" in body:
        raise ImportFileError("not a text file: it contains NUL bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"not UTF-8 text (invalid byte at offset {error.start})"
        ) from None
    return parse_url_lines(text)


def read_subscription_file(path: Path) -> SubscriptionList:
    """Read and parse a subscription file, gzip-compressed or not; raise
    ImportFileError if it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFileError(f"cannot read {path}: {error.strerror}") from None
    try:
        return parse_subscriptions(_gunzip(data))
    except ImportFileError as error:
        raise ImportFileError(f"{path}: {error}") from None


def _gunzip(data: bytes) -> bytes:
    """Return ``data`` decompressed if it is gzip data, else unchanged.

    The decompressed size is capped as for a feed fetched over HTTP.
    """
    # Imported here: reader.fetch brings in HTTP, which every start would pay.
    from reader.compression import (
        GZIP_MAGIC,
        DecompressedSizeError,
        DecompressionError,
        decompress_body,
    )
    from reader.fetch import MAX_BYTES

    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        return decompress_body(data, None, MAX_BYTES)
    except DecompressedSizeError:
        limit = MAX_BYTES // (1024 * 1024)
        message = f"decompressed, it is larger than the {limit} MiB limit"
        raise ImportFileError(message) from None
    except DecompressionError as error:
        raise ImportFileError(str(error)) from None


def feed_url(url: str) -> str:
    """Normalize a URL from an import file as ``tidings add`` would, after
    turning the old ``feed:`` scheme into http(s). Raises
    InvalidFeedURLError."""
    lowered = url.lower()
    if lowered.startswith("feed://"):
        url = "http://" + url[len("feed://") :]
    elif lowered.startswith("feed:"):
        url = url[len("feed:") :]
    # Imported here: reader.fetch brings in HTTP, which every start would pay.
    from reader.fetch import normalize_feed_url

    return normalize_feed_url(url)


def import_subscriptions(store: Store, listing: SubscriptionList) -> ImportReport:
    """Subscribe to every valid feed of ``listing`` in one transaction."""
    invalid = list(listing.invalid)
    valid: list[tuple[Subscription, NewFeed]] = []
    for item in listing.subscriptions:
        try:
            url = feed_url(item.url)
        except InvalidFeedURLError as error:
            invalid.append(Skipped(item.line, clean_line(item.url), str(error)))
            continue
        new_feed = NewFeed(url, item.title, item.folder, item.user_title)
        valid.append((item, new_feed))
    results = store.add_feeds(new_feed for _, new_feed in valid)
    added: list[ImportedFeed] = []
    present: list[ImportedFeed] = []
    for (item, new_feed), (feed_id, is_new) in zip(valid, results, strict=True):
        imported = ImportedFeed(item.line, feed_id, new_feed.url)
        (added if is_new else present).append(imported)
    return ImportReport(
        listing.format,
        tuple(added),
        tuple(present),
        listing.skipped,
        tuple(sorted(invalid, key=lambda skipped: skipped.line)),
    )


def export_opml(store: Store, *, created: datetime | None = None) -> bytes:
    """Return every subscription as an OPML 2.0 document with folders."""
    settings = store.feed_settings()
    feeds = [(feed, settings[feed.id]) for feed in store.list_feeds()]
    return write_opml(feeds, created=created)
