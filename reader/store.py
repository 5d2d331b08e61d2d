"""The SQLite cache: feeds, entries, read and starred state.

One ``Store`` wraps one connection in autocommit mode; every write that
touches more than one row runs in an explicit ``BEGIN IMMEDIATE``
transaction, so a refresh of one feed lands whole or not at all.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from reader.entry_values import PreparedEntries, prepare_entries
from reader.entry_values import to_text as _to_text
from reader.listing import EntryLists
from reader.models import (
    Enclosure,
    Entry,
    EntryNotFoundError,
    Feed,
    FeedExistsError,
    FeedNotFoundError,
    FetchResult,
    ParsedEntry,
    ParsedFeed,
    StoreError,
)
from reader.retention import (
    DEFAULT_RETENTION,
    VacuumReport,
    prune_feed,
    pruned_keys,
    vacuum,
)
from reader.schema import migrate, reject_newer
from reader.search import SearchQueries, index_pending
from reader.store_errors import (
    BUSY_RETRY_DELAYS,
    BUSY_TIMEOUT_MS,
    busy_without_waiting,
    open_error_message,
    quick_check,
    write_error_message,
)
from reader.store_folders import FolderMethods
from reader.store_schedule import SCHEDULE_COLUMNS, ScheduleStore, schedule_fields

_FEED_COLUMNS = f"""
    f.id, f.url, coalesce(f.user_title, f.title, f.url) AS title, f.link, f.etag,
    f.last_modified, f.last_refreshed, f.last_error,
    coalesce(c.unread, 0) AS unread, coalesce(c.total, 0) AS total,
    {SCHEDULE_COLUMNS}
"""

# Counts come from the counters the schema's triggers keep.
_FEEDS = "feeds f LEFT JOIN feed_counts c ON c.feed_id = f.id"

REFRESH_INDEX_BACKLOG = 400
"""The ``Store.index_backlog`` of a refresh: about ten feeds of 40 entries.

FTS5 writes each transaction's new rows as a segment and merges segments
as they accumulate. Indexing once per ten feeds therefore costs less CPU
than once per feed. On the generated feeds of benchmarks/refresh_steps.py,
the index's inserts and merges took 5.1-5.5 ms per feed instead of 6.7 ms.
"""

_ENTRY_COLUMNS = """
    e.id, e.feed_id, e.key, e.title, e.link, e.author, e.published, e.updated,
    e.content, e.summary, e.enclosures, e.first_seen, e.read, e.read_at,
    e.starred, e.starred_at, coalesce(f.user_title, f.title, f.url) AS feed_title
"""


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def _to_datetime(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class Store(FolderMethods, ScheduleStore, EntryLists, SearchQueries):
    """The cache at one path. Use as a context manager or call ``close``.

    A Store is not safe to share between threads without a lock of the
    caller's. Entry lists and search come from the mixins in
    ``reader.listing`` and ``reader.search``.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        verify: bool = False,
        retention: timedelta | None = DEFAULT_RETENTION,
    ) -> None:
        """Open or create the cache at ``path`` and migrate it.

        ``verify`` runs ``PRAGMA quick_check`` first, which reads every page
        (about 160 ms for 100,000 entries, see benchmarks/open_check.py), so
        a damaged file is reported before anything writes to it. Raises
        StoreError, naming the path, for a file that cannot be used.
        """
        self.path = Path(path)
        self.retention = retention
        """Age after which a refresh prunes read entries (see
        ``reader.retention``); None keeps every entry."""
        self.index_backlog = 0
        """Queued entries that a save may leave for a later call to index.

        0 indexes each save's entries in its own transaction. A refresh
        sets ``REFRESH_INDEX_BACKLOG`` and indexes the rest at its end.
        """
        self._db = _connect(self.path, verify)
        self._batched = False
        # Search texts of bodies saved but not yet indexed (see save_parsed).
        self._known_texts: dict[str, str] = {}

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Run every write inside the block in one transaction.

        The writing methods called in the block start no transaction of
        their own, so an error in any of them rolls back all of them.
        """
        if self._batched:
            # A batch inside a batch joins it.
            yield
            return
        with self._transaction():
            self._batched = True
            try:
                yield
            finally:
                self._batched = False

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Inside ``batch``, undo the block's writes alone if it raises."""
        self._db.execute("SAVEPOINT feed")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK TO feed")
            self._db.execute("RELEASE feed")
            raise
        self._db.execute("RELEASE feed")

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file, as far as no
        reader still needs it, without waiting for readers."""
        self._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def set_checkpoint_pages(self, pages: int) -> None:
        """Let this connection's commits grow the write-ahead log to
        ``pages`` pages before they copy it into the database file."""
        self._db.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the body in one write transaction, rolled back on any error.

        Inside ``batch`` the body joins the batch's transaction instead.
        SQLite errors other than constraint violations become StoreError
        with the reason in plain words (disk full, locked, damaged).
        """
        if self._batched:
            yield self._db
            return
        try:
            self._begin()
            try:
                yield self._db
            except BaseException:
                self._db.rollback()
                raise
            self._db.commit()
        except sqlite3.IntegrityError:
            raise
        except sqlite3.DatabaseError as error:
            if self._db.in_transaction:
                self._db.rollback()
            raise StoreError(write_error_message(self.path, error)) from error

    def _begin(self) -> None:
        for delay in (*BUSY_RETRY_DELAYS, None):
            started = time.monotonic()
            try:
                self._db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                waited = time.monotonic() - started
                if delay is None or not busy_without_waiting(error, waited):
                    raise
            time.sleep(delay)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Read everything inside the block from one consistent snapshot.

        Writes by other connections during the block stay invisible until it
        ends. Do not write through this Store inside the block.
        """
        self._db.execute("BEGIN DEFERRED")
        try:
            # The snapshot starts at the first read, not at BEGIN.
            self._db.execute("SELECT count(*) FROM feeds").fetchone()
            yield
        finally:
            self._db.rollback()

    # Feeds

    def add_feed(self, url: str) -> Feed:
        """Subscribe to ``url``; raise FeedExistsError if it is already there."""
        try:
            with self._transaction() as db:
                cursor = db.execute(
                    "INSERT INTO feeds (url, added_at) VALUES (?, ?)",
                    (url, _to_text(utc_now())),
                )
        except sqlite3.IntegrityError:
            existing = self.find_feed(url)
            feed_id = existing.id if existing else "?"
            raise FeedExistsError(
                f"feed {url} is already subscribed as feed {feed_id}"
            ) from None
        assert cursor.lastrowid is not None
        return self.get_feed(cursor.lastrowid)

    def remove_feed(self, feed_id: int) -> None:
        """Delete a feed with its entries and their state."""
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
        if cursor.rowcount == 0:
            raise FeedNotFoundError(_feed_not_found(feed_id))

    def get_feed(self, feed_id: int) -> Feed:
        """Return the feed with ``feed_id`` or raise FeedNotFoundError."""
        row = self._db.execute(
            f"SELECT {_FEED_COLUMNS} FROM {_FEEDS} WHERE f.id = ?", (feed_id,)
        ).fetchone()
        if row is None:
            raise FeedNotFoundError(_feed_not_found(feed_id))
        return _feed_from_row(row)

    def find_feed(self, url: str) -> Feed | None:
        """Return the feed subscribed at ``url``, if any."""
        row = self._db.execute(
            f"SELECT {_FEED_COLUMNS} FROM {_FEEDS} WHERE f.url = ?", (url,)
        ).fetchone()
        return None if row is None else _feed_from_row(row)

    def list_feeds(self) -> list[Feed]:
        """Return every feed, ordered by title."""
        rows = self._db.execute(
            f"SELECT {_FEED_COLUMNS} FROM {_FEEDS} "
            "ORDER BY lower(coalesce(f.user_title, f.title, f.url)), f.id"
        ).fetchall()
        return [_feed_from_row(row) for row in rows]

    def body_hash(self, feed_id: int) -> str | None:
        """Return the hash of the body last parsed for the feed, if any."""
        row = self._db.execute(
            "SELECT body_hash FROM feeds WHERE id = ?", (feed_id,)
        ).fetchone()
        return None if row is None else row[0]

    # Refresh results

    def save_parsed(
        self,
        feed_id: int,
        result: FetchResult,
        parsed: ParsedFeed,
        body_hash: str | None = None,
        prepared: PreparedEntries | None = None,
    ) -> tuple[int, int]:
        """Store a parsed document in one transaction.

        ``prepared`` holds ``prepare_entries(parsed.entries)``, computed
        before the call to shorten the transaction; it is computed here when
        None. Returns (new, updated) entry counts. Entries keep their row,
        and so their read and starred state, when their title or body
        changes.
        """
        now = utc_now()
        if prepared is None:
            prepared = prepare_entries(parsed.entries)
        with self._transaction() as db:
            pruned = pruned_keys(db, feed_id, parsed.entries)
            entries = [
                row
                for row in zip(
                    parsed.entries, prepared.values, prepared.texts, strict=True
                )
                if row[0].key not in pruned
            ]
            known = dict(
                db.execute(
                    "SELECT key, fingerprint FROM entries WHERE feed_id = ?",
                    (feed_id,),
                ).fetchall()
            )
            new, updated = self._upsert_entries(db, feed_id, entries, known, now)
            self._update_feed_after_fetch(db, feed_id, result, now, body_hash)
            db.execute(
                "UPDATE feeds SET title = ?, link = ? WHERE id = ?",
                (parsed.title or None, parsed.link, feed_id),
            )
            self._after_save(db, feed_id, parsed, now)
        return new, updated

    def _after_save(
        self, db: sqlite3.Connection, feed_id: int, parsed: ParsedFeed, now: datetime
    ) -> None:
        if self.retention is not None:
            keys = [entry.key for entry in parsed.entries]
            prune_feed(db, feed_id, keys, self.retention, now)
        if self.index_backlog == 0 or _queued_for_index(db) >= self.index_backlog:
            try:
                index_pending(db, self._known_texts)
            finally:
                # Texts left over, such as those of a rolled-back save, would
                # only take memory.
                self._known_texts.clear()

    def _upsert_entries(
        self,
        db: sqlite3.Connection,
        feed_id: int,
        entries: Sequence[tuple[ParsedEntry, tuple[Any, ...], str]],
        known: dict[str, str],
        now: datetime,
    ) -> tuple[int, int]:
        new = updated = 0
        # Entries earlier in the document are newer by convention; a
        # microsecond apart keeps that order for entries without dates.
        for position, (entry, values, text) in enumerate(entries):
            fingerprint = values[-2]
            previous = known.get(entry.key)
            if previous == fingerprint:
                continue
            self._known_texts[entry.content] = text
            if previous is None:
                first_seen = _to_text(_nudge(now, len(entries) - position))
                db.execute(
                    _INSERT_ENTRY, (feed_id, entry.key, *values, first_seen, first_seen)
                )
                new += 1
            else:
                db.execute(_UPDATE_ENTRY, (*values, feed_id, entry.key))
                updated += 1
            known[entry.key] = fingerprint
        return new, updated

    def _update_feed_after_fetch(
        self,
        db: sqlite3.Connection,
        feed_id: int,
        result: FetchResult,
        now: datetime,
        body_hash: str | None,
    ) -> None:
        db.execute(
            "UPDATE feeds SET etag = ?, last_modified = ?, body_hash = ?, "
            "last_refreshed = ?, last_error = NULL WHERE id = ?",
            (result.etag, result.last_modified, body_hash, _to_text(now), feed_id),
        )
        if result.permanent_redirect:
            self._move_feed(db, feed_id, result.url)

    def _move_feed(self, db: sqlite3.Connection, feed_id: int, url: str) -> None:
        # Another subscription may already use the new URL; keep both then.
        taken = db.execute(
            "SELECT 1 FROM feeds WHERE url = ? AND id != ?", (url, feed_id)
        ).fetchone()
        if taken is None:
            db.execute("UPDATE feeds SET url = ? WHERE id = ?", (url, feed_id))

    def record_not_modified(self, feed_id: int, result: FetchResult) -> None:
        """Record a refresh that found nothing new (304 or the same body)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE feeds SET last_refreshed = ?, last_error = NULL, "
                "etag = coalesce(?, etag), "
                "last_modified = coalesce(?, last_modified) WHERE id = ?",
                (_to_text(utc_now()), result.etag, result.last_modified, feed_id),
            )
            if result.permanent_redirect:
                self._move_feed(db, feed_id, result.url)

    def record_error(self, feed_id: int, message: str) -> None:
        """Record a failed refresh; the feed's entries stay as they were."""
        with self._transaction() as db:
            db.execute(
                "UPDATE feeds SET last_refreshed = ?, last_error = ? WHERE id = ?",
                (_to_text(utc_now()), message, feed_id),
            )

    # Entries

    def list_entries(
        self,
        feed_id: int | None = None,
        *,
        unread_only: bool = False,
        starred_only: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Entry]:
        """Return entries newest first, optionally of one feed and filtered."""
        where, params = _entry_filter(feed_id, unread_only, starred_only)
        sql = (
            f"SELECT {_ENTRY_COLUMNS} FROM entries e JOIN feeds f "
            f"ON f.id = e.feed_id {where} "
            "ORDER BY e.sort_date DESC, e.id DESC LIMIT ? OFFSET ?"
        )
        params += [-1 if limit is None else limit, offset]
        return [_entry_from_row(row) for row in self._db.execute(sql, params)]

    def count_entries(
        self,
        feed_id: int | None = None,
        *,
        unread_only: bool = False,
        starred_only: bool = False,
    ) -> int:
        """Return how many entries ``list_entries`` would return unpaged."""
        where, params = _entry_filter(feed_id, unread_only, starred_only)
        sql = f"SELECT count(*) FROM entries e {where}"
        return int(self._db.execute(sql, params).fetchone()[0])

    def get_entry(self, entry_id: int) -> Entry:
        """Return the entry with ``entry_id`` or raise EntryNotFoundError."""
        row = self._db.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM entries e JOIN feeds f "
            "ON f.id = e.feed_id WHERE e.id = ?",
            (entry_id,),
        ).fetchone()
        if row is None:
            raise EntryNotFoundError(
                f"entry {entry_id} not found; list entries with 'tidings entries'"
            )
        return _entry_from_row(row)

    def set_read(self, entry_ids: Iterable[int], read: bool) -> int:
        """Mark entries read or unread; return how many changed."""
        return self._set_flag("read", list(entry_ids), read)

    def set_starred(self, entry_ids: Iterable[int], starred: bool) -> int:
        """Star or unstar entries; return how many changed."""
        return self._set_flag("starred", list(entry_ids), starred)

    def _set_flag(self, flag: str, entry_ids: list[int], value: bool) -> int:
        stamp = _to_text(utc_now()) if value else None
        changed = 0
        with self._transaction() as db:
            for entry_id in entry_ids:
                cursor = db.execute(
                    f"UPDATE entries SET {flag} = ?, {flag}_at = ? "
                    f"WHERE id = ? AND {flag} != ?",
                    (int(value), stamp, entry_id, int(value)),
                )
                changed += cursor.rowcount
        return changed

    def missing_entries(self, entry_ids: Iterable[int]) -> list[int]:
        """Return the ids in ``entry_ids`` that no entry has."""
        return [
            entry_id
            for entry_id in entry_ids
            if self._db.execute(
                "SELECT 1 FROM entries WHERE id = ?", (entry_id,)
            ).fetchone()
            is None
        ]

    def vacuum(self) -> VacuumReport:
        """Compact the cache file and its search index."""
        return vacuum(self._db, self.path)

    # Facts about the cache

    def get_meta(self, key: str) -> str | None:
        """Return the value stored under ``key`` in the meta table, if any."""
        row = self._db.execute(
            "SELECT value FROM meta WHERE key = ?", (key,)
        ).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Store ``value`` under ``key`` in the meta table."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # Converted Markdown

    def get_markdown(self, entry_id: int, content_hash: str) -> str | None:
        """Return cached Markdown for the entry if it was made from this hash."""
        row = self._db.execute(
            "SELECT markdown FROM markdown_cache "
            "WHERE entry_id = ? AND content_hash = ?",
            (entry_id, content_hash),
        ).fetchone()
        return None if row is None else str(row[0])

    def put_markdown(self, entry_id: int, content_hash: str, markdown: str) -> None:
        """Cache Markdown converted from the entry's content."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO markdown_cache (entry_id, content_hash, markdown) "
                "VALUES (?, ?, ?) ON CONFLICT (entry_id) DO UPDATE SET "
                "content_hash = excluded.content_hash, "
                "markdown = excluded.markdown",
                (entry_id, content_hash, markdown),
            )


_INSERT_ENTRY = """
INSERT INTO entries (
    feed_id, key, title, link, author, published, updated, content, summary,
    enclosures, fingerprint, sort_date, first_seen
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, ?), ?)
"""

# sort_date gets the stored first_seen when the entry has no date, so an
# undated entry does not jump to the top on every change.
_UPDATE_ENTRY = """
UPDATE entries SET
    title = ?, link = ?, author = ?, published = ?, updated = ?, content = ?,
    summary = ?, enclosures = ?, fingerprint = ?,
    sort_date = coalesce(?, first_seen)
WHERE feed_id = ? AND key = ?
"""


def _connect(path: Path, verify: bool = False) -> sqlite3.Connection:
    if path.exists() and not path.is_file():
        raise StoreError(f"cache path {path} is not a file; pass another --db")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False
        )
    except (OSError, sqlite3.Error) as error:
        raise StoreError(f"cannot open cache {path}: {error}") from error
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Switching to WAL rewrites the header, so the checks that leave a
        # rejected file untouched run first.
        reject_newer(connection, str(path))
        if verify:
            quick_check(connection, path)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA synchronous = NORMAL")
        migrate(connection, str(path))
    except sqlite3.DatabaseError as error:
        connection.close()
        raise StoreError(open_error_message(path, error)) from error
    except StoreError:
        connection.close()
        raise
    return connection


def _queued_for_index(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT count(*) FROM entries_fts_pending").fetchone()[0])


def _feed_not_found(feed_id: int) -> str:
    return f"feed {feed_id} not found; list feeds with 'tidings feeds'"


def _entry_filter(
    feed_id: int | None, unread_only: bool, starred_only: bool
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if feed_id is not None:
        clauses.append("e.feed_id = ?")
        params.append(feed_id)
    if unread_only:
        clauses.append("e.read = 0")
    if starred_only:
        clauses.append("e.starred = 1")
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return where, params


def _nudge(moment: datetime, microseconds: int) -> datetime:
    return moment + timedelta(microseconds=microseconds)


def _feed_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Feed:
    first, schedule = row[:10], row[10:]
    (id_, url, title, link, etag, last_modified, refreshed, error, unread, total) = (
        first
    )
    return Feed(
        id=id_,
        url=url,
        title=title,
        link=link,
        etag=etag,
        last_modified=last_modified,
        last_refreshed=_to_datetime(refreshed),
        last_error=error,
        unread=unread,
        total=total,
        **schedule_fields(schedule),
    )


def _entry_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Entry:
    (
        id_, feed_id, key, title, link, author, published, updated, content,
        summary, enclosures, first_seen, read, read_at, starred, starred_at,
        feed_title,
    ) = row  # fmt: skip
    return Entry(
        id=id_,
        feed_id=feed_id,
        key=key,
        title=title,
        link=link,
        author=author,
        published=_to_datetime(published),
        updated=_to_datetime(updated),
        content=content,
        summary=summary,
        first_seen=datetime.fromisoformat(first_seen),
        read=bool(read),
        read_at=_to_datetime(read_at),
        starred=bool(starred),
        starred_at=_to_datetime(starred_at),
        enclosures=tuple(Enclosure(**item) for item in json.loads(enclosures)),
        feed_title=feed_title,
    )
